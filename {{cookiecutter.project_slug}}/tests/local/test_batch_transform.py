"""Local batch transform and the bake period of a guarded endpoint update.

Emulated: SageMaker batch transform's data processing (InputFilter, JoinSource,
OutputFilter, one <file>.out per input file) from "Associate Prediction Results with
Input Records" in the SageMaker developer guide; the model answers as the XGBoost
container's /invocations does. UpdateEndpoint's AutoRollbackConfiguration refuses
alarms that do not exist. The models are real xgboost boosters.
"""

from __future__ import annotations

import time

import pytest
from project.local import batch_transform as local_transform
from project.local.interpreter import TaskFailure
from project.local.services import Alarm, LocalServices, Workspace

from .serving import FEATURES, tiny_model


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("$", ["a", "b", "c"]), ("$[1:]", ["b", "c"]), ("$[0,-1]", ["a", "c"]), ("$[:2]", ["a", "b"])],
)
def test_filters_select_fields_as_jsonpath_indexes(expression, expected):
    assert local_transform.select(["a", "b", "c"], expression) == expected


def services_with(tmp_path, features=FEATURES, alarms=None):
    workspace = Workspace(tmp_path / ".local")
    services = LocalServices(workspace, "us-east-1", None, alarms=alarms or {})
    archive = tiny_model(workspace.path_of("s3://bucket/models/m/"), features)
    services.create_model({"ModelName": "m", "PrimaryContainer": {
        "ModelDataUrl": workspace.uri_of(archive)}})  # fmt: skip
    return workspace, services


def transform(services, name="job-1"):
    return services.create_transform_job({
        "TransformJobName": name, "ModelName": "m",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://bucket/validation/"}}},
        "TransformOutput": {"S3OutputPath": "s3://bucket/scores/"},
        "DataProcessing": {
            "InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]",
        },
    })  # fmt: skip


def test_each_record_is_joined_to_its_prediction_in_a_file_named_after_its_input(tmp_path):
    workspace, services = services_with(tmp_path)
    validation = workspace.path_of("s3://bucket/validation/part-0.csv")
    validation.parent.mkdir(parents=True)
    validation.write_text("1,0.9,0.1,0.2\n0,0.1,0.5,0.5\n")
    assert transform(services)["TransformJobStatus"] == "Completed"
    lines = workspace.path_of("s3://bucket/scores/part-0.csv.out").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["1", "0"]  # the label, joined back
    assert all(0 <= float(line.split(",")[1]) <= 1 for line in lines) and len(lines) == 2
    with pytest.raises(TaskFailure) as reused:  # names are unique, as on SageMaker
        transform(services)
    assert reused.value.error == "SageMaker.ResourceInUseException"


def test_records_the_model_cannot_read_fail_the_job(tmp_path):
    """A live model trained on other features than this run's data cannot score it."""
    workspace, services = services_with(tmp_path, features=5)
    validation = workspace.path_of("s3://bucket/validation/part-0.csv")
    validation.parent.mkdir(parents=True)
    validation.write_text("1,0.9,0.1,0.2\n")
    with pytest.raises(TaskFailure, match="transform job job-1 failed: ClientError") as failed:
        transform(services)
    assert failed.value.error == "States.TaskFailed"


def test_an_update_naming_an_alarm_that_does_not_exist_is_refused(tmp_path):
    _, services = services_with(tmp_path)
    endpoint = {"EndpointName": "e", "EndpointArn": "arn", "EndpointStatus": "InService",
                "History": [{}]}  # fmt: skip
    services.workspace.save("endpoints", "e", endpoint)
    with pytest.raises(TaskFailure, match="does not exist"):
        services.update_endpoint({"EndpointName": "e", "EndpointConfigName": "c",
                                  "DeploymentConfig": {"AutoRollbackConfiguration": {
                                      "Alarms": [{"AlarmName": "no-such-alarm"}]}}})  # fmt: skip


def test_the_bake_counts_server_errors_but_not_bad_requests(tmp_path, monkeypatch):
    archive = tiny_model(tmp_path / "m")
    rows = ["0.1,0.2,0.3"] * 25 + ["0.1,0.2"] * 5  # the last request is a 4xx
    traffic = local_transform.bake_traffic(archive, rows)
    assert (traffic.requests, traffic.errors_5xx) == (3, 0)

    def slow_and_failing(booster, body):
        time.sleep(0.005)
        raise RuntimeError("worker died")

    monkeypatch.setattr(local_transform, "answer_request", slow_and_failing)
    traffic = local_transform.bake_traffic(archive, rows)
    assert traffic.errors_5xx == 3 and traffic.average_latency_ms >= 5


def test_alarm_thresholds_are_per_minute_at_or_above(tmp_path, monkeypatch):
    alarms = {"errors": Alarm("Invocation5XXErrors", 2), "latency": Alarm("ModelLatency", 10**9)}
    _, services = services_with(tmp_path, alarms=alarms)
    pending = services.workspace.load("models", "m")  # its ModelName and ModelDataUrl
    rows = services.workspace.path_of("s3://local-artifacts/runs/m/validation/part-0.csv")
    rows.parent.mkdir(parents=True)
    rows.write_text("\n".join(["1,0.1,0.2,0.3"] * 15) + "\n")  # two requests
    deployment = {"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": n} for n in alarms]}}
    assert services._alarms_during_bake(pending, deployment) == []

    def failing_container(booster, body):
        raise RuntimeError("500")

    monkeypatch.setattr(local_transform, "answer_request", failing_container)
    assert services._alarms_during_bake(pending, deployment) == ["errors"]


def test_an_endpoint_config_name_is_used_once_as_on_sagemaker(tmp_path):
    _, services = services_with(tmp_path)
    config = {"EndpointConfigName": "c", "ProductionVariants": [{"ModelName": "m"}]}
    services.create_endpoint_config(config)
    with pytest.raises(TaskFailure, match="Cannot create already existing endpoint configuration"):
        services.create_endpoint_config(config)
