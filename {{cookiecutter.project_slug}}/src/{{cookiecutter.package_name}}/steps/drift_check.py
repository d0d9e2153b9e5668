"""The drift check: what the live endpoint received, against its model's baseline.

The baseline (statistics.json, constraints.json under ``models/<run>/baseline/``) is
written by the ETL job from the run's training features, in SageMaker Model Monitor's
formats. This module reads the endpoint's captured requests (data capture's JSON
Lines: ``captureData.endpointInput.data`` holds the CSV rows), computes the same
statistics on them with the baseline's buckets, and reports violations in Model
Monitor's ``constraint_violations.json`` shape:

- ``baseline_drift_check``: the distance between a feature's baseline and current
  distributions (the largest gap between their cumulative shares at the bucket
  bounds, "Simple" comparison) exceeds ``comparison_threshold``;
- ``missing_column_check`` / ``extra_column_check``: requests carry fewer or more
  columns than the model was trained on;
- ``completeness_check``: a smaller share of values is present than in the baseline.

Why not Model Monitor itself: it is no longer open to new customers (AWS's
"Model Monitor availability change"); these are its documented file formats, so a
team that has it can point it at the same baseline.

On AWS, ``handler`` runs as the ``<slug>-drift-check`` Lambda function on the
drift.check_schedule: it finds the live endpoint's model and its baseline, reads the
endpoint's data capture since the endpoint last changed, writes the report under
``monitoring/<endpoint>/`` and publishes the number of violations as the metric the
stack's ``<slug>-drift`` alarm watches. Local mode (local/drift.py) runs ``check`` on
what `serve` captured. Standard library only, and boto3 on AWS (the Lambda runtime
provides it).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

INPUT_MODE = "INPUT"
CSV_MEDIA_TYPES = ("text/csv", "csv")  # what the endpoint reads as CSV rows
VARIANT = "AllTraffic"  # the endpoint's one production variant
CAPTURE_PREFIX = "capture/"  # settings/names.py names the same prefixes
MONITORING_PREFIX = "monitoring/"
METRIC_NAME = "DriftViolations"  # in the project's namespace (its slug), per endpoint
REPORT_FILE = "constraint_violations.json"
STATISTICS_FILE = "statistics.json"  # the captured rows', beside the report


def captured_rows(
    capture_lines: Iterable[str], since: datetime | None = None
) -> Iterator[list[str]]:
    """The CSV rows of each captured request (a request may hold several rows), of
    requests captured at ``since`` or later when it is given."""
    for line in capture_lines:
        if not line.strip():
            continue
        record = json.loads(line)
        if since and datetime.fromisoformat(record["eventMetadata"]["inferenceTime"]) < since:
            continue
        request = record.get("captureData", {}).get("endpointInput", {})
        text = csv_text(request)
        if request.get("mode", INPUT_MODE) != INPUT_MODE or text is None:
            continue
        yield from (row for row in csv.reader(io.StringIO(text)) if row)


def csv_text(captured: dict[str, Any]) -> str | None:
    """The CSV rows of a captured request, or None when it was not CSV. Data capture
    keeps the content types listed in CaptureContentTypeHeader as text (encoding CSV)
    and base64-encodes any other, "csv" or "text/csv; charset=utf-8" included."""
    data = captured.get("data", "")
    if captured.get("encoding") == "CSV":
        return data
    media_type = captured.get("observedContentType", "").split(";")[0].strip().lower()
    if captured.get("encoding") == "BASE64" and media_type in CSV_MEDIA_TYPES:
        try:
            return base64.b64decode(data, validate=True).decode("utf-8", "replace")
        except ValueError:  # binascii.Error: not what data capture writes; not a row
            return None
    return None


class CurrentStatistics:
    """The captured rows' statistics, bucketed as the baseline is: bounded memory,
    whatever the number of rows."""

    def __init__(self, baseline: dict[str, Any]):
        self.features = [feature["name"] for feature in baseline["features"]]
        self.bounds = [_upper_bounds(feature) for feature in baseline["features"]]
        self.counts = [[0] * (len(bounds) or 1) for bounds in self.bounds]
        self.present = [0] * len(self.features)
        self.rows = 0
        self.widths: dict[int, int] = {}  # columns per row -> rows

    def add(self, row: list[str]) -> None:
        self.rows += 1
        self.widths[len(row)] = self.widths.get(len(row), 0) + 1
        for index, text in enumerate(row[: len(self.features)]):
            value = _number(text)
            if value is None:
                continue
            self.present[index] += 1
            bounds = self.bounds[index]
            bucket = next((k for k, upper in enumerate(bounds) if value <= upper), len(bounds) - 1)
            self.counts[index][max(bucket, 0)] += 1

    def to_statistics(self, baseline: dict[str, Any]) -> dict[str, Any]:
        """The captured rows' statistics.json (Model Monitor's format, which a monitoring
        job writes beside its violations): per feature, the baseline's buckets with the
        captured counts, and how many values were present."""
        features = []
        for index, feature in enumerate(baseline["features"]):
            buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
            counts = self.counts[index]
            features.append({
                "name": feature["name"],
                "inferred_type": feature.get("inferred_type", "Fractional"),
                "numerical_statistics": {
                    "common": {"num_present": self.present[index],
                               "num_missing": self.rows - self.present[index]},
                    "distribution": {"kll": {"buckets": [
                        {**bucket, "count": count}
                        for bucket, count in zip(buckets, counts, strict=False)]}},
                },
            })  # fmt: skip
        return {"version": 0, "dataset": {"item_count": self.rows}, "features": features}


def check(
    baseline: dict[str, Any], constraints: dict[str, Any], rows: Iterable[list[str]]
) -> tuple[CurrentStatistics, dict[str, Any]]:
    """The current statistics and the violations report for ``rows``."""
    current = CurrentStatistics(baseline)
    for row in rows:
        current.add(row)
    return current, {"violations": violations(baseline, constraints, current)}


def violations(
    baseline: dict[str, Any], constraints: dict[str, Any], current: CurrentStatistics
) -> list[dict[str, str]]:
    found = []
    expected = len(current.features)
    for width, rows in sorted(current.widths.items()):
        if width != expected:
            kind = "missing_column_check" if width < expected else "extra_column_check"
            found.append({
                "feature_name": "",
                "constraint_check_type": kind,
                "description": f"{rows} of {current.rows} requests have {width} columns; "
                               f"the model was trained on {expected}",
            })  # fmt: skip
    threshold = _threshold(constraints)
    by_name = {feature["name"]: feature for feature in constraints.get("features", [])}
    for index, name in enumerate(current.features):
        if not current.rows:
            break
        distance = distribution_distance(baseline["features"][index], current.counts[index])
        if distance is not None and distance > threshold:
            found.append({
                "feature_name": name,
                "constraint_check_type": "baseline_drift_check",
                "description": f"distance {distance:.3f} exceeds threshold {threshold:g} "
                               "(the largest gap between baseline and current cumulative shares)",
            })  # fmt: skip
        completeness = current.present[index] / current.rows
        required = by_name.get(name, {}).get("completeness")
        if required is not None and completeness < required - 1e-9:
            found.append({
                "feature_name": name,
                "constraint_check_type": "completeness_check",
                "description": f"{completeness:.1%} of values present; the baseline had "
                               f"{required:.1%}",
            })  # fmt: skip
    return found


def distribution_distance(feature: dict[str, Any], counts: list[int]) -> float | None:
    """The L-infinity distance between the cumulative shares of the baseline's buckets
    and of ``counts`` (the current values in the same buckets); None without data."""
    buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
    baseline_counts = [bucket["count"] for bucket in buckets]
    total_baseline, total_current = sum(baseline_counts), sum(counts)
    if not total_baseline or not total_current:
        return None
    gap = running_baseline = running_current = 0
    for baseline_count, current_count in zip(baseline_counts, counts, strict=False):
        running_baseline += baseline_count
        running_current += current_count
        gap = max(gap, abs(running_baseline / total_baseline - running_current / total_current))
    return gap


def _upper_bounds(feature: dict[str, Any]) -> list[float]:
    buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
    return [bucket["upper_bound"] for bucket in buckets]


def _threshold(constraints: dict[str, Any]) -> float:
    config = constraints.get("monitoring_config", {}).get("distribution_constraints", {})
    return float(config.get("comparison_threshold", 0.1))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def with_threshold(constraints: dict[str, Any], threshold: float) -> dict[str, Any]:
    """drift.max_distance, as a monitoring job's constraints override would set it."""
    config = constraints.setdefault("monitoring_config", {})
    config.setdefault("distribution_constraints", {})["comparison_threshold"] = threshold
    return constraints


def baseline_uri(model_data_url: str) -> str:
    """``s3://bucket/models/<run>/baseline/`` of a model under ``models/<run>/``."""
    bucket, _, key = model_data_url.removeprefix("s3://").partition("/")
    run = key.removeprefix("models/").split("/", 1)[0]
    return f"s3://{bucket}/models/{run}/baseline/"


def report_key(endpoint: str, now: datetime) -> str:
    """Where a check's report goes: one folder per check, in time order."""
    return f"{MONITORING_PREFIX}{endpoint}/{now:%Y/%m/%d/%H%M%S-%f}/{REPORT_FILE}"


# --- On AWS: the scheduled check ---------------------------------------------------


@dataclass(frozen=True)
class CheckSettings:
    """What the stack gives the function in its environment."""

    endpoint: str
    bucket: str
    metric_namespace: str
    max_distance: float

    @classmethod
    def from_environment(cls, environment: dict[str, str] | None = None) -> CheckSettings:
        environment = os.environ if environment is None else environment
        return cls(
            endpoint=environment["ENDPOINT_NAME"],
            bucket=environment["BUCKET"],
            metric_namespace=environment["METRIC_NAMESPACE"],
            max_distance=float(environment["MAX_DISTANCE"]),
        )


@dataclass(frozen=True)
class LiveModel:
    name: str
    baseline_uri: str
    live_since: datetime  # the endpoint's LastModifiedTime: its latest deployment


def live_model(sagemaker: Any, endpoint: str) -> LiveModel | None:
    """The model the endpoint serves (DescribeEndpoint, its config, its model); None
    while there is no endpoint (no run has passed the gate yet)."""
    try:
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
    except sagemaker.exceptions.ClientError as error:
        if "Could not find endpoint" in str(error):
            return None
        raise
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    name = config["ProductionVariants"][0]["ModelName"]
    model = sagemaker.describe_model(ModelName=name)
    return LiveModel(
        name=name,
        baseline_uri=baseline_uri(model["PrimaryContainer"]["ModelDataUrl"]),
        live_since=described["LastModifiedTime"].astimezone(UTC),
    )


def capture_lines(s3: Any, bucket: str, endpoint: str, since: datetime) -> Iterator[str]:
    """The capture files' lines, streamed, from the hour folder of ``since`` on (data
    capture writes under ``<endpoint>/<variant>/yyyy/mm/dd/hh/``, in UTC)."""
    prefix = f"{CAPTURE_PREFIX}{endpoint}/{VARIANT}/"
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, StartAfter=f"{prefix}{since:%Y/%m/%d/%H}"
    )
    for page in pages:
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"]
            for line in body.iter_lines():
                yield line.decode("utf-8")


def check_live_endpoint(
    settings: CheckSettings, sagemaker: Any, s3: Any, cloudwatch: Any, now: datetime
) -> dict[str, Any]:
    """The check: its report in S3, its count of violations in CloudWatch."""
    model = live_model(sagemaker, settings.endpoint)
    if model is None:
        return _skipped(f"no endpoint {settings.endpoint} yet")
    bucket, _, folder = model.baseline_uri.removeprefix("s3://").partition("/")
    try:
        statistics = _s3_json(s3, bucket, folder + "statistics.json")
        constraints = _s3_json(s3, bucket, folder + "constraints.json")
    except s3.exceptions.ClientError as error:
        # Without s3:ListBucket on models/, S3 answers a missing key with AccessDenied.
        if error.response.get("Error", {}).get("Code") not in ("NoSuchKey", "AccessDenied"):
            raise
        return _skipped(f"{model.name} has no baseline at {model.baseline_uri}")
    constraints = with_threshold(constraints, settings.max_distance)
    lines = capture_lines(s3, settings.bucket, settings.endpoint, model.live_since)
    current, report = check(statistics, constraints, captured_rows(lines, since=model.live_since))
    if not current.rows:
        return _skipped(f"no captured requests since {model.live_since:%Y-%m-%dT%H:%M:%SZ}")
    key = report_key(settings.endpoint, now)
    written = {REPORT_FILE: report, STATISTICS_FILE: current.to_statistics(statistics)}
    for name, document in written.items():
        s3.put_object(Bucket=settings.bucket, Key=key.replace(REPORT_FILE, name),
                      Body=json.dumps(document, indent=1).encode(),
                      ContentType="application/json")  # fmt: skip
    cloudwatch.put_metric_data(
        Namespace=settings.metric_namespace,
        MetricData=[{
            "MetricName": METRIC_NAME,
            "Dimensions": [{"Name": "EndpointName", "Value": settings.endpoint}],
            "Value": len(report["violations"]),
            "Unit": "Count",
        }],
    )  # fmt: skip
    return {
        "Action": "checked",
        "Model": model.name,
        "Rows": current.rows,
        "Violations": len(report["violations"]),
        "Report": f"s3://{settings.bucket}/{key}",
    }


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point, invoked by the drift.check_schedule rule."""
    import boto3  # the Lambda runtime provides it

    result = check_live_endpoint(
        CheckSettings.from_environment(),
        boto3.client("sagemaker"),
        boto3.client("s3"),
        boto3.client("cloudwatch"),
        datetime.now(UTC),
    )
    # EventBridge invokes it asynchronously and drops the result: the log keeps it.
    print(json.dumps(result, default=str))
    return result


def _skipped(reason: str) -> dict[str, str]:
    return {"Action": "skipped", "Reason": reason}


def _s3_json(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
