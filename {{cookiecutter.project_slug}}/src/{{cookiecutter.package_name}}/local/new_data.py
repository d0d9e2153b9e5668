"""New raw data starts a local run the way it starts one on AWS.

`upload-data --local FILE` puts a copy of FILE under the local raw-data prefix
(``.local/s3/<bucket>/data/raw/``, never over another file, as on S3) and, as S3's
"Object Created" event does on AWS, hands it to the same trigger code
(steps/new_data_trigger.py) with the local scheduler. A file dropped into that folder
by hand is noticed by `watch --local`, which also starts each run whose schedule is
due: one run per burst of files, once none has arrived for quiet_minutes.
"""

from __future__ import annotations

import errno
import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..settings import Settings, SettingsError
from ..settings.names import new_data_schedule_name, state_machine_name
from ..steps.new_data_trigger import INVOCATION_ID, TriggerSettings, handler
from .inputs import data_files
from .scheduler import LocalScheduler
from .services import LOCAL_ACCOUNT, LOCAL_BUCKET, Workspace

# The raw files already handed to the trigger (name: size and mtime), beside scheduler/.
NOTICED_FILE = "new-data-noticed.json"


@dataclass(frozen=True)
class DueRun:
    run_name: str
    new_data: str  # the upload that set the schedule last


def trigger_settings(settings: Settings) -> TriggerSettings:
    """What the stack's environment gives the function on AWS, for local mode."""
    return TriggerSettings(
        schedule_name=new_data_schedule_name(settings),
        state_machine_arn=f"arn:aws:states:{settings.region}:{LOCAL_ACCOUNT}:stateMachine:"
        f"{state_machine_name(settings)}",
        scheduler_role_arn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{settings.slug}-scheduler-role",
        project_slug=settings.slug,
        quiet_minutes=settings.new_data_quiet_minutes,
    )


def object_created_event(key: str, now: datetime) -> dict[str, Any]:
    """An S3 "Object Created" event as EventBridge delivers it (the fields the rule
    matches and the trigger reads; the shape is from S3's EventBridge documentation)."""
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "time": now.isoformat(timespec="seconds"),
        "detail": {"bucket": {"name": LOCAL_BUCKET}, "object": {"key": key}},
    }


def upload_locally(workspace: Workspace, csv: Path) -> Path:
    """Copy ``csv`` under the local raw-data prefix; never over another file."""
    if not csv.is_file():
        raise SettingsError(f"{csv} does not exist; give the path of a CSV file")
    target = workspace.raw_data / csv.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with csv.open("rb") as source, target.open("xb") as copy:
            shutil.copyfileobj(source, copy)
    except FileExistsError:
        raise SettingsError(
            f"{target} exists and is never overwritten; rename your file, or delete the "
            "old one first"
        ) from None
    except OSError as error:
        target.unlink(missing_ok=True)  # nothing half-written stays behind
        if error.errno == errno.ENOSPC:
            raise SettingsError(f"no space left on {target.parent} to copy {csv}") from None
        raise
    return target


def notice(
    settings: Settings, workspace: Workspace, scheduler: LocalScheduler, now: datetime,
    paths: list[Path] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Hand each new file under the raw prefix (or ``paths``) to the trigger, as S3's
    event would; return what the trigger did for each."""
    noticed = _noticed(workspace)
    fresh = paths if paths is not None else _unnoticed(workspace, noticed)
    environment = trigger_settings(settings).to_environment()  # as the stack sets it
    outcomes = []
    for path in fresh:
        key = "data/raw/" + path.relative_to(workspace.raw_data).as_posix()
        outcomes.append(handler(object_created_event(key, now), scheduler_client=scheduler,
                                now=now, environment=environment))  # fmt: skip
        noticed[key] = _fingerprint(path)
    _write_noticed(workspace, noticed)
    return outcomes


def due_runs(scheduler: LocalScheduler, now: datetime) -> list[DueRun]:
    """The runs Scheduler would have started by ``now``; each schedule is deleted as
    its ActionAfterCompletion DELETE says, so that it starts its run once."""
    runs = []
    for schedule in scheduler.due(now):
        target = json.loads(schedule["Target"]["Input"])
        run_input = json.loads(target["Input"])
        invocation = uuid.uuid4().hex[:16]  # Scheduler's execution ids look like this
        scheduler.delete_schedule(Name=schedule["Name"])
        runs.append(DueRun(run_input["RunName"].replace(INVOCATION_ID, invocation),
                           run_input["NewData"]))  # fmt: skip
    return runs


def _unnoticed(workspace: Workspace, noticed: dict[str, list[int]]) -> list[Path]:
    files = data_files(workspace.raw_data)
    return [
        path for path in files
        if noticed.get("data/raw/" + path.relative_to(workspace.raw_data).as_posix())
        != _fingerprint(path)
    ]  # fmt: skip


def _fingerprint(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _noticed(workspace: Workspace) -> dict[str, list[int]]:
    path = workspace.root / NOTICED_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _write_noticed(workspace: Workspace, noticed: dict[str, list[int]]) -> None:
    path = workspace.root / NOTICED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    scratch.write_text(json.dumps(noticed, indent=2), encoding="utf-8")
    scratch.replace(path)


def say_what_the_trigger_did(outcome: dict[str, Any], say) -> None:
    start = f"{datetime.fromisoformat(outcome['StartAt']):%Y-%m-%d %H:%M:%S} UTC"
    verb = "set" if outcome["Action"] == "created" else "moved"
    say(f"new data {outcome['NewData']}: {verb} the run's start to {start}, unless more "
        "data arrives before then")  # fmt: skip


def watch(
    settings: Settings, workspace: Workspace, *, once: bool, say, clock, sleep,
    start_run, poll_seconds: float = 5.0,
) -> int:  # fmt: skip
    """Notice new files under the local raw prefix and start each run when it is due,
    until interrupted (or after one pass with ``once``); the last run's exit code."""
    if not settings.on_new_data:
        raise SettingsError(
            "retraining.on_new_data is false, so new data starts no run; set it to true "
            f"in {settings.path}"
        )
    scheduler = LocalScheduler(workspace.root)
    say(f"watching {workspace.raw_data} (a run starts {settings.new_data_quiet_minutes} "
        "min after the latest new file)")  # fmt: skip
    code = 0
    while True:
        now = clock()
        for outcome in notice(settings, workspace, scheduler, now):
            say_what_the_trigger_did(outcome, say)
        for run in due_runs(scheduler, now):
            say(f"starting run {run.run_name} (latest new data: {run.new_data})")
            code = start_run(run)
        if once:
            return code
        sleep(poll_seconds)
