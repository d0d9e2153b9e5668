"""Local mode: the deployed definition, run on this machine against local services.

``run_locally`` reads statemachine/definition.asl.json (refusing a stale one), fills
in the deployment placeholders with local values, maps each Task to its local
implementation (services.py) and runs it with the project's ASL interpreter,
printing each state as it goes and writing the execution history as JSON lines
with Step Functions' event names.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import exit_codes, sample_data
from ..settings import Settings, SettingsError
from ..settings.names import (
    endpoint_name,
    model_package_group_name,
    rollback_alarm_names,
    state_machine_name,
)
from ..workflow.definition import PLACEHOLDERS, read_committed_definition
from ..workflow.display import Display, PlainDisplay
from ..workflow.progress import Progress
from ..workflow.state_names import State
from .accounts import LOCAL_FOLDER as LOCAL_FOLDER  # the first stage's, for the commands
from .accounts import later_stage_accounts, stage_account, stage_folder
from .inputs import LocalModeError, exclusive_run, run_input
from .interpreter import Event, Execution, Interpreter
from .interrupts import interrupts_never_swallowed
from .services import LOCAL_BUCKET, Alarm, LocalServices, Workspace
from .spark_classes import ClassArchive, java_executable

MINIMUM_JAVA = 17


@dataclass(frozen=True)
class LocalRun:
    execution: Execution
    history: Path
    run_name: str | None

    @property
    def succeeded(self) -> bool:
        return self.execution.status == "SUCCEEDED"

    def exit_code(self) -> int:
        """The command's exit code; a failure's error and cause go to stderr."""
        if self.succeeded:
            return exit_codes.DONE
        if self.execution.status == "ABORTED":
            return exit_codes.INTERRUPTED
        print(f"FAILED: {self.execution.error}: {self.execution.cause}", file=sys.stderr)
        return exit_codes.FAILED


def local_values(settings: Settings) -> dict[str, str]:
    """What CloudFormation fills in on AWS, for local mode."""
    return {
        PLACEHOLDERS["ArtifactBucket"]: LOCAL_BUCKET,
        PLACEHOLDERS["SageMakerRoleArn"]: f"arn:aws:iam::{stage_account(settings)}:role/local",
        PLACEHOLDERS["TrainingImageUri"]: "local/sagemaker-xgboost:1.7-1",
        PLACEHOLDERS["GlueScriptKey"]: _code_key("GlueScriptKey"),
        PLACEHOLDERS["EvaluatorCodeKey"]: _code_key("EvaluatorCodeKey"),
    }


def _code_key(parameter: str) -> str:
    """The S3 key a deploy would give the code artifact: it names the content's hash."""
    from ..aws.artifacts import build_artifacts

    return build_artifacts("")[parameter].key


def local_alarms(settings: Settings) -> dict[str, Alarm]:
    """The rollback alarms the pipeline stack creates, with the settings' thresholds."""
    errors, latency = rollback_alarm_names(settings)
    return {
        errors: Alarm("Invocation5XXErrors", settings.alarm_5xx_errors),
        latency: Alarm("ModelLatency", settings.alarm_latency_ms * 1000),  # microseconds
    }


def local_services(settings: Settings, workspace: Workspace, spark=None, folder=None,
                   label=None) -> LocalServices:  # fmt: skip
    """The local stand-ins, with what the project's stacks create on AWS."""
    return LocalServices(
        workspace, settings.region, spark, folder, label,
        alarms=local_alarms(settings), registry_group=model_package_group_name(settings),
        account=stage_account(settings),
        promotion_accounts=tuple(later_stage_accounts(settings)) if settings.is_first_stage else (),
    )  # fmt: skip


def load_definition(settings: Settings, project_root: Path) -> dict[str, Any]:
    committed = read_committed_definition(settings, project_root)
    for placeholder, value in local_values(settings).items():
        committed = committed.replace(placeholder, value)
    return json.loads(committed)


def check_java() -> None:
    java = java_executable()
    if not java or not Path(java).exists():
        raise LocalModeError(
            f"local mode runs the Glue job on Spark, which needs Java {MINIMUM_JAVA}+; "
            "none found: install one (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', version)
    if match and int(match.group(1)) < MINIMUM_JAVA:
        raise LocalModeError(
            f"Spark needs Java {MINIMUM_JAVA}+, found Java {match.group(1)} at {java}; "
            "install a newer one or set JAVA_HOME"
        )


@functools.cache
def spark_session():
    """One local[2] SparkSession per process: starting Spark takes seconds."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    classes = ClassArchive.for_this_environment()
    java_options = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", *classes.java_options()]
    session = (
        SparkSession.builder.master("local[2]")
        .appName("local-glue-job")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.shuffle.partitions", "2")
        # Adaptive execution and whole-stage code generation pay off on big data; on
        # a local sample, re-planning and compiling each query costs more than it saves.
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.host", "127.0.0.1")
        # The JVM's quick (C1) compiler and serial GC start Spark ~30% sooner, which
        # is most of a local run's time on small data; the class archive (spark_classes)
        # takes a session's start from about 6 s to 2 s.
        .config("spark.driver.extraJavaOptions", " ".join(java_options))
        .getOrCreate()
    )
    classes.publish_when_spark_ends(session)
    session.sparkContext.setLogLevel("ERROR")
    # Hadoop's local file system writes a .crc file beside each file; S3 does not,
    # and a training channel must hold data files only, as it does on AWS.
    jvm = session.sparkContext._jvm
    hadoop_fs = jvm.org.apache.hadoop.fs.FileSystem
    hadoop_fs.getLocal(session.sparkContext._jsc.hadoopConfiguration()).setWriteChecksum(False)
    return session


def local_handlers(definition: dict[str, Any], services: LocalServices) -> dict[str, Any]:
    """Each Task's Resource mapped to its local stand-in."""
    return {
        state["Resource"]: services.handlers()[state["Resource"].split("states:::", 1)[1]]
        for state in definition["States"].values()
        if state["Type"] == "Task"
    }


def _new_history_file(folder: Path, name: str) -> Path:
    """A history file of its own: a run that reuses a name keeps the earlier history."""
    folder.mkdir(parents=True, exist_ok=True)
    path, attempt = folder / f"{name}.jsonl", 1
    while path.exists():
        attempt += 1
        path = folder / f"{name}.{attempt}.jsonl"
    return path


def _no_wait(seconds: float) -> None:
    """Wait states and Retry intervals take no time in local mode."""


def quiet_spark_session(log: Path):
    """The SparkSession, with the JVM's own output (start-up banner, log4j warnings,
    for as long as the JVM lives) written to ``log`` instead of the user's terminal."""
    if spark_session.cache_info().currsize:
        return spark_session()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as target:
        terminal = os.dup(2)
        os.dup2(target.fileno(), 2)  # the JVM inherits this file as its stderr
        try:
            with warnings.catch_warnings():
                # pyspark's notice that it does not fully support the pandas installed
                warnings.simplefilter("ignore", FutureWarning)
                return spark_session()
        finally:
            os.dup2(terminal, 2)
            os.close(terminal)


def spark_starter(workspace_root: Path, verbose: bool) -> Callable[[], Any]:
    """What starts local Spark: with --verbose as is, else with the JVM's output in
    <workspace>/logs/spark.log (local mode and `data check` share the session)."""
    if verbose:
        return spark_session
    return functools.partial(quiet_spark_session, workspace_root / "logs" / "spark.log")


@contextlib.contextmanager
def _library_logs_to(log: Path | None) -> Iterator[None]:
    """Send what libraries log (py4j's tracebacks when a run is interrupted, say) to
    ``log`` rather than to the user's terminal, for the length of a run."""
    if log is None:
        yield
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()


def run_locally(
    settings: Settings,
    project_root: Path,
    rows: int = sample_data.DEFAULT_ROWS,
    data: Path | None = None,
    run_name: str | None = None,
    say: Callable[[str], None] = print,
    verbose: bool = False,
    display: Display | None = None,
    approved_version_arn: str | None = None,
    data_folder: Path | None = None,
    new_data: str | None = None,
) -> LocalRun:
    """Run the committed definition locally; ``display`` (default: plain lines through
    ``say``) shows its progress."""
    check_java()
    definition = load_definition(settings, project_root)
    workspace = Workspace(project_root / stage_folder(settings).name)
    if run_name:
        refuse_a_used_run_name(workspace, run_name)
    logs = workspace.root / "logs"
    spark = spark_starter(workspace.root, verbose)
    with (
        interrupts_never_swallowed(),
        exclusive_run(workspace.root),
        _library_logs_to(None if verbose else logs / "libraries.log"),
        run_input(workspace.root, data, rows, settings.data, data_folder) as given,
        display or PlainDisplay(say) as display,
    ):
        display.say(given.description)
        services = local_services(
            settings, workspace, spark, given.folder, str(data) if data else None
        )
        services.say = display.say  # a long training tells its rounds
        progress = Progress(settings, display)

        def listen(event: Event) -> None:
            progress.on_event(event.type, event.details, datetime.fromisoformat(event.timestamp))

        # Local stand-ins change state when asked, not with time: no Wait is waited out.
        handlers = local_handlers(definition, services)
        interpreter = Interpreter(
            definition, handlers, listener=listen, sleep=_no_wait,
            state_machine_arn=f"arn:aws:states:{settings.region}:{stage_account(settings)}:stateMachine:"
            f"{state_machine_name(settings)}",
        )  # fmt: skip
        execution_input = {"RunName": run_name} if run_name else {}
        if new_data:  # what the new-data trigger's schedule starts on AWS
            execution_input["NewData"] = new_data
        if approved_version_arn:  # what the registry's approval event starts on AWS
            execution_input = {"ApprovedModelPackageArn": approved_version_arn}
        execution = interpreter.run(execution_input)
    name = (execution.output or {}).get("Run", {}).get("Name") or progress.run_name
    history = _new_history_file(workspace.root / "executions", name or "unnamed")
    with history.open("w", encoding="utf-8") as stream:
        for event in execution.events:
            record = {"timestamp": event.timestamp, "type": event.type, **event.details}
            stream.write(json.dumps(record, default=str) + "\n")
    _summarize(settings, execution, workspace, history, display.say)
    return LocalRun(execution, history, name)


def refuse_a_used_run_name(workspace: Workspace, run_name: str) -> None:
    """A name a run used before: SageMaker would refuse its training job (ResourceInUse),
    but only after the ETL had replaced the earlier run's data, which a registered
    version records as its lineage. Refused before anything is written."""
    data = workspace.path_of(f"s3://{LOCAL_BUCKET}/runs/{run_name}/")
    if workspace.load("training-jobs", run_name) is not None or data.exists():
        raise SettingsError(
            f"--run-name {run_name} was used by an earlier run (its data is under {data}); "
            "SageMaker refuses a training job name twice: choose another name, or leave "
            "--run-name out for a new one"
        )


def _last_state(execution: Execution) -> str | None:
    entered = [e.details.get("name") for e in execution.events if e.type.endswith("StateEntered")]
    return entered[-1] if entered else None


def _summarize(
    settings: Settings, execution: Execution, workspace: Workspace, history: Path, say
) -> None:
    last_state = _last_state(execution)
    if execution.status == "SUCCEEDED" and last_state == State.AWAITING_APPROVAL:
        version = (execution.output or {}).get("Registered", {}).get("ModelPackageArn", "")
        number = version.rsplit("/", 1)[-1]
        say(f"SUCCEEDED: version {number} awaits manual approval; the endpoint is unchanged")
        say(f"  approve it: {settings.slug} approve {number} --local")
        say(f"  history: {history}")
    elif execution.status == "SUCCEEDED" and last_state == State.DEPLOYED_BY_ITS_RUN:
        say("SUCCEEDED: nothing to do, the run that registered this version deployed it")
    elif execution.status == "SUCCEEDED":
        endpoint = endpoint_name(settings)
        record = workspace.load("endpoints", endpoint) or {}
        model = workspace.path_of(record["ModelDataUrl"]) if record else None
        say(f"SUCCEEDED: {endpoint} now serves {record.get('ModelName')}")
        say(f"  model:   {model}")
        say(f"  history: {history}")
        stage = "" if settings.is_first_stage else f" --stage {settings.stage}"
        say(
            f"  query it: {settings.slug} serve{stage}  (then POST text/csv to "
            "http://127.0.0.1:8080/invocations)"
        )
    elif execution.status == "ABORTED":
        record = workspace.load("endpoints", endpoint_name(settings)) or {}
        if "Pending" in record:
            serving = "an update it started is pending: the next run's endpoint check ends it"
        elif record.get("History"):
            serving = f"the endpoint serves {record['ModelName']}"
        else:
            serving = "no model was deployed"
        say(f"ABORTED: interrupted; {serving}")
        say(f"  history: {history}")
    else:
        say(f"  history: {history}")
