"""`drift` on AWS and the drift line of `models`: the newest report the scheduled
check wrote (steps/drift_check.py), read from moto's S3 (emulated)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws
from project.cli import main
from project.models.drift import checked_at, newest_report
from project.settings import load_settings
from project.settings.names import endpoint_name
from project.steps.drift_check import report_key

from ..conftest import clear_account_values, replace_line

VIOLATION = {"feature_name": "tenure", "constraint_check_type": "baseline_drift_check",
             "description": "distance 0.400 exceeds threshold 0.1"}  # fmt: skip


def write_report(s3, settings, at: datetime, violations: list[dict]) -> str:
    key = report_key(endpoint_name(settings), at)
    s3.put_object(Bucket=settings.artifact_bucket, Key=key,
                  Body=json.dumps({"violations": violations}).encode())  # fmt: skip
    return key


@pytest.fixture
def aws_project(settings_path):
    clear_account_values(settings_path)  # then this account's bucket and roles
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    with mock_aws():
        settings = load_settings(settings_path)
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(Bucket=settings.artifact_bucket) if settings.region == "us-east-1" else (
            s3.create_bucket(Bucket=settings.artifact_bucket, CreateBucketConfiguration={
                "LocationConstraint": settings.region}))  # fmt: skip
        yield settings_path, settings, s3


def test_the_newest_report_is_the_one_shown_with_a_line_per_violation(aws_project, capsys):
    settings_path, settings, s3 = aws_project
    write_report(s3, settings, datetime(2026, 12, 1, 3, 0, tzinfo=UTC), [])
    newest = write_report(s3, settings, datetime(2026, 12, 2, 3, 0, 5, 12, tzinfo=UTC), [VIOLATION])
    assert main(["--settings", str(settings_path), "drift"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"drift report s3://{settings.artifact_bucket}/{newest} "
                             "(2026-12-02 03:00 UTC): 1 violation(s)")  # fmt: skip
    assert out[1:] == ["  tenure: baseline_drift_check: distance 0.400 exceeds threshold 0.1"]
    report = newest_report(s3, settings.artifact_bucket, endpoint_name(settings))
    assert report.summary(settings.slug).startswith(
        "drift: the newest check (2026-12-02 03:00 UTC) found 1 violation(s): tenure"
    )


def test_before_the_first_check_drift_says_when_it_runs(aws_project, capsys):
    settings_path, settings, _ = aws_project
    assert main(["--settings", str(settings_path), "drift"]) == 0
    assert f"the check runs on {settings.drift_check_schedule}" in capsys.readouterr().out


def test_without_a_check_schedule_drift_says_how_to_turn_it_on(aws_project, capsys):
    settings_path, _, _ = aws_project
    replace_line(settings_path, "check_schedule =", 'check_schedule = "none"')
    assert main(["--settings", str(settings_path), "drift"]) == 2
    assert 'drift.check_schedule is "none"' in capsys.readouterr().err


def test_the_time_of_a_report_is_read_from_its_key():
    at = datetime(2026, 1, 2, 13, 14, 15, 160000, tzinfo=UTC)
    assert checked_at(report_key("x-endpoint", at)) == at


def test_the_drift_chart_draws_every_feature_and_marks_the_drifted_ones():
    import xml.etree.ElementTree as ElementTree

    from project.models.drift_chart import drift_chart_svg, shares

    def statistics(name_counts):
        return {"features": [
            {"name": name, "numerical_statistics": {"distribution": {"kll": {"buckets": [
                {"lower_bound": k, "upper_bound": k + 1, "count": c}
                for k, c in enumerate(counts)]}}}}
            for name, counts in name_counts.items()]}  # fmt: skip

    baseline = statistics({"age": [5, 5, 0, 0], "spend<usd>": [1, 1, 1, 1]})
    captured = statistics({"age": [0, 0, 5, 5], "spend<usd>": [1, 1, 1, 1]})
    svg = drift_chart_svg(baseline, captured, {"age"})
    root = ElementTree.fromstring(svg)  # well-formed, names escaped
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "age (drifted)" in texts and "spend<usd>" in texts
    assert shares(captured["features"][0]) == [0.0, 0.0, 0.5, 0.5]
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 8  # 4 buckets x 2
