"""A small interpreter for the subset of the Amazon States Language this project emits.

Local mode runs the very definition that is deployed (statemachine/definition.asl.json)
with this interpreter, Task states mapped to local implementations, so that a wiring
mistake in the definition (a wrong path, a missing Catch) shows up locally.

Why not an existing one: moto's interpreter (LocalStack's) can run ASL but needs its
private task factory patched, and it evaluates ``$.a[0].b`` to a list; behave-asl
inverts the numeric comparisons. This one covers exactly what ``workflow.py`` emits
and refuses, before running, any state type, field or intrinsic outside that subset
(``validate``), so it never silently does something Step Functions would not.
The project's tests run the same definitions through moto's interpreter and this
one and compare the states they pass through.

Semantics follow the ASL specification: InputPath -> Parameters -> task ->
ResultSelector -> ResultPath -> OutputPath; Retry (IntervalSeconds, MaxAttempts,
BackoffRate) then Catch (ErrorEquals, ResultPath) on Task failures; States.ALL
matches every error but States.Runtime; Choice rules (with And/Or/Not and the
``...Path`` comparisons) with Default; Wait for Seconds; Fail with Error/Cause or
ErrorPath/CausePath. Retry intervals and Wait states go through ``sleep``, which a
caller may replace (local mode does not wait out a Wait: its stand-ins change state
when they are asked, not with time).
"""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jsonpath_ng.ext import parse as parse_path

STATE_FIELDS = {
    "Pass": {"Type", "Comment", "Next", "End", "Parameters", "Result", "ResultPath",
             "InputPath", "OutputPath"},
    "Task": {"Type", "Comment", "Next", "End", "Resource", "Parameters", "ResultSelector",
             "ResultPath", "InputPath", "OutputPath", "Retry", "Catch", "TimeoutSeconds"},
    "Choice": {"Type", "Comment", "Choices", "Default", "InputPath", "OutputPath"},
    "Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
    "Wait": {"Type", "Comment", "Next", "End", "Seconds", "InputPath", "OutputPath"},
    "Fail": {"Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath"},
}  # fmt: skip
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "NumericLessThan": lambda a, b: _is_number(a) and a < b,
    "NumericGreaterThan": lambda a, b: _is_number(a) and a > b,
    "NumericLessThanEquals": lambda a, b: _is_number(a) and a <= b,
    "NumericGreaterThanEquals": lambda a, b: _is_number(a) and a >= b,
    "NumericEquals": lambda a, b: _is_number(a) and a == b,
    "StringEquals": lambda a, b: isinstance(a, str) and a == b,
    "BooleanEquals": lambda a, b: isinstance(a, bool) and a == b,
    "StringMatches": lambda a, b: isinstance(a, str) and _wildcard(b).fullmatch(a) is not None,
}
# A comparison whose operand is a path into the state's input: StringEqualsPath, ...
PATH_COMPARISONS = {f"{name}Path": name for name in COMPARISONS if name != "StringMatches"}
COMBINATORS = ("And", "Or", "Not")
INTRINSICS = ("States.Format", "States.UUID", "States.MathAdd")
_INTRINSIC = re.compile(r"^(States\.[A-Za-z]+)\((.*)\)$", re.DOTALL)


class DefinitionError(ValueError):
    """The definition uses something this interpreter does not implement."""


class TaskFailure(Exception):
    """A Task's error, as Step Functions names it (Error) with a message (Cause)."""

    def __init__(self, error: str, cause: str = ""):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class RuntimeFailure(TaskFailure):
    """States.Runtime: a broken path or intrinsic. Never caught by States.ALL."""

    def __init__(self, cause: str):
        super().__init__("States.Runtime", cause)


@dataclass
class Event:
    type: str
    details: dict[str, Any]
    timestamp: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


@dataclass
class Execution:
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[Event] = field(default_factory=list)


TaskHandler = Callable[[dict[str, Any]], Any]
Listener = Callable[[Event], None]


def validate(definition: Mapping[str, Any]) -> None:
    """Refuse anything outside the supported subset, before running anything."""
    states = definition.get("States", {})
    if definition.get("StartAt") not in states:
        raise DefinitionError(f"StartAt {definition.get('StartAt')!r} is not a state")
    for name, state in states.items():
        kind = state.get("Type")
        if kind not in STATE_FIELDS:
            raise DefinitionError(f"state {name!r}: type {kind!r} is not supported")
        unknown = set(state) - STATE_FIELDS[kind]
        if unknown:
            raise DefinitionError(f"state {name!r}: field(s) {sorted(unknown)} not supported")
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule.get("Next") for rule in state.get("Choices", [])]
        targets += [catch.get("Next") for catch in state.get("Catch", [])]
        for target in filter(None, targets):
            if target not in states:
                raise DefinitionError(f"state {name!r}: transition to unknown state {target!r}")
        for rule in state.get("Choices", []):
            _validate_rule(name, rule, top_level=True)
        for value in _strings(state):
            for intrinsic in re.findall(r"States\.[A-Za-z]+(?=\()", value):
                if intrinsic not in INTRINSICS:
                    raise DefinitionError(f"state {name!r}: intrinsic {intrinsic} not supported")


def _validate_rule(state_name: str, rule: Mapping[str, Any], top_level: bool) -> None:
    operators = set(rule) - {"Variable", "Next"}
    supported = set(COMPARISONS) | set(PATH_COMPARISONS) | {"IsPresent", *COMBINATORS}
    if len(operators) != 1 or not operators <= supported or ("Next" in rule) != top_level:
        raise DefinitionError(f"state {state_name!r}: choice rule {sorted(rule)} not supported")
    (operator,) = operators
    nested = rule[operator] if operator in ("And", "Or") else [rule[operator]]
    if operator in COMBINATORS:
        for inner in nested:
            _validate_rule(state_name, inner, top_level=False)


class Interpreter:
    """Runs a definition; ``tasks`` maps each Task Resource to a local handler."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        tasks: Mapping[str, TaskHandler],
        listener: Listener | None = None,
        sleep: Callable[[float], None] = time.sleep,
        state_machine_arn: str = "arn:aws:states:local:000000000000:stateMachine:local",
    ):
        validate(definition)
        missing = {
            state["Resource"]
            for state in definition["States"].values()
            if state["Type"] == "Task" and state["Resource"] not in tasks
        }
        if missing:
            raise DefinitionError(f"no local implementation for {sorted(missing)}")
        self.definition, self.tasks = definition, tasks
        self.listener, self.sleep = listener, sleep
        self.state_machine_arn = state_machine_arn

    def run(self, execution_input: Any, execution_name: str | None = None) -> Execution:
        execution = Execution()
        name = execution_name or str(uuid.uuid4())
        execution_arn = f"{self.state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        context = {"Execution": {"Id": execution_arn, "Name": name, "Input": execution_input,
                                 "StartTime": datetime.now(UTC).isoformat()}}  # fmt: skip
        self._emit(execution, "ExecutionStarted", {"input": execution_input, "name": name})
        state_name, data = self.definition["StartAt"], execution_input
        try:
            while True:
                state = self.definition["States"][state_name]
                kind = state["Type"]
                self._emit(execution, f"{kind}StateEntered", {"name": state_name, "input": data})
                next_name, data = self._step(execution, state_name, state, data, context)
                if kind == "Fail":
                    return execution
                self._emit(execution, f"{kind}StateExited", {"name": state_name, "output": data})
                if next_name is None:
                    execution.status, execution.output = "SUCCEEDED", data
                    self._emit(execution, "ExecutionSucceeded", {"output": data})
                    return execution
                state_name = next_name
        except TaskFailure as failure:  # uncaught: the execution fails
            self._fail(execution, failure.error, failure.cause)
            return execution
        except KeyboardInterrupt:  # Ctrl-C: recorded as Step Functions records a stop
            return self._abort(execution)
        except Exception as error:
            # A library may turn Ctrl-C into its own error (py4j: "Gateway must be
            # connected to send cancel cmd"): still an interruption, not a bug.
            if not caused_by_interrupt(error):
                raise
            return self._abort(execution)

    # -- one state -------------------------------------------------------------

    def _step(self, execution, name, state, data, context):
        kind = state["Type"]
        if kind == "Fail":
            error = _read(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error")
            cause = (
                _evaluate(state["CausePath"], data, context)
                if "CausePath" in state
                else state.get("Cause")
            )
            self._fail(execution, error, cause)
            return None, data
        effective = _read(data, state.get("InputPath", "$"))
        if kind == "Choice":
            return self._choose(name, state, effective), _read(
                effective, state.get("OutputPath", "$")
            )
        if kind == "Succeed":
            return None, _read(effective, state.get("OutputPath", "$"))
        if kind == "Wait":
            self.sleep(state["Seconds"])
            return _next(state), _read(effective, state.get("OutputPath", "$"))
        if kind == "Pass":
            if "Parameters" in state:
                result = _resolve(state["Parameters"], effective, context)
            else:
                result = state.get("Result", effective)
            return _next(state), _output(state, data, result)
        return self._task(execution, name, state, data, effective, context)

    def _task(self, execution, name, state, data, effective, context):
        parameters = _resolve(state.get("Parameters", effective), effective, context)
        attempts: dict[int, int] = {}
        while True:
            started = time.monotonic()
            self._emit(
                execution,
                "TaskScheduled",
                {"resource": state["Resource"], "parameters": parameters},
            )
            try:
                result = self.tasks[state["Resource"]](parameters)
                elapsed = time.monotonic() - started
                timeout = state.get("TimeoutSeconds")
                if timeout is not None and elapsed > timeout:
                    raise TaskFailure(
                        "States.Timeout", f"{name} ran {elapsed:.0f} s, over {timeout} s"
                    )
            except RuntimeFailure:
                raise
            except TaskFailure as failure:
                self._emit(
                    execution, "TaskFailed", {"error": failure.error, "cause": failure.cause}
                )
                delay = self._retry_delay(state, failure, attempts)
                if delay is not None:
                    self.sleep(delay)
                    continue
                catch = _matching(state.get("Catch", []), failure)
                if catch is None:
                    raise
                error_output = {"Error": failure.error, "Cause": failure.cause}
                return catch["Next"], _place(data, catch.get("ResultPath", "$"), error_output)
            self._emit(execution, "TaskSucceeded", {"output": result})
            if "ResultSelector" in state:
                result = _resolve(state["ResultSelector"], result, context)
            return _next(state), _output(state, data, result)

    @staticmethod
    def _retry_delay(state, failure, attempts) -> float | None:
        for index, retrier in enumerate(state.get("Retry", [])):
            if _matches(retrier["ErrorEquals"], failure.error):
                count = attempts.get(index, 0)
                if count >= retrier.get("MaxAttempts", 3):
                    return None
                attempts[index] = count + 1
                interval = retrier.get("IntervalSeconds", 1)
                return interval * retrier.get("BackoffRate", 2.0) ** count
        return None

    @staticmethod
    def _choose(name, state, data) -> str:
        for rule in state["Choices"]:
            if _holds(name, rule, data):
                return rule["Next"]
        if "Default" not in state:
            raise TaskFailure("States.NoChoiceMatched", f"{name}: no choice rule matched")
        return state["Default"]

    def _abort(self, execution: Execution) -> Execution:
        execution.status = "ABORTED"
        self._emit(execution, "ExecutionAborted", {"cause": "interrupted (Ctrl-C)"})
        return execution

    def _fail(self, execution, error, cause):
        execution.status, execution.error, execution.cause = "FAILED", error, cause
        self._emit(execution, "ExecutionFailed", {"error": error, "cause": cause})

    def _emit(self, execution: Execution, kind: str, details: dict[str, Any]) -> None:
        event = Event(kind, copy.deepcopy(details))
        execution.events.append(event)
        if self.listener:
            self.listener(event)


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the exceptions that led to ``error``."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _holds(name: str, rule: Mapping[str, Any], data: Any) -> bool:
    """One choice rule, as the ASL specification evaluates it."""
    if "And" in rule:
        return all(_holds(name, inner, data) for inner in rule["And"])
    if "Or" in rule:
        return any(_holds(name, inner, data) for inner in rule["Or"])
    if "Not" in rule:
        return not _holds(name, rule["Not"], data)
    present, value = _lookup(data, rule["Variable"])
    if "IsPresent" in rule:
        return present == rule["IsPresent"]
    if not present:
        raise RuntimeFailure(f"{name}: {rule['Variable']} is not in the state's input")
    operator = next(key for key in rule if key in COMPARISONS or key in PATH_COMPARISONS)
    if operator in PATH_COMPARISONS:
        other_present, other = _lookup(data, rule[operator])
        if not other_present:
            raise RuntimeFailure(f"{name}: {rule[operator]} is not in the state's input")
        return COMPARISONS[PATH_COMPARISONS[operator]](value, other)
    return COMPARISONS[operator](value, rule[operator])


def _wildcard(pattern: str) -> re.Pattern[str]:
    """StringMatches: '*' matches any run of characters; '\\*' is a literal star."""
    pieces = re.split(r"(?<!\\)\*", pattern)
    return re.compile(".*".join(re.escape(piece.replace("\\*", "*")) for piece in pieces), re.S)


# -- paths, parameters and intrinsics --------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _next(state: Mapping[str, Any]) -> str | None:
    return None if state.get("End") else state["Next"]


def _lookup(data: Any, path: str) -> tuple[bool, Any]:
    if path == "$":
        return True, data
    matches = parse_path(path).find(data)
    if not matches:
        return False, None
    return True, matches[0].value


def _read(data: Any, path: str | None) -> Any:
    if path is None:
        return {}
    present, value = _lookup(data, path)
    if not present:
        raise RuntimeFailure(f"path {path} is not in the state's data")
    return value


def _place(data: Any, path: str | None, result: Any) -> Any:
    """ResultPath: put ``result`` into (a copy of) ``data`` at ``path``."""
    if path is None:
        return data
    if path == "$":
        return result
    keys = re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['([^']+)'\]", path[1:])
    if not keys or not isinstance(data, dict):
        raise RuntimeFailure(f"ResultPath {path} cannot be applied")
    placed = copy.deepcopy(data)
    target = placed
    names = [plain or quoted for plain, quoted in keys]
    for key in names[:-1]:
        target = target.setdefault(key, {})
    target[names[-1]] = result
    return placed


def _output(state, data, result):
    return _read(_place(data, state.get("ResultPath", "$"), result), state.get("OutputPath", "$"))


def _resolve(template: Any, data: Any, context: Mapping[str, Any]) -> Any:
    """Parameters/ResultSelector: keys ending in .$ take a path or an intrinsic."""
    if isinstance(template, list):
        return [_resolve(item, data, context) for item in template]
    if not isinstance(template, dict):
        return template
    resolved = {}
    for key, value in template.items():
        if key.endswith(".$"):
            resolved[key[:-2]] = _evaluate(value, data, context)
        else:
            resolved[key] = _resolve(value, data, context)
    return resolved


def _evaluate(expression: str, data: Any, context: Mapping[str, Any]) -> Any:
    if expression.startswith("$$"):
        return _read(context, "$" + expression[2:])
    if expression.startswith("$"):
        return _read(data, expression)
    match = _INTRINSIC.match(expression)
    if not match:
        raise RuntimeFailure(f"{expression!r} is neither a path nor an intrinsic")
    name, arguments = match.groups()
    values = [_argument(argument, data, context) for argument in _split_arguments(arguments)]
    if name == "States.UUID":
        return str(uuid.uuid4())
    if name == "States.MathAdd":
        if len(values) != 2 or not all(_is_number(v) and v == int(v) for v in values):
            raise RuntimeFailure(f"{expression}: States.MathAdd takes two integers")
        return int(values[0]) + int(values[1])
    template, *rest = values
    pieces = re.split(r"(?<!\\){}", template)
    if len(pieces) - 1 != len(rest):
        raise RuntimeFailure(f"{expression}: {len(pieces) - 1} placeholders, {len(rest)} values")
    text = pieces[0]
    for value, piece in zip(rest, pieces[1:], strict=True):
        text += (value if isinstance(value, str) else json.dumps(value)) + piece
    return text


def _argument(argument: str, data: Any, context: Mapping[str, Any]) -> Any:
    argument = argument.strip()
    if argument.startswith("'") and argument.endswith("'"):
        return argument[1:-1].replace("\\'", "'")
    if argument.startswith("$") or argument.startswith("States."):
        return _evaluate(argument, data, context)
    return json.loads(argument)


def _split_arguments(arguments: str) -> list[str]:
    """Split at top-level commas, outside quotes and nested calls."""
    parts, depth, quoted, current = [], 0, False, ""
    for index, char in enumerate(arguments):
        if char == "'" and (index == 0 or arguments[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current)
    return parts


def _matches(error_equals: list[str], error: str) -> bool:
    if error in error_equals:
        return True
    if error == "States.Runtime":
        return False
    if "States.ALL" in error_equals:
        return True
    return "States.TaskFailed" in error_equals and error != "States.Timeout"


def _matching(catchers: list[dict[str, Any]], failure: TaskFailure) -> dict[str, Any] | None:
    return next((c for c in catchers if _matches(c["ErrorEquals"], failure.error)), None)


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
