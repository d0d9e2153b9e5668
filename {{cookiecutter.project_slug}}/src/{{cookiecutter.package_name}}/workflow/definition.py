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
from ..settings.names import (
    endpoint_name,
    evaluator_function_name,
    glue_job_name,
    model_package_group_name,
    rollback_alarm_names,
)
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
    TaskWithResultSelector,
    is_present,
)
from .error_names import (  # noqa: E402
    LAMBDA_CLIENT_ERROR,
    generic_error,
    modelled_error,
    parse_resource,
    possible_errors,
)

# Filled in by CloudFormation (DefinitionSubstitutions) and by local mode.
PLACEHOLDERS = {
    "ArtifactBucket": "${ArtifactBucket}",
    "SageMakerRoleArn": "${SageMakerRoleArn}",
    "TrainingImageUri": "${TrainingImageUri}",
    # The code artifacts' keys, which end in a hash of their content (aws/artifacts.py):
    # each registered model version records the code that produced it.
    "GlueScriptKey": "${GlueScriptKey}",
    "EvaluatorCodeKey": "${EvaluatorCodeKey}",
}
# The model's environment variable that records its feature layout (DataSchema's
# feature_layout): a live model is compared only with a model of the same layout.
FEATURE_LAYOUT_VARIABLE = "RETRAIN_FEATURE_LAYOUT"
XGBOOST_VERSION = rules.XGBOOST_VERSION

# Where a caught error is put in the state data, for the failure state to report.
FAILURE_PATH = "$.Failure"

# Errors worth a retry, by service (error_names.py says how each is named). Glue's and
# Lambda's models name their transient errors; SageMaker's names none, so its throttling
# and internal errors surface under the generic name that its validation errors share:
# those are retried too, briefly (SAGEMAKER_RETRY), as no Retry can tell them apart.
GLUE_TRANSIENT_CODES = [
    "ConcurrentRunsExceededException", "InternalServiceException", "OperationTimeoutException",
]  # fmt: skip
LAMBDA_TRANSIENT_CODES = ["ServiceException", "TooManyRequestsException"]
# (interval s, attempts, backoff): SageMaker's at most 1 + 2 + 4 = 7 s of waiting.
SAGEMAKER_RETRY = (1, 3, 2.0)
OTHER_RETRY = (5, 3, 2.0)

TIMEOUT_SECONDS = {
    # The Glue job's own Timeout is 120 minutes; this leaves Glue to report it first.
    State.PREPARE_DATA: 2 * 3600 + 300,
    State.CREATE_MODEL: 300,
    State.EVALUATE_MODEL: 120,
    State.CREATE_ENDPOINT_CONFIG: 300,
    State.CHECK_FOR_ENDPOINT: 60,
    State.CREATE_ENDPOINT: 300,
    State.UPDATE_ENDPOINT: 300,
    State.DESCRIBE_APPROVED_VERSION: 60,
    State.FIND_APPROVED_CONFIG: 60,
    State.FIND_LIVE_MODEL: 60,
    State.DESCRIBE_LIVE_CONFIG: 60,
    # A batch transform of the validation set: minutes to start an instance, seconds to score.
    State.SCORE_LIVE_MODEL: 3600,
    State.SCORE_NEW_MODEL: 3600,
    State.COMPARE_MODELS: 300,
    State.REGISTER_MODEL: 60,
    State.MARK_VERSION_NOT_DEPLOYED: 60,
    State.DESCRIBE_TRAINING_JOB: 60,
    State.DESCRIBE_LIVE_MODEL: 60,
}


# CreateEndpoint and UpdateEndpoint return at once; the endpoint serves the new model
# (or fails to, or is rolled back) minutes later. The run checks every 30 s, for 45
# minutes plus the rollout's bake times (``endpoint_max_checks``).
ENDPOINT_CHECK_INTERVAL_SECONDS = rules.ENDPOINT_CHECK_INTERVAL_SECONDS
ENDPOINT_PROVISIONING_CHECKS = rules.ENDPOINT_PROVISIONING_CHECKS
# SageMaker's TrafficRoutingConfig types, by the settings' rollout.strategy.
TRAFFIC_ROUTING_TYPES = {"all-at-once": "ALL_AT_ONCE", "canary": "CANARY", "linear": "LINEAR"}
# Where batch transform writes each model's predictions of this run's validation set.
SCORES_PREFIXES = {"live": "scores/live/", "new": "scores/new/"}
# DescribeEndpoint's answer for a name that does not exist (a ValidationException
# whose message says so): the only failure that may lead to creating the endpoint.
ENDPOINT_NOT_FOUND_PATTERN = "*Could not find endpoint*"
CONFIG_NOT_FOUND_PATTERN = "*Could not find endpoint configuration*"
# SageMaker's refusal of a Create call for a name that exists (a ValidationException,
# under the generic error name). The names are this run's (a UUID in each), so the
# resource is what an earlier attempt of the same call created, whose answer was
# lost, or, for an approved version, what a duplicate approval event's run created:
# the call has succeeded.
ALREADY_EXISTS_PATTERNS = {
    State.CREATE_MODEL: "*Cannot create already existing model*",
    State.CREATE_ENDPOINT_CONFIG: "*Cannot create already existing endpoint configuration*",
    State.CREATE_ENDPOINT: "*Cannot create already existing endpoint*",
}
# UpdateEndpoint's refusal while another update (a duplicate approval's run) is going.
UPDATE_IN_PROGRESS_PATTERN = "*Cannot update in-progress endpoint*"
TRAINING_JOB_CHECK_SECONDS = 60


def build_definition(settings: Settings) -> Graph:
    """The whole retraining workflow, from the settings alone and without network."""
    failed = FailWithPaths(
        State.RETRAINING_FAILED,
        comment="Any Task error lands here, with the original error and cause.",
        error_path=f"{FAILURE_PATH}.Error",
        cause_path=f"{FAILURE_PATH}.Cause",
    )
    with _sdk_partition(settings.partition):
        describe_approved = _describe_approved_version(settings)
        naming, plan = _naming(settings, describe_approved)
        tasks, check = _tasks(settings, plan)
        tasks.update(_registry_tasks(settings))
        tasks.update(_scoring_tasks(settings) if settings.compare_with_live else {})
    tasks[State.DESCRIBE_APPROVED_VERSION] = describe_approved
    for task in tasks.values():
        task.add_retry(_retry_for(task))
    _adopt_a_started_training_job(settings, tasks, failed)
    _route_already_exists(tasks[State.CREATE_MODEL], State.DOES_THE_MODEL_EXIST,
                          ALREADY_EXISTS_PATTERNS[State.CREATE_MODEL],
                          then=tasks[State.EVALUATE_MODEL], otherwise=failed)  # fmt: skip
    tasks[State.CREATE_MODEL].add_catch(_catch_all(failed))
    for name, task in tasks.items():
        if name not in _CAUGHT_ON_THEIR_OWN:
            task.add_catch(_catch_all(failed))
    deploy, checks = _deploy_branch(settings, tasks, check, failed)
    _approved_version_entry(settings, tasks, deploy, checks, failed)
    accept, reject_not_better = _registration(settings, tasks, deploy)
    gate = _quality_gate(
        settings,
        _comparison(settings, tasks, accept, reject_not_better, failed),
        reject_below_threshold=_reject_below_threshold(settings, tasks),
    )
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


def _naming(settings: Settings, describe_approved: Task) -> tuple[Choice, Pass]:
    """Unique, SageMaker-valid names for this run, unless the caller gave one; or,
    for a version approved in the registry, straight to deploying it."""
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
        comment="A scheduled run has no name: generate one. A caller may pass RunName. "
        "The registry's approval event passes ApprovedModelPackageArn: deploy that version.",
    )
    choose.add_choice(is_present("$.ApprovedModelPackageArn"), describe_approved)
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
    model.env = {FEATURE_LAYOUT_VARIABLE: settings.data.feature_layout}
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
        endpoint_config_name="$.Run.Name",
        model_name="$.Run.Name",
        initial_instance_count=settings.endpoint_instance_count,
        instance_type=settings.endpoint_instance_type,
        result_path="$.EndpointConfig",
        timeout_seconds=TIMEOUT_SECONDS[State.CREATE_ENDPOINT_CONFIG],
    )
    # Reached from the gate and from an approved version's entry, so named by path
    # (the SDK accepts a placeholder only from the one state before).
    _by_path(create_config.fields["parameters"], "EndpointConfigName")
    _by_path(create_config.fields["parameters"]["ProductionVariants"][0], "ModelName")
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
        State.PREPARE_DATA: prepare,
        State.TRAIN_MODEL: train,
        State.CREATE_MODEL: create_model,
        State.EVALUATE_MODEL: evaluate,
        State.CREATE_ENDPOINT_CONFIG: create_config,
        State.CREATE_ENDPOINT: create_endpoint,
        State.UPDATE_ENDPOINT: update_endpoint,
    }, check


def _describe_approved_version(settings: Settings) -> Task:
    return TaskWithResultSelector(
        State.DESCRIBE_APPROVED_VERSION,
        comment="A version approved in the registry (the approve command, or SageMaker "
        "Studio): its run's model was created by that run; deploy it.",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeModelPackage",
        parameters={"ModelPackageName.$": "$.ApprovedModelPackageArn"},
        result_selector={
            "ModelPackageArn.$": "$.ModelPackageArn",
            "Version.$": "$.ModelPackageVersion",
            "Status.$": "$.ModelApprovalStatus",
            "RunName.$": "$.CustomerMetadataProperties.RunName",
            "Approval.$": "$.CustomerMetadataProperties.Approval",
            "Decision.$": "$.CustomerMetadataProperties.Decision",
        },
        result_path="$.Registered",
        timeout_seconds=TIMEOUT_SECONDS[State.DESCRIBE_APPROVED_VERSION],
    )


def _approved_version_entry(settings: Settings, tasks: dict[State, Any], create_config: Any,
                            checks: Pass, failed: Any) -> None:  # fmt: skip
    """An approved version's run created its model; its endpoint config exists too when
    the version was deployed before (CreateEndpointConfig refuses a name used before)."""
    approved = Choice(State.IS_IT_APPROVED)
    use_run = Pass(
        State.USE_APPROVED_RUN,
        parameters={"Name.$": "$.Registered.RunName"},
        result_path="$.Run",
    )
    find_config = TaskWithResultSelector(
        State.FIND_APPROVED_CONFIG,
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeEndpointConfig",
        parameters={"EndpointConfigName.$": "$.Run.Name"},
        result_selector={"EndpointConfigName.$": "$.EndpointConfigName"},
        result_path="$.EndpointConfig",
        timeout_seconds=TIMEOUT_SECONDS[State.FIND_APPROVED_CONFIG],
    )
    find_config.add_retry(_retry_for(find_config))
    missing = _cause_matches(CONFIG_NOT_FOUND_PATTERN)
    _route_not_found(find_config, Choice(State.IS_CONFIG_MISSING), missing, create_config,
                     failed, failed)  # fmt: skip
    use_run.next(find_config)
    find_config.next(checks)
    is_approved = ChoiceRule.StringEquals("$.Registered.Status", "Approved")
    # A version the gate approved is deployed by its own run; its registration raises
    # the same approval event, which must not deploy it a second time meanwhile.
    approved.add_choice(
        ChoiceRule.And([
            is_approved,
            ChoiceRule.StringEquals("$.Registered.Approval", "automatic"),
            ChoiceRule.StringEquals("$.Registered.Decision", "none"),
        ]),
        Pass(
            State.DEPLOYED_BY_ITS_RUN,
            comment="Ends the run; its output's NoOp tells `status` to show the real run.",
            result="the run that registered this version deploys it",
            result_path="$.NoOp",
        ),
    )  # fmt: skip
    approved.add_choice(is_approved, use_run)
    approved.default_choice(
        FailWithPaths(
            State.VERSION_NOT_APPROVED,
            error="VersionNotApproved",
            cause_path=_states_format(
                "model version {} is {}, not Approved: nothing was deployed",
                "$.Registered.Version", "$.Registered.Status",
            ),
        )
    )  # fmt: skip
    tasks[State.DESCRIBE_APPROVED_VERSION].next(approved)


# Tasks whose errors go elsewhere than the failure state (see where each is caught).
_CAUGHT_ON_THEIR_OWN = (
    State.FIND_LIVE_MODEL, State.MARK_VERSION_NOT_DEPLOYED, State.CREATE_ENDPOINT_CONFIG,
    State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT, State.TRAIN_MODEL, State.CREATE_MODEL,
)  # fmt: skip


def _route_already_exists(task: Task, choice_name: State, pattern: str, then: Any,
                          otherwise: Any) -> None:  # fmt: skip
    """SageMaker's "already exists" for this run's own name: the call had succeeded
    (an attempt whose answer was lost, or a duplicate approval event's run), so the
    run goes on as if it had returned; any other error of that name goes ``otherwise``."""
    choice = Choice(choice_name, comment="A name of this run's that exists is this run's.")
    choice.add_choice(_cause_matches(pattern), then)
    choice.default_choice(otherwise)
    task.add_catch(Catch(error_equals=[generic_error(task.fields["resource"])],
                         next_step=choice, result_path=FAILURE_PATH))  # fmt: skip


def _adopt_a_started_training_job(settings: Settings, tasks: dict[State, Any],
                                  failed: Any) -> None:  # fmt: skip
    """A retried CreateTrainingJob whose first answer was lost meets ResourceInUse
    while its job trains: wait for that job instead of failing while it bills."""
    train = tasks[State.TRAIN_MODEL]
    describe = Task(
        State.DESCRIBE_TRAINING_JOB,
        comment="The same answer as createTrainingJob.sync's: DescribeTrainingJob.",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeTrainingJob",
        parameters={"TrainingJobName.$": "$.Run.Name"},
        result_path="$.Training",
        timeout_seconds=TIMEOUT_SECONDS[State.DESCRIBE_TRAINING_JOB],
    )
    describe.add_retry(_retry_for(describe))
    describe.add_catch(_catch_all(failed))
    wait = Wait(State.WAIT_FOR_TRAINING_JOB, seconds=TRAINING_JOB_CHECK_SECONDS)
    wait.next(describe)
    not_completed = Pass(
        State.TRAINING_JOB_NOT_COMPLETED,
        parameters={
            "Error": "TrainingJobNotCompleted",
            "Cause.$": _states_format(
                "training job {} is {}", "$.Run.Name", "$.Training.TrainingJobStatus"
            ),
        },
        result_path=FAILURE_PATH,
    )
    not_completed.next(failed)
    status = Choice(State.TRAINING_JOB_STATUS)
    job_status = "$.Training.TrainingJobStatus"
    status.add_choice(ChoiceRule.StringEquals(job_status, "Completed"), tasks[State.CREATE_MODEL])
    status.add_choice(
        ChoiceRule.Or([ChoiceRule.StringEquals(job_status, "InProgress"),
                       ChoiceRule.StringEquals(job_status, "Stopping")]),
        wait,
    )  # fmt: skip
    status.default_choice(not_completed)
    describe.next(status)
    own = Choice(
        State.IS_IT_THIS_RUNS_JOB,
        comment="A generated name (a UUID) is this run's alone; a name the caller gave "
        "may be an earlier run's, whose job must not be taken for this one's.",
    )
    own.add_choice(is_present("$.RunName"), failed)
    own.default_choice(describe)
    in_use = modelled_error(train.fields["resource"], "ResourceInUse")
    train.add_catch(Catch(error_equals=[in_use], next_step=own, result_path=FAILURE_PATH))
    train.add_catch(_catch_all(failed))


def _registry_tasks(settings: Settings) -> dict[State, Any]:
    """Register this run's model as a new version, with what produced it; and, when
    its deployment fails or is rolled back, mark that version so."""
    bucket = PLACEHOLDERS["ArtifactBucket"]
    register = TaskWithResultSelector(
        State.REGISTER_MODEL,
        comment="Every run that reaches the gate registers its model; the gate's decision "
        "is the approval status.",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:createModelPackage",
        parameters={
            "ModelPackageGroupName": model_package_group_name(settings),
            "ModelPackageDescription.$": "$.Decision.Reason",
            "ModelApprovalStatus.$": "$.Decision.Status",
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": PLACEHOLDERS["TrainingImageUri"],
                        "ModelDataUrl.$": "$.Training.ModelArtifacts.S3ModelArtifacts",
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            "CustomerMetadataProperties": {
                "RunName.$": "$.Run.Name",
                "Execution.$": "$$.Execution.Id",
                "TrainingJob.$": "$.Training.TrainingJobName",
                "Metric": settings.quality_gate.metric,
                "MetricValue.$": _states_format("{}", "$.Evaluation.Value"),
                "NewModelScore.$": _states_format("{}", "$.Decision.NewModelScore"),
                "LiveModelScore.$": _states_format("{}", "$.Decision.LiveModelScore"),
                "LiveModel.$": "$.Decision.LiveModel",
                "Decision.$": "$.Decision.Error",
                "Approval": settings.approval,
                "RawDataUri": f"s3://{bucket}/data/raw/",
                "TrainUri.$": "$.Run.TrainUri",
                "ValidationUri.$": "$.Run.ValidationUri",
                "GlueScript": PLACEHOLDERS["GlueScriptKey"],
                "EvaluatorCode": PLACEHOLDERS["EvaluatorCodeKey"],
                "FeatureLayout": settings.data.feature_layout,
            },
        },
        result_selector={"ModelPackageArn.$": "$.ModelPackageArn"},
        result_path="$.Registered",
        timeout_seconds=TIMEOUT_SECONDS[State.REGISTER_MODEL],
    )
    mark = Task(
        State.MARK_VERSION_NOT_DEPLOYED,
        comment="The version did not go live: Rejected, with the reason.",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:updateModelPackage",
        parameters={
            "ModelPackageArn.$": "$.Registered.ModelPackageArn",
            "ModelApprovalStatus": "Rejected",
            "ApprovalDescription.$": "$.Decision.Summary",
            # No longer "deployed by its run": approving it again deploys it.
            "CustomerMetadataProperties": {"Decision.$": "$.Decision.Error"},
        },
        result_path="$.Marked",
        timeout_seconds=TIMEOUT_SECONDS[State.MARK_VERSION_NOT_DEPLOYED],
    )
    return {State.REGISTER_MODEL: register, State.MARK_VERSION_NOT_DEPLOYED: mark}


def _scoring_tasks(settings: Settings) -> dict[State, Any]:
    """The champion/challenger comparison: both models predict this run's validation
    set by batch transform, and the evaluator scores both predictions the same way."""
    find_live = TaskWithResultSelector(
        State.FIND_LIVE_MODEL,
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeEndpoint",
        parameters={"EndpointName": endpoint_name(settings)},
        result_selector={
            "EndpointConfigName.$": "$.EndpointConfigName",
            "EndpointStatus.$": "$.EndpointStatus",
        },
        result_path="$.Live",
        timeout_seconds=TIMEOUT_SECONDS[State.FIND_LIVE_MODEL],
    )
    describe_config = TaskWithResultSelector(
        State.DESCRIBE_LIVE_CONFIG,
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeEndpointConfig",
        parameters={"EndpointConfigName.$": "$.Live.EndpointConfigName"},
        result_selector={"ModelName.$": "$.ProductionVariants[0].ModelName"},
        result_path="$.LiveModel",
        timeout_seconds=TIMEOUT_SECONDS[State.DESCRIBE_LIVE_CONFIG],
    )
    describe_model = TaskWithResultSelector(
        State.DESCRIBE_LIVE_MODEL,
        comment=f"Its container's {FEATURE_LAYOUT_VARIABLE} says which features it takes.",
        resource=f"arn:{settings.partition}:states:::aws-sdk:sagemaker:describeModel",
        parameters={"ModelName.$": "$.LiveModel.ModelName"},
        result_selector={"Container.$": "$.PrimaryContainer"},
        result_path="$.LiveModel.Described",
        timeout_seconds=TIMEOUT_SECONDS[State.DESCRIBE_LIVE_MODEL],
    )
    score_live = _batch_transform(settings, State.SCORE_LIVE_MODEL, "$.LiveModel.ModelName",
                                  "live", "$.LiveScoring")  # fmt: skip
    score_new = _batch_transform(settings, State.SCORE_NEW_MODEL, "$.Run.Name", "new",
                                 "$.NewScoring")  # fmt: skip
    compare = LambdaStepWithResultSelector(
        State.COMPARE_MODELS,
        parameters={
            "FunctionName": evaluator_function_name(settings),
            "Payload": {
                "Action": "CompareModels",
                "MetricName": settings.quality_gate.metric,
                "LowerIsBetter": settings.quality_gate.lower_is_better,
                "MinImprovement": settings.quality_gate.min_improvement,
                "NewScoresUri.$": _run_uri(SCORES_PREFIXES["new"]),
                "LiveScoresUri.$": _run_uri(SCORES_PREFIXES["live"]),
                "LiveModel.$": "$.LiveModel.ModelName",
            },
        },
        result_selector={
            "NewModelScore.$": "$.Payload.new_model_score",
            "LiveModelScore.$": "$.Payload.live_model_score",
            "Improvement.$": "$.Payload.improvement",
            "BeatsLiveModel.$": "$.Payload.beats_live_model",
            "Rows.$": "$.Payload.rows",
            "LiveModel.$": "$.Payload.live_model",
            "Summary.$": "$.Payload.summary",
        },
        result_path="$.Comparison",
        timeout_seconds=TIMEOUT_SECONDS[State.COMPARE_MODELS],
    )
    return {
        State.FIND_LIVE_MODEL: find_live,
        State.DESCRIBE_LIVE_CONFIG: describe_config,
        State.DESCRIBE_LIVE_MODEL: describe_model,
        State.SCORE_LIVE_MODEL: score_live,
        State.SCORE_NEW_MODEL: score_new,
        State.COMPARE_MODELS: compare,
    }


def _batch_transform(settings: Settings, name: State, model_path: str, which: str,
                     result_path: str) -> Task:  # fmt: skip
    """Predictions of the validation channel (label first): the label is filtered out
    of the model's input and joined back to its output, one 'label,prediction' line
    per row (SageMaker's InputFilter, JoinSource and OutputFilter)."""
    return Task(
        name,
        resource=f"arn:{settings.partition}:states:::sagemaker:createTransformJob.sync",
        parameters={
            # Transform jobs have their own names: the slug (26) and a UUID fit in 63.
            "TransformJobName.$": _states_format("{}-{}", f"'{settings.slug}'", "States.UUID()"),
            "ModelName.$": model_path,
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri.$": "$.Run.ValidationUri"}
                },
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath.$": _run_uri(SCORES_PREFIXES[which]),
                "Accept": "text/csv",
                "AssembleWith": "Line",
            },
            "TransformResources": {
                "InstanceType": settings.scoring_instance_type,
                "InstanceCount": 1,
            },
            "DataProcessing": {
                "InputFilter": "$[1:]",
                "JoinSource": "Input",
                "OutputFilter": "$[0,-1]",
            },
        },
        result_path=result_path,
        timeout_seconds=TIMEOUT_SECONDS[name],
    )


def _comparison(settings: Settings, tasks: dict[State, Any], accept: Pass,
                reject_not_better: Pass, failed: Any) -> Any:  # fmt: skip
    """What follows a passed threshold: the champion/challenger comparison, or, with
    compare_with_live = false or no live model, acceptance on the threshold alone."""
    no_live = Pass(
        State.NO_LIVE_MODEL,
        comment="The first run (or compare_with_live = false): the threshold alone decides.",
        result={
            "NewModelScore": "not scored",
            "LiveModelScore": "none",
            "LiveModel": "none",
            "Summary": "no live model to compare with"
            if settings.compare_with_live
            else "not compared with the live model (compare_with_live = false)",
        },
        result_path="$.Comparison",
    )
    no_live.next(accept)
    if not settings.compare_with_live:
        return no_live
    find_live = tasks[State.FIND_LIVE_MODEL]
    missing = Choice(
        State.IS_THERE_A_LIVE_ENDPOINT,
        comment="Only 'this endpoint does not exist' means there is no live model.",
    )
    _route_not_found(find_live, missing, _cause_matches(ENDPOINT_NOT_FOUND_PATTERN), no_live,
                     failed, failed)  # fmt: skip
    status = Choice(
        State.LIVE_ENDPOINT_STATUS,
        comment="A Failed endpoint (its first model never served) has no live model.",
    )
    status.add_choice(ChoiceRule.StringEquals("$.Live.EndpointStatus", "Failed"), no_live)
    status.default_choice(tasks[State.DESCRIBE_LIVE_CONFIG])
    find_live.next(status)
    Chain([tasks[State.DESCRIBE_LIVE_CONFIG], tasks[State.DESCRIBE_LIVE_MODEL]])
    tasks[State.DESCRIBE_LIVE_MODEL].next(_same_features(settings, tasks, accept))
    Chain([tasks[State.SCORE_LIVE_MODEL], tasks[State.SCORE_NEW_MODEL],
           tasks[State.COMPARE_MODELS]])  # fmt: skip
    better = Choice(
        State.CHAMPION_GATE,
        comment=f"Deploy only a model at least {settings.quality_gate.min_improvement:g} "
        "better than the live one, both scored on this run's validation data.",
    )
    better.add_choice(ChoiceRule.BooleanEquals("$.Comparison.BeatsLiveModel", True), accept)
    better.default_choice(reject_not_better)
    tasks[State.COMPARE_MODELS].next(better)
    return find_live


def _same_features(settings: Settings, tasks: dict[State, Any], accept: Pass) -> Choice:
    """Score the live model on this run's validation data only if it takes the same
    features: with more columns its transform job fails, with fewer or others in
    another order it scores, wrongly (the container predicts by position)."""
    layout = f"$.LiveModel.Described.Container.Environment.{FEATURE_LAYOUT_VARIABLE}"
    not_comparable = Pass(
        State.NOT_COMPARABLE,
        comment="The [data] table changed since the live model was trained.",
        parameters={
            "NewModelScore": "not scored",
            "LiveModelScore": "not comparable",
            "LiveModel.$": "$.LiveModel.ModelName",
            "Summary": "not comparable with the live model: it was trained on other "
            "features (the [data] table changed), so the threshold alone decides",
        },
        result_path="$.Comparison",
    )
    not_comparable.next(accept)
    same = Choice(State.SAME_FEATURES, comment="Its recorded feature layout, or none.")
    same.add_choice(ChoiceRule.Not(is_present(layout)), not_comparable)
    same.add_choice(ChoiceRule.StringEquals(layout, settings.data.feature_layout),
                    tasks[State.SCORE_LIVE_MODEL])  # fmt: skip
    same.default_choice(not_comparable)
    return same


def _decision(name: State, status: str, error: str, reason: Any, comparison: bool) -> Pass:
    """The gate's decision as the registry records it, and as a rejection reports it."""
    scores = {
        "NewModelScore.$": "$.Comparison.NewModelScore",
        "LiveModelScore.$": "$.Comparison.LiveModelScore",
        "LiveModel.$": "$.Comparison.LiveModel",
    } if comparison else {
        "NewModelScore": "not scored", "LiveModelScore": "not scored", "LiveModel": "none",
    }  # fmt: skip
    return Pass(
        name,
        parameters={"Status": status, "Error": error, "Reason.$": reason, **scores},
        result_path="$.Decision",
    )


def _gate_words(settings: Settings) -> tuple[str, str]:
    gate = settings.quality_gate
    return gate.metric, "below" if gate.lower_is_better else "above"


def _reject_below_threshold(settings: Settings, tasks: dict[State, Any]) -> Pass:
    metric, comparison = _gate_words(settings)
    threshold = settings.quality_gate.threshold
    reject = _decision(
        State.REJECT_BELOW_THRESHOLD, "Rejected", "QualityGateFailed",
        _states_format(
            f"{metric} = " + "{}" + f" is not {comparison} the threshold {threshold:g}; "
            "the endpoint keeps its current model",
            "$.Evaluation.Value",
        ),
        comparison=False,
    )  # fmt: skip
    reject.next(tasks[State.REGISTER_MODEL])
    return reject


def _registration(settings: Settings, tasks: dict[State, Any], deploy: Any) -> tuple[Pass, Pass]:
    """Accept or reject, register the version with that status, then act on it."""
    metric, comparison = _gate_words(settings)
    threshold = settings.quality_gate.threshold
    passed = "PendingManualApproval" if settings.approval == "manual" else "Approved"
    accept = _decision(
        State.ACCEPT_MODEL, passed, "none",
        _states_format(
            f"{metric} = " + "{}" + f" is {comparison} the threshold {threshold:g}; " + "{}",
            "$.Evaluation.Value", "$.Comparison.Summary",
        ),
        comparison=True,
    )  # fmt: skip
    reject_not_better = _decision(
        State.REJECT_NOT_BETTER, "Rejected", "NotBetterThanLiveModel",
        _states_format("{}; the endpoint keeps its current model", "$.Comparison.Summary"),
        comparison=True,
    )  # fmt: skip
    register = tasks[State.REGISTER_MODEL]
    accept.next(register)
    reject_not_better.next(register)
    status = Choice(State.APPROVAL_STATUS)
    status.add_choice(ChoiceRule.StringEquals("$.Decision.Status", "Approved"), deploy)
    status.add_choice(
        ChoiceRule.StringEquals("$.Decision.Status", "PendingManualApproval"),
        Succeed(
            State.AWAITING_APPROVAL,
            comment="Approving the version (approve command, or SageMaker Studio) deploys it.",
        ),
    )
    status.default_choice(
        FailWithPaths(
            State.MODEL_REJECTED,
            comment="Registered as Rejected, with the reason.",
            error_path="$.Decision.Error",
            cause_path="$.Decision.Reason",
        )
    )
    register.next(status)
    return accept, reject_not_better


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
            "MaximumExecutionTimeoutInSeconds": max(600, _rollout_seconds(settings)),
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": name} for name in rollback_alarm_names(settings)]
        },
    }


def _rollout_seconds(settings: Settings) -> int:
    return rules.rollout_seconds(settings.rollout_strategy, settings.rollout_step_percent,
                                 settings.rollout_wait_seconds,
                                 settings.rollout_final_bake_seconds)  # fmt: skip


def endpoint_max_checks(settings: Settings) -> int:
    return -(-_rollout_seconds(settings) // ENDPOINT_CHECK_INTERVAL_SECONDS)


def _deploy_branch(
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
    check.add_retry(_retry_for(check))
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
            "Summary.$": _states_format(
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
        _cause_matches(ENDPOINT_NOT_FOUND_PATTERN),
        ChoiceRule.Not(is_present("$.Deployment")),  # never create twice
    ])  # fmt: skip
    _route_not_found(check, missing, create_once, tasks[State.CREATE_ENDPOINT], not_deployed,
                     failed)  # fmt: skip
    _route_already_exists(tasks[State.CREATE_ENDPOINT_CONFIG], State.DOES_THE_CONFIG_EXIST,
                          ALREADY_EXISTS_PATTERNS[State.CREATE_ENDPOINT_CONFIG],
                          then=start, otherwise=not_deployed)  # fmt: skip
    _another_deployment_of_it(tasks, count, not_deployed)
    for step in (State.CREATE_ENDPOINT_CONFIG, State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT):
        tasks[step].add_catch(_catch_all(not_deployed))
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
    version). The checks then wait for the endpoint to settle and say what it serves."""
    under_way = Choice(
        State.IS_ANOTHER_DEPLOYMENT_UNDER_WAY,
        comment="SageMaker may send an approval event more than once: two runs deploy "
        "the same version, and the one that comes second waits for the first.",
    )
    deploying = Pass(
        State.WAIT_FOR_THE_OTHER_DEPLOYMENT,
        parameters={"Cause.$": f"{FAILURE_PATH}.Cause"},
        result_path="$.Deployment",
    )
    deploying.next(count)
    under_way.add_choice(
        ChoiceRule.Or([
            _cause_matches(ALREADY_EXISTS_PATTERNS[State.CREATE_ENDPOINT]),
            _cause_matches(UPDATE_IN_PROGRESS_PATTERN),
        ]),
        deploying,
    )  # fmt: skip
    under_way.default_choice(not_deployed)
    for step in (State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT):
        task = tasks[step]
        task.add_catch(Catch(error_equals=[generic_error(task.fields["resource"])],
                             next_step=under_way, result_path=FAILURE_PATH))  # fmt: skip


def _cause_matches(pattern: str) -> Any:
    return ChoiceRule.StringMatches(f"{FAILURE_PATH}.Cause", pattern)


def _route_not_found(task: Task, choice: Choice, missing: Any, then: Any, otherwise: Any,
                     failed: Any) -> None:  # fmt: skip
    """A describe call for which "it does not exist" is an expected answer: the service's
    error (States.TaskFailed) goes to ``choice``, which takes ``then`` when ``missing``
    holds and ``otherwise`` when not; any other error (a timeout) goes to ``failed``."""
    choice.add_choice(missing, then)
    choice.default_choice(otherwise)
    task.add_catch(
        Catch(error_equals=["States.TaskFailed"], next_step=choice, result_path=FAILURE_PATH)
    )
    task.add_catch(_catch_all(failed))


def _endpoint_status(tasks: dict[State, Any], count: Pass, mark: Task, not_ready: Any,
                     max_checks: int) -> Choice:  # fmt: skip
    """Where the endpoint stands, read from DescribeEndpoint as AWS documents it.

    Before this run deploys ($.Deployment absent): update an InService endpoint;
    wait while it is Creating/Updating/SystemUpdating/RollingBack/Deleting. After:
    done when it is InService with this run's config. A failed or rolled-back update
    leaves the endpoint InService with its previous config (and may set
    FailureReason); the version is then marked Rejected with the reason.
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
    (itself at most 1,024) when the reason quotes it, else what happened in short."""
    reason = "$.Endpoint.FailureReason"
    summary = {"Summary.$": reason} if reason in paths else {
        "Summary": f"{error}: {name.lower()}; the run's failure cause says more"
    }  # fmt: skip
    failure = Pass(
        name,
        parameters={"Error": error, "Reason.$": _states_format(template, *paths), **summary},
        result_path="$.Decision",
    )
    failure.next(then)
    return failure


def _quality_gate(settings: Settings, passed: Any, reject_below_threshold: Pass) -> Choice:
    metric, comparison = _gate_words(settings)
    gate = settings.quality_gate
    rule = ChoiceRule.NumericLessThan if gate.lower_is_better else ChoiceRule.NumericGreaterThan
    choice = Choice(
        State.QUALITY_GATE,
        comment=f"Deploy only when {metric} is {comparison} {gate.threshold:g}.",
    )
    choice.add_choice(rule(variable="$.Evaluation.Value", value=gate.threshold), passed)
    choice.default_choice(reject_below_threshold)
    return choice


def _by_path(parameters: dict[str, Any], key: str) -> None:
    parameters[f"{key}.$"] = parameters.pop(key)


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


def _retry_for(task: Task) -> Retry:
    """Retry what can succeed a moment later: throttling and the service's transient
    errors, each named as its integration names it (error_names.py), never a quota
    (ResourceLimitExceeded) or a name in use."""
    resource = task.fields["resource"]
    service, _, _ = parse_resource(resource)
    codes = {"glue": GLUE_TRANSIENT_CODES, "lambda": LAMBDA_TRANSIENT_CODES}.get(service, [])
    errors = [generic_error(resource), *(modelled_error(resource, code) for code in codes)]
    if service == "lambda":
        errors.append(LAMBDA_CLIENT_ERROR)
    assert set(errors) <= possible_errors(resource), errors
    interval, attempts, backoff = SAGEMAKER_RETRY if service == "sagemaker" else OTHER_RETRY
    return Retry(error_equals=errors, interval_seconds=interval, max_attempts=attempts,
                 backoff_rate=backoff)  # fmt: skip


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
