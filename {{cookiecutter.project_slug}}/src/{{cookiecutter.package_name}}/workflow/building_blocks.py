"""What every stage of the workflow builds with: the placeholders CloudFormation fills
in, where a caught error goes in the state data, each Task's timeout, and the Retry
and Catch that route its errors (named as error_names.py derives them)."""

from __future__ import annotations

from typing import Any

from ..settings import Settings
from .error_names import (
    LAMBDA_CLIENT_ERROR,
    generic_error,
    modelled_error,
    parse_resource,
    possible_errors,
)
from .sdk import Catch, Choice, ChoiceRule, Retry, Task
from .state_names import State

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


# The run waits this much longer than the Glue job's own Timeout (glue.timeout_minutes),
# so that Glue reports a timeout first, with its reason.
GLUE_REPORTS_FIRST_SECONDS = 300


def prepare_timeout_seconds(settings: Settings) -> int:
    return settings.glue_timeout_minutes * 60 + GLUE_REPORTS_FIRST_SECONDS


TIMEOUT_SECONDS = {
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
    State.COMPARE_MODELS: 300,
    State.REGISTER_MODEL: 60,
    State.MARK_VERSION_NOT_DEPLOYED: 60,
    State.DESCRIBE_TRAINING_JOB: 60,
    State.DESCRIBE_LIVE_MODEL: 60,
}


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


def states_format(template: str, *arguments: str) -> str:
    """ASL's States.Format intrinsic: each '{}' in the template takes an argument."""
    return f"States.Format('{template}', {', '.join(arguments)})"


def run_uri(suffix: str) -> str:
    bucket = PLACEHOLDERS["ArtifactBucket"]
    return states_format("s3://{}/runs/{}/" + suffix, f"'{bucket}'", "$.Run.Name")


def by_path(parameters: dict[str, Any], key: str) -> None:
    parameters[f"{key}.$"] = parameters.pop(key)


def cause_matches(pattern: str) -> Any:
    return ChoiceRule.StringMatches(f"{FAILURE_PATH}.Cause", pattern)


def catch_all(failed: Any) -> Catch:
    """Route any error to the failure state, keeping the input and the error."""
    return Catch(error_equals=["States.ALL"], next_step=failed, result_path=FAILURE_PATH)


def route_not_found(task: Task, choice: Choice, missing: Any, then: Any, otherwise: Any,
                     failed: Any) -> None:  # fmt: skip
    """A describe call for which "it does not exist" is an expected answer: the service's
    error (States.TaskFailed) goes to ``choice``, which takes ``then`` when ``missing``
    holds and ``otherwise`` when not; any other error (a timeout) goes to ``failed``."""
    choice.add_choice(missing, then)
    choice.default_choice(otherwise)
    task.add_catch(
        Catch(error_equals=["States.TaskFailed"], next_step=choice, result_path=FAILURE_PATH)
    )
    task.add_catch(catch_all(failed))


def route_already_exists(task: Task, choice_name: State, pattern: str, then: Any,
                          otherwise: Any) -> None:  # fmt: skip
    """SageMaker's "already exists" for this run's own name: the call had succeeded
    (an attempt whose answer was lost, or a duplicate approval event's run), so the
    run goes on as if it had returned; any other error of that name goes ``otherwise``."""
    choice = Choice(choice_name, comment="A name of this run's that exists is this run's.")
    choice.add_choice(cause_matches(pattern), then)
    choice.default_choice(otherwise)
    task.add_catch(Catch(error_equals=[generic_error(task.fields["resource"])],
                         next_step=choice, result_path=FAILURE_PATH))  # fmt: skip


def retry_for(task: Task) -> Retry:
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
