"""What `deploy` uploads: the Glue script, the evaluator's zip, the definition.

Each goes to a key that ends in a hash of its content, so an unchanged artifact
keeps its key (and the stack sees no change), a changed one gets a new key (and
CloudFormation updates the resource that points at it), and an upload never
replaces an object a running execution may still use. Builds are byte-for-byte
reproducible: the zip's timestamps and permissions are fixed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODE_PREFIX = "code/"
PACKAGE_DIR = Path(__file__).parent
# The Lambda runtime imports the handler from the zip's top level.
EVALUATOR_HANDLER = "evaluator.handler"
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


def build_artifacts(definition: str) -> dict[str, Artifact]:
    """The three artifacts, by the stack parameter that names each one's key."""
    return {
        "GlueScriptKey": Artifact("etl_job", (PACKAGE_DIR / "etl_job.py").read_bytes(), ".py"),
        "EvaluatorCodeKey": Artifact("evaluator", evaluator_zip(), ".zip"),
        "DefinitionKey": Artifact("definition", definition.encode("utf-8"), ".asl.json"),
    }


def evaluator_zip() -> bytes:
    """The evaluator alone: it needs nothing but boto3, which Lambda provides."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("evaluator.py", date_time=_ZIP_EPOCH)
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, (PACKAGE_DIR / "evaluator.py").read_bytes())
    return buffer.getvalue()


def upload(
    s3: Any, bucket: str, artifacts: dict[str, Artifact], say: Callable[[str], None]
) -> None:
    """Put each artifact that is not in the bucket yet; say which were already there."""
    for artifact in artifacts.values():
        if object_exists(s3, bucket, artifact.key):
            say(f"  s3://{bucket}/{artifact.key} (unchanged)")
            continue
        s3.put_object(Bucket=bucket, Key=artifact.key, Body=artifact.body)
        say(f"  s3://{bucket}/{artifact.key} ({len(artifact.body):,} bytes)")


def object_exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
