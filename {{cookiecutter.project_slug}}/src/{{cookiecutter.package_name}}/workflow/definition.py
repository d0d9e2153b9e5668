"""The retraining state machine, built with the Step Functions Data Science SDK.

``build_definition(settings)`` needs nothing but the settings: no AWS call is made
(the tests prove it). Values that only exist once the project is deployed are left
as CloudFormation ``DefinitionSubstitutions`` placeholders (see ``PLACEHOLDERS``),
so the rendered definition is the same in every account and is committed to the
repository (``statemachine/definition.asl.json``), from where the stack deploys it
and local mode runs it.

Fixes over the public reference notebook: every run gets unique SageMaker names,
training is asked for the metric the gate reads (``eval_metric``), the gate reads
that metric by name (from the evaluator), the endpoint is created on the first run
and updated on every later one, the run waits until the endpoint serves the new
model (or says why it does not), and every Task state has Retry, Catch and
TimeoutSeconds.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..project_layout import DEFINITION_PATH
from ..settings import Settings, SettingsError, rules
from ..settings.names import endpoint_name, evaluator_function_name, glue_job_name
from .state_names import State

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
# stepfunctions 2.3.0 imports pkg_resources, which warns on import; the SDK's pin is
# known and tested (see pyproject.toml), so the warning tells a user nothing.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
# sagemaker logs at INFO which config files it did not find; that is not news.
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)

import boto3  # noqa: E402  (after the environment above is set)
import sagemaker  # noqa: E402

# sagemaker_core (imported by sagemaker) installs rich's traceback handler, which
# prints 80-line boxes on stdout; errors are the CLI's to report.
sys.excepthook = sys.__excepthook__
from sagemaker import image_uris  # noqa: E402
from sagemaker.estimator import Estimator  # noqa: E402
from stepfunctions.inputs import StepInput  # noqa: E402
from stepfunctions.steps import (  # noqa: E402
    Catch,
    Chain,
    Choice,
    EndpointConfigStep,
    EndpointStep,
    GlueStartJobRunStep,
    Graph,
    ModelStep,
    Pass,
    Retry,
    Succeed,
    Task,
    TrainingStep,
    Wait,
    integration_resources,
)
from stepfunctions.steps.choice_rule import ChoiceRule  # noqa: E402

from .asl_fields import (  # noqa: E402
    FailWithPaths,
    LambdaStepWithResultSelector,
    is_present,
)

# Filled in by CloudFormation (DefinitionSubstitutions) and by local mode.
PLACEHOLDERS = {
    "ArtifactBucket": "${ArtifactBucket}",
    "SageMakerRoleArn": "${SageMakerRoleArn}",
    "TrainingImageUri": "${TrainingImageUri}",
}
XGBOOST_VERSION = rules.XGBOOST_VERSION

# Where a caught error is put in the state data, for the failure state to report.
FAILURE_PATH = "$.Failure"

# Errors worth a retry: throttling and transient service faults, not bad requests.
GLUE_TRANSIENT_ERRORS = ["Glue.AWSGlueException", "Glue.ConcurrentRunsExceededException"]
SAGEMAKER_TRANSIENT_ERRORS = ["SageMaker.AmazonSageMakerException"]
# AWS SDK integrations name errors <Service>.<ErrorCode> (with an Exception suffix).
SAGEMAKER_SDK_THROTTLING = ["SageMaker.ThrottlingException"]
LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]

TIMEOUT_SECONDS = {
    # The Glue job's own Timeout is 120 minutes; this leaves Glue to report it first.
    State.PREPARE_DATA: 2 * 3600 + 300,
    State.CREATE_MODEL: 300,
    State.EVALUATE_MODEL: 120,
    State.CREATE_ENDPOINT_CONFIG: 300,
    State.CHECK_FOR_ENDPOINT: 60,
    State.CREATE_ENDPOINT: 300,
    State.UPDATE_ENDPOINT: 300,
}


# CreateEndpoint and UpdateEndpoint return at once; the endpoint serves the new model
# (or fails to) minutes later. The run checks every 30 s, for at most 45 minutes.
ENDPOINT_CHECK_INTERVAL_SECONDS = 30
ENDPOINT_MAX_CHECKS = 90
# DescribeEndpoint's answer for a name that does not exist (a ValidationException
# whose message says so): the only failure that may lead to creating the endpoint.
ENDPOINT_NOT_FOUND_PATTERN = "*Could not find endpoint*"


def build_definition(settings: Settings) -> Graph:
    """The whole retraining workflow, from the settings alone and without network."""
    failed = FailWithPaths(
        State.RETRAINING_FAILED,
        comment="Any Task error lands here, with the original error and cause.",
        error_path=f"{FAILURE_PATH}.Error",
        cause_path=f"{FAILURE_PATH}.Cause",
    )
    naming, plan = _naming(settings)
    with _sdk_partition(settings.partition):
        tasks, check = _tasks(settings, plan)
    for name, task in tasks.items():
        task.add_retry(_retry_for(name))
        task.add_catch(_catch_all(failed))
    deploy = _deploy_branch(tasks, check, failed)
    gate = _quality_gate(settings, deploy)
    Chain(
        [
            plan,
            tasks[State.PREPARE_DATA],
            tasks[State.TRAIN_MODEL],
            tasks[State.CREATE_MODEL],
            tasks[State.EVALUATE_MODEL],
            gate,
        ]
    )
    return Graph(naming)


def render_definition(settings: Settings) -> str:
    """The definition as the JSON text that is committed and deployed."""
    return json.dumps(build_definition(settings).to_dict(), indent=2) + "\n"


def read_committed_definition(settings: Settings, project_root: Path) -> str:
    """The committed definition, refused when the settings no longer give it.

    Local runs and deploys use the file that code review saw, never a fresh build,
    so a stale file must be rendered (and reviewed) first.
    """
    path = project_root / DEFINITION_PATH
    if not path.is_file():
        raise SettingsError(f"{DEFINITION_PATH} is missing; run '{settings.slug} render'")
    committed = path.read_text(encoding="utf-8")
    if committed != render_definition(settings):
        raise SettingsError(
            f"{DEFINITION_PATH} does not match settings.toml; run '{settings.slug} render' "
            "and commit the result first"
        )
    return committed


def training_hyperparameters(settings: Settings) -> dict[str, Any]:
    """The settings' hyperparameters, with the gate's metric asked for by name.

    SageMaker's XGBoost container passes ``eval_metric`` to xgboost only when it is
    set; unset, xgboost reports only its objective's default (``logloss`` for
    ``binary:logistic``), so a gate on ``validation:error`` would find no metric.
    The gate's metric goes last: early stopping, when configured, watches the last.
    """
    hyperparameters = dict(settings.hyperparameters)
    gate_metric = settings.quality_gate.metric.split(":", 1)[1]
    asked = str(hyperparameters.get("eval_metric", "")).split(",")
    others = [metric.strip() for metric in asked if metric.strip() not in ("", gate_metric)]
    hyperparameters["eval_metric"] = ",".join([*others, gate_metric])
    return hyperparameters


def training_image_uri(settings: Settings) -> str:
    """SageMaker's XGBoost image for the region, from the SDK's bundled table (offline)."""
    return image_uris.retrieve("xgboost", region=settings.region, version=XGBOOST_VERSION)


def _naming(settings: Settings) -> tuple[Choice, Pass]:
    """Unique, SageMaker-valid names for this run, unless the caller gave one."""
    plan = Pass(
        State.PLAN_LOCATIONS,
        comment="A run's data goes under s3://<bucket>/runs/<run name>/ (which expires), "
        "its model under s3://<bucket>/models/<run name>/ (which an endpoint may need "
        "for as long as it serves it).",
        parameters={
            "Name.$": "$.Run.Name",
            "TrainUri.$": _run_uri("train/"),
            "ValidationUri.$": _run_uri("validation/"),
            "ModelOutputUri.$": _states_format(
                "s3://{}/models/{}/", f"'{PLACEHOLDERS['ArtifactBucket']}'", "$.Run.Name"
            ),
        },
        result_path="$.Run",
    )
    given = Pass(State.USE_GIVEN_NAME, parameters={"Name.$": "$.RunName"}, result_path="$.Run")
    given.next(plan)
    # slug (at most 26 characters) + '-' + UUID (36) fits SageMaker's 63, and both
    # use only letters, digits and hyphens.
    generated = Pass(
        State.GENERATE_NAME,
        parameters={"Name.$": _states_format("{}-{}", f"'{settings.slug}'", "States.UUID()")},
        result_path="$.Run",
    )
    generated.next(plan)
    choose = Choice(
        State.NAME_THE_RUN,
        comment="A scheduled run has no name: generate one. A caller may pass RunName.",
    )
    choose.add_choice(is_present("$.RunName"), given)
    choose.default_choice(generated)
    return choose, plan


def _run_uri(suffix: str) -> str:
    bucket = PLACEHOLDERS["ArtifactBucket"]
    return _states_format("s3://{}/runs/{}/" + suffix, f"'{bucket}'", "$.Run.Name")


def _states_format(template: str, *arguments: str) -> str:
    """ASL's States.Format intrinsic: each '{}' in the template takes an argument."""
    return f"States.Format('{template}', {', '.join(arguments)})"


def _tasks(settings: Settings, plan: Pass) -> tuple[dict[State, Any], Task]:
    """The Task states. The SDK checks that each placeholder comes from the output of
    the state before it; every state keeps its input (ResultPath), so $.Run travels on."""
    session = _offline_sagemaker_session(settings.region)
    estimator = Estimator(
        image_uri=PLACEHOLDERS["TrainingImageUri"],
        role=PLACEHOLDERS["SageMakerRoleArn"],
        instance_count=settings.training_instance_count,
        instance_type=settings.training_instance_type,
        max_run=settings.training_max_runtime_seconds,
        volume_size=settings.training_volume_size_gb,
        output_path=f"s3://{PLACEHOLDERS['ArtifactBucket']}/models/",
        hyperparameters=training_hyperparameters(settings),
        sagemaker_session=session,
        debugger_hook_config=False,
        disable_profiler=True,
    )
    prepare = GlueStartJobRunStep(
        State.PREPARE_DATA,
        parameters={
            "JobName": glue_job_name(settings),
            "Arguments": {
                "--source_uri": f"s3://{PLACEHOLDERS['ArtifactBucket']}/data/raw/",
                "--train_uri": plan.output()["Run"]["TrainUri"],
                "--validation_uri": plan.output()["Run"]["ValidationUri"],
                # The dataset's schema ([data] in settings.toml) for the job to read.
                "--schema": settings.data.to_json(),
            },
        },
        result_path="$.Etl",
        timeout_seconds=TIMEOUT_SECONDS[State.PREPARE_DATA],
    )
    run = prepare.output()["Run"]
    train = TrainingStep(
        State.TRAIN_MODEL,
        estimator=estimator,
        job_name=run["Name"],
        output_data_config_path=run["ModelOutputUri"],
        parameters={
            "InputDataConfig": [
                _csv_channel("train", run["TrainUri"]),
                _csv_channel("validation", run["ValidationUri"]),
            ]
        },
        result_path="$.Training",
        # SageMaker stops the job at MaxRuntime; the extra time covers start and upload.
        timeout_seconds=settings.training_max_runtime_seconds + 1800,
    )
    model = train.get_expected_model()
    model.model_data = train.output()["Training"]["ModelArtifacts"]["S3ModelArtifacts"]
    create_model = ModelStep(
        State.CREATE_MODEL,
        model=model,
        model_name=train.output()["Run"]["Name"],
        result_path="$.Model",
        timeout_seconds=TIMEOUT_SECONDS[State.CREATE_MODEL],
    )
    evaluate = LambdaStepWithResultSelector(
        State.EVALUATE_MODEL,
        parameters={
            "FunctionName": evaluator_function_name(settings),
            "Payload": {
                "TrainingJobName": create_model.output()["Run"]["Name"],
                "MetricName": settings.quality_gate.metric,
            },
        },
        result_selector={
            "MetricName.$": "$.Payload.metric_name",
            "Value.$": "$.Payload.value",
            "Metrics.$": "$.Payload.metrics",
        },
        result_path="$.Evaluation",
        timeout_seconds=TIMEOUT_SECONDS[State.EVALUATE_MODEL],
    )
    create_config = EndpointConfigStep(
        State.CREATE_ENDPOINT_CONFIG,
        endpoint_config_name=StepInput()["Run"]["Name"],
        model_name=StepInput()["Run"]["Name"],
        initial_instance_count=settings.endpoint_instance_count,
        instance_type=settings.endpoint_instance_type,
        result_path="$.EndpointConfig",
        timeout_seconds=TIMEOUT_SECONDS[State.CREATE_ENDPOINT_CONFIG],
    )
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
    update_endpoint = EndpointStep(
        State.UPDATE_ENDPOINT,
        **endpoint,
        update=True,
        result_path="$.Deployment",
        timeout_seconds=TIMEOUT_SECONDS[State.UPDATE_ENDPOINT],
    )
    return {
        State.PREPARE_DATA: prepare,
        State.TRAIN_MODEL: train,
        State.CREATE_MODEL: create_model,
        State.EVALUATE_MODEL: evaluate,
        State.CREATE_ENDPOINT_CONFIG: create_config,
        State.CREATE_ENDPOINT: create_endpoint,
        State.UPDATE_ENDPOINT: update_endpoint,
    }, check


def _deploy_branch(tasks: dict[State, Any], check: Task, failed: Any) -> Any:
    """Endpoint config, then create the endpoint (first run) or update it (when it is
    InService), then check until it serves this run's model, bounded in time."""
    start = Pass(
        State.START_ENDPOINT_CHECKS,
        comment=f"At most {ENDPOINT_MAX_CHECKS} checks, {ENDPOINT_CHECK_INTERVAL_SECONDS} s apart.",
        result={"Checks": 0},
        result_path="$.EndpointChecks",
    )
    count = Pass(
        State.COUNT_ENDPOINT_CHECK,
        parameters={"Checks.$": "States.MathAdd($.EndpointChecks.Checks, 1)"},
        result_path="$.EndpointChecks",
    )
    wait = Wait(State.WAIT_FOR_ENDPOINT, seconds=ENDPOINT_CHECK_INTERVAL_SECONDS)
    missing = Choice(
        State.IS_ENDPOINT_MISSING,
        comment="Only 'this endpoint does not exist' leads to creating it; any other "
        "error (access denied, throttled beyond retries) fails the run with its cause.",
    )
    missing.add_choice(
        ChoiceRule.And([
            ChoiceRule.StringMatches(f"{FAILURE_PATH}.Cause", ENDPOINT_NOT_FOUND_PATTERN),
            ChoiceRule.Not(is_present("$.Deployment")),  # never create twice
        ]),
        tasks[State.CREATE_ENDPOINT],
    )  # fmt: skip
    missing.default_choice(failed)
    check.add_retry(
        Retry(error_equals=SAGEMAKER_SDK_THROTTLING, interval_seconds=2, max_attempts=3,
              backoff_rate=2.0)
    )  # fmt: skip
    check.add_catch(
        Catch(error_equals=["States.TaskFailed"], next_step=missing, result_path=FAILURE_PATH)
    )
    check.add_catch(_catch_all(failed))
    tasks[State.CREATE_ENDPOINT_CONFIG].next(start)
    start.next(check)
    check.next(_endpoint_status(tasks, count))
    tasks[State.CREATE_ENDPOINT].next(count)
    tasks[State.UPDATE_ENDPOINT].next(count)
    count.next(wait)
    wait.next(check)
    return tasks[State.CREATE_ENDPOINT_CONFIG]


def _endpoint_status(tasks: dict[State, Any], count: Pass) -> Choice:
    """Where the endpoint stands, read from DescribeEndpoint as AWS documents it.

    Before this run deploys ($.Deployment absent): update an InService endpoint;
    wait while it is Creating/Updating/SystemUpdating/RollingBack/Deleting. After:
    done when it is InService with this run's config. A failed update leaves the
    endpoint InService with its previous config and sets only FailureReason.
    """
    status, endpoint = "$.Endpoint.EndpointStatus", "$.Endpoint.EndpointName"
    deploying = is_present("$.Deployment")
    in_service = ChoiceRule.StringEquals(status, "InService")
    choice = Choice(State.ENDPOINT_STATUS)
    choice.add_choice(
        ChoiceRule.And([
            deploying, in_service,
            ChoiceRule.StringEqualsPath("$.Endpoint.EndpointConfigName", "$.Run.Name"),
        ]),
        Succeed(State.DEPLOYED),
    )  # fmt: skip
    choice.add_choice(
        ChoiceRule.And([deploying, in_service, is_present("$.Endpoint.FailureReason")]),
        _endpoint_failure(
            State.ENDPOINT_KEPT_OLD_MODEL,
            "EndpointUpdateFailed",
            "endpoint {} did not take endpoint config {} and still serves {}: {}",
            endpoint, "$.Run.Name", "$.Endpoint.EndpointConfigName", "$.Endpoint.FailureReason",
        ),
    )  # fmt: skip
    # A rollback may leave FailureReason empty; ASL cannot read a field that is absent.
    choice.add_choice(
        ChoiceRule.And([deploying, in_service]),
        _endpoint_failure(
            State.ENDPOINT_SERVES_ANOTHER_CONFIG,
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
            State.ENDPOINT_FAILED,
            "EndpointFailed",
            "endpoint {} is Failed: {}. Delete it with aws sagemaker delete-endpoint "
            "--endpoint-name {} and run again: the next run creates it anew",
            endpoint, "$.Endpoint.FailureReason", endpoint,
        ),
    )  # fmt: skip
    choice.add_choice(
        ChoiceRule.NumericGreaterThanEquals("$.EndpointChecks.Checks", ENDPOINT_MAX_CHECKS),
        _endpoint_failure(
            State.ENDPOINT_NOT_READY,
            "EndpointNotReady",
            "endpoint {} was still {} after {} checks "
            f"{ENDPOINT_CHECK_INTERVAL_SECONDS} s apart",
            endpoint, status, "$.EndpointChecks.Checks",
        ),
    )  # fmt: skip
    choice.default_choice(count)
    return choice


def _endpoint_failure(name: State, error: str, template: str, *paths: str) -> FailWithPaths:
    return FailWithPaths(name, error=error, cause_path=_states_format(template, *paths))


def _quality_gate(settings: Settings, deploy: Any) -> Choice:
    gate = settings.quality_gate
    comparison = "below" if gate.lower_is_better else "above"
    rule = ChoiceRule.NumericLessThan if gate.lower_is_better else ChoiceRule.NumericGreaterThan
    failed = FailWithPaths(
        State.QUALITY_GATE_FAILED,
        error="QualityGateFailed",
        cause_path=_states_format(
            f"{gate.metric} = " + "{}" + f" is not {comparison} the threshold "
            f"{gate.threshold:g}; the endpoint keeps its current model",
            "$.Evaluation.Value",
        ),
    )
    choice = Choice(
        State.QUALITY_GATE,
        comment=f"Deploy only when {gate.metric} is {comparison} {gate.threshold:g}.",
    )
    choice.add_choice(rule(variable="$.Evaluation.Value", value=gate.threshold), deploy)
    choice.default_choice(failed)
    return choice


def _csv_channel(name: str, uri: Any) -> dict[str, Any]:
    """A training channel of CSV files (label in column 0, no header), per run."""
    return {
        "ChannelName": name,
        "ContentType": "text/csv",
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
    }


def _catch_all(failed: Any) -> Catch:
    """Route any error to the failure state, keeping the input and the error."""
    return Catch(error_equals=["States.ALL"], next_step=failed, result_path=FAILURE_PATH)


@contextlib.contextmanager
def _sdk_partition(partition: str) -> Iterator[None]:
    """Have the SDK write the settings' partition into integration ARNs
    (arn:aws-cn:states:::...).

    The SDK asks a new default boto3 session for each Task: that is whoever renders
    (their region, not the project's), and reads botocore's endpoint data each time,
    which made most of a render's time.
    """
    original = integration_resources.get_aws_partition
    integration_resources.get_aws_partition = lambda: partition
    try:
        yield
    finally:
        integration_resources.get_aws_partition = original


def _retry_for(state: State) -> Retry:
    errors = {
        State.PREPARE_DATA: GLUE_TRANSIENT_ERRORS,
        State.EVALUATE_MODEL: LAMBDA_TRANSIENT_ERRORS,
    }.get(state, SAGEMAKER_TRANSIENT_ERRORS)
    return Retry(error_equals=errors, interval_seconds=5, max_attempts=3, backoff_rate=2.0)


@functools.cache  # loading botocore's service models takes most of a build
def _offline_sagemaker_session(region: str) -> sagemaker.Session:
    """A SageMaker session that never calls AWS.

    Building a definition only serializes requests, but boto3 resolves credentials
    when a client is created (and may wait on instance metadata doing so). Static
    placeholder credentials skip that lookup; they are never sent anywhere.
    """
    boto_session = boto3.Session(
        region_name=region,
        aws_access_key_id="offline-definition-build",
        aws_secret_access_key="offline-definition-build",
    )
    return sagemaker.Session(boto_session=boto_session, default_bucket="unused-offline-bucket")
