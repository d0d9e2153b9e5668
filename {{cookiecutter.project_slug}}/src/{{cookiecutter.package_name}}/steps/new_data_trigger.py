"""Lambda: new raw data starts one retraining run, however many files arrive at once.

EventBridge invokes it for each object S3 reports created under ``data/raw/`` (the
bucket sends its events to EventBridge; the event's shape: ``detail.bucket.name``,
``detail.object.key``). It does not start a run itself: it sets one one-time
EventBridge Scheduler schedule, ``<slug>-new-data``, to start the state machine
``quiet_minutes`` after the latest upload, creating the schedule or moving it later
(a trailing debounce). The hundred files of a multipart dataset each move the same
schedule, and one run starts once they stop arriving; the schedule deletes itself
once it has started the run (ActionAfterCompletion DELETE).

The run's input names the upload that set its start (``NewData``), for the record;
the run reads the whole raw-data prefix, as every run does.

Standard library and boto3 only (the Lambda runtime provides boto3). Local mode
calls ``handler`` with its own scheduler stand-in (local/scheduler.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

RAW_DATA_PREFIX = "data/raw/"
# EventBridge Scheduler's universal target for StartExecution: the run is named
# <slug>-<invocation id>, like a run the CLI or the retraining schedule starts.
START_EXECUTION_TARGET = "arn:{partition}:scheduler:::aws-sdk:sfn:startExecution"
INVOCATION_ID = "<aws.scheduler.execution-id>"


@dataclass(frozen=True)
class TriggerSettings:
    """What the stack gives the function in its environment."""

    schedule_name: str
    state_machine_arn: str
    scheduler_role_arn: str
    project_slug: str
    quiet_minutes: int

    @classmethod
    def from_environment(cls, environment: dict[str, str] | None = None) -> TriggerSettings:
        environment = os.environ if environment is None else environment
        return cls(
            schedule_name=environment["SCHEDULE_NAME"],
            state_machine_arn=environment["STATE_MACHINE_ARN"],
            scheduler_role_arn=environment["SCHEDULER_ROLE_ARN"],
            project_slug=environment["PROJECT_SLUG"],
            quiet_minutes=int(environment["QUIET_MINUTES"]),
        )

    def to_environment(self) -> dict[str, str]:
        """The environment the stack gives the function (local mode builds it too)."""
        return {
            "SCHEDULE_NAME": self.schedule_name,
            "STATE_MACHINE_ARN": self.state_machine_arn,
            "SCHEDULER_ROLE_ARN": self.scheduler_role_arn,
            "PROJECT_SLUG": self.project_slug,
            "QUIET_MINUTES": str(self.quiet_minutes),
        }

    @property
    def partition(self) -> str:
        return self.state_machine_arn.split(":")[1]


def uploaded_object(event: dict[str, Any]) -> str | None:
    """s3://bucket/key of an S3 "Object Created" event under the raw-data prefix, or
    None for any other event (the rule's pattern already filters; this is a guard)."""
    detail = event.get("detail") or {}
    bucket = (detail.get("bucket") or {}).get("name")
    key = (detail.get("object") or {}).get("key")
    if event.get("detail-type") != "Object Created" or not bucket or not key:
        return None
    if not key.startswith(RAW_DATA_PREFIX) or key.endswith("/"):
        return None
    return f"s3://{bucket}/{key}"


def schedule_request(settings: TriggerSettings, upload: str, start_at: datetime) -> dict:
    """The complete CreateSchedule/UpdateSchedule request (an update replaces it all)."""
    run_name = f"{settings.project_slug}-{INVOCATION_ID}"
    run_input = {"RunName": run_name, "NewData": upload}
    return {
        "Name": settings.schedule_name,
        "Description": f"Starts one retraining run for new data (latest: {upload})"[:512],
        "ScheduleExpression": f"at({start_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": START_EXECUTION_TARGET.format(partition=settings.partition),
            "RoleArn": settings.scheduler_role_arn,
            "Input": json.dumps(
                {
                    "StateMachineArn": settings.state_machine_arn,
                    "Name": run_name,
                    "Input": json.dumps(run_input),
                }
            ),
        },
    }


def set_the_start(
    settings: TriggerSettings, upload: str, scheduler: Any, now: datetime
) -> dict[str, Any]:
    """Create the schedule, or move it to quiet_minutes after this upload."""
    start_at = now + timedelta(minutes=settings.quiet_minutes)
    request = schedule_request(settings, upload, start_at)
    errors = scheduler.exceptions
    try:
        scheduler.update_schedule(**request)
        action = "moved"
    except errors.ResourceNotFoundException:
        try:
            scheduler.create_schedule(**request)
            action = "created"
        except errors.ConflictException:  # another upload's invocation created it first
            scheduler.update_schedule(**request)
            action = "moved"
    return {
        "Schedule": settings.schedule_name,
        "Action": action,
        "StartAt": start_at.astimezone(UTC).isoformat(timespec="seconds"),
        "NewData": upload,
    }


def handler(
    event: dict[str, Any],
    context: Any = None,
    scheduler_client: Any = None,
    now: datetime | None = None,
    environment: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Lambda entry point. Local mode and the tests inject the client, clock and settings."""
    upload = uploaded_object(event)
    if upload is None:
        return {"Action": "ignored", "Reason": "not an object created under data/raw/"}
    settings = TriggerSettings.from_environment(environment)
    if scheduler_client is None:
        import boto3  # the Lambda runtime provides it

        scheduler_client = boto3.client("scheduler")
    return set_the_start(settings, upload, scheduler_client, now or datetime.now(UTC))
