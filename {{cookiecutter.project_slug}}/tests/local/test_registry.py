"""The local registry answers SageMaker's model package calls as SageMaker does.

Emulated: SageMaker's model registry, from its API reference (CreateModelPackage,
UpdateModelPackage, DescribeModelPackage): versions numbered from 1 within a group,
a group that must exist, and the documented limits on metadata and descriptions.
"""

from __future__ import annotations

import pytest
from project.local.interpreter import TaskFailure
from project.local.registry import LocalRegistry
from project.local.services import Workspace

GROUP = "demo"


@pytest.fixture
def registry(tmp_path):
    registry = LocalRegistry(Workspace(tmp_path), "us-east-1", "000000000000")
    registry.create_group(GROUP)
    return registry


def package(status="Approved", **extra):
    return {"ModelPackageGroupName": GROUP, "ModelApprovalStatus": status,
            "CustomerMetadataProperties": {"RunName": "run-1"}, **extra}  # fmt: skip


def test_versions_are_numbered_from_one_within_the_group(registry):
    arns = [registry.create_model_package(package())["ModelPackageArn"] for _ in range(3)]
    assert [arn.rsplit("/", 1)[1] for arn in arns] == ["1", "2", "3"]
    assert arns[0] == "arn:aws:sagemaker:us-east-1:000000000000:model-package/demo/1"
    described = registry.describe_model_package({"ModelPackageName": arns[1]})
    assert described["ModelPackageVersion"] == 2 and described["ModelApprovalStatus"] == "Approved"


def test_a_group_that_does_not_exist_is_refused(registry):
    with pytest.raises(TaskFailure, match="does not exist") as caught:
        registry.create_model_package({**package(), "ModelPackageGroupName": "other"})
    assert caught.value.error == "SageMaker.SageMakerException"


@pytest.mark.parametrize(
    "bad",
    [
        {"ModelApprovalStatus": "Accepted"},
        {"ModelPackageDescription": "x" * 1025},
        {"CustomerMetadataProperties": {"Long": "x" * 257}},
        {"CustomerMetadataProperties": {"Empty": ""}},
        {"CustomerMetadataProperties": {"Number": 0.1}},
        {"CustomerMetadataProperties": {f"k{i}": "v" for i in range(51)}},
    ],
)
def test_values_sagemaker_refuses_are_refused(registry, bad):
    with pytest.raises(TaskFailure, match=r"ValidationException|more than 50"):
        registry.create_model_package({**package(), **bad})
    assert registry.list_model_packages(GROUP) == []


def test_a_status_change_keeps_the_version_and_records_why(registry):
    arn = registry.create_model_package(package("PendingManualApproval"))["ModelPackageArn"]
    registry.update_model_package({"ModelPackageArn": arn, "ModelApprovalStatus": "Rejected",
                                   "ApprovalDescription": "rolled back"})  # fmt: skip
    described = registry.describe_model_package({"ModelPackageName": arn})
    assert (described["ModelApprovalStatus"], described["ApprovalDescription"]) == (
        "Rejected", "rolled back",
    )  # fmt: skip
    with pytest.raises(TaskFailure, match="does not exist"):
        registry.describe_model_package({"ModelPackageName": arn[:-1] + "9"})


def test_a_status_change_may_update_metadata_keys_and_keeps_the_others(registry):
    """UpdateModelPackage's CustomerMetadataProperties updates the keys it names."""
    arn = registry.create_model_package(package())["ModelPackageArn"]
    update = {"ModelPackageArn": arn, "ModelApprovalStatus": "Rejected",
              "CustomerMetadataProperties": {"Decision": "RolledBack"}}  # fmt: skip
    registry.update_model_package(update)
    metadata = registry.describe_model_package({"ModelPackageName": arn})[
        "CustomerMetadataProperties"]  # fmt: skip
    assert metadata == {"RunName": "run-1", "Decision": "RolledBack"}
