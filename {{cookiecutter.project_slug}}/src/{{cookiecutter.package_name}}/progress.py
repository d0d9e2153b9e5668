"""State-by-state progress of a run, the same for a local run and one on AWS.

Both speak Step Functions' history events (``TaskStateEntered``, ``TaskFailed``,
...): local mode's interpreter emits them, and ``executions`` reads them from AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .settings import Settings
from .state_names import State


class Progress:
    """Prints each state as it is entered and left, and the gate's decision."""

    def __init__(self, settings: Settings, say: Callable[[str], None]):
        self.settings, self.say = settings, say
        self.entered: dict[str, datetime] = {}
        self.run_name: str | None = None
        self.evaluation: dict[str, Any] | None = None

    def on_event(self, event_type: str, details: dict[str, Any], timestamp: datetime) -> None:
        if event_type.endswith("StateEntered"):
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
            if name == State.EVALUATE_MODEL:
                self.evaluation = output.get("Evaluation")
            if name == State.QUALITY_GATE:
                self._gate_passed()
        elif event_type in ("TaskFailed", "ExecutionFailed"):
            self.say(f"  !! {details.get('error')}: {details.get('cause')}")
            if self.entered and list(self.entered)[-1] == State.CHECK_FOR_ENDPOINT:
                self.say("     (no endpoint yet: it will be created)")

    def _gate_passed(self) -> None:
        gate = self.settings.quality_gate
        value = (self.evaluation or {}).get("Value")
        comparison = "<" if gate.lower_is_better else ">"
        shown = f"{value:.4f}" if isinstance(value, int | float) else str(value)
        self.say(
            f"     quality gate: {gate.metric} = {shown} {comparison} {gate.threshold:g}, deploy"
        )
