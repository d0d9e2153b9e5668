"""`upload-data`: put a raw CSV where the Glue job reads it, never over another one."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings, SettingsError
from ..settings.rules_training_data import (
    TRAIN_ON_ALL,
    TRAIN_ON_LATEST,
    normalized_train_on,
    window_days,
)
from .artifacts import object_exists
from .errors import AwsError
from .session import AwsSession

RAW_DATA_PREFIX = "data/raw/"  # where the Glue job reads the raw CSV (--source_uri)


@dataclass(frozen=True)
class RawObject:
    key: str
    size: int
    modified: float  # LastModified, seconds since the epoch

    @property
    def upload(self) -> str:
        """The file, or the folder, directly under data/raw/ that holds it."""
        return self.key.removeprefix(RAW_DATA_PREFIX).split("/", 1)[0]


def raw_objects(settings: Settings, aws: AwsSession) -> list[RawObject]:
    """The objects under data/raw/ that the Glue job reads (not names starting with _
    or ., as Spark skips them, nor folder markers)."""
    pages = (
        aws.client("s3")
        .get_paginator("list_objects_v2")
        .paginate(Bucket=settings.artifact_bucket, Prefix=RAW_DATA_PREFIX)
    )
    found = []
    for page in pages:
        for item in page.get("Contents", []):
            relative = item["Key"].removeprefix(RAW_DATA_PREFIX)
            if not relative or relative.endswith("/"):
                continue
            if any(part.startswith(("_", ".")) for part in relative.split("/")):
                continue
            found.append(RawObject(item["Key"], item["Size"], item["LastModified"].timestamp()))
    return found


def selected(objects: list[RawObject], train_on: str, now: float) -> list[RawObject]:
    """What a run started now trains on: steps/glue_etl_job.select_inputs's rule (the job
    is uploaded alone and keeps its own copy; a test holds the two together)."""
    value = normalized_train_on(train_on)
    if value == TRAIN_ON_ALL or not objects:
        return objects
    if value == TRAIN_ON_LATEST:
        newest: dict[str, float] = {}
        for item in objects:
            newest[item.upload] = max(newest.get(item.upload, 0.0), item.modified)
        latest = max(newest, key=lambda upload: (newest[upload], upload))
        return [item for item in objects if item.upload == latest]
    since = now - (window_days(value) or 0) * 86_400
    return [item for item in objects if item.modified >= since]


def refuse_what_cannot_run(settings: Settings, aws: AwsSession, now: float) -> None:
    """Before a run starts: raw data for the Glue job, in the window train_on chooses,
    that the training instances can hold (a run that cannot would fail at training,
    after the whole ETL)."""
    from .scale_estimate import bytes_per_row, training_memory_problem

    objects = raw_objects(settings, aws)
    where = f"s3://{settings.artifact_bucket}/{RAW_DATA_PREFIX}"
    if not objects:
        raise AwsError(f"{where} holds no data for the Glue job; run "
                       f"'{settings.slug} upload-data <csv>' (or --sample) first")  # fmt: skip
    chosen = selected(objects, settings.train_on, now)
    if not chosen:
        raise AwsError(f"none of the {len(objects)} files under {where} was uploaded in the last "
                       f"{normalized_train_on(settings.train_on)} (retraining.train_on); upload "
                       'new data, or set it to "all"')  # fmt: skip
    size = sum(item.size for item in chosen)
    problem = training_memory_problem(settings, size / bytes_per_row(settings))
    if problem:
        raise AwsError(f"the {size / 1e9:,.1f} GB this run would train on (retraining.train_on = "
                       f"\"{normalized_train_on(settings.train_on)}\") do not fit training: "
                       f"{problem} (run --skip-size-check to start it anyway)")  # fmt: skip


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
