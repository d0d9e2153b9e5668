"""`upload-data`: put a raw CSV where the Glue job reads it, never over another one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..settings import Settings, SettingsError
from .artifacts import object_exists
from .errors import AwsError
from .executions import RAW_DATA_PREFIX
from .session import AwsSession


def upload_data(
    settings: Settings, aws: AwsSession, csv: Path | None, sample_rows: int | None = None
) -> str:
    """Upload ``csv`` (or a generated sample) to data/raw/; return its S3 URI."""
    aws.check_account()
    if csv is not None:
        if not csv.is_file():
            raise SettingsError(f"{csv} does not exist; give the path of a CSV file")
        return _upload(settings, aws, csv)
    from ..sample_data import DEFAULT_ROWS, generate

    with tempfile.TemporaryDirectory() as folder:
        sample = generate(
            Path(folder) / "sample.csv", settings.data, rows=sample_rows or DEFAULT_ROWS
        )
        return _upload(settings, aws, sample)


def _upload(settings: Settings, aws: AwsSession, csv: Path) -> str:
    key = f"{RAW_DATA_PREFIX}{csv.name}"
    s3 = aws.client("s3")
    if object_exists(s3, settings.artifact_bucket, key):
        raise AwsError(
            f"s3://{settings.artifact_bucket}/{key} exists and is never overwritten; "
            "rename your file, or delete the old one first"
        )
    s3.upload_file(str(csv), settings.artifact_bucket, key)
    return f"s3://{settings.artifact_bucket}/{key}"


def read_object_start(aws: AwsSession, uri: str, max_bytes: int) -> tuple[str, bool]:
    """The first ``max_bytes`` of an s3:// object as text, and whether that is all of it."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise SettingsError(f"{uri} is not an S3 object URI; write it as s3://bucket/key.csv")
    aws.check_account()
    response = aws.client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}")
    body = response["Body"].read()
    complete = response.get("ContentLength", len(body)) >= int(
        str(response.get("ContentRange", f"/{len(body)}")).rsplit("/", 1)[-1]
    )
    from ..dataset.init import utf8_text

    if not complete:  # a multi-byte character may be cut at the end of the range
        body = body[: body.rfind(b"\n") + 1]
    return utf8_text(body, uri), complete
