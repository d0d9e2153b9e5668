"""Runs on AWS: start one, follow it state by state, look at a past one.

A run's execution is named like the run itself (``<slug>-<uuid>`` unless given),
so the execution, the training job, the model and the endpoint config of one run
share one name.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..settings import Settings
from ..settings.names import state_machine_name
from ..workflow.display import Display
from ..workflow.progress import Progress
from .errors import AwsError
from .raw_data import RAW_DATA_PREFIX, refuse_what_cannot_run
from .session import AwsSession

FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


@dataclass(frozen=True)
class RunOutcome:
    arn: str
    status: str
    error: str | None = None
    cause: str | None = None


def state_machine_arn(settings: Settings) -> str:
    return (
        f"arn:{settings.partition}:states:{settings.region}:{settings.account_id}:"
        f"stateMachine:{state_machine_name(settings)}"
    )


def execution_arn(settings: Settings, name: str) -> str:
    return (
        f"arn:{settings.partition}:states:{settings.region}:{settings.account_id}:"
        f"execution:{state_machine_name(settings)}:{name}"
    )


def new_run_name(settings: Settings) -> str:
    return f"{settings.slug}-{uuid.uuid4()}"


def start(settings: Settings, aws: AwsSession, run_name: str | None = None,
          check_size: bool = True) -> str:  # fmt: skip
    """Start a run and return its execution ARN; refuse when it could only fail.

    ``run_name`` must pass rules.run_name (the CLI checks it); the default does."""
    name = run_name or new_run_name(settings)
    aws.check_account()
    stepfunctions = aws.client("stepfunctions")
    try:
        stepfunctions.describe_state_machine(stateMachineArn=state_machine_arn(settings))
    except stepfunctions.exceptions.StateMachineDoesNotExist:
        raise AwsError(
            f"{state_machine_name(settings)} is not deployed in {settings.region}; "
            f"run '{settings.slug} deploy' first"
        ) from None
    if check_size:
        refuse_what_cannot_run(settings, aws, time.time())
    elif not has_raw_data(settings, aws):
        raise AwsError(
            f"s3://{settings.artifact_bucket}/{RAW_DATA_PREFIX} holds no data for the Glue "
            f"job; run '{settings.slug} upload-data <csv>' (or --sample) first"
        )
    started = stepfunctions.start_execution(
        stateMachineArn=state_machine_arn(settings),
        name=name,
        input=json.dumps({"RunName": name}),
    )
    return started["executionArn"]


def start_deployment(settings: Settings, aws: AwsSession, version_arn: str) -> str:
    """Start what the registry's approval event starts for ``version_arn``: a run that
    deploys that version. Returns its execution ARN."""
    aws.check_account()
    started = aws.client("stepfunctions").start_execution(
        stateMachineArn=state_machine_arn(settings),
        input=json.dumps({"ApprovedModelPackageArn": version_arn}),
    )
    return started["executionArn"]


def running_executions(settings: Settings, aws: AwsSession) -> list[str]:
    """The ARNs of the runs still running (none when the state machine is gone)."""
    stepfunctions = aws.client("stepfunctions")
    pages = stepfunctions.get_paginator("list_executions").paginate(
        stateMachineArn=state_machine_arn(settings), statusFilter="RUNNING"
    )
    try:
        return [execution["executionArn"] for page in pages for execution in page["executions"]]
    except stepfunctions.exceptions.StateMachineDoesNotExist:
        return []


def has_raw_data(settings: Settings, aws: AwsSession) -> bool:
    """Whether the Glue job will find anything to read."""
    listing = aws.client("s3").list_objects_v2(
        Bucket=settings.artifact_bucket, Prefix=RAW_DATA_PREFIX, MaxKeys=1
    )
    return bool(listing.get("KeyCount"))


# How many recent runs `status` looks through for the latest one that did something.
RECENT_RUNS = 10


def resolve(settings: Settings, aws: AwsSession, name_or_arn: str | None) -> str:
    """An execution ARN from a run name, an ARN, or nothing (the latest run that was
    not the no-op an approval event starts for a version its own run deploys)."""
    if name_or_arn and name_or_arn.startswith("arn:"):
        return name_or_arn
    if name_or_arn:
        return execution_arn(settings, name_or_arn)
    stepfunctions = aws.client("stepfunctions")
    listing = stepfunctions.list_executions(
        stateMachineArn=state_machine_arn(settings), maxResults=RECENT_RUNS
    )
    if not listing["executions"]:
        raise AwsError(f"{state_machine_name(settings)} has no runs yet; start one with 'run'")
    for execution in listing["executions"]:  # newest first
        if execution["status"] != "SUCCEEDED" or not _was_a_no_op(stepfunctions, execution):
            return execution["executionArn"]
    return listing["executions"][0]["executionArn"]


def _was_a_no_op(stepfunctions: Any, execution: dict[str, Any]) -> bool:
    """The run a gate-approved version's own approval event starts ends at once with
    nothing to do (its output says NoOp): not the run a user asks about."""
    described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
    with contextlib.suppress(json.JSONDecodeError, TypeError):
        return "NoOp" in json.loads(described.get("output") or "{}")
    return False


def events(aws: AwsSession, arn: str) -> Iterator[dict[str, Any]]:
    """The execution's history events, oldest first."""
    paginator = aws.client("stepfunctions").get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=arn, includeExecutionData=True):
        yield from page["events"]


def event_details(event: dict[str, Any]) -> dict[str, Any]:
    """The event's ``...EventDetails`` with JSON input/output parsed."""
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    parsed = dict(details)
    for key in ("input", "output"):
        if isinstance(parsed.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                parsed[key] = json.loads(parsed[key])
    return parsed


def watch(
    settings: Settings,
    aws: AwsSession,
    arn: str,
    say: Display | Callable[[str], None] = print,
    poll_seconds: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> RunOutcome:
    """Print each new event until the execution ends; return how it ended."""
    progress = Progress(settings, say)
    seen: set[int] = set()
    while True:
        for event in events(aws, arn):
            if event["id"] not in seen:
                seen.add(event["id"])
                progress.on_event(event["type"], event_details(event), event["timestamp"])
        outcome = status(aws, arn)
        if outcome.status in FINISHED:
            return outcome
        sleep(poll_seconds)


def status(aws: AwsSession, arn: str) -> RunOutcome:
    stepfunctions = aws.client("stepfunctions")
    try:
        described = stepfunctions.describe_execution(executionArn=arn)
    except stepfunctions.exceptions.ExecutionDoesNotExist:
        name, machine = arn.rsplit(":", 2)[-1], arn.rsplit(":", 2)[-2]
        raise AwsError(
            f"{machine} has no run named {name}; '{aws.settings.slug} status' without a "
            "name shows the latest run"
        ) from None
    return RunOutcome(arn, described["status"], described.get("error"), described.get("cause"))
