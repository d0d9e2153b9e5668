"""The drift check (steps/drift_check.py) on hand-made baselines: each violation type
of Model Monitor's constraint_violations.json that it reports, and its bounded memory."""

from __future__ import annotations

import json
import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from moto import mock_aws
from project.steps import drift_check
from project.steps.glue_etl_job import suggested_constraints


def feature(name: str, values: list[float]) -> dict:
    """A feature's statistics.json entry as the ETL writes it (10 equal buckets)."""
    low, high = min(values), max(values)
    width = (high - low) / 10
    counts = [0] * 10
    for value in values:
        counts[min(int((value - low) / width), 9) if width else 0] += 1
    return {
        "name": name,
        "inferred_type": "Fractional",
        "numerical_statistics": {
            "common": {"num_present": len(values), "num_missing": 0},
            "mean": sum(values) / len(values), "sum": sum(values), "std_dev": 0.0,
            "min": low, "max": high,
            "distribution": {"kll": {"buckets": [
                {"lower_bound": low + k * width, "upper_bound": low + (k + 1) * width,
                 "count": counts[k]} for k in range(10)]}},
        },
    }  # fmt: skip


def baseline(seed: int = 1, rows: int = 2000):
    rng = random.Random(seed)
    columns = {"age": [rng.gauss(40, 10) for _ in range(rows)],
               "spend": [rng.uniform(0, 100) for _ in range(rows)]}  # fmt: skip
    features = [feature(name, values) for name, values in columns.items()]
    statistics = {"version": 0, "dataset": {"item_count": rows}, "features": features}
    return statistics, suggested_constraints(statistics), columns


def rows_of(columns, shift_age=0.0):
    return [[str(age + shift_age), str(spend)]
            for age, spend in zip(columns["age"], columns["spend"], strict=True)]  # fmt: skip


def test_the_training_distribution_is_no_drift_and_a_shift_names_its_feature():
    statistics, constraints, _ = baseline()
    fresh = baseline(seed=2)[2]  # another sample of the same distributions
    _, report = drift_check.check(statistics, constraints, rows_of(fresh))
    assert report == {"violations": []}
    _, report = drift_check.check(statistics, constraints, rows_of(fresh, shift_age=15))
    (violation,) = report["violations"]
    assert violation["feature_name"] == "age"
    assert violation["constraint_check_type"] == "baseline_drift_check"
    assert "exceeds threshold 0.1" in violation["description"]


def test_the_threshold_is_the_constraints_comparison_threshold():
    statistics, constraints, columns = baseline()
    shifted = rows_of(columns, shift_age=3)  # a small shift: about 0.12 apart
    distance = drift_check.distribution_distance(
        statistics["features"][0], drift_check.check(statistics, constraints, shifted)[0].counts[0]
    )
    assert 0.1 < distance < 0.3
    constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] = 0.5
    assert drift_check.check(statistics, constraints, shifted)[1] == {"violations": []}


def test_rows_with_missing_or_extra_columns_and_missing_values_are_reported():
    statistics, constraints, columns = baseline()
    rows = rows_of(columns)[:100] + [["41"]] * 5 + [["41", "5", "9"]] * 3 + [["", "5"]] * 40
    _, report = drift_check.check(statistics, constraints, rows)
    kinds = {(v["constraint_check_type"], v["feature_name"]) for v in report["violations"]}
    assert ("missing_column_check", "") in kinds and ("extra_column_check", "") in kinds
    assert ("completeness_check", "age") in kinds


def test_captured_rows_are_read_from_data_captures_json_lines():
    def line(data, mode="INPUT", encoding="CSV"):
        request = {"observedContentType": "text/csv", "mode": mode, "data": data,
                   "encoding": encoding}  # fmt: skip
        metadata = {"eventId": "e", "inferenceTime": "2026-12-04T10:00:00.000+00:00"}
        return json.dumps({"captureData": {"endpointInput": request}, "eventMetadata": metadata})

    lines = [line("1,2\n3,4\n"), "", line("5,6"), line("x", encoding="BASE64")]
    assert list(drift_check.captured_rows(lines)) == [["1", "2"], ["3", "4"], ["5", "6"]]


def test_memory_does_not_grow_with_the_captured_rows():
    """Counts per bucket, not rows: 10x the rows, about the same peak memory."""
    statistics, constraints, _ = baseline(rows=500)
    row = ["40.0", "50.0"]

    def peak(count):
        tracemalloc.start()
        drift_check.check(statistics, constraints, (row for _ in range(count)))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5 + 10_000


# --- The scheduled check on AWS: the Lambda code against moto's SageMaker, S3 and
# CloudWatch (emulated): the live model found through the endpoint, the report written,
# the violations published as the metric the stack's alarm watches.

REGION = "us-east-1"
BUCKET = "churn-bucket"
CHECK = drift_check.CheckSettings(endpoint="churn-endpoint", bucket=BUCKET,
                                  metric_namespace="churn", max_distance=0.1)  # fmt: skip


def capture_record(rows: list[list[str]], at: datetime) -> str:
    """One data capture line, as SageMaker writes it (its documented JSON Lines)."""
    data = "\n".join(",".join(row) for row in rows)
    return json.dumps({
        "captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                          "data": data, "encoding": "CSV"}},
        "eventMetadata": {"eventId": "e", "inferenceTime": at.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "eventVersion": "0",
    })  # fmt: skip


def deploy_a_model(statistics, constraints):
    """An endpoint serving models/<run>/model.tar.gz, with that run's baseline."""
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="models/churn-run1/baseline/statistics.json",
                  Body=json.dumps(statistics))  # fmt: skip
    s3.put_object(Bucket=BUCKET, Key="models/churn-run1/baseline/constraints.json",
                  Body=json.dumps(constraints))  # fmt: skip
    sagemaker.create_model(
        ModelName="churn-run1",
        PrimaryContainer={"Image": "xgboost",
                          "ModelDataUrl": f"s3://{BUCKET}/models/churn-run1/output/model.tar.gz"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/churn-sagemaker-role",
    )  # fmt: skip
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-run1",
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "churn-run1",
                             "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )  # fmt: skip
    sagemaker.create_endpoint(EndpointName="churn-endpoint", EndpointConfigName="churn-run1")
    live_since = sagemaker.describe_endpoint(EndpointName="churn-endpoint")["LastModifiedTime"]
    return sagemaker, s3, live_since.astimezone(UTC)


def run_the_check(sagemaker, s3, now):
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    result = drift_check.check_live_endpoint(CHECK, sagemaker, s3, cloudwatch, now)
    return result, cloudwatch


@mock_aws
def test_the_scheduled_check_writes_the_report_and_publishes_the_violations():
    statistics, constraints, columns = baseline()
    sagemaker, s3, live_since = deploy_a_model(statistics, constraints)
    shifted = rows_of(columns, shift_age=15)
    after = live_since + timedelta(minutes=5)
    key = f"capture/churn-endpoint/AllTraffic/{after:%Y/%m/%d/%H}/capture.jsonl"
    lines = [capture_record(shifted[k : k + 10], after) for k in range(0, len(shifted), 10)]
    s3.put_object(Bucket=BUCKET, Key=key, Body="\n".join(lines).encode())
    now = live_since + timedelta(days=1)

    result, cloudwatch = run_the_check(sagemaker, s3, now)

    assert result["Action"] == "checked" and result["Model"] == "churn-run1"
    assert result["Rows"] == len(shifted) and result["Violations"] == 1
    written = s3.get_object(Bucket=BUCKET, Key=drift_check.report_key("churn-endpoint", now))
    report = json.loads(written["Body"].read())
    assert [v["feature_name"] for v in report["violations"]] == ["age"]
    (metric,) = cloudwatch.list_metrics(Namespace="churn")["Metrics"]
    assert metric["MetricName"] == drift_check.METRIC_NAME
    assert metric["Dimensions"] == [{"Name": "EndpointName", "Value": "churn-endpoint"}]
    published = datetime.now(UTC)  # no Timestamp: CloudWatch stamps it when it arrives
    points = cloudwatch.get_metric_statistics(
        Namespace="churn", MetricName=drift_check.METRIC_NAME, Dimensions=metric["Dimensions"],
        StartTime=published - timedelta(minutes=5), EndTime=published + timedelta(minutes=5),
        Period=300, Statistics=["Maximum"],
    )["Datapoints"]  # fmt: skip
    assert [point["Maximum"] for point in points] == [1.0]


@mock_aws
def test_requests_captured_before_the_live_model_went_live_are_not_its_drift():
    statistics, constraints, columns = baseline()
    sagemaker, s3, live_since = deploy_a_model(statistics, constraints)
    before = live_since - timedelta(hours=2)
    key = f"capture/churn-endpoint/AllTraffic/{before:%Y/%m/%d/%H}/old.jsonl"
    s3.put_object(Bucket=BUCKET, Key=key,
                  Body=capture_record(rows_of(columns, shift_age=15), before).encode())  # fmt: skip

    result, cloudwatch = run_the_check(sagemaker, s3, live_since + timedelta(hours=1))

    assert result["Action"] == "skipped"
    assert result["Reason"].startswith("no captured requests since")
    assert cloudwatch.list_metrics(Namespace="churn")["Metrics"] == []


@mock_aws
def test_without_an_endpoint_the_check_skips_and_publishes_nothing():
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    result, cloudwatch = run_the_check(sagemaker, s3, datetime.now(UTC))
    assert result == {"Action": "skipped", "Reason": "no endpoint churn-endpoint yet"}
    assert cloudwatch.list_metrics(Namespace="churn")["Metrics"] == []


def test_the_environment_the_stack_gives_is_what_the_function_reads():
    """The function's environment in pipeline.yaml names exactly what CheckSettings reads."""
    from project.aws.cfn_template import load_template
    from project.project_layout import PIPELINE_TEMPLATE

    template = load_template(Path(__file__).parents[2] / PIPELINE_TEMPLATE)
    function = template["Resources"]["DriftCheckFunction"]["Properties"]
    variables = function["Environment"]["Variables"]
    settings = drift_check.CheckSettings.from_environment({name: "0.1" for name in variables})
    assert settings.max_distance == 0.1
    assert function["Handler"] == "drift_check.handler"


def test_a_base64_capture_of_csv_is_read_and_other_content_types_are_not():
    """Data capture base64-encodes a body whose content type the config does not list
    as CSV (CaptureContentTypeHeader): a client sending "csv" or a charset still sent
    CSV rows, which the check decodes; JSON is not a row of features."""
    import base64

    def record(content_type: str, body: str) -> str:
        return json.dumps({"captureData": {"endpointInput": {
            "observedContentType": content_type, "mode": "INPUT", "encoding": "BASE64",
            "data": base64.b64encode(body.encode()).decode()}},
            "eventMetadata": {"inferenceTime": "2026-12-05T01:00:00Z"}})  # fmt: skip

    lines = [record("csv", "1,2\n3,4\n"), record("text/csv; charset=utf-8", "5,6\n"),
             record("application/json", '{"a": 1}')]  # fmt: skip
    assert list(drift_check.captured_rows(lines)) == [["1", "2"], ["3", "4"], ["5", "6"]]


class _Refusing:
    """S3 as the drift check's role sees a missing key outside its ListBucket grant."""

    def __init__(self, s3):
        self.s3, self.exceptions = s3, s3.exceptions

    def get_object(self, Bucket, Key):
        from botocore.exceptions import ClientError

        if "/baseline/" in Key:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}},
                              "GetObject")  # fmt: skip
        return self.s3.get_object(Bucket=Bucket, Key=Key)

    def __getattr__(self, name):
        return getattr(self.s3, name)


@mock_aws
def test_a_live_model_without_a_baseline_is_skipped_whatever_s3_answers():
    """Without s3:ListBucket on models/, S3 answers a missing key with AccessDenied,
    not NoSuchKey (GetObject's documentation): both mean "no baseline" here."""
    statistics, constraints, _ = baseline()
    sagemaker, s3, live_since = deploy_a_model(statistics, constraints)
    s3.delete_object(Bucket=BUCKET, Key="models/churn-run1/baseline/statistics.json")
    for client in (s3, _Refusing(s3)):
        result, _ = run_the_check(sagemaker, client, live_since)
        assert result == {"Action": "skipped",
                          "Reason": f"churn-run1 has no baseline at s3://{BUCKET}/models/"
                                    "churn-run1/baseline/"}  # fmt: skip
