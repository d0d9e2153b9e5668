"""The committed definition with its Task states replaced, for routing tests.

Each Task becomes a Pass state returning a canned result, except the ones a case
makes fail: those become an S3 GetObject on a bucket that does not exist, which
moto runs (and fails) and which the local interpreter is given a failing handler for.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..asl_interpreter import TaskFailure
from ..state_names import State
from .conftest import PROJECT_ROOT

FAILING_RESOURCE = "arn:aws:states:::aws-sdk:s3:getObject"
COMMITTED = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())
_RULE = COMMITTED["States"][State.QUALITY_GATE]["Choices"][0]
LOWER_IS_BETTER = "NumericLessThan" in _RULE
THRESHOLD = _RULE.get("NumericLessThan", _RULE.get("NumericGreaterThan"))
PASSING = THRESHOLD * 0.5 if LOWER_IS_BETTER else min(THRESHOLD * 1.1 + 0.01, 1.0)
FAILING = min(THRESHOLD * 2 + 0.01, 1.0) if LOWER_IS_BETTER else THRESHOLD * 0.5


def canned_definition(value=PASSING, endpoint_exists=True, failing=()) -> dict[str, Any]:
    failing = set(failing) | (set() if endpoint_exists else {State.CHECK_FOR_ENDPOINT})
    results = {
        State.TRAIN_MODEL: {"ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/model.tar.gz"}},
        State.EVALUATE_MODEL: {"MetricName": "m", "Value": value, "Metrics": {"m": value}},
        State.CHECK_FOR_ENDPOINT: {"EndpointStatus": "InService"},
    }
    definition = copy.deepcopy(COMMITTED)
    for name, state in definition["States"].items():
        if state["Type"] != "Task":
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
        definition["States"][name] = replacement
    text = json.dumps(definition).replace("${ArtifactBucket}", "artifact-bucket")
    return json.loads(text)


def failing_get_object(parameters: dict[str, Any]) -> Any:
    raise TaskFailure("S3.NoSuchBucketException", "The specified bucket does not exist")


CASES = {
    "passes-gate-endpoint-exists": {},
    "fails-gate": {"value": FAILING},
    "first-run-creates-endpoint": {"endpoint_exists": False},
    "glue-fails": {"failing": [State.PREPARE_DATA]},
    "training-fails": {"failing": [State.TRAIN_MODEL]},
    "evaluator-fails": {"failing": [State.EVALUATE_MODEL]},
    "endpoint-config-fails": {"failing": [State.CREATE_ENDPOINT_CONFIG]},
}
