"""`upload-data`: put a raw CSV where the Glue job reads it, never over another one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .aws_errors import AwsError
from .aws_session import AwsSession
from .executions import RAW_DATA_PREFIX
from .settings import Settings, SettingsError


def upload_data(
    settings: Settings, aws: AwsSession, csv: Path | None, sample_rows: int | None = None
) -> str:
    """Upload ``csv`` (or a generated sample) to data/raw/; return its S3 URI."""
    aws.check_account()
    if csv is None:
        from .sample_data import generate

        folder = Path(tempfile.mkdtemp())
        csv = generate(folder / "sample.csv", rows=sample_rows or 1000)
    elif not csv.is_file():
        raise SettingsError(f"{csv} does not exist; give the path of a CSV file")
    key = f"{RAW_DATA_PREFIX}{csv.name}"
    s3 = aws.client("s3")
    existing = s3.list_objects_v2(Bucket=settings.artifact_bucket, Prefix=key, MaxKeys=1)
    if any(item["Key"] == key for item in existing.get("Contents", [])):
        raise AwsError(
            f"s3://{settings.artifact_bucket}/{key} exists and is never overwritten; "
            "rename your file, or delete the old one first"
        )
    s3.upload_file(str(csv), settings.artifact_bucket, key)
    return f"s3://{settings.artifact_bucket}/{key}"
