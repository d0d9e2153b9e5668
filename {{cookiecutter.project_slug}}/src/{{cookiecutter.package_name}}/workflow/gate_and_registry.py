"""The quality gate, the registry (each run that reaches the gate registers a model
version, with the gate's decision as its approval status), and the entry of a run
started by a version approved in the registry."""

from __future__ import annotations

from typing import Any

from ..settings import Settings
from ..settings.names import (
    model_package_group_name,
)
from ..settings.rules_training_data import normalized_train_on
from .asl_fields import (
    FailWithPaths,
    TaskWithResultSelector,
)
from .building_blocks import (
    CONFIG_NOT_FOUND_PATTERN,
    PLACEHOLDERS,
    TIMEOUT_SECONDS,
    cause_matches,
    retry_for,
    route_not_found,
    states_format,
)
from .sdk import (
    Choice,
    ChoiceRule,
    Pass,
    Succeed,
    Task,
)
from .state_names import State


def quality_gate(settings: Settings, passed: Any, reject_below_threshold: Pass) -> Choice:
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


def _gate_words(settings: Settings) -> tuple[str, str]:
    gate = settings.quality_gate
    return gate.metric, "below" if gate.lower_is_better else "above"


def reject_below_threshold(settings: Settings, tasks: dict[State, Any]) -> Pass:
    metric, comparison = _gate_words(settings)
    threshold = settings.quality_gate.threshold
    reject = _decision(
        State.REJECT_BELOW_THRESHOLD, "Rejected", "QualityGateFailed",
        states_format(
            f"{metric} = " + "{}" + f" is not {comparison} the threshold {threshold:g}; "
            "the endpoint keeps its current model",
            "$.Evaluation.Value",
        ),
        comparison=False,
    )  # fmt: skip
    reject.next(tasks[State.REGISTER_MODEL])
    return reject


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


def registration(settings: Settings, tasks: dict[State, Any], deploy: Any) -> tuple[Pass, Pass]:
    """Accept or reject, register the version with that status, then act on it."""
    metric, comparison = _gate_words(settings)
    threshold = settings.quality_gate.threshold
    passed = "PendingManualApproval" if settings.approval == "manual" else "Approved"
    accept = _decision(
        State.ACCEPT_MODEL, passed, "none",
        states_format(
            f"{metric} = " + "{}" + f" is {comparison} the threshold {threshold:g}; " + "{}",
            "$.Evaluation.Value", "$.Comparison.Summary",
        ),
        comparison=True,
    )  # fmt: skip
    reject_not_better = _decision(
        State.REJECT_NOT_BETTER, "Rejected", "NotBetterThanLiveModel",
        states_format("{}; the endpoint keeps its current model", "$.Comparison.Summary"),
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


def registry_tasks(settings: Settings) -> dict[State, Any]:
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
                "MetricValue.$": states_format("{}", "$.Evaluation.Value"),
                "NewModelScore.$": states_format("{}", "$.Decision.NewModelScore"),
                "LiveModelScore.$": states_format("{}", "$.Decision.LiveModelScore"),
                "LiveModel.$": "$.Decision.LiveModel",
                "Decision.$": "$.Decision.Error",
                "Approval": settings.approval,
                "RawDataUri": f"s3://{bucket}/data/raw/",
                "TrainUri.$": "$.Run.TrainUri",
                "ValidationUri.$": "$.Run.ValidationUri",
                "BaselineUri.$": "$.Run.BaselineUri",
                # Which raw files trained the model: the choice here, the list of files
                # (with sizes and upload times) in the baseline folder.
                "TrainOn": normalized_train_on(settings.train_on),
                "TrainingInputs.$": states_format("{}training_inputs.json", "$.Run.BaselineUri"),
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


def describe_approved_version(settings: Settings) -> Task:
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


def approved_version_entry(settings: Settings, tasks: dict[State, Any], create_config: Any,
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
    find_config.add_retry(retry_for(find_config))
    missing = cause_matches(CONFIG_NOT_FOUND_PATTERN)
    route_not_found(find_config, Choice(State.IS_CONFIG_MISSING), missing, create_config,
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
            cause_path=states_format(
                "model version {} is {}, not Approved: nothing was deployed",
                "$.Registered.Version", "$.Registered.Status",
            ),
        )
    )  # fmt: skip
    tasks[State.DESCRIBE_APPROVED_VERSION].next(approved)
