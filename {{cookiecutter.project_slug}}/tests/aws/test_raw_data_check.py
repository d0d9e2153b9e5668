"""Before a run starts on AWS: raw data under data/raw/, in the window retraining.train_on
chooses, that the training instances can hold (#24). S3's ListObjectsV2 is answered by
botocore's Stubber, shaped as S3 answers it (sizes a test cannot upload to moto)."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from project.aws.errors import AwsError
from project.aws.raw_data import RAW_DATA_PREFIX, RawObject, refuse_what_cannot_run, selected
from project.aws.session import AwsSession
from project.settings import load_settings

from ..conftest import PROJECT_ROOT

NOW = 1_800_000_000.0
DAY = 86_400


@pytest.fixture
def settings():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    return dataclasses.replace(settings, artifact_bucket_setting="bucket", account_id="")


def session_listing(settings, objects: list[tuple[str, int, float]]) -> AwsSession:
    """An AwsSession whose S3 client answers one ListObjectsV2 with ``objects``."""
    boto = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                 region_name=settings.region)  # fmt: skip
    aws = AwsSession(settings, session=boto)
    stubber = Stubber(aws.client("s3"))
    contents = [{"Key": key, "Size": size, "LastModified": datetime.fromtimestamp(when, UTC)}
                for key, size, when in objects]  # fmt: skip
    stubber.add_response("list_objects_v2", {"Contents": contents, "KeyCount": len(contents),
                                              "IsTruncated": False})  # fmt: skip
    stubber.activate()
    return aws


def test_data_the_training_instances_cannot_hold_is_refused_before_the_run(settings):
    aws = session_listing(settings, [(f"{RAW_DATA_PREFIX}a.csv", 60 * 10**9, NOW),
                                     (f"{RAW_DATA_PREFIX}b.csv", 40 * 10**9, NOW)])  # fmt: skip
    with pytest.raises(AwsError) as caught:
        refuse_what_cannot_run(settings, aws, NOW)
    message = str(caught.value)
    assert "the 100.0 GB this run would train on" in message and "\n" not in message
    assert "ml.m5.xlarge has 16" in message and "--skip-size-check" in message


def test_only_what_train_on_chooses_counts(settings):
    """100 GB in all, but the latest upload is 1 GB: the run can train on it."""
    latest = dataclasses.replace(settings, train_on="latest")
    aws = session_listing(latest, [(f"{RAW_DATA_PREFIX}old.csv", 99 * 10**9, NOW - DAY),
                                   (f"{RAW_DATA_PREFIX}new/part-1.csv", 10**9, NOW)])  # fmt: skip
    refuse_what_cannot_run(latest, aws, NOW)


def test_a_window_with_no_upload_is_refused(settings):
    window = dataclasses.replace(settings, train_on="7 days")
    aws = session_listing(window, [(f"{RAW_DATA_PREFIX}old.csv", 10**6, NOW - 30 * DAY)])
    with pytest.raises(AwsError, match=r"none of the 1 files under .* uploaded in the last 7 days"):
        refuse_what_cannot_run(window, aws, NOW)


def test_markers_and_names_spark_skips_are_not_data(settings):
    aws = session_listing(settings, [(RAW_DATA_PREFIX, 0, NOW),
                                     (f"{RAW_DATA_PREFIX}batch/", 0, NOW),
                                     (f"{RAW_DATA_PREFIX}batch/_SUCCESS", 0, NOW)])  # fmt: skip
    with pytest.raises(AwsError, match="holds no data for the Glue job"):
        refuse_what_cannot_run(settings, aws, NOW)


@pytest.mark.parametrize("seed", range(40))
def test_the_check_chooses_the_files_the_glue_job_will_read(seed):
    """The job is uploaded alone and keeps its own rule: on random uploads (files and
    folders, ties in time) both choose the same files, for each kind of train_on."""
    from project.steps.glue_etl_job import RawFile, select_inputs

    rng = random.Random(seed)
    objects = []
    for _ in range(rng.randint(0, 8)):
        upload = rng.choice(["a.csv", "b.csv", "batch1", "batch2", "z.csv"])
        key = upload if upload.endswith(".csv") else f"{upload}/part-{rng.randint(0, 3)}.csv"
        objects.append(RawObject(RAW_DATA_PREFIX + key, 10, NOW - rng.choice([0, 1, 3, 9]) * DAY))
    objects = sorted({item.key: item for item in objects}.values(), key=lambda item: item.key)
    files = [RawFile("s3://b/" + item.key, item.upload, item.size, item.modified)
             for item in objects]  # fmt: skip
    for train_on in ("all", "latest", "2 days", "5 days"):
        ours = [item.key for item in selected(objects, train_on, NOW)]
        theirs = [raw.uri.removeprefix("s3://b/") for raw in select_inputs(files, train_on, NOW)]
        assert ours == theirs, (train_on, objects)
