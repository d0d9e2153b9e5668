"""What `deploy` uploads: the Glue script, the evaluator's zip, the definition.

Each goes to a key that ends in a hash of its content, so an unchanged artifact
keeps its key (and the stack sees no change), a changed one gets a new key (and
CloudFormation updates the resource that points at it), and an upload never
replaces an object a running execution may still use. Builds are byte-for-byte
reproducible: the zip's timestamps and permissions are fixed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODE_PREFIX = "code/"
# The code that runs inside AWS steps, each file uploaded on its own.
STEPS_DIR = Path(__file__).parents[1] / "steps"
# The Lambda runtime imports the handler from the zip's top level.
EVALUATOR_HANDLER = "lambda_evaluator.handler"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Artifact:
    name: str
    body: bytes
    suffix: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.body).hexdigest()[:16]
        return f"{CODE_PREFIX}{self.name}-{digest}{self.suffix}"

    @property
    def checksum(self) -> str:
        """The SHA-256 of the body as S3 spells it (base64) in ChecksumSHA256."""
        return base64.b64encode(hashlib.sha256(self.body).digest()).decode("ascii")


def build_artifacts(definition: str) -> dict[str, Artifact]:
    """The three artifacts, by the stack parameter that names each one's key."""
    return {
        "GlueScriptKey": Artifact(
            "glue_etl_job", (STEPS_DIR / "glue_etl_job.py").read_bytes(), ".py"
        ),
        "EvaluatorCodeKey": Artifact("lambda_evaluator", evaluator_zip(), ".zip"),
        "DefinitionKey": Artifact("definition", definition.encode("utf-8"), ".asl.json"),
    }


# The Lambda functions' modules, each a handler at the zip's top level: they need
# nothing but the standard library and boto3, which Lambda provides.
LAMBDA_MODULES = ("lambda_evaluator.py", "new_data_trigger.py", "drift_check.py")


def evaluator_zip() -> bytes:
    """The evaluator's, the new-data trigger's and the drift check's code, in one zip
    the three functions use."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for module in LAMBDA_MODULES:
            entry = zipfile.ZipInfo(module, date_time=_ZIP_EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (STEPS_DIR / module).read_bytes())
    return buffer.getvalue()


def upload(
    s3: Any, bucket: str, artifacts: dict[str, Artifact], say: Callable[[str], None]
) -> None:
    """Put each artifact whose key does not hold its exact content yet.

    The key names the content, but anyone who may write the bucket could have put
    other bytes under it: an object is kept only when S3's own SHA-256 of it (the
    ChecksumSHA256 that S3 computed and verified when it was stored) is the
    artifact's. Otherwise it is put again, with the checksum for S3 to verify.
    """
    for artifact in artifacts.values():
        stored = stored_checksum(s3, bucket, artifact.key)
        if stored == artifact.checksum:
            say(f"  s3://{bucket}/{artifact.key} (unchanged)")
            continue
        s3.put_object(
            Bucket=bucket,
            Key=artifact.key,
            Body=artifact.body,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=artifact.checksum,
        )
        repaired = "" if stored is None else " replacing an object whose content did not match"
        say(f"  s3://{bucket}/{artifact.key} ({len(artifact.body):,} bytes){repaired}")


def stored_checksum(s3: Any, bucket: str, key: str) -> str | None:
    """The object's SHA-256 checksum as S3 keeps it; '' if it has none; None if absent."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("ChecksumSHA256", "")


def object_exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
