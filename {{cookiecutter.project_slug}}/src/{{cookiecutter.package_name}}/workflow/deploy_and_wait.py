"""Deploy an accepted model: its endpoint config, then create the endpoint or update
it (blue/green, with rollback alarms), then check until it serves the model, bounded
in time; a deployment that fails marks the registered version."""

from __future__ import annotations

from typing import Any

from ..settings import Settings, rules
from ..settings.names import (
    endpoint_name,
    rollback_alarm_names,
)
from ..steps.drift_check import CAPTURE_PREFIX
from .asl_fields import (
    FailWithPaths,
    is_present,
)
from .building_blocks import (
    ALREADY_EXISTS_PATTERNS,
    ENDPOINT_NOT_FOUND_PATTERN,
    FAILURE_PATH,
    PLACEHOLDERS,
    TIMEOUT_SECONDS,
    by_path,
    catch_all,
    cause_matches,
    retry_for,
    route_already_exists,
    route_not_found,
    states_format,
)
from .error_names import generic_error
from .sdk import (
    Catch,
    Choice,
    ChoiceRule,
    EndpointConfigStep,
    EndpointStep,
    Pass,
    Succeed,
    Task,
    Wait,
)
from .state_names import State

# CreateEndpoint and UpdateEndpoint return at once; the endpoint serves the new model
# (or fails to, or is rolled back) minutes later. The run checks every 30 s, for 45
# minutes plus the rollout's bake times (``endpoint_max_checks``).
ENDPOINT_CHECK_INTERVAL_SECONDS = rules.ENDPOINT_CHECK_INTERVAL_SECONDS


ENDPOINT_PROVISIONING_CHECKS = rules.ENDPOINT_PROVISIONING_CHECKS


# SageMaker's TrafficRoutingConfig types, by the settings' rollout.strategy.
TRAFFIC_ROUTING_TYPES = {"all-at-once": "ALL_AT_ONCE", "canary": "CANARY", "linear": "LINEAR"}


# UpdateEndpoint's refusal while another update (a duplicate approval's run) is going.
UPDATE_IN_PROGRESS_PATTERN = "*Cannot update in-progress endpoint*"


def data_capture_config(settings: Settings) -> dict[str, Any]:
    """CreateEndpointConfig's DataCaptureConfig: drift.capture_percent of the requests,
    with the model's answers, as JSON Lines under s3://<bucket>/capture/ (the storage
    stack expires them). The rows arrive as text/csv, so the capture keeps them as CSV
    text (not base64) for the drift check to read."""
    return {
        "EnableCapture": True,
        "InitialSamplingPercentage": settings.capture_percent,
        "DestinationS3Uri": f"s3://{PLACEHOLDERS['ArtifactBucket']}/{CAPTURE_PREFIX.rstrip('/')}",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }


def endpoint_tasks(settings: Settings) -> tuple[dict[State, Any], Task]:
    """Endpoint config, the endpoint check (DescribeEndpoint), create and update. The
    SDK checks that each placeholder comes from the output of the state before it;
    every state keeps its input (ResultPath), so $.Run travels on."""
    create_config = EndpointConfigStep(
        State.CREATE_ENDPOINT_CONFIG,
        endpoint_config_name="$.Run.Name",
        model_name="$.Run.Name",
        initial_instance_count=settings.endpoint_instance_count,
        instance_type=settings.endpoint_instance_type,
        result_path="$.EndpointConfig",
        timeout_seconds=TIMEOUT_SECONDS[State.CREATE_ENDPOINT_CONFIG],
    )
    # Reached from the gate and from an approved version's entry, so named by path
    # (the SDK accepts a placeholder only from the one state before).
    by_path(create_config.fields["parameters"], "EndpointConfigName")
    by_path(create_config.fields["parameters"]["ProductionVariants"][0], "ModelName")
    if settings.capture_percent:
        create_config.fields["parameters"]["DataCaptureConfig"] = data_capture_config(settings)
    check = Task(
        State.CHECK_FOR_ENDPOINT,
        comment=(
            "DescribeEndpoint, before deploying (does it exist, can it be updated?) and "
            "after (does it serve this run's model yet?)."
        ),
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeEndpoint",
        parameters={"EndpointName": endpoint_name(settings)},
        result_path="$.Endpoint",
        timeout_seconds=TIMEOUT_SECONDS[State.CHECK_FOR_ENDPOINT],
    )
    endpoint = {
        "endpoint_name": endpoint_name(settings),
        "endpoint_config_name": check.output()["Run"]["Name"],
    }
    create_endpoint = EndpointStep(
        State.CREATE_ENDPOINT,
        **endpoint,
        update=False,
        result_path="$.Deployment",
        timeout_seconds=TIMEOUT_SECONDS[State.CREATE_ENDPOINT],
    )
    update_endpoint = Task(
        State.UPDATE_ENDPOINT,
        comment="Blue/green, with traffic shifted as rollout.strategy says and rolled back "
        "by SageMaker when one of the stack's alarms fires (deployment guardrails).",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:updateEndpoint",
        parameters={
            "EndpointName": endpoint["endpoint_name"],
            "EndpointConfigName.$": "$.Run.Name",
            "DeploymentConfig": deployment_config(settings),
        },
        result_path="$.Deployment",
        timeout_seconds=TIMEOUT_SECONDS[State.UPDATE_ENDPOINT],
    )
    return {
        State.CREATE_ENDPOINT_CONFIG: create_config,
        State.CREATE_ENDPOINT: create_endpoint,
        State.UPDATE_ENDPOINT: update_endpoint,
    }, check


def deployment_config(settings: Settings) -> dict[str, Any]:
    """UpdateEndpoint's DeploymentConfig: blue/green traffic shifting, rolled back by
    SageMaker when one of the stack's alarms fires during the bake times."""
    routing: dict[str, Any] = {
        "Type": TRAFFIC_ROUTING_TYPES[settings.rollout_strategy],
        "WaitIntervalInSeconds": settings.rollout_wait_seconds,
    }
    step = {"Type": "CAPACITY_PERCENT", "Value": settings.rollout_step_percent}
    if settings.rollout_strategy == "canary":
        routing["CanarySize"] = step
    elif settings.rollout_strategy == "linear":
        routing["LinearStepSize"] = step
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": routing,
            "TerminationWaitInSeconds": settings.rollout_final_bake_seconds,
            # SageMaker's bounds: 600 s to 8 h (the settings refuse a longer rollout).
            "MaximumExecutionTimeoutInSeconds": max(600, rollout_seconds(settings)),
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": name} for name in rollback_alarm_names(settings)]
        },
    }


def rollout_seconds(settings: Settings) -> int:
    return rules.rollout_seconds(settings.rollout_strategy, settings.rollout_step_percent,
                                 settings.rollout_wait_seconds,
                                 settings.rollout_final_bake_seconds)  # fmt: skip


def endpoint_max_checks(settings: Settings) -> int:
    return -(-rollout_seconds(settings) // ENDPOINT_CHECK_INTERVAL_SECONDS)


def deploy_branch(
    settings: Settings, tasks: dict[State, Any], check: Task, failed: Any
) -> tuple[Any, Pass]:
    """Endpoint config, then create the endpoint (first run) or update it (when it is
    InService), then check until it serves this run's model, bounded in time."""
    max_checks = endpoint_max_checks(settings)
    start = Pass(
        State.START_ENDPOINT_CHECKS,
        comment=f"At most {max_checks} checks, {ENDPOINT_CHECK_INTERVAL_SECONDS} s apart.",
        result={"Checks": 0},
        result_path="$.EndpointChecks",
    )
    count = Pass(
        State.COUNT_ENDPOINT_CHECK,
        parameters={"Checks.$": "States.MathAdd($.EndpointChecks.Checks, 1)"},
        result_path="$.EndpointChecks",
    )
    wait = Wait(State.WAIT_FOR_ENDPOINT, seconds=ENDPOINT_CHECK_INTERVAL_SECONDS)
    check.add_retry(retry_for(check))
    deployment_failed = FailWithPaths(
        State.DEPLOYMENT_FAILED,
        comment="The new model does not serve; the registry version says why.",
        error_path="$.Decision.Error",
        cause_path="$.Decision.Reason",
    )
    mark = tasks[State.MARK_VERSION_NOT_DEPLOYED]
    mark.add_catch(
        Catch(error_equals=["States.ALL"], next_step=deployment_failed, result_path="$.MarkFailure")
    )
    mark.next(deployment_failed)
    # A deploy step that fails after the version was registered: mark it, with why.
    not_deployed = Pass(
        State.RECORD_DEPLOYMENT_FAILURE,
        parameters={
            "Error.$": f"{FAILURE_PATH}.Error",
            "Reason.$": f"{FAILURE_PATH}.Cause",  # up to 32,768 characters
            "Summary.$": states_format(
                "deployment failed with {}: the cause of the run failure says why",
                f"{FAILURE_PATH}.Error",  # up to 256 characters
            ),
        },
        result_path="$.Decision",
    )
    not_deployed.next(mark)
    missing = Choice(
        State.IS_ENDPOINT_MISSING,
        comment="Only 'this endpoint does not exist' leads to creating it; any other "
        "error (access denied, throttled beyond retries) fails the run with its cause "
        "and marks the version.",
    )
    create_once = ChoiceRule.And([
        cause_matches(ENDPOINT_NOT_FOUND_PATTERN),
        ChoiceRule.Not(is_present("$.Deployment")),  # never create twice
    ])  # fmt: skip
    route_not_found(check, missing, create_once, tasks[State.CREATE_ENDPOINT], not_deployed,
                     failed)  # fmt: skip
    route_already_exists(tasks[State.CREATE_ENDPOINT_CONFIG], State.DOES_THE_CONFIG_EXIST,
                          ALREADY_EXISTS_PATTERNS[State.CREATE_ENDPOINT_CONFIG],
                          then=start, otherwise=not_deployed)  # fmt: skip
    _another_deployment_of_it(tasks, count, not_deployed)
    for step in (State.CREATE_ENDPOINT_CONFIG, State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT):
        tasks[step].add_catch(catch_all(not_deployed))
    tasks[State.CREATE_ENDPOINT_CONFIG].next(start)
    start.next(check)
    check.next(_endpoint_status(tasks, count, mark, deployment_failed, max_checks))
    tasks[State.CREATE_ENDPOINT].next(count)
    tasks[State.UPDATE_ENDPOINT].next(count)
    count.next(wait)
    wait.next(check)
    return tasks[State.CREATE_ENDPOINT_CONFIG], start


def _another_deployment_of_it(tasks: dict[State, Any], count: Pass, not_deployed: Any) -> None:
    """CreateEndpoint refused as the endpoint exists, or UpdateEndpoint as it is being
    updated: another run deploys too (a duplicate approval event's, of this very
    version, or another version's). The checks wait for the endpoint to settle: done if
    it then serves this run's config, updated again (by this run) if it serves another."""
    under_way = Choice(
        State.IS_ANOTHER_DEPLOYMENT_UNDER_WAY,
        comment="SageMaker may send an approval event more than once: two runs deploy "
        "the same version, and the one that comes second waits for the first.",
    )
    deploying = Pass(
        State.WAIT_FOR_THE_OTHER_DEPLOYMENT,
        parameters={"Cause.$": f"{FAILURE_PATH}.Cause"},
        # Not $.Deployment: this run has not deployed, so an endpoint that settles on
        # another config is updated, not taken for a failed update of this run's.
        result_path="$.OtherDeployment",
    )
    deploying.next(count)
    under_way.add_choice(
        ChoiceRule.Or([
            cause_matches(ALREADY_EXISTS_PATTERNS[State.CREATE_ENDPOINT]),
            cause_matches(UPDATE_IN_PROGRESS_PATTERN),
        ]),
        deploying,
    )  # fmt: skip
    under_way.default_choice(not_deployed)
    for step in (State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT):
        task = tasks[step]
        task.add_catch(Catch(error_equals=[generic_error(task.fields["resource"])],
                             next_step=under_way, result_path=FAILURE_PATH))  # fmt: skip


def _endpoint_status(tasks: dict[State, Any], count: Pass, mark: Task, not_ready: Any,
                     max_checks: int) -> Choice:  # fmt: skip
    """Where the endpoint stands, read from DescribeEndpoint as AWS documents it.

    Done when it is InService with this run's config, whoever deployed it. Before this
    run deploys ($.Deployment absent): update an InService endpoint;
    wait while it is Creating/Updating/SystemUpdating/RollingBack/Deleting. After:
    done when it is InService with this run's config. A failed or rolled-back update
    leaves the endpoint InService with its previous config (and may set
    FailureReason); the version is then marked Rejected with the reason.
    """
    status, endpoint = "$.Endpoint.EndpointStatus", "$.Endpoint.EndpointName"
    deploying = is_present("$.Deployment")
    in_service = ChoiceRule.StringEquals(status, "InService")
    choice = Choice(State.ENDPOINT_STATUS)
    # Serving this run's config is the goal, whoever deployed it: this run, or one for
    # the same approved version (a duplicate event) before or while this one checks.
    choice.add_choice(
        ChoiceRule.And([
            in_service,
            ChoiceRule.StringEqualsPath("$.Endpoint.EndpointConfigName", "$.Run.Name"),
        ]),
        Succeed(State.DEPLOYED),
    )  # fmt: skip
    choice.add_choice(
        ChoiceRule.And([deploying, in_service, is_present("$.Endpoint.FailureReason")]),
        _endpoint_failure(
            State.ENDPOINT_KEPT_OLD_MODEL, mark,
            "EndpointUpdateFailed",
            "endpoint {} did not take endpoint config {} and still serves {}: {}",
            endpoint, "$.Run.Name", "$.Endpoint.EndpointConfigName", "$.Endpoint.FailureReason",
        ),
    )  # fmt: skip
    # A rollback may leave FailureReason empty; ASL cannot read a field that is absent.
    choice.add_choice(
        ChoiceRule.And([deploying, in_service]),
        _endpoint_failure(
            State.ENDPOINT_SERVES_ANOTHER_CONFIG, mark,
            "EndpointUpdateFailed",
            "endpoint {} serves endpoint config {}, not {} of this run: the update failed "
            "or was rolled back (SageMaker gave no FailureReason), or another deployment "
            "changed the endpoint meanwhile",
            endpoint, "$.Endpoint.EndpointConfigName", "$.Run.Name",
        ),
    )  # fmt: skip
    choice.add_choice(in_service, tasks[State.UPDATE_ENDPOINT])
    choice.add_choice(
        ChoiceRule.StringEquals(status, "Failed"),
        _endpoint_failure(
            State.ENDPOINT_FAILED, mark,
            "EndpointFailed",
            "endpoint {} is Failed: {}. Delete it with aws sagemaker delete-endpoint "
            "--endpoint-name {} and run again: the next run creates it anew",
            endpoint, "$.Endpoint.FailureReason", endpoint,
        ),
    )  # fmt: skip
    choice.add_choice(
        ChoiceRule.StringEquals(status, "UpdateRollbackFailed"),
        _endpoint_failure(
            State.ENDPOINT_ROLLBACK_FAILED, mark,
            "EndpointRollbackFailed",
            "endpoint {} could not roll back the update to {}: {}",
            endpoint, "$.Run.Name", "$.Endpoint.FailureReason",
        ),
    )  # fmt: skip
    choice.add_choice(
        ChoiceRule.NumericGreaterThanEquals("$.EndpointChecks.Checks", max_checks),
        _endpoint_failure(
            State.ENDPOINT_NOT_READY, not_ready,  # it may still go live: not marked
            "EndpointNotReady",
            "endpoint {} was still {} after {} checks "
            f"{ENDPOINT_CHECK_INTERVAL_SECONDS} s apart",
            endpoint, status, "$.EndpointChecks.Checks",
        ),
    )  # fmt: skip
    choice.default_choice(count)
    return choice


def _endpoint_failure(name: State, then: Any, error: str, template: str, *paths: str) -> Pass:
    """Reason is for the run's failure cause. Summary is for the registry's
    ApprovalDescription (at most 1,024 characters): SageMaker's FailureReason alone
    (itself at most 1,024) when the reason quotes it, else the reason itself, whose
    other parts are names (at most 63 characters each)."""
    reason = states_format(template, *paths)
    failure_reason = "$.Endpoint.FailureReason"
    summary = failure_reason if failure_reason in paths else reason
    failure = Pass(
        name,
        parameters={"Error": error, "Reason.$": reason, "Summary.$": summary},
        result_path="$.Decision",
    )
    failure.next(then)
    return failure
