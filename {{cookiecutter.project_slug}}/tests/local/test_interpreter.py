"""The local ASL interpreter: semantics, refusals, and agreement with moto's.

The cross-check runs the same definitions through moto's interpreter (LocalStack's)
and this one and compares the states each passes through.
"""

from __future__ import annotations

import pytest
from project.local.interpreter import DefinitionError, Interpreter, TaskFailure, validate

from ..workflow.canned_tasks import CASES, COMMITTED, LOCAL_HANDLERS, canned_definition
from ..workflow.test_workflow_routing import run as run_on_moto


def entered(execution) -> list[str]:
    return [e.details["name"] for e in execution.events if e.type.endswith("StateEntered")]


def run_locally(definition, execution_input=None):
    interpreter = Interpreter(definition, LOCAL_HANDLERS, sleep=lambda seconds: None)
    return interpreter.run(execution_input or {})


@pytest.mark.parametrize("case", list(CASES))
def test_the_local_interpreter_takes_the_same_path_as_motos(case):
    definition = canned_definition(**CASES[case])
    moto_status, moto_entered, moto_description = run_on_moto(definition, {})
    local = run_locally(definition)
    assert (local.status, entered(local)) == (moto_status, moto_entered)
    if moto_status == "FAILED":
        # moto spells service prefixes in lower case (s3.NoSuchBucketException).
        assert local.error.lower() == moto_description["error"].lower()


def task_definition(**task_fields):
    task = {"Type": "Task", "Resource": "work", "End": True, **task_fields}
    return {"StartAt": "Work", "States": {"Work": task, "Failed": {"Type": "Fail"}}}


def flaky(failures: int, error: str = "Service.Busy"):
    calls = []

    def handler(parameters):
        calls.append(parameters)
        if len(calls) <= failures:
            raise TaskFailure(error, f"attempt {len(calls)}")
        return {"ok": True, "attempts": len(calls)}

    return handler, calls


def test_retry_backs_off_then_succeeds():
    handler, calls = flaky(2)
    waits = []
    retry = [{"ErrorEquals": ["Service.Busy"], "IntervalSeconds": 3, "MaxAttempts": 2,
              "BackoffRate": 2.0}]  # fmt: skip
    execution = Interpreter(task_definition(Retry=retry), {"work": handler}, sleep=waits.append)
    result = execution.run({})
    assert result.status == "SUCCEEDED" and len(calls) == 3
    assert waits == [3, 6]


def test_retries_run_out_then_catch_routes_with_the_error():
    handler, _ = flaky(5)
    definition = task_definition(
        Retry=[{"ErrorEquals": ["Service.Busy"], "MaxAttempts": 1}],
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "Failed"}],
    )
    result = Interpreter(definition, {"work": handler}, sleep=lambda _: None).run({"keep": 1})
    assert result.status == "FAILED"
    assert entered(result) == ["Work", "Failed"]


def test_states_all_does_not_catch_a_runtime_error():
    definition = task_definition(
        Parameters={"x.$": "$.missing"},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
    )
    result = Interpreter(definition, {"work": lambda p: {}}).run({})
    assert result.status == "FAILED" and result.error == "States.Runtime"
    assert entered(result) == ["Work"]


def test_result_selector_and_result_path_shape_the_output():
    definition = task_definition(
        Parameters={"Name.$": "$.who", "Greeting.$": "States.Format('hi {}', $.who)"},
        ResultSelector={"Said.$": "$.Greeting"},
        ResultPath="$.Answer",
    )
    result = Interpreter(definition, {"work": lambda p: p}).run({"who": "ana"})
    assert result.output == {"who": "ana", "Answer": {"Said": "hi ana"}}


def test_bracket_paths_and_indexes_read_scalars():
    definition = task_definition(Parameters={"a.$": "$['x']['y']", "b.$": "$.list[1].v"})
    result = Interpreter(definition, {"work": lambda p: p}).run(
        {"x": {"y": 1}, "list": [{"v": 2}, {"v": 3}]}
    )
    assert result.output == {"a": 1, "b": 3}


def test_a_choice_on_an_indexed_path_compares_the_scalar():
    """moto's interpreter reads $.a[0].b as a list here, so a Choice takes Default."""
    definition = {
        "StartAt": "Gate",
        "States": {
            "Gate": {"Type": "Choice", "Default": "No",
                     "Choices": [{"Variable": "$.m[0].v", "NumericLessThan": 0.1, "Next": "Yes"}]},
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Fail", "Error": "Gate"},
        },
    }  # fmt: skip
    result = Interpreter(definition, {}).run({"m": [{"v": 0.05}]})
    assert entered(result) == ["Gate", "Yes"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["States"]["Work"].update(Type="Map"), "type 'Map' is not supported"),
        (lambda d: d["States"]["Work"].update(Heartbeat=5), "not supported"),
        (lambda d: d["States"]["Work"].update(Next="Nowhere"), "unknown state 'Nowhere'"),
        (lambda d: d["States"]["Work"].update(Parameters={"x.$": "States.Hash($.a, 'MD5')"}),
         "intrinsic States.Hash"),
    ],
)  # fmt: skip
def test_anything_outside_the_subset_is_refused_before_running(change, message):
    definition = task_definition()
    change(definition)
    with pytest.raises(DefinitionError, match=message):
        validate(definition)


def test_the_committed_definition_is_inside_the_subset():
    validate(COMMITTED)


def choice_definition(rule: dict) -> dict:
    return {
        "StartAt": "Decide",
        "States": {
            "Decide": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Fail", "Error": "No"},
        },
    }


@pytest.mark.parametrize(
    ("rule", "data", "holds"),
    [
        ({"Variable": "$.c", "StringMatches": "*Could not find endpoint*"},
         {"c": 'x Could not find endpoint "e". (Service: SageMaker)'}, True),
        ({"Variable": "$.c", "StringMatches": "*Could not find endpoint*"},
         {"c": "User is not authorized to perform: sagemaker:DescribeEndpoint"}, False),
        ({"Variable": "$.c", "StringMatches": "a\\*b*"}, {"c": "a*bc"}, True),
        ({"Variable": "$.c", "StringMatches": "a\\*b*"}, {"c": "axbc"}, False),
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "v1", "b": "v1"}, True),
        ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "v1", "b": "v2"}, False),
        ({"And": [{"Variable": "$.a", "IsPresent": True},
                  {"Not": {"Variable": "$.b", "IsPresent": True}}]}, {"a": 1}, True),
        ({"And": [{"Variable": "$.a", "IsPresent": True},
                  {"Not": {"Variable": "$.b", "IsPresent": True}}]}, {"a": 1, "b": 2}, False),
        ({"Or": [{"Variable": "$.a", "NumericGreaterThanEquals": 3},
                 {"Variable": "$.a", "NumericEquals": 0}]}, {"a": 0}, True),
    ],
)  # fmt: skip
def test_compound_path_and_wildcard_choice_rules(rule, data, holds):
    result = Interpreter(choice_definition(rule), {}).run(data)
    assert entered(result)[-1] == ("Yes" if holds else "No")


def test_wait_goes_through_the_injected_sleep_and_math_add_counts():
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Next": "Wait",
                      "Parameters": {"n.$": "States.MathAdd($.n, 1)"}},
            "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Enough?"},
            "Enough?": {"Type": "Choice", "Default": "Count",
                        "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 3,
                                     "Next": "Done"}]},
            "Done": {"Type": "Succeed"},
        },
    }  # fmt: skip
    waits = []
    result = Interpreter(definition, {}, sleep=waits.append).run({"n": 0})
    assert result.status == "SUCCEEDED" and result.output == {"n": 3}
    assert waits == [30, 30, 30]


def test_math_add_of_a_non_integer_is_a_runtime_error():
    definition = task_definition(Parameters={"n.$": "States.MathAdd($.n, 1)"})
    result = Interpreter(definition, {"work": lambda p: p}).run({"n": "one"})
    assert result.status == "FAILED" and result.error == "States.Runtime"


def test_a_choice_rule_with_two_operators_is_refused():
    rule = {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1}
    with pytest.raises(DefinitionError, match="choice rule"):
        validate(choice_definition(rule))


def test_ctrl_c_turned_into_a_library_error_still_aborts_the_run():
    """py4j answers a Ctrl-C during a call with its own Py4JError: the run is aborted
    (found by test_fault_injection.py), while any other error stays a bug."""

    def interrupted_call(parameters):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("Gateway must be connected to send cancel cmd") from None

    result = Interpreter(task_definition(), {"work": interrupted_call}).run({})
    assert result.status == "ABORTED"
    assert result.events[-1].type == "ExecutionAborted"

    def bug(parameters):
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        Interpreter(task_definition(), {"work": bug}).run({})
