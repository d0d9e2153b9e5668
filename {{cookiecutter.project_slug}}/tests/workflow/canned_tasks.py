"""The committed definition with its Task states replaced, for routing tests.

Each Task becomes a Pass state returning a canned result, except the ones a case
makes fail: those become an S3 GetObject on a bucket that does not exist, which
moto runs (and fails) and which the local interpreter is given a failing handler for.

DescribeEndpoint is asked by "Find the live model" (answered like the check before
deploying) and, before the run deploys and after, by the endpoint check: that state
becomes a Choice that answers each. Before, an existing endpoint is InService with an older
config; a missing one is asked of moto's SageMaker, which fails the call with its
"Could not find endpoint" error (the local interpreter gets an equivalent handler).
After, the endpoint is InService with this run's config. Wait states wait 0 s.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from project.local.interpreter import TaskFailure
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT

FAILING_RESOURCE = "arn:aws:states:::aws-sdk:s3:getObject"
COMMITTED = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())
# In the committed definition's partition (arn:aws-cn:..., arn:aws-us-gov:...).
DESCRIBE_ENDPOINT = COMMITTED["States"][State.CHECK_FOR_ENDPOINT]["Resource"]
_RULE = COMMITTED["States"][State.QUALITY_GATE]["Choices"][0]
LOWER_IS_BETTER = "NumericLessThan" in _RULE
THRESHOLD = _RULE.get("NumericLessThan", _RULE.get("NumericGreaterThan"))
PASSING = THRESHOLD * 0.5 if LOWER_IS_BETTER else min(THRESHOLD * 1.1 + 0.01, 1.0)
FAILING = min(THRESHOLD * 2 + 0.01, 1.0) if LOWER_IS_BETTER else THRESHOLD * 0.5

_SAME = COMMITTED["States"][State.SAME_FEATURES]["Choices"][1]
SAME_LAYOUT = {_SAME["Variable"].rsplit(".", 1)[1]: _SAME["StringEquals"]}

_AFTER_DEPLOY = "Canned: endpoint after deploying"
_BEFORE_DEPLOY = "Canned: endpoint before deploying"


def canned_definition(
    value=PASSING, endpoint_exists=True, failing=(), beats_live=True, live_environment=None
) -> dict[str, Any]:
    """``live_environment``: the live model's container environment (default: the
    feature layout of this definition's runs; {} for a model that records none)."""
    live_environment = SAME_LAYOUT if live_environment is None else live_environment
    results = {
        State.TRAIN_MODEL: {
            "TrainingJobName": "a-training-job",
            "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/model.tar.gz"},
        },
        State.EVALUATE_MODEL: {"MetricName": "m", "Value": value, "Metrics": {"m": value}},
        State.FIND_LIVE_MODEL: {"EndpointConfigName": "an-older-config",
                                "EndpointStatus": "InService"},
        State.DESCRIBE_LIVE_CONFIG: {"ModelName": "an-older-model"},
        # The live model takes the features this definition's runs train on.
        State.DESCRIBE_LIVE_MODEL: {"Container": {"Environment": live_environment}},
        State.COMPARE_MODELS: {
            "NewModelScore": value, "LiveModelScore": value, "Improvement": 0,
            "BeatsLiveModel": beats_live, "Rows": 100, "LiveModel": "an-older-model",
            "Summary": "new model vs live model: canned",
        },
        State.REGISTER_MODEL: {
            "ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/p/1"
        },
    }  # fmt: skip
    definition = copy.deepcopy(COMMITTED)
    states = definition["States"]
    for name, state in list(states.items()):
        if state["Type"] == "Wait":
            state["Seconds"] = 0
        if state["Type"] != "Task" or name == State.CHECK_FOR_ENDPOINT:
            continue
        if name == State.FIND_LIVE_MODEL and not endpoint_exists:
            # Asked of moto's SageMaker, which answers "Could not find endpoint".
            state.update(Parameters={"EndpointName": "no-such-endpoint"}, Retry=[])
            continue
        if name in failing:
            state["Resource"] = FAILING_RESOURCE
            state["Parameters"] = {"Bucket": "no-such-bucket-anywhere", "Key": "x"}
            for field in ("ResultSelector", "Retry", "TimeoutSeconds"):
                state.pop(field, None)
            continue
        replacement = {"Type": "Pass", "Result": results.get(name, {})}
        replacement["ResultPath"] = state.get("ResultPath", "$")
        replacement.update({k: state[k] for k in ("Next", "End") if k in state})
        states[name] = replacement
    _canned_endpoint_checks(states, endpoint_exists)
    text = json.dumps(definition).replace("${ArtifactBucket}", "artifact-bucket")
    return json.loads(text)


def _canned_endpoint_checks(states: dict[str, Any], endpoint_exists: bool) -> None:
    check = states[State.CHECK_FOR_ENDPOINT]
    then = {"Next": check["Next"], "ResultPath": check["ResultPath"]}
    states[State.CHECK_FOR_ENDPOINT] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.Deployment", "IsPresent": True, "Next": _AFTER_DEPLOY}],
        "Default": _BEFORE_DEPLOY,
    }
    states[_AFTER_DEPLOY] = {
        "Type": "Pass",
        "Parameters": {"EndpointName": "e", "EndpointStatus": "InService",
                       "EndpointConfigName.$": "$.Run.Name"},
        **then,
    }  # fmt: skip
    if endpoint_exists:
        states[_BEFORE_DEPLOY] = {
            "Type": "Pass",
            "Result": {"EndpointName": "e", "EndpointStatus": "InService",
                       "EndpointConfigName": "an-older-config"},
            **then,
        }  # fmt: skip
    else:
        states[_BEFORE_DEPLOY] = {
            **check,
            "Parameters": {"EndpointName": "no-such-endpoint"},
            "Retry": [],
        }


def failing_get_object(parameters: dict[str, Any]) -> Any:
    raise TaskFailure("S3.NoSuchBucketException", "The specified bucket does not exist")


def missing_endpoint(parameters: dict[str, Any]) -> Any:
    """What moto's SageMaker answers (and AWS, per the ledger) for an unknown endpoint."""
    raise TaskFailure(
        "SageMaker.SageMakerException",
        f"Could not find endpoint '{parameters['EndpointName']}'. (Service: SageMaker, "
        "Status Code: 400, Error Code: ValidationException)",
    )


LOCAL_HANDLERS = {FAILING_RESOURCE: failing_get_object, DESCRIBE_ENDPOINT: missing_endpoint}

CASES = {
    "passes-gate-endpoint-exists": {},
    "fails-gate": {"value": FAILING},
    "first-run-creates-endpoint": {"endpoint_exists": False},
    "glue-fails": {"failing": [State.PREPARE_DATA]},
    "training-fails": {"failing": [State.TRAIN_MODEL]},
    "evaluator-fails": {"failing": [State.EVALUATE_MODEL]},
    "endpoint-config-fails": {"failing": [State.CREATE_ENDPOINT_CONFIG]},
}
