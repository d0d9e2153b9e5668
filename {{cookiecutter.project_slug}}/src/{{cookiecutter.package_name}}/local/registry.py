"""The local model registry: SageMaker's model package API, answered from .local/.

Versions are numbered 1, 2, ... within a group, as SageMaker numbers the versions of a
Model Package Group; each is a JSON record shaped like DescribeModelPackage's answer,
so the `models`, `approve` and `rollback` commands read local and AWS records alike.
The limits checked are SageMaker's (API_CreateModelPackage, API_UpdateModelPackage):
see FIDELITY.md.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import UTC, datetime
from typing import Any

from .interpreter import TaskFailure

APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
MAX_METADATA_ENTRIES = 50
MAX_METADATA_KEY = 128
MAX_METADATA_VALUE = 256
MAX_DESCRIPTION = 1024
_PACKAGE_ARN = re.compile(
    r"^arn:[^:]+:sagemaker:[^:]*:[0-9]*:model-package/(?P<group>[^/]+)/(?P<version>[0-9]+)$"
)


def validation_error(message: str) -> TaskFailure:
    """SageMaker's ValidationException, as an AWS SDK integration names it."""
    return TaskFailure("SageMaker.SageMakerException",
                       f"{message} (Service: SageMaker, Status Code: 400, "
                       "Error Code: ValidationException)")  # fmt: skip


class LocalRegistry:
    def __init__(self, workspace, region: str, account: str):
        self.workspace, self.region, self.account = workspace, region, account

    def create_group(self, group: str, promotion_accounts=()) -> None:
        """What the pipeline stack's AWS::SageMaker::ModelPackageGroup does on AWS: the
        group, and its resource policy letting the later stages' accounts read it
        (ModelPackageGroupPolicy, rewritten on each deploy as a stack update would)."""
        record = self.workspace.load("model-package-groups", group) or {
            "ModelPackageGroupName": group,
            "ModelPackageGroupArn": self.group_arn(group),
            "CreationTime": _now(),
        }
        record["ResourcePolicy"] = promotion_policy(
            self._arn(f"model-package/{group}/*"), promotion_accounts
        ) if promotion_accounts else None  # fmt: skip
        self.workspace.save("model-package-groups", group, record)

    def check_access(self, caller_account: str | None, action: str, resource: str) -> None:
        """Another account is answered only as the group's resource policy allows, as
        SageMaker answers a cross-account call (AccessDeniedException otherwise)."""
        if caller_account in (None, self.account):
            return
        match = _PACKAGE_ARN.match(resource)
        group = match["group"] if match else resource.rsplit("/", 1)[-1]
        policy = (self.workspace.load("model-package-groups", group) or {}).get("ResourcePolicy")
        if not allows(policy, caller_account, action, resource):
            raise TaskFailure("SageMaker.AccessDeniedException", (
                f"User: arn:aws:sts::{caller_account}:assumed-role/promote is not authorized "
                f"to perform: {action} on resource: {resource} because no resource-based "
                f"policy allows the {action} action"
            ))  # fmt: skip

    def create_model_package(self, parameters: dict[str, Any]) -> dict[str, Any]:
        group = parameters.get("ModelPackageGroupName", "")
        if self.workspace.load("model-package-groups", group) is None:
            raise validation_error(f"Model Package Group {group} does not exist.")
        status = parameters.get("ModelApprovalStatus", "PendingManualApproval")
        _check_status(status)
        _check_text("ModelPackageDescription", parameters.get("ModelPackageDescription", ""))
        _check_metadata(parameters.get("CustomerMetadataProperties", {}))
        version = len(self.list_model_packages(group)) + 1
        arn = self.package_arn(group, version)
        record = {
            "ModelPackageGroupName": group,
            "ModelPackageVersion": version,
            "ModelPackageArn": arn,
            "ModelPackageDescription": parameters.get("ModelPackageDescription", ""),
            "ModelApprovalStatus": status,
            "InferenceSpecification": parameters.get("InferenceSpecification", {}),
            "CustomerMetadataProperties": parameters.get("CustomerMetadataProperties", {}),
            "CreationTime": _now(),
            "ModelPackageStatus": "Completed",
        }
        self.workspace.save("model-packages", _key(group, version), record)
        return {"ModelPackageArn": arn}

    def update_model_package(self, parameters: dict[str, Any]) -> dict[str, Any]:
        record = self.describe_model_package({"ModelPackageName": parameters["ModelPackageArn"]})
        if "ModelApprovalStatus" in parameters:
            _check_status(parameters["ModelApprovalStatus"])
            record["ModelApprovalStatus"] = parameters["ModelApprovalStatus"]
        if "CustomerMetadataProperties" in parameters:  # updates the keys given
            metadata = {**record["CustomerMetadataProperties"],
                        **parameters["CustomerMetadataProperties"]}  # fmt: skip
            _check_metadata(metadata)
            record["CustomerMetadataProperties"] = metadata
        if "ApprovalDescription" in parameters:
            _check_text("ApprovalDescription", parameters["ApprovalDescription"])
            record["ApprovalDescription"] = parameters["ApprovalDescription"]
        record["LastModifiedTime"] = _now()
        group, version = record["ModelPackageGroupName"], record["ModelPackageVersion"]
        self.workspace.save("model-packages", _key(group, version), record)
        return {"ModelPackageArn": record["ModelPackageArn"]}

    def describe_model_package(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["ModelPackageName"]
        match = _PACKAGE_ARN.match(name)
        record = (
            self.workspace.load("model-packages", _key(match["group"], int(match["version"])))
            if match
            else None
        )
        if record is None:
            raise validation_error(f"ModelPackage {name} does not exist.")
        return record

    def list_model_packages(self, group: str) -> list[dict[str, Any]]:
        """Every version of the group, oldest first."""
        folder = self.workspace.root / "sagemaker" / "model-packages"
        records = []
        for path in folder.glob(f"{group}--*.json") if folder.is_dir() else ():
            version = int(path.stem.rsplit("--", 1)[1])
            records.append(self.workspace.load("model-packages", _key(group, version)))
        return sorted(records, key=lambda record: record["ModelPackageVersion"])

    def package_arn(self, group: str, version: int) -> str:
        return self._arn(f"model-package/{group}/{version}")

    def group_arn(self, group: str) -> str:
        return self._arn(f"model-package-group/{group}")

    def _arn(self, resource: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:{resource}"


def promotion_policy(packages_arn: str, accounts) -> dict[str, Any]:
    """The group's resource policy as the first stage's stack writes it (pipeline.yaml):
    the later stages' accounts may read a version, which is what `promote` does."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "LaterStagesReadVersions",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(accounts)},
            "Action": "sagemaker:DescribeModelPackage",
            "Resource": packages_arn,
        }],
    }  # fmt: skip


def allows(policy: dict[str, Any] | None, account: str, action: str, resource: str) -> bool:
    """Whether an Allow statement of a resource policy grants ``account`` the action on
    the resource (an account id, its root ARN or "*" as principal; * wildcards in ARNs)."""
    for statement in (policy or {}).get("Statement", []):
        principal = statement.get("Principal", {})
        principals = principal.get("AWS", []) if isinstance(principal, dict) else principal
        principals = [principals] if isinstance(principals, str) else principals
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if (
            statement.get("Effect") == "Allow"
            and any(p in ("*", account, f"arn:aws:iam::{account}:root") for p in principals)
            and action in actions
            and any(fnmatch.fnmatchcase(resource, pattern) for pattern in resources)
        ):
            return True
    return False


def _key(group: str, version: int) -> str:
    return f"{group}--{version}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _check_status(status: str) -> None:
    if status not in APPROVAL_STATUSES:
        raise validation_error(
            f"1 validation error detected: Value '{status}' at 'modelApprovalStatus' failed to "
            f"satisfy constraint: Member must satisfy enum value set: {list(APPROVAL_STATUSES)}"
        )


def _check_text(field: str, text: str) -> None:
    if len(text) > MAX_DESCRIPTION:
        raise validation_error(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DESCRIPTION}"
        )


def _check_metadata(metadata: dict[str, Any]) -> None:
    if len(metadata) > MAX_METADATA_ENTRIES:
        raise validation_error(
            f"CustomerMetadataProperties has more than {MAX_METADATA_ENTRIES} entries"
        )
    for key, value in metadata.items():
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_METADATA_VALUE:
            raise validation_error(
                f"1 validation error detected: Value at 'customerMetadataProperties' failed to "
                f"satisfy constraint: Map value must satisfy constraint: [Member must have "
                f"length less than or equal to {MAX_METADATA_VALUE}, Member must have length "
                f"greater than or equal to 1] (key {key})"
            )
        if not 1 <= len(key) <= MAX_METADATA_KEY:
            raise validation_error(f"CustomerMetadataProperties key {key[:40]!r} is too long")
