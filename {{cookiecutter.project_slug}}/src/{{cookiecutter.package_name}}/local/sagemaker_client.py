"""boto3's SageMaker client calls that the registry commands make, answered by local
mode's stand-ins (services.py, registry.py), so the commands run unchanged locally."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .interpreter import TaskFailure
from .services import LocalServices


class LocalSageMakerClient:
    def __init__(self, services: LocalServices):
        self.services = services

    def list_model_packages(self, ModelPackageGroupName: str, **_: Any) -> dict[str, Any]:
        records = self.services.registry.list_model_packages(ModelPackageGroupName)
        return {"ModelPackageSummaryList": [
            {"ModelPackageArn": r["ModelPackageArn"]} for r in records
        ]}  # fmt: skip

    def describe_model_package(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeModelPackage", self.services.registry.describe_model_package,
                          parameters)  # fmt: skip

    def update_model_package(self, **parameters: Any) -> dict[str, Any]:
        return self._call("UpdateModelPackage", self.services.registry.update_model_package,
                          parameters)  # fmt: skip

    def describe_endpoint(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeEndpoint", self.services.describe_endpoint, parameters)

    def describe_endpoint_config(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeEndpointConfig", self.services.describe_endpoint_config,
                          parameters)  # fmt: skip

    def update_endpoint(self, **parameters: Any) -> dict[str, Any]:
        return self._call("UpdateEndpoint", self.services.update_endpoint, parameters)

    @staticmethod
    def _call(operation: str, handler, parameters: dict[str, Any]) -> dict[str, Any]:
        try:
            return handler(parameters)
        except TaskFailure as failure:  # as boto3 raises SageMaker's ValidationException
            message = failure.cause.split(" (Service: SageMaker")[0]
            error = {"Code": "ValidationException", "Message": message}
            raise ClientError({"Error": error}, operation) from None
