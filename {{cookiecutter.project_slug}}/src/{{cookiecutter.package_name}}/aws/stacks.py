"""Create or update a CloudFormation stack through a change set, with visible progress.

A change set shows what will change before anything does, and tells an unchanged
stack apart: deploying the same thing twice is a no-op that says so. Stack states
that need a person (a failed first create, an operation still running) stop the
deploy with one line that says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import AwsError

# A change set that would change nothing fails with one of these reasons.
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# A stack that exists only as the target of a change set that was never executed.
NOT_YET_CREATED = "REVIEW_IN_PROGRESS"
SUCCEEDED = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
CAPABILITIES = ["CAPABILITY_NAMED_IAM"]


@dataclass(frozen=True)
class StackResult:
    name: str
    changed: bool
    outputs: dict[str, str]


@dataclass(frozen=True)
class Waiting:
    """How often to poll and for how long; tests make both small."""

    poll_seconds: float = 5.0
    timeout_seconds: float = 3600.0
    sleep: Callable[[float], None] = time.sleep


DEFAULT_WAITING = Waiting()


def describe_stack(cloudformation: Any, name: str) -> dict[str, Any] | None:
    """The stack's description, or None when there is no such stack."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0] if stacks else None


def stack_status(cloudformation: Any, name: str) -> str | None:
    """The stack's status, or None when there is no such stack."""
    stack = describe_stack(cloudformation, name)
    return stack["StackStatus"] if stack else None


def apply_template(
    cloudformation: Any,
    name: str,
    template_body: str,
    parameters: dict[str, str],
    say: Callable[[str], None],
    waiting: Waiting = DEFAULT_WAITING,
    role_arn: str | None = None,
) -> StackResult:
    """Bring stack ``name`` to ``template_body`` with ``parameters``; say each step.

    With ``role_arn``, CloudFormation makes every change as that role (a service role),
    not with the caller's credentials, which then need only to pass it.
    """
    status = stack_status(cloudformation, name)
    _refuse_unusable(name, status)
    creating = status in (None, NOT_YET_CREATED)
    change_set = f"{name}-{time.strftime('%Y%m%d%H%M%S')}"
    try:
        cloudformation.create_change_set(
            StackName=name,
            ChangeSetName=change_set,
            ChangeSetType="CREATE" if creating else "UPDATE",
            TemplateBody=template_body,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=CAPABILITIES,
            Tags=[{"Key": "project", "Value": parameters.get("ProjectSlug", name)}],
            **({"RoleARN": role_arn} if role_arn else {}),
        )
    except cloudformation.exceptions.ClientError as error:
        if not _means_no_changes(str(error)):
            raise
        return _unchanged(cloudformation, name, say)
    described = _wait_for_change_set(cloudformation, name, change_set, waiting)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        cloudformation.delete_change_set(StackName=name, ChangeSetName=change_set)
        if _means_no_changes(reason):
            return _unchanged(cloudformation, name, say)
        raise AwsError(f"CloudFormation refused the change set for {name}: {reason}")
    say(f"{name}: {'creating' if creating else 'updating'}")
    for change in described.get("Changes", []):
        say("  " + _describe_change(change["ResourceChange"]))
    before = _latest_event_ids(cloudformation, name)
    cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
    final = _follow(cloudformation, name, set(before), say, waiting)
    if final not in SUCCEEDED:
        raise AwsError(
            f"stack {name} ended in {final}: {_first_failure(cloudformation, name, before)}; "
            "fix that and deploy again"
        )
    return StackResult(name, changed=True, outputs=_outputs(cloudformation, name))


def _means_no_changes(reason: str) -> bool:
    """AWS says so as a failed change set; some emulators as an error of the request."""
    return any(marker in reason for marker in NO_CHANGES)


def _unchanged(cloudformation: Any, name: str, say: Callable[[str], None]) -> StackResult:
    say(f"{name}: no changes; the stack is already up to date")
    return StackResult(name, changed=False, outputs=_outputs(cloudformation, name))


def _refuse_unusable(name: str, status: str | None) -> None:
    if status is None or status == NOT_YET_CREATED:
        return
    if status == "ROLLBACK_COMPLETE":
        raise AwsError(
            f"stack {name} is in ROLLBACK_COMPLETE: its first creation failed and it cannot "
            f"be updated; read its events, fix the cause, delete it (aws cloudformation "
            f"delete-stack --stack-name {name}) and deploy again"
        )
    if status.endswith("_IN_PROGRESS"):
        raise AwsError(f"stack {name} is busy ({status}); wait until it finishes, then deploy")
    if status.endswith("_FAILED"):
        raise AwsError(
            f"stack {name} is in {status}; resolve it in the CloudFormation console "
            "(continue rollback or delete), then deploy again"
        )


def _wait_for_change_set(cloudformation: Any, name: str, change_set: str, waiting: Waiting):
    deadline = time.monotonic() + waiting.timeout_seconds
    while True:
        described = cloudformation.describe_change_set(StackName=name, ChangeSetName=change_set)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise AwsError(f"the change set for {name} is still not ready; try again later")
        waiting.sleep(waiting.poll_seconds)


def _describe_change(change: dict[str, Any]) -> str:
    replacement = " (replaced)" if change.get("Replacement") == "True" else ""
    resource = f"{change['LogicalResourceId']} ({change['ResourceType']})"
    return f"{change['Action']:<7} {resource}{replacement}"


def _events_since(cloudformation: Any, name: str, seen: set[str]) -> list[dict[str, Any]]:
    """The stack's events newer than any in ``seen``, oldest first.

    CloudFormation lists events newest first, so paging stops at the first event
    already seen: a long-lived stack's history is read once, not at every poll."""
    new: list[dict[str, Any]] = []
    pages = cloudformation.get_paginator("describe_stack_events").paginate(StackName=name)
    for page in pages:
        for event in page["StackEvents"]:
            if event["EventId"] in seen:
                return new[::-1]
            new.append(event)
    return new[::-1]


def _latest_event_ids(cloudformation: Any, name: str) -> set[str]:
    """The id of the stack's newest event (one page read), the mark to follow from."""
    pages = cloudformation.get_paginator("describe_stack_events").paginate(StackName=name)
    for page in pages:
        return {event["EventId"] for event in page["StackEvents"][:1]}
    return set()


def _follow(cloudformation: Any, name: str, seen: set[str], say, waiting: Waiting) -> str:
    """Print each new event until the stack leaves *_IN_PROGRESS; return its status."""
    deadline = time.monotonic() + waiting.timeout_seconds
    while True:
        for event in _events_since(cloudformation, name, seen):
            seen.add(event["EventId"])
            reason = event.get("ResourceStatusReason")
            say(
                f"  {event['Timestamp']:%H:%M:%S} {event['LogicalResourceId']} "
                f"{event['ResourceStatus']}" + (f": {reason}" if reason else "")
            )
        status = stack_status(cloudformation, name) or "DELETE_COMPLETE"
        if not status.endswith("_IN_PROGRESS"):
            return status
        if time.monotonic() > deadline:
            raise AwsError(f"stack {name} is still {status}; watch it in the console")
        waiting.sleep(waiting.poll_seconds)


def _first_failure(cloudformation: Any, name: str, before: set[str]) -> str:
    for event in _events_since(cloudformation, name, before):
        if event["ResourceStatus"].endswith("_FAILED") and event.get("ResourceStatusReason"):
            return f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}"
    return "see the stack's events"


def _outputs(cloudformation: Any, name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def delete_stack(cloudformation: Any, name: str, say, waiting: Waiting = DEFAULT_WAITING) -> bool:
    """Delete the stack and wait; False when there was none."""
    if stack_status(cloudformation, name) is None:
        return False
    # Once deleted, a stack is found by its id only.
    stack_id = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    before = _latest_event_ids(cloudformation, stack_id)
    cloudformation.delete_stack(StackName=stack_id)
    say(f"{name}: deleting")
    final = _follow(cloudformation, stack_id, set(before), say, waiting)
    if final != "DELETE_COMPLETE":
        failure = _first_failure(cloudformation, stack_id, before)
        raise AwsError(f"stack {name} ended in {final}: {failure}")
    return True
