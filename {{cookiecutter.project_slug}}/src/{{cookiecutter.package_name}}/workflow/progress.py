"""State-by-state progress of a run, the same for a local run and one on AWS.

Both speak Step Functions' history events (``TaskStateEntered``, ``TaskFailed``,
...): local mode's interpreter emits them, and ``executions`` reads them from AWS.
Every decision printed is read from the path the run took, never assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..settings import Settings
from .display import Display, PlainDisplay
from .state_names import State

# Where the run goes after the gate says which way it decided.
_GATE_OUTCOMES = {
    State.FIND_LIVE_MODEL: "compare with the live model",
    State.NO_LIVE_MODEL: "register it",
    State.REJECT_BELOW_THRESHOLD: "reject it, keep the live model",
}
_ABSENCE_EXPECTED = {
    State.CHECK_FOR_ENDPOINT: "no endpoint yet, it will be created",
    State.FIND_LIVE_MODEL: "no endpoint yet, so no live model to compare with",
    State.FIND_APPROVED_CONFIG: "not deployed before, its endpoint config is created",
}
_NOT_FOUND = "Could not find endpoint"


class Progress:
    """Shows each state as it is entered and left, and the gate's decision.

    ``output`` is a Display (see display.py), or a function that prints one line.
    """

    def __init__(self, settings: Settings, output: Display | Callable[[str], None]):
        self.display = output if isinstance(output, Display) else PlainDisplay(output)
        self.settings, self.say = settings, self.display.say
        self.entered: dict[str, datetime] = {}
        self.run_name: str | None = None
        self.evaluation: dict[str, Any] | None = None
        self._gate_decided = False
        self._failure: tuple[str, str] | None = None  # of the current state's last attempt

    def on_event(self, event_type: str, details: dict[str, Any], timestamp: datetime) -> None:
        if event_type.endswith("StateEntered"):
            self._report_gate(details["name"])
            self.entered[details["name"]] = timestamp
            self._failure = None
            self.display.running(details["name"])
        elif event_type == "TaskScheduled" and self._failure:
            if not self._expected_absence():
                self.say(f"     retrying after {self._failure[0]}")
            self._failure = None
        elif event_type.endswith("StateExited"):
            name = details["name"]
            seconds = (timestamp - self.entered.get(name, timestamp)).total_seconds()
            self._say_exit(name, seconds)
            output = details.get("output") or {}
            if name == State.PLAN_LOCATIONS:
                self.run_name = output.get("Run", {}).get("Name")
                self.say(f"     run name: {self.run_name}")
            if name == State.CHECK_FOR_ENDPOINT and "EndpointStatus" in output.get("Endpoint", {}):
                self.say(f"     endpoint status: {output['Endpoint']['EndpointStatus']}")
            if name == State.PREPARE_DATA and "Report" in output.get("Etl", {}):
                self.say(f"     {output['Etl']['Report']}")  # local mode's Glue stand-in
            if name == State.EVALUATE_MODEL:
                self.evaluation = output.get("Evaluation")
            if name == State.QUALITY_GATE:
                self._gate_decided = True
            if name == State.COMPARE_MODELS and "Summary" in output.get("Comparison", {}):
                self.say(f"     {output['Comparison']['Summary']}")
            if name == State.REGISTER_MODEL and "ModelPackageArn" in output.get("Registered", {}):
                version = output["Registered"]["ModelPackageArn"].rsplit("/", 1)[-1]
                status = output.get("Decision", {}).get("Status", "?")
                self.say(f"     registered as version {version}: {status}")
        elif event_type == "TaskFailed":
            self._failure = (str(details.get("error")), str(details.get("cause")))
        elif event_type == "ExecutionFailed" and self._failure:
            # An uncaught task failure: say where; the caller prints the error itself.
            self.say(f"  !! {self._last_entered()} failed")

    def _say_exit(self, name: str, seconds: float) -> None:
        """ok, or the failure a Catch took the run past (its error and cause, once)."""
        if self._failure is None:
            self.say(f"  ok {name} ({seconds:.1f} s)")
        elif self._expected_absence():
            self.say(f"  .. {name}: {_ABSENCE_EXPECTED[name]} ({seconds:.1f} s)")
        else:
            error, cause = self._failure
            self.say(f"  !! {name} failed ({seconds:.1f} s): {error}: {cause}")
        self._failure = None

    def _expected_absence(self) -> bool:
        """A first run's endpoint checks: the endpoint does not exist yet, as expected."""
        return (
            self._last_entered() in _ABSENCE_EXPECTED
            and self._failure is not None
            and _NOT_FOUND in self._failure[1]
        )

    def _last_entered(self) -> str | None:
        return list(self.entered)[-1] if self.entered else None

    def _report_gate(self, next_state: str) -> None:
        """The gate's decision, once the state the run went to next is known."""
        if not self._gate_decided:
            return
        self._gate_decided = False
        gate = self.settings.quality_gate
        value = (self.evaluation or {}).get("Value")
        comparison = "<" if gate.lower_is_better else ">"
        shown = f"{value:.4f}" if isinstance(value, int | float) else str(value)
        outcome = _GATE_OUTCOMES.get(next_state, f"went to {next_state}")
        rejected = next_state == State.REJECT_BELOW_THRESHOLD
        relation = f"is not {comparison}" if rejected else comparison
        self.say(
            f"     quality gate: {gate.metric} = {shown} {relation} {gate.threshold:g}, {outcome}"
        )
