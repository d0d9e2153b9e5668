"""Which registered version is live, read from the endpoint as `models` and `rollback` do.

Emulated: SageMaker's DescribeEndpoint and DescribeEndpointConfig, by a stub client
answering as the API reference documents (a Failed endpoint keeps the config whose
model never served).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from project.models import registry as model_registry
from project.settings import load_settings

from ..conftest import PROJECT_ROOT


class Endpoint:
    def __init__(self, status: str | None):
        self.status = status

    def describe_endpoint(self, EndpointName):
        if self.status is None:
            error = {"Code": "ValidationException", "Message": 'Could not find endpoint "e".'}
            raise ClientError({"Error": error}, "DescribeEndpoint")
        return {"EndpointStatus": self.status, "EndpointConfigName": "run-2"}

    def describe_endpoint_config(self, EndpointConfigName):
        return {"ProductionVariants": [{"ModelName": EndpointConfigName}]}


@pytest.mark.parametrize(
    ("status", "live"),
    [("InService", "run-2"), ("Updating", "run-2"), ("Failed", None), (None, None)],
)
def test_a_failed_or_missing_endpoint_has_no_live_model(status, live):
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    assert model_registry.live_run_name(Endpoint(status), settings) == live


def test_an_approved_version_that_never_went_live_is_deployed_again_by_approve(tmp_path, capsys):
    """Its run's deployment did not finish (not ready in time, stopped): the version
    stays Approved with its Decision 'none', which the workflow takes for a version its
    own run deploys. `approve` updates its Decision and starts the deployment again.
    Emulated: local mode's registry, SageMaker and endpoint (no Spark: nothing trains)."""
    from project.cli import main
    from project.local.run import LOCAL_FOLDER, local_services
    from project.local.services import Workspace, live_model
    from project.settings import load_settings
    from project.settings.names import endpoint_name, model_package_group_name

    from ..conftest import copy_project
    from ..local.serving import deploy_to_local_endpoint, tiny_model

    settings_path = copy_project(tmp_path, "statemachine", "infrastructure")
    settings = load_settings(settings_path)
    workspace = Workspace(tmp_path / LOCAL_FOLDER)
    services = local_services(settings, workspace)
    models = workspace.root / "s3" / "local-artifacts" / "models"
    deploy_to_local_endpoint(services, tiny_model(models / "old"), endpoint_name(settings))
    archive = tiny_model(models / "stuck-run", seed=3)
    services.create_model(
        {"ModelName": "stuck-run", "PrimaryContainer": {"ModelDataUrl": workspace.uri_of(archive)}}
    )
    services.registry.create_model_package(
        {
            "ModelPackageGroupName": model_package_group_name(settings),
            "ModelApprovalStatus": "Approved",
            "CustomerMetadataProperties": {
                "RunName": "stuck-run",
                "Approval": "automatic",
                "Decision": "none",
            },
        }
    )
    assert main(["--settings", str(settings_path), "approve", "1", "--local"]) == 0
    assert "is Approved but not live: deploying it again" in capsys.readouterr().out
    endpoint, _ = live_model(workspace, endpoint_name(settings))
    assert endpoint["EndpointConfigName"] == "stuck-run"
    assert main(["--settings", str(settings_path), "approve", "1", "--local"]) == 2
    assert "already Approved and live" in capsys.readouterr().err
