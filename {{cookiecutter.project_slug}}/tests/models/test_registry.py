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
