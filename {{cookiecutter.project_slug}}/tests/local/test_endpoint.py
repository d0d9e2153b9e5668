"""The local endpoint goes through SageMaker's endpoint statuses (see FIDELITY.md).

CreateEndpoint and UpdateEndpoint return at once; DescribeEndpoint then reports
Creating/Updating, and later InService with the new config, or, when the model
cannot load: a new endpoint Failed, an updated one InService with its previous
config and a FailureReason. An endpoint that is not InService refuses an update.
"""

from __future__ import annotations

import numpy as np
import pytest
from project.local.interpreter import TaskFailure
from project.local.services import HEALTH_CHECK_FAILURE, LocalServices, Workspace, live_model
from project.local.training import train

from ..conftest import project_schema

ENDPOINT = "demo-endpoint"


@pytest.fixture
def services(tmp_path):
    return LocalServices(Workspace(tmp_path / ".local"), "us-east-1", spark_session=None)


def register(services: LocalServices, name: str, loads: bool) -> None:
    """A model and an endpoint config named ``name``, whose archive loads or not."""
    workspace = services.workspace
    folder = workspace.path_of(f"s3://local-artifacts/runs/{name}/")
    for channel in ("train", "validation"):
        rng = np.random.default_rng(len(channel))
        rows = rng.random((60, 3))
        (folder / channel).mkdir(parents=True)
        labels = (rows[:, 0] > 0.5).astype(float)
        np.savetxt(folder / channel / "part-0.csv", np.column_stack([labels, rows]), delimiter=",")
    hyperparameters = {"objective": "binary:logistic", "num_round": "3"}
    result = train(folder / "train", folder / "validation", hyperparameters, folder / "model")
    if not loads:
        result.model_archive.write_bytes(b"not a model archive")
    model_data = workspace.uri_of(result.model_archive)
    services.create_model({"ModelName": name, "PrimaryContainer": {"ModelDataUrl": model_data}})
    services.create_endpoint_config(
        {"EndpointConfigName": name, "ProductionVariants": [{"ModelName": name}]}
    )


def describe(services: LocalServices) -> dict:
    return services.describe_endpoint({"EndpointName": ENDPOINT})


def deploy(services: LocalServices, config: str, update: bool) -> None:
    action = services.update_endpoint if update else services.create_endpoint
    action({"EndpointName": ENDPOINT, "EndpointConfigName": config})


def test_a_new_endpoint_is_creating_then_in_service(services):
    register(services, "v1", loads=True)
    deploy(services, "v1", update=False)
    assert describe(services)["EndpointStatus"] == "Creating"
    settled = describe(services)
    assert (settled["EndpointStatus"], settled["EndpointConfigName"]) == ("InService", "v1")
    assert "FailureReason" not in settled
    assert live_model(services.workspace, ENDPOINT)[0]["ModelName"] == "v1"


def test_a_new_endpoint_whose_model_cannot_load_fails_with_a_reason(services):
    register(services, "v1", loads=False)
    deploy(services, "v1", update=False)
    describe(services)
    failed = describe(services)
    assert failed["EndpointStatus"] == "Failed"
    assert failed["FailureReason"] == HEALTH_CHECK_FAILURE
    with pytest.raises(FileNotFoundError):
        live_model(services.workspace, ENDPOINT)


def test_a_failed_update_keeps_the_old_config_serving_and_sets_only_a_reason(services):
    register(services, "v1", loads=True)
    register(services, "v2", loads=False)
    deploy(services, "v1", update=False)
    describe(services), describe(services)
    deploy(services, "v2", update=True)
    assert describe(services)["EndpointStatus"] == "Updating"
    after = describe(services)
    assert (after["EndpointStatus"], after["EndpointConfigName"]) == ("InService", "v1")
    assert after["FailureReason"] == HEALTH_CHECK_FAILURE
    assert live_model(services.workspace, ENDPOINT)[0]["ModelName"] == "v1"


def test_an_endpoint_that_is_not_in_service_refuses_an_update(services):
    register(services, "v1", loads=True)
    register(services, "v2", loads=True)
    deploy(services, "v1", update=False)
    with pytest.raises(TaskFailure, match="Cannot update in-progress endpoint"):
        deploy(services, "v2", update=True)


def test_a_missing_endpoint_is_the_not_found_error_the_workflow_routes_on(services):
    with pytest.raises(TaskFailure) as raised:
        describe(services)
    assert raised.value.error == "SageMaker.SageMakerException"
    assert "Could not find endpoint" in raised.value.cause


def test_an_existing_endpoint_cannot_be_created_again(services):
    register(services, "v1", loads=True)
    deploy(services, "v1", update=False)
    with pytest.raises(TaskFailure, match="Cannot create already existing endpoint"):
        deploy(services, "v1", update=False)


def test_a_glue_job_that_crashes_fails_its_task_as_step_functions_reports_it(tmp_path):
    """A failed Glue job run ends a .sync task with States.TaskFailed; the run keeps its
    history instead of escaping the interpreter as a Python error."""

    def broken_spark():
        raise RuntimeError("[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for CSV")

    services = LocalServices(Workspace(tmp_path / ".local"), "us-east-1", broken_spark)
    raw = "s3://local-artifacts/data/raw/"
    arguments = {"--source_uri": raw, "--train_uri": raw + "t/", "--validation_uri": raw + "v/",
                 "--schema": project_schema().to_json()}  # fmt: skip
    with pytest.raises(TaskFailure) as failed:
        services.start_glue_job_run({"JobName": "etl", "Arguments": arguments})
    assert failed.value.error == "States.TaskFailed"
    assert failed.value.cause.startswith("Glue job failed: RuntimeError: [UNABLE_TO_INFER_SCHEMA]")
