"""EventBridge Scheduler's one-time schedules, as the new-data trigger uses them.

The stand-in keeps each schedule as a JSON file under ``.local/scheduler/`` and
answers the calls ``steps/new_data_trigger.py`` makes, with Scheduler's rules as its
API reference gives them (each tested against botocore's model or the docs, see
FIDELITY.md): CreateSchedule of an existing name raises ConflictException;
UpdateSchedule and DeleteSchedule of a missing one raise ResourceNotFoundException;
an update replaces the whole schedule; ``at(yyyy-mm-ddThh:mm:ss)`` is read in
ScheduleExpressionTimezone; after a one-time schedule has invoked its target,
ActionAfterCompletion DELETE deletes it. Nothing fires by itself: ``due`` lists what
Scheduler would have invoked by a given time, and `watch --local` starts those runs.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
REQUIRED = ("Name", "ScheduleExpression", "Target", "FlexibleTimeWindow")


class SchedulerError(Exception):
    """An error Scheduler answers with; its class name is the error code."""


class _Exceptions:
    """The errors boto3 exposes as ``client.exceptions.<Code>``."""

    class ResourceNotFoundException(SchedulerError):
        pass

    class ConflictException(SchedulerError):
        pass

    class ValidationException(SchedulerError):
        pass


class LocalScheduler:
    exceptions = _Exceptions

    def __init__(self, workspace_root: Path):
        self.folder = workspace_root / "scheduler"

    def create_schedule(self, **request: Any) -> dict[str, Any]:
        self._validate(request)
        if self._path(request["Name"]).exists():
            raise self.exceptions.ConflictException(f"Schedule {request['Name']} already exists.")
        self._write(request)
        return {"ScheduleArn": self._arn(request["Name"])}

    def update_schedule(self, **request: Any) -> dict[str, Any]:
        self._validate(request)
        if not self._path(request["Name"]).exists():
            raise self.exceptions.ResourceNotFoundException(
                f"Schedule {request['Name']} does not exist."
            )
        self._write(request)
        return {"ScheduleArn": self._arn(request["Name"])}

    def delete_schedule(self, Name: str) -> dict[str, Any]:
        try:
            self._path(Name).unlink()
        except FileNotFoundError:
            raise self.exceptions.ResourceNotFoundException(
                f"Schedule {Name} does not exist."
            ) from None
        return {}

    def get_schedule(self, Name: str) -> dict[str, Any]:
        path = self._path(Name)
        if not path.is_file():
            raise self.exceptions.ResourceNotFoundException(f"Schedule {Name} does not exist.")
        return json.loads(path.read_text(encoding="utf-8"))

    def due(self, now: datetime) -> list[dict[str, Any]]:
        """The one-time schedules whose time has come by ``now`` (timezone-aware)."""
        if not self.folder.is_dir():
            return []
        schedules = [json.loads(p.read_text(encoding="utf-8")) for p in self.folder.glob("*.json")]
        return [s for s in schedules if fires_at(s) <= now]

    def _validate(self, request: dict[str, Any]) -> None:
        missing = [name for name in REQUIRED if name not in request]
        if missing:
            raise self.exceptions.ValidationException(f"missing {', '.join(missing)}")
        fires_at(request)  # an expression Scheduler would refuse is refused here too

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def _arn(self, name: str) -> str:
        return f"arn:aws:scheduler:local:000000000000:schedule/default/{name}"

    def _write(self, request: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(request["Name"])
        scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        scratch.write_text(json.dumps(request, indent=2), encoding="utf-8")
        os.replace(scratch, path)  # atomic: a reader sees the old or the new schedule


def fires_at(schedule: dict[str, Any]) -> datetime:
    """When a one-time schedule invokes its target (other kinds are not used here)."""
    match = _AT.match(schedule["ScheduleExpression"])
    if not match:
        raise LocalScheduler.exceptions.ValidationException(
            f"local mode runs one-time at(...) schedules only, not {schedule['ScheduleExpression']}"
        )
    zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone", "UTC"))
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)
