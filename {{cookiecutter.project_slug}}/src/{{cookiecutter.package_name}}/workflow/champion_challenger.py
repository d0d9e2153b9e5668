"""Champion/challenger: the live model and the new one predict this run's validation
set by batch transform, when both take the same features, and the evaluator scores
both the same way."""

from __future__ import annotations

from typing import Any

from ..settings import Settings
from ..settings.names import (
    endpoint_name,
    evaluator_function_name,
)
from .asl_fields import (
    LambdaStepWithResultSelector,
    TaskWithResultSelector,
    is_present,
)
from .building_blocks import (
    ENDPOINT_NOT_FOUND_PATTERN,
    FEATURE_LAYOUT_VARIABLE,
    TIMEOUT_SECONDS,
    cause_matches,
    route_not_found,
    run_uri,
    states_format,
)
from .sdk import (
    Chain,
    Choice,
    ChoiceRule,
    Pass,
    Task,
)
from .state_names import State

# Where batch transform writes each model's predictions of this run's validation set.
SCORES_PREFIXES = {"live": "scores/live/", "new": "scores/new/"}


def scoring_tasks(settings: Settings) -> dict[State, Any]:
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
                "ReplaceOnTie": settings.quality_gate.replace_on_tie,
                "NewScoresUri.$": run_uri(SCORES_PREFIXES["new"]),
                "LiveScoresUri.$": run_uri(SCORES_PREFIXES["live"]),
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
            "TransformJobName.$": states_format("{}-{}", f"'{settings.slug}'", "States.UUID()"),
            "ModelName.$": model_path,
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri.$": "$.Run.ValidationUri"}
                },
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath.$": run_uri(SCORES_PREFIXES[which]),
                "Accept": "text/csv",
                "AssembleWith": "Line",
            },
            "TransformResources": {
                "InstanceType": settings.scoring_instance_type,
                "InstanceCount": settings.scoring_instance_count,
            },
            "DataProcessing": {
                "InputFilter": "$[1:]",
                "JoinSource": "Input",
                "OutputFilter": "$[0,-1]",
            },
        },
        result_path=result_path,
        timeout_seconds=settings.scoring_timeout_minutes * 60,
    )


def comparison(settings: Settings, tasks: dict[State, Any], accept: Pass,
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
    route_not_found(find_live, missing, cause_matches(ENDPOINT_NOT_FOUND_PATTERN), no_live,
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
        "better than the live one, both scored on this run's validation data"
        f"{'' if settings.quality_gate.replace_on_tie else '; a tie keeps the live one'}.",
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
