"""The deploy half of the committed definition, against scripted DescribeEndpoint answers.

Emulated: every Task is a Python stub (run by the project's ASL interpreter, which
local/test_interpreter.py cross-checks against moto's); DescribeEndpoint answers from
a script of the statuses SageMaker documents (Creating, Updating, InService, Failed,
UpdateRollbackFailed, FailureReason after a failed update). The champion/challenger
half is skipped (no live model to compare with): workflow routing tests cover it.
What each case proves is the route the definition takes, which is what would happen
on AWS given those answers.
"""

from __future__ import annotations

import json

import pytest
from project.local.interpreter import Interpreter, TaskFailure
from project.settings import load_settings
from project.workflow.definition import endpoint_max_checks
from project.workflow.error_names import modelled_errors
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT
from .canned_tasks import COMMITTED, PASSING

NOT_FOUND = TaskFailure(
    "SageMaker.SageMakerException",
    'Could not find endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/e". (Service: SageMaker, '
    "Status Code: 400, Error Code: ValidationException)",
)
DENIED = TaskFailure(
    "SageMaker.SageMakerException",
    "User: arn:aws:sts::1:assumed-role/states is not authorized to perform: "
    "sagemaker:DescribeEndpoint (Service: SageMaker, Status Code: 400, "
    "Error Code: AccessDeniedException)",
)
UPDATE = "aws-sdk:sagemaker:updateEndpoint"
MARK = "aws-sdk:sagemaker:updateModelPackage"
RUN = "demo-run-1"
OLD = "demo-run-0"


@pytest.fixture(scope="module")
def settings():
    return load_settings(PROJECT_ROOT / "settings.toml")


def endpoint(status: str, config: str = RUN, reason: str | None = None) -> dict:
    answer = {"EndpointName": "e", "EndpointStatus": status, "EndpointConfigName": config}
    return answer | ({"FailureReason": reason} if reason else {})


def attempts_of(error: TaskFailure) -> int:
    """How many times the endpoint check calls DescribeEndpoint for an error that
    persists: once, and again for each retry its Retry gives that error's name."""
    retries = COMMITTED["States"][State.CHECK_FOR_ENDPOINT].get("Retry", [])
    matching = [r for r in retries if error.error in r["ErrorEquals"]]
    return 1 + (matching[0]["MaxAttempts"] if matching else 0)


def run(describe_answers: list, calls: list | None = None, fail: dict | None = None,
        execution_input: dict | None = None, execution_name: str | None = None):  # fmt: skip
    """Run the committed definition with a passing model and scripted describes.
    A not-found or denied answer persists: it answers every attempt (a retry is no cure)."""
    persistent = (NOT_FOUND, DENIED)
    answers = iter([
        repeated for answer in describe_answers
        for repeated in [answer] * (attempts_of(answer) if answer in persistent else 1)
    ])  # fmt: skip
    calls = calls if calls is not None else []

    def describe(parameters):
        answer = next(answers)
        if isinstance(answer, TaskFailure):
            raise answer
        return answer

    def recorder(name, result):
        def handler(parameters):
            calls.append(name)
            return result

        return handler

    canned = {
        "glue:startJobRun.sync": {},
        "sagemaker:createTrainingJob.sync": {
            "TrainingJobName": RUN,
            "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m"},
        },
        "sagemaker:createModel": {},
        "lambda:invoke": {"Payload": {"metric_name": "m", "value": PASSING, "metrics": {}}},
        "sagemaker:createEndpointConfig": {},
        "sagemaker:createEndpoint": {"EndpointArn": "arn"},
        UPDATE: {"EndpointArn": "arn"},
        "aws-sdk:sagemaker:createModelPackage": {"ModelPackageArn": "arn:package/1"},
        MARK: {"ModelPackageArn": "arn:package/1"},
    }
    handlers = {}
    for state in COMMITTED["States"].values():
        if state["Type"] != "Task":
            continue
        action = state["Resource"].split("states:::", 1)[1]
        handlers[state["Resource"]] = (
            describe
            if action.endswith("describeEndpoint") and action not in (fail or {})
            else (fail or {}).get(action, recorder(action, canned.get(action, {})))
        )
    definition = json.loads(json.dumps(COMMITTED).replace("${ArtifactBucket}", "bucket"))
    definition["States"][State.FIND_LIVE_MODEL] = {"Type": "Pass", "Next": State.NO_LIVE_MODEL}
    execution = Interpreter(definition, handlers, sleep=lambda seconds: None).run(
        {"RunName": RUN} if execution_input is None else execution_input, execution_name
    )
    entered = [e.details["name"] for e in execution.events if e.type.endswith("StateEntered")]
    return execution, entered, calls


def test_first_run_creates_then_waits_until_in_service():
    execution, entered, calls = run([NOT_FOUND, endpoint("Creating"),
                                     endpoint("InService")])  # fmt: skip
    assert execution.status == "SUCCEEDED"
    assert calls.count("sagemaker:createEndpoint") == 1
    assert entered.count(State.WAIT_FOR_ENDPOINT) == 2 and entered[-1] == State.DEPLOYED


def test_an_in_service_endpoint_is_updated_and_deployed_once_it_serves_this_run():
    execution, _, calls = run(
        [endpoint("InService", OLD), endpoint("Updating", OLD), endpoint("InService")]
    )
    assert execution.status == "SUCCEEDED" and UPDATE in calls


def test_a_busy_endpoint_is_waited_for_before_the_update():
    busy = [endpoint("Updating", OLD), endpoint("SystemUpdating", OLD)]
    execution, entered, calls = run([*busy, endpoint("InService", OLD), endpoint("InService")])
    assert execution.status == "SUCCEEDED"
    assert calls.count(UPDATE) == 1
    update = entered.index(State.UPDATE_ENDPOINT)
    assert entered[:update].count(State.WAIT_FOR_ENDPOINT) == 2


def test_a_failed_update_ends_the_run_saying_the_old_model_still_serves():
    reason = "The primary container for production variant AllTraffic did not pass the ping"
    execution, entered, calls = run([endpoint("InService", OLD), endpoint("Updating", OLD),
                                     endpoint("InService", OLD, reason)])  # fmt: skip
    assert (execution.status, execution.error) == ("FAILED", "EndpointUpdateFailed")
    assert entered[-3:] == [
        State.ENDPOINT_KEPT_OLD_MODEL, State.MARK_VERSION_NOT_DEPLOYED, State.DEPLOYMENT_FAILED,
    ]  # fmt: skip
    assert f"did not take endpoint config {RUN} and still serves {OLD}: {reason}" in execution.cause
    assert calls.count(MARK) == 1  # the registry version is marked Rejected, with the reason


def test_an_endpoint_that_fails_to_create_ends_the_run_with_aws_reason():
    execution, _, _ = run([NOT_FOUND, endpoint("Failed", RUN, "bad image")])
    assert (execution.status, execution.error) == ("FAILED", "EndpointFailed")
    assert "is Failed: bad image" in execution.cause


def test_an_existing_failed_endpoint_is_not_updated():
    execution, _, calls = run([endpoint("Failed", OLD, "out of capacity")])
    assert execution.error == "EndpointFailed" and UPDATE not in calls


def test_an_update_that_left_another_config_without_a_reason_still_says_so():
    """After a rollback SageMaker may give no FailureReason (ASL cannot read a missing
    field): the run fails naming both configs and both possible causes."""
    execution, entered, _ = run([endpoint("InService", OLD), endpoint("InService", OLD)])
    assert execution.error == "EndpointUpdateFailed"
    assert State.ENDPOINT_SERVES_ANOTHER_CONFIG in entered
    assert "the update failed or was rolled back" in execution.cause


def test_the_wait_is_bounded_by_the_rollout_bake_times(settings):
    checks = endpoint_max_checks(settings)
    answers = [endpoint("InService", OLD)] + [endpoint("Updating", OLD)] * checks
    execution, entered, calls = run(answers)
    assert (execution.status, execution.error) == ("FAILED", "EndpointNotReady")
    assert entered.count(State.WAIT_FOR_ENDPOINT) == checks
    assert MARK not in calls  # it may still go live: the version is not marked


def test_a_rollback_that_fails_ends_the_run_and_marks_the_version():
    execution, _, calls = run([endpoint("InService", OLD), endpoint("RollingBack", OLD),
                                     endpoint("UpdateRollbackFailed", OLD, "alarm")])  # fmt: skip
    assert (execution.status, execution.error) == ("FAILED", "EndpointRollbackFailed")
    assert calls.count(MARK) == 1


@pytest.mark.parametrize(
    ("error", "last"),
    [
        (DENIED, State.DEPLOYMENT_FAILED),
        (TaskFailure("States.Timeout", ""), State.RETRAINING_FAILED),
    ],
)
def test_only_a_missing_endpoint_leads_to_create(error, last):
    """Any other error of the check fails the run with its cause; a service's answer
    (a TaskFailed) also marks the registered version, which did not go live."""
    execution, entered, calls = run([error])
    assert execution.status == "FAILED" and execution.error == error.error
    assert "sagemaker:createEndpoint" not in calls
    assert entered[-1] == last
    assert (MARK in calls) == (last == State.DEPLOYMENT_FAILED)


def test_a_deploy_step_that_fails_after_registration_marks_the_version():
    def refuse(parameters):
        raise TaskFailure("SageMaker.ResourceLimitExceeded", "account limit for ml.m5.large")

    execution, entered, calls = run([endpoint("InService", OLD)], fail={UPDATE: refuse})
    assert (execution.error, entered[-1]) == (
        "SageMaker.ResourceLimitExceeded", State.DEPLOYMENT_FAILED,
    )  # fmt: skip
    assert State.RECORD_DEPLOYMENT_FAILURE in entered and calls.count(MARK) == 1


def test_a_throttled_check_is_retried():
    """SageMaker's model defines no ThrottlingException: the AWS SDK integration reports
    it under the generic name (error_names.py), the name the check must retry."""
    assert "SageMaker.ThrottlingException" not in modelled_errors("sagemaker", "DescribeEndpoint")
    throttled = TaskFailure(
        "SageMaker.SageMakerException",
        "Rate exceeded (Service: SageMaker, Status Code: 400, Error Code: ThrottlingException)",
    )
    execution, _, calls = run([throttled, endpoint("InService", OLD), endpoint("InService")])
    assert execution.status == "SUCCEEDED" and UPDATE in calls
