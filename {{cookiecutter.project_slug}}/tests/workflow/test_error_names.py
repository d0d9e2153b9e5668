"""Every error a Retry or Catch of the committed definition names is one its Task can raise.

The expectation is read from AWS's data, not from the code under test: the error
shapes of each operation in botocore's service models (Step Functions names them
``<Service>.<Code>``, adding an ``Exception`` suffix), and the generic name Step
Functions' documentation gives an error a model does not define. A Retry on a name
that can never occur (the review found ``SageMaker.ThrottlingException``, which
SageMaker's model does not define) never retries anything.
"""

from __future__ import annotations

import json

import botocore.session
import pytest

from ..conftest import PROJECT_ROOT

DEFINITION = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())
TASKS = {name: s for name, s in DEFINITION["States"].items() if s["Type"] == "Task"}
PREFIXES = {"sagemaker": "SageMaker", "glue": "Glue", "lambda": "Lambda"}
# The names an unmodelled error surfaces as (FIDELITY.md has the sources): the AWS SDK
# integrations use the SDK's service exception, the optimized integrations their own.
GENERIC = {
    ("sagemaker", True): {"SageMaker.SageMakerException"},
    ("sagemaker", False): {"SageMaker.AmazonSageMakerException"},
    ("glue", False): {"Glue.AWSGlueException"},
    ("lambda", False): {"Lambda.AWSLambdaException", "Lambda.SdkClientException"},
}
# Step Functions' own errors (Amazon States Language, "Errors").
STATES_ERRORS = {"States.ALL", "States.TaskFailed", "States.Timeout", "States.Runtime",
                 "States.Permissions", "States.HeartbeatTimeout"}  # fmt: skip


def raisable(resource: str) -> set[str]:
    integration = resource.split(":::", 1)[1].removesuffix(".sync")
    parts = integration.split(":")
    sdk = parts[0] == "aws-sdk"
    service, action = parts[-2], parts[-1]
    model = botocore.session.get_session().get_service_model(service)
    operation = model.operation_model(action[0].upper() + action[1:])
    modelled = {
        f"{PREFIXES[service]}.{s.name if s.name.endswith('Exception') else s.name + 'Exception'}"
        for s in operation.error_shapes
    }
    return modelled | GENERIC[(service, sdk)] | STATES_ERRORS


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_retry_and_catch_names_an_error_the_task_can_raise(name):
    state = TASKS[name]
    possible = raisable(state["Resource"])
    named = {
        e for rule in state.get("Retry", []) + state.get("Catch", []) for e in rule["ErrorEquals"]
    }
    assert named - possible == set(), f"{name} names errors it can never raise"


def test_the_name_the_review_found_is_one_no_sagemaker_task_can_raise():
    describe = TASKS["Check for endpoint"]["Resource"]
    assert "SageMaker.ThrottlingException" not in raisable(describe)


@pytest.mark.parametrize(
    "name", sorted(n for n, s in TASKS.items() if ":sagemaker:" in s["Resource"])
)
def test_every_sagemaker_task_retries_the_name_its_throttling_surfaces_as(name):
    state = TASKS[name]
    sdk = ":aws-sdk:" in state["Resource"]
    retried = {e for rule in state["Retry"] for e in rule["ErrorEquals"]}
    assert GENERIC[("sagemaker", sdk)] <= retried
    # Briefly: SageMaker's validation errors share the name and are retried too.
    assert all(
        sum(r["IntervalSeconds"] * r["BackoffRate"] ** i for i in range(r["MaxAttempts"])) <= 10
        for r in state["Retry"]
    )


def test_quotas_and_names_in_use_are_never_retried():
    for name, state in TASKS.items():
        retried = {e for rule in state.get("Retry", []) for e in rule["ErrorEquals"]}
        assert not {e for e in retried if "ResourceLimitExceeded" in e or "ResourceInUse" in e}, (
            name
        )
