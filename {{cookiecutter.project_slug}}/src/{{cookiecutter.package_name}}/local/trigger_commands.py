"""What starts local runs besides `run --local`: new data (`upload-data --local`,
`watch --local`, local/new_data.py) and drift (`drift --local`, local/drift.py).

Loaded with the command line: local mode's modules (Spark, xgboost) load only when
one of these commands runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from .. import exit_codes
from ..settings import SettingsError, load_settings


def _workspace(settings):
    from .run import LOCAL_FOLDER
    from .services import Workspace

    return Workspace(settings.path.parent / LOCAL_FOLDER)


def upload_data_locally(arguments: argparse.Namespace) -> int:
    from . import new_data
    from .scheduler import LocalScheduler

    settings = load_settings(arguments.settings)
    if arguments.csv is None or arguments.sample:
        raise SettingsError("upload-data --local takes a CSV file (--sample is for AWS)")
    workspace = _workspace(settings)
    copy = new_data.upload_locally(workspace, arguments.csv)
    print(f"uploaded {copy}")
    if not settings.on_new_data:
        print("new data starts no run (retraining.on_new_data = false); "
              f"'run --local --data {arguments.csv}' trains on it")  # fmt: skip
        return exit_codes.DONE
    scheduler = LocalScheduler(workspace.root)
    for outcome in new_data.notice(settings, workspace, scheduler, datetime.now(UTC), [copy]):
        new_data.say_what_the_trigger_did(outcome, print)
    print("'watch --local' starts the run when it is due")
    return exit_codes.DONE


def watch_locally(arguments: argparse.Namespace) -> int:
    if not arguments.local:
        raise SettingsError("watch runs in local mode only (--local); on AWS, EventBridge "
                            "and Scheduler start the runs (retraining.on_new_data)")  # fmt: skip
    from . import new_data

    settings = load_settings(arguments.settings)
    workspace = _workspace(settings)

    def start_run(run: new_data.DueRun) -> int:
        return _run_locally(settings, arguments, workspace.raw_data, run.run_name, run.new_data)

    return new_data.watch(
        settings, workspace, once=arguments.once, say=print,
        clock=lambda: datetime.now(UTC), sleep=time.sleep, start_run=start_run,
    )  # fmt: skip


def drift_command(arguments: argparse.Namespace) -> int:
    """`drift --local` checks the local endpoint's captures now (and retrains on drift
    when retraining.on_drift is on); `drift` shows the newest check's report on AWS."""
    settings = load_settings(arguments.settings)
    if not arguments.local:
        from ..models.drift import drift_on_aws

        return drift_on_aws(settings)
    from .drift import check_live_model

    workspace = _workspace(settings)
    report = check_live_model(settings, workspace)
    for line in report.lines():
        print(line)
    if not report.violations:
        return exit_codes.DONE
    if not settings.on_drift:
        print("retraining.on_drift = false: no run starts (set it to true to retrain on drift)")
        return exit_codes.FAILED
    from .inputs import data_files

    raw = workspace.raw_data if data_files(workspace.raw_data) else None
    print(f"retraining on drift (retraining.on_drift): a run on "
          f"{'the local raw data' if raw else 'the sample'} starts")  # fmt: skip
    _run_locally(settings, arguments, raw)  # says on stderr why the run failed, if it did
    return exit_codes.FAILED  # the check found drift, whatever the run did


def _run_locally(settings, arguments, data_folder, run_name=None, new_data=None) -> int:
    """A local run as the trigger would start it; its exit code."""
    from ..workflow.display import display_for
    from .run import run_locally  # imports Spark and xgboost: only when a run starts

    result = run_locally(
        settings, settings.path.parent, data_folder=data_folder, run_name=run_name,
        new_data=new_data, verbose=arguments.verbose, display=display_for(sys.stdout),
    )  # fmt: skip
    return result.exit_code()


def add_arguments(upload: argparse.ArgumentParser, watch: argparse.ArgumentParser) -> None:
    upload.add_argument(
        "--local", action="store_true",
        help="into the local raw-data prefix (.local/), where new data starts local runs",
    )  # fmt: skip
    watch.add_argument("--local", action="store_true", help="required: local mode only")
    watch.add_argument("--once", action="store_true", help="one pass, then exit")
    watch.set_defaults(handler=watch_locally)


def upload_data_handler(aws_handler):
    """upload-data: to S3, or with --local into .local/."""

    def handler(arguments: argparse.Namespace) -> int:
        return upload_data_locally(arguments) if arguments.local else aws_handler(arguments)

    return handler
