"""State-by-state progress of a run, the same for a local run and one on AWS.

Both speak Step Functions' history events (``TaskStateEntered``, ``TaskFailed``,
...): local mode's interpreter emits them, and ``executions`` reads them from AWS.
Every decision printed is read from the path the run took, never assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .settings import Settings
from .state_names import State

# Where the run goes after the gate says which way it decided.
_GATE_OUTCOMES = {
    State.CREATE_ENDPOINT_CONFIG: "deploy",
    State.QUALITY_GATE_FAILED: "keep the live model",
}
_NOT_FOUND = "Could not find endpoint"


class Progress:
    """Prints each state as it is entered and left, and the gate's decision."""

    def __init__(self, settings: Settings, say: Callable[[str], None]):
        self.settings, self.say = settings, say
        self.entered: dict[str, datetime] = {}
        self.run_name: str | None = None
        self.evaluation: dict[str, Any] | None = None
        self._gate_decided = False

    def on_event(self, event_type: str, details: dict[str, Any], timestamp: datetime) -> None:
        if event_type.endswith("StateEntered"):
            self._report_gate(details["name"])
            self.entered[details["name"]] = timestamp
            self.say(f"  -> {details['name']}")
        elif event_type.endswith("StateExited"):
            name = details["name"]
            seconds = (timestamp - self.entered.get(name, timestamp)).total_seconds()
            self.say(f"  ok {name} ({seconds:.1f} s)")
            output = details.get("output") or {}
            if name == State.PLAN_LOCATIONS:
                self.run_name = output.get("Run", {}).get("Name")
                self.say(f"     run name: {self.run_name}")
            if name == State.CHECK_FOR_ENDPOINT and "EndpointStatus" in output.get("Endpoint", {}):
                self.say(f"     endpoint status: {output['Endpoint']['EndpointStatus']}")
            if name == State.EVALUATE_MODEL:
                self.evaluation = output.get("Evaluation")
            if name == State.QUALITY_GATE:
                self._gate_decided = True
        elif event_type in ("TaskFailed", "ExecutionFailed"):
            if self._last_entered() == State.CHECK_FOR_ENDPOINT and _NOT_FOUND in str(
                details.get("cause")
            ):
                self.say("     no endpoint yet: it will be created")
                return
            self.say(f"  !! {details.get('error')}: {details.get('cause')}")

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
        relation = comparison if outcome == "deploy" else f"is not {comparison}"
        self.say(
            f"     quality gate: {gate.metric} = {shown} {relation} {gate.threshold:g}, {outcome}"
        )
