"""New data starts retraining, locally: the same trigger code as on AWS
(steps/new_data_trigger.py) with the local scheduler, and a real local run.

Emulated: S3's "Object Created" event (built as EventBridge delivers it) and
EventBridge Scheduler (local/scheduler.py; its behaviour is listed in FIDELITY.md and
checked against botocore's model in test_new_data_trigger.py). The clock is the
test's, so that the quiet period passes without waiting.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from project.cli import main
from project.local.inputs import run_input
from project.local.new_data import DueRun, due_runs, notice, watch
from project.local.run import LOCAL_FOLDER, run_locally
from project.local.scheduler import LocalScheduler
from project.local.services import Workspace, live_model
from project.settings import SettingsError, load_settings
from project.settings.names import endpoint_name, new_data_schedule_name

from ..conftest import copy_project, project_schema, replace_line, sample_csv

# Spark: every test that uses it shares one test worker's JVM (xdist_group "spark", make test).
pytestmark = pytest.mark.xdist_group("spark")

T0 = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def project(tmp_path):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    replace_line(settings_path, "on_new_data =", "on_new_data = true")
    return settings_path


def split_into_files(source, folder, parts: int) -> list:
    """One dataset as ``parts`` CSV files, each with the header (a multipart upload)."""
    with source.open(newline="") as stream:
        header, *rows = list(csv.reader(stream))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for part in range(parts):
        path = folder / f"part-{part:03d}.csv"
        with path.open("w", newline="") as stream:
            csv.writer(stream).writerows([header, *rows[part::parts]])
        paths.append(path)
    return paths


def watch_once(settings, workspace, now, started):
    lines = []

    def start_run(run: DueRun) -> int:
        started.append(run)
        return 0

    watch(settings, workspace, once=True, say=lines.append, clock=lambda: now,
          sleep=None, start_run=start_run)  # fmt: skip
    return lines


def test_a_file_dropped_into_the_raw_prefix_starts_one_run_once_uploads_go_quiet(project):
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    sample_csv(workspace.raw_data / "december.csv", rows=600)
    quiet = timedelta(minutes=settings.new_data_quiet_minutes)
    runs: list[DueRun] = []

    said = watch_once(settings, workspace, T0, runs)
    assert runs == [] and any("set the run's start to 2026-12-04 09:15:00 UTC" in s for s in said)
    watch_once(settings, workspace, T0 + quiet - timedelta(seconds=1), runs)
    assert runs == []  # still quiet: nothing due
    watch_once(settings, workspace, T0 + quiet, runs)
    (run,) = runs
    assert run.new_data == "s3://local-artifacts/data/raw/december.csv"
    assert run.run_name.startswith(f"{settings.slug}-") and "<" not in run.run_name
    # The schedule deleted itself (ActionAfterCompletion DELETE): it starts one run.
    assert LocalScheduler(workspace.root).due(T0 + 10 * quiet) == []
    watch_once(settings, workspace, T0 + 10 * quiet, runs)
    assert len(runs) == 1

    # The run it starts: the whole raw prefix, through the deployed definition.
    result = run_locally(
        settings, project.parent, data_folder=workspace.raw_data, run_name=run.run_name,
        new_data=run.new_data, say=lambda _: None,
    )  # fmt: skip
    assert result.exit_code() == 0
    started = result.execution.events[0]
    assert started.type == "ExecutionStarted"
    assert started.details["input"]["NewData"] == run.new_data
    endpoint, _ = live_model(workspace, endpoint_name(settings))
    assert endpoint["EndpointStatus"] == "InService"


def test_ten_files_at_once_start_one_run(project, tmp_path):
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    parts = split_into_files(sample_csv(tmp_path / "all.csv", rows=500), workspace.raw_data, 10)
    scheduler = LocalScheduler(workspace.root)
    quiet = timedelta(minutes=settings.new_data_quiet_minutes)

    # The files arrive over two minutes; each moves the one schedule later.
    outcomes = [notice(settings, workspace, scheduler, T0 + timedelta(seconds=12 * i), [path])[0]
                for i, path in enumerate(parts)]  # fmt: skip
    assert [o["Action"] for o in outcomes] == ["created"] + ["moved"] * 9
    last = T0 + timedelta(seconds=12 * 9)
    assert due_runs(scheduler, last + quiet - timedelta(seconds=1)) == []
    (run,) = due_runs(scheduler, last + quiet)
    assert run.new_data.endswith("part-009.csv")
    assert due_runs(scheduler, last + 2 * quiet) == []
    # Noticed once each: a later pass hands none of them to the trigger again.
    assert notice(settings, workspace, scheduler, last + 2 * quiet) == []
    # The run reads all ten files, as the Glue job reads the whole prefix.
    with run_input(workspace.root, None, 1, project_schema(), workspace.raw_data) as given:
        assert sorted(p.name for p in given.folder.iterdir()) == [p.name for p in parts]
        assert given.description.startswith("data: the 10 file(s) under ")


def test_upload_data_local_copies_never_overwrites_and_sets_the_start(project, tmp_path, capsys):
    source = sample_csv(tmp_path / "new.csv", rows=50)
    assert main(["--settings", str(project), "upload-data", "--local", str(source)]) == 0
    out = capsys.readouterr().out
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    copy = workspace.raw_data / "new.csv"
    assert f"uploaded {copy}" in out and copy.read_bytes() == source.read_bytes()
    assert "set the run's start to" in out and "'watch --local' starts the run" in out
    schedule = LocalScheduler(workspace.root).get_schedule(
        Name=new_data_schedule_name(load_settings(project))
    )
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert main(["--settings", str(project), "upload-data", "--local", str(source)]) == 2
    assert "exists and is never overwritten" in capsys.readouterr().err
    assert copy.read_bytes() == source.read_bytes()


def test_with_on_new_data_false_an_upload_starts_nothing_and_watch_says_why(project, tmp_path,
                                                                            capsys):  # fmt: skip
    replace_line(project, "on_new_data =", "on_new_data = false")
    source = sample_csv(tmp_path / "new.csv", rows=50)
    assert main(["--settings", str(project), "upload-data", "--local", str(source)]) == 0
    assert "new data starts no run (retraining.on_new_data = false)" in capsys.readouterr().out
    assert not (project.parent / LOCAL_FOLDER / "scheduler").exists()
    assert main(["--settings", str(project), "watch", "--local", "--once"]) == 2
    assert "retraining.on_new_data is false" in capsys.readouterr().err
    assert main(["--settings", str(project), "watch", "--once"]) == 2
    assert "local mode only" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "1441", "true"])
def test_the_quiet_period_is_checked_like_every_setting(project, value):
    replace_line(project, "new_data_quiet_minutes =", f"new_data_quiet_minutes = {value}")
    with pytest.raises(SettingsError, match="new_data_quiet_minutes"):
        load_settings(project)
