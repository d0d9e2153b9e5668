"""Stop what would keep running, billing or re-creating resources during `destroy`.

First the schedule is disabled, so that no new run starts. Then each running
execution is stopped, and so are the project's Glue job runs and training jobs
(whether Step Functions stops a `.sync` job with its execution is not counted on).
Last, everything is waited for: a state machine with running executions cannot be
deleted, and a run past its quality gate could create the endpoint again after
`destroy` removed it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..settings import Settings
from ..settings.names import glue_job_name, new_data_schedule_name, schedule_name
from .errors import AwsError
from .executions import running_executions
from .session import AwsSession
from .stacks import Waiting

GLUE_ACTIVE = ("STARTING", "RUNNING", "STOPPING", "WAITING")
TRAINING_ACTIVE = ("InProgress", "Stopping")
# What GetSchedule returns that UpdateSchedule does not take back.
_SCHEDULE_READ_ONLY = ("Arn", "CreationDate", "LastModificationDate", "State", "ResponseMetadata")


@dataclass(frozen=True)
class Activity:
    """What of the project is scheduled or running now."""

    schedule_enabled: bool = False
    new_data_run_pending: bool = False  # the one-time schedule new data set
    executions: list[str] = field(default_factory=list)  # execution ARNs
    glue_runs: list[str] = field(default_factory=list)  # job run ids
    training_jobs: dict[str, str] = field(default_factory=dict)  # name -> status

    def lines(self, settings: Settings) -> list[str]:
        lines = (
            [f"  schedule {schedule_name(settings)} (disabled)"] if self.schedule_enabled else []
        )
        if self.new_data_run_pending:
            lines.append(f"  schedule {new_data_schedule_name(settings)}, a run new data set "
                         "(deleted)")  # fmt: skip
        if self.executions:
            lines.append(f"  {_count(self.executions, 'running execution')} (stopped)")
        if self.glue_runs:
            lines.append(f"  {_count(self.glue_runs, 'Glue job run')} of {glue_job_name(settings)} "
                         "(stopped)")  # fmt: skip
        if self.training_jobs:
            lines.append(f"  training jobs {', '.join(self.training_jobs)} (stopped)")
        return lines

    @property
    def anything(self) -> bool:
        return bool(self.executions or self.glue_runs or self.training_jobs)


def find(settings: Settings, aws: AwsSession) -> Activity:
    schedule = _schedule(settings, aws)
    return Activity(
        schedule_enabled=bool(schedule and schedule.get("State") == "ENABLED"),
        new_data_run_pending=_schedule(settings, aws, new_data_schedule_name(settings)) is not None,
        executions=running_executions(settings, aws),
        glue_runs=_active_glue_runs(settings, aws),
        training_jobs=_active_training_jobs(settings, aws),
    )


def stop(
    settings: Settings, aws: AwsSession, activity: Activity, say: Callable[[str], None],
    waiting: Waiting,
) -> None:  # fmt: skip
    """Disable the schedule, stop every run and job, and wait until all have stopped."""
    if activity.schedule_enabled:
        _disable_schedule(settings, aws)
        say(f"schedule {schedule_name(settings)}: disabled")
    if activity.new_data_run_pending:
        # Not a stack resource: the new-data trigger made it, so nothing else removes it.
        scheduler = aws.client("scheduler")
        with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
            scheduler.delete_schedule(Name=new_data_schedule_name(settings))
        say(f"schedule {new_data_schedule_name(settings)}: deleted (a run new data had set)")
    stepfunctions = aws.client("stepfunctions")
    for arn in activity.executions:
        stepfunctions.stop_execution(executionArn=arn, error="Destroyed",
                                     cause="stopped by destroy")  # fmt: skip
        say(f"execution {arn.rsplit(':', 1)[-1]}: stopping")
    if activity.glue_runs:
        aws.client("glue").batch_stop_job_run(JobName=glue_job_name(settings),
                                              JobRunIds=activity.glue_runs)  # fmt: skip
        say(f"{_count(activity.glue_runs, 'Glue job run')}: stopping")
    for job, status in activity.training_jobs.items():
        if status == "InProgress":
            aws.client("sagemaker").stop_training_job(TrainingJobName=job)
        say(f"training job {job}: stopping")
    if activity.anything:
        _wait_until_stopped(settings, aws, say, waiting)


def _wait_until_stopped(settings: Settings, aws: AwsSession, say, waiting: Waiting) -> None:
    deadline = time.monotonic() + waiting.timeout_seconds
    while True:
        still = find(settings, aws)
        if not still.anything:
            say("every run and job has stopped")
            return
        left = len(still.executions) + len(still.glue_runs) + len(still.training_jobs)
        if time.monotonic() > deadline:
            raise AwsError(
                f"{left} runs or jobs of {settings.slug} are still stopping; run destroy "
                "again once they have stopped (see the Step Functions, Glue and SageMaker "
                "consoles)"
            )
        say(f"  waiting for {left} runs or jobs to stop")
        waiting.sleep(waiting.poll_seconds)


def _schedule(
    settings: Settings, aws: AwsSession, name: str | None = None
) -> dict[str, Any] | None:
    scheduler = aws.client("scheduler")
    try:
        return scheduler.get_schedule(Name=name or schedule_name(settings))
    except scheduler.exceptions.ResourceNotFoundException:
        return None


def _disable_schedule(settings: Settings, aws: AwsSession) -> None:
    """UpdateSchedule replaces the whole schedule: send back what it has, disabled.

    Disabled rather than deleted, so that the pipeline stack still finds its
    resource if its deletion fails and the stack has to be deployed again."""
    schedule = _schedule(settings, aws)
    if schedule is None:
        return
    kept = {key: value for key, value in schedule.items() if key not in _SCHEDULE_READ_ONLY}
    aws.client("scheduler").update_schedule(**kept, State="DISABLED")


def _active_glue_runs(settings: Settings, aws: AwsSession) -> list[str]:
    glue = aws.client("glue")
    try:
        pages = glue.get_paginator("get_job_runs").paginate(JobName=glue_job_name(settings))
        return [run["Id"] for page in pages for run in page["JobRuns"]
                if run["JobRunState"] in GLUE_ACTIVE]  # fmt: skip
    except glue.exceptions.EntityNotFoundException:
        return []


def _active_training_jobs(settings: Settings, aws: AwsSession) -> dict[str, str]:
    """Training jobs of this project's runs (named <slug>-...) still going, by status."""
    sagemaker = aws.client("sagemaker")
    jobs = {}
    for status in TRAINING_ACTIVE:
        pages = sagemaker.get_paginator("list_training_jobs").paginate(
            NameContains=settings.slug, StatusEquals=status
        )
        jobs.update({job["TrainingJobName"]: status
                     for page in pages for job in page["TrainingJobSummaries"]
                     if job["TrainingJobName"].startswith(f"{settings.slug}-")})  # fmt: skip
    return jobs


def _count(items: list[Any], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
