"""What the workflow writes to the registry stays within SageMaker's limits, whatever the
errors and reasons it quotes.

The limits are read from botocore's service models: ModelPackageDescription and
ApprovalDescription (SageMaker), each CustomerMetadataProperties value, DescribeEndpoint's
FailureReason, and the longest Error and Cause Step Functions passes to a Catch. Each
case drives the committed definition (local interpreter, scripted answers) to a state
that writes to the registry with inputs at those maximums, and measures what was sent.
"""

from __future__ import annotations

import botocore.session
import pytest
from project.local.interpreter import TaskFailure

from .test_endpoint_routing import MARK, OLD, UPDATE, endpoint, run

SESSION = botocore.session.get_session()
SAGEMAKER = SESSION.get_service_model("sagemaker")
STEPFUNCTIONS = SESSION.get_service_model("stepfunctions")


def member_max(operation: str, member: str) -> int:
    return SAGEMAKER.operation_model(operation).input_shape.members[member].metadata["max"]


def longest(model, shape: str, letter: str = "x") -> str:
    return letter * model.shape_for(shape).metadata["max"]


FAILURE_REASON = (
    "r"
    * SAGEMAKER.operation_model("DescribeEndpoint")
    .output_shape.members["FailureReason"]
    .metadata["max"]
)
ERROR = longest(STEPFUNCTIONS, "SensitiveError", "E")
CAUSE = longest(STEPFUNCTIONS, "SensitiveCause", "c")
METADATA_VALUE_MAX = (
    SAGEMAKER.operation_model("UpdateModelPackage")
    .input_shape.members["CustomerMetadataProperties"]
    .value.metadata["max"]
)


def marked_with(describe_answers, fail=None, execution_input=None) -> dict:
    sent = []

    def capture(parameters):
        sent.append(parameters)
        return {"ModelPackageArn": parameters["ModelPackageArn"]}

    run(describe_answers, fail={MARK: capture, **(fail or {})}, execution_input=execution_input)
    assert len(sent) == 1, "the version was not marked"
    return sent[0]


def refuse_update(parameters):
    raise TaskFailure(ERROR, CAUSE)


@pytest.mark.parametrize(
    ("answers", "fail"),
    [
        # The update failed: the endpoint keeps its old config, with SageMaker's reason.
        ([endpoint("InService", OLD), endpoint("InService", OLD, FAILURE_REASON)], None),
        # A rollback that failed, with a reason as long as SageMaker's can be.
        (
            [endpoint("InService", OLD), endpoint("UpdateRollbackFailed", OLD, FAILURE_REASON)],
            None,
        ),
        # UpdateEndpoint failed with the longest error and cause a Catch can hold.
        ([endpoint("InService", OLD)], {UPDATE: refuse_update}),
    ],
    ids=["update-failed", "rollback-failed", "update-call-failed"],
)
def test_a_marked_versions_texts_fit_sagemakers_limits(answers, fail):
    sent = marked_with(answers, fail)
    assert len(sent["ApprovalDescription"]) <= member_max(
        "UpdateModelPackage", "ApprovalDescription"
    )
    for value in sent["CustomerMetadataProperties"].values():
        assert len(value) <= METADATA_VALUE_MAX


def test_the_reason_still_reaches_the_registry_when_it_fits():
    sent = marked_with([endpoint("InService", OLD), endpoint("InService", OLD, "bad image")])
    assert sent["ApprovalDescription"] == "bad image"


def test_a_rollback_without_a_reason_is_described_within_the_limit_at_the_longest_names():
    """SageMaker may give no FailureReason for a rollback: the registry gets the run's
    own reason, made of names, each at most SageMaker's 63 characters."""
    longest_name = member_max("CreateEndpointConfig", "EndpointConfigName")
    run_name, other = "r" * longest_name, "o" * longest_name
    sent = marked_with(
        [endpoint("InService", other), endpoint("InService", other)],
        execution_input={"RunName": run_name},
    )
    assert "rolled back" in sent["ApprovalDescription"]
    assert len(sent["ApprovalDescription"]) <= member_max(
        "UpdateModelPackage", "ApprovalDescription"
    )
