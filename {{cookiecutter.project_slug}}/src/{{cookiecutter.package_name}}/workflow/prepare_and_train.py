"""The first stage of a run: name it and plan its S3 locations, prepare the data
(Glue), train (SageMaker XGBoost), create the model, evaluate it (Lambda); and wait
for a training job that a retried call had started before its answer was lost."""

from __future__ import annotations

import functools
from typing import Any

from sagemaker import image_uris

from ..settings import Settings, rules
from ..settings.names import (
    evaluator_function_name,
    glue_job_name,
)
from ..settings.rules_training_data import normalized_train_on
from .asl_fields import (
    LambdaStepWithResultSelector,
    is_present,
)
from .building_blocks import (
    FAILURE_PATH,
    FEATURE_LAYOUT_VARIABLE,
    PLACEHOLDERS,
    TIMEOUT_SECONDS,
    catch_all,
    prepare_timeout_seconds,
    retry_for,
    run_uri,
    states_format,
)
from .error_names import modelled_error
from .sdk import (
    Catch,
    Choice,
    ChoiceRule,
    Estimator,
    GlueStartJobRunStep,
    ModelStep,
    Pass,
    Task,
    TrainingStep,
    Wait,
    offline_sagemaker_session,
)
from .state_names import State

XGBOOST_VERSION = rules.XGBOOST_VERSION


TRAINING_JOB_CHECK_SECONDS = 60


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
    return _xgboost_image(settings.region)


@functools.cache  # each lookup parses botocore's endpoint table afresh (about 0.1 s)
def _xgboost_image(region: str) -> str:
    return image_uris.retrieve("xgboost", region=region, version=XGBOOST_VERSION)


def run_naming(settings: Settings, describe_approved: Task) -> tuple[Choice, Pass]:
    """Unique, SageMaker-valid names for this run, unless the caller gave one; or,
    for a version approved in the registry, straight to deploying it."""
    plan = Pass(
        State.PLAN_LOCATIONS,
        comment="A run's data goes under s3://<bucket>/runs/<run name>/ (which expires), "
        "its model under s3://<bucket>/models/<run name>/ (which an endpoint may need "
        "for as long as it serves it).",
        parameters={
            "Name.$": "$.Run.Name",
            # The CLI and the schedule name each execution after its run: a training
            # job of that name can only be this execution's (see IS_IT_THIS_RUNS_JOB).
            "ExecutionName.$": "$$.Execution.Name",
            "TrainUri.$": run_uri("train/"),
            "ValidationUri.$": run_uri("validation/"),
            "ModelOutputUri.$": states_format(
                "s3://{}/models/{}/", f"'{PLACEHOLDERS['ArtifactBucket']}'", "$.Run.Name"
            ),
            # Beside the model, so that it lasts as long as the model may serve.
            "BaselineUri.$": states_format(
                "s3://{}/models/{}/baseline/", f"'{PLACEHOLDERS['ArtifactBucket']}'", "$.Run.Name"
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
        parameters={"Name.$": states_format("{}-{}", f"'{settings.slug}'", "States.UUID()")},
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


def training_tasks(settings: Settings, plan: Pass) -> dict[State, Any]:
    """Prepare data, train, create the model, evaluate it. The SDK checks that each
    placeholder comes from the output of the state before it; every state keeps its
    input (ResultPath), so $.Run travels on."""
    estimator = _estimator(settings)
    prepare = GlueStartJobRunStep(
        State.PREPARE_DATA,
        parameters={
            "JobName": glue_job_name(settings),
            "Arguments": {
                "--source_uri": f"s3://{PLACEHOLDERS['ArtifactBucket']}/data/raw/",
                "--train_uri": plan.output()["Run"]["TrainUri"],
                "--validation_uri": plan.output()["Run"]["ValidationUri"],
                # The training features' data-quality baseline, kept with the model.
                "--baseline_uri": plan.output()["Run"]["BaselineUri"],
                # The dataset's schema ([data] in settings.toml) for the job to read.
                "--schema": settings.data.to_json(),
                # Which raw files it reads: all, the latest upload, or "N days".
                "--train_on": normalized_train_on(settings.train_on),
                # The training instances: each channel gets files in a multiple of it.
                "--hosts": str(settings.training_instance_count),
            },
        },
        result_path="$.Etl",
        timeout_seconds=prepare_timeout_seconds(settings),
    )
    run = prepare.output()["Run"]
    train = TrainingStep(
        State.TRAIN_MODEL,
        estimator=estimator,
        job_name=run["Name"],
        output_data_config_path=run["ModelOutputUri"],
        parameters={
            "InputDataConfig": [
                _csv_channel("train", run["TrainUri"], settings.training_instance_count),
                # Whole on every instance: error and logloss sum over the instances, but
                # distributed AUC averages each one's, and the gate must read the exact
                # metric, as the comparison computes it over all the rows.
                _csv_channel("validation", run["ValidationUri"], hosts=1),
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
    return {
        State.PREPARE_DATA: prepare,
        State.TRAIN_MODEL: train,
        State.CREATE_MODEL: create_model,
        State.EVALUATE_MODEL: evaluate,
    }


def _estimator(settings: Settings) -> Estimator:
    """The training job's shape: image, role, instances, hyperparameters, output."""
    session = offline_sagemaker_session(settings.region)
    return Estimator(
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


def _csv_channel(name: str, uri: Any, hosts: int) -> dict[str, Any]:
    """A training channel of CSV files (label in column 0, no header), per run. Shared
    among ``hosts`` instances, each gets its share of the files (ShardedByS3Key):
    replicated, each would train on all the data, at N times the cost. The Glue job
    writes the same number of files for each instance (--hosts), so that none is left
    without data."""
    return {
        "ChannelName": name,
        "ContentType": "text/csv",
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "ShardedByS3Key" if hosts > 1 else "FullyReplicated",
            }
        },
    }


def adopt_a_started_training_job(settings: Settings, tasks: dict[State, Any],
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
    describe.add_retry(retry_for(describe))
    describe.add_catch(catch_all(failed))
    wait = Wait(State.WAIT_FOR_TRAINING_JOB, seconds=TRAINING_JOB_CHECK_SECONDS)
    wait.next(describe)
    not_completed = Pass(
        State.TRAINING_JOB_NOT_COMPLETED,
        parameters={
            "Error": "TrainingJobNotCompleted",
            "Cause.$": states_format(
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
        comment="A run named after its execution, or named here (a UUID), is the only one "
        "with that name; another name the caller gave may be an earlier run's, whose job "
        "must not be taken for this one's.",
    )
    own.add_choice(ChoiceRule.StringEqualsPath("$.Run.Name", "$.Run.ExecutionName"), describe)
    own.add_choice(is_present("$.RunName"), failed)
    own.default_choice(describe)
    in_use = modelled_error(train.fields["resource"], "ResourceInUse")
    train.add_catch(Catch(error_equals=[in_use], next_step=own, result_path=FAILURE_PATH))
    train.add_catch(catch_all(failed))
