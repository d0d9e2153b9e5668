"""Local mode: the deployed definition, run on this machine against local services.

``run_locally`` reads statemachine/definition.asl.json (refusing a stale one), fills
in the deployment placeholders with local values, maps each Task to its local
implementation (local_aws.py) and runs it with the project's ASL interpreter,
printing each state as it goes and writing the execution history as JSON lines
with Step Functions' event names.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import sample_data
from .asl_interpreter import Event, Execution, Interpreter
from .local_aws import LOCAL_ACCOUNT, LOCAL_BUCKET, LocalServices, Workspace
from .settings import Settings, SettingsError
from .state_names import State
from .workflow import PLACEHOLDERS, endpoint_name, render_definition

LOCAL_FOLDER = ".local"
DEFINITION = Path("statemachine", "definition.asl.json")
MINIMUM_JAVA = 17


class LocalModeError(SettingsError):
    """Local mode cannot start: said in one line, with what to do."""


@dataclass(frozen=True)
class LocalRun:
    execution: Execution
    history: Path
    run_name: str | None

    @property
    def succeeded(self) -> bool:
        return self.execution.status == "SUCCEEDED"


def local_values(settings: Settings) -> dict[str, str]:
    """What CloudFormation fills in on AWS, for local mode."""
    return {
        PLACEHOLDERS["ArtifactBucket"]: LOCAL_BUCKET,
        PLACEHOLDERS["SageMakerRoleArn"]: f"arn:aws:iam::{LOCAL_ACCOUNT}:role/local",
        PLACEHOLDERS["TrainingImageUri"]: "local/sagemaker-xgboost:1.7-1",
    }


def load_definition(settings: Settings, project_root: Path) -> dict[str, Any]:
    path = project_root / DEFINITION
    if not path.is_file():
        raise LocalModeError(f"{DEFINITION} is missing; run '{settings.slug} render'")
    committed = path.read_text(encoding="utf-8")
    if committed != render_definition(settings):
        raise LocalModeError(
            f"{DEFINITION} does not match settings.toml; run '{settings.slug} render' first"
        )
    for placeholder, value in local_values(settings).items():
        committed = committed.replace(placeholder, value)
    return json.loads(committed)


def check_java() -> None:
    java = shutil.which("java")
    if os.environ.get("JAVA_HOME"):
        java = str(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
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

    session = (
        SparkSession.builder.master("local[2]")
        .appName("local-glue-job")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        # The JVM's quick (C1) compiler and serial GC start Spark ~30% sooner, which
        # is most of a local run's time on small data.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def prepare_data(workspace: Workspace, data: Path | None, rows: int) -> str:
    """Put raw data where the workflow reads it; returns a line saying what was used."""
    target = workspace.raw_data
    if data is not None:
        if not data.is_file():
            raise LocalModeError(f"--data {data} does not exist; give a CSV file")
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copyfile(data, target / data.name)
        return f"data: {data}"
    existing = sorted(target.glob("*.csv")) if target.is_dir() else []
    sample = target / "sample.csv"
    if existing and existing != [sample]:
        return f"data: {len(existing)} file(s) in {target}"
    if not sample.is_file() or _rows_in(sample) != rows:
        sample_data.generate(sample, rows=rows)
        return f"data: generated {rows} sample customers in {sample}"
    return f"data: {rows} sample customers in {sample}"


def _rows_in(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in stream) - 1


def run_locally(
    settings: Settings,
    project_root: Path,
    rows: int = sample_data.DEFAULT_ROWS,
    data: Path | None = None,
    run_name: str | None = None,
    say: Callable[[str], None] = print,
) -> LocalRun:
    check_java()
    definition = load_definition(settings, project_root)
    workspace = Workspace(project_root / LOCAL_FOLDER)
    say(prepare_data(workspace, data, rows))
    services = LocalServices(workspace, settings.region, spark_session)
    handlers = {
        state["Resource"]: services.handlers()[state["Resource"].split("states:::", 1)[1]]
        for state in definition["States"].values()
        if state["Type"] == "Task"
    }
    progress = Progress(settings, say)
    interpreter = Interpreter(definition, handlers, listener=progress.on_event)
    execution = interpreter.run({"RunName": run_name} if run_name else {})
    name = (execution.output or {}).get("Run", {}).get("Name") or progress.run_name
    history = workspace.root / "executions" / f"{name or 'unnamed'}.jsonl"
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("w", encoding="utf-8") as stream:
        for event in execution.events:
            record = {"timestamp": event.timestamp, "type": event.type, **event.details}
            stream.write(json.dumps(record, default=str) + "\n")
    progress.summary(execution, workspace, history)
    return LocalRun(execution, history, name)


class Progress:
    """Prints each state as it is entered and left, and the gate's decision."""

    def __init__(self, settings: Settings, say: Callable[[str], None]):
        self.settings, self.say = settings, say
        self.started: dict[str, float] = {}
        self.run_name: str | None = None
        self.evaluation: dict[str, Any] | None = None

    def on_event(self, event: Event) -> None:
        details = event.details
        if event.type.endswith("StateEntered"):
            self.started[details["name"]] = time.monotonic()
            self.say(f"  -> {details['name']}")
        elif event.type.endswith("StateExited"):
            name = details["name"]
            seconds = time.monotonic() - self.started.get(name, time.monotonic())
            self.say(f"  ok {name} ({seconds:.1f} s)")
            output = details.get("output") or {}
            if name == State.PLAN_LOCATIONS:
                self.run_name = output.get("Run", {}).get("Name")
                self.say(f"     run name: {self.run_name}")
            if name == State.EVALUATE_MODEL:
                self.evaluation = output.get("Evaluation")
            if name == State.QUALITY_GATE:
                self._gate_passed()
        elif event.type == "TaskFailed":
            self.say(f"  !! {details['error']}: {details['cause']}")
            if self.started and list(self.started)[-1] == State.CHECK_FOR_ENDPOINT:
                self.say("     (no endpoint yet: it will be created)")

    def _gate_passed(self) -> None:
        gate = self.settings.quality_gate
        value = (self.evaluation or {}).get("Value")
        comparison = "<" if gate.lower_is_better else ">"
        self.say(
            f"     quality gate: {gate.metric} = {value:.4f} {comparison} {gate.threshold:g}, "
            "deploy"
        )

    def summary(self, execution: Execution, workspace: Workspace, history: Path) -> None:
        if execution.status == "SUCCEEDED":
            endpoint = endpoint_name(self.settings)
            record = workspace.load("endpoints", endpoint) or {}
            model = workspace.path_of(record["ModelDataUrl"]) if record else None
            self.say(f"SUCCEEDED: {endpoint} now serves {record.get('ModelName')}")
            self.say(f"  model:   {model}")
            self.say(f"  history: {history}")
            self.say(
                f"  query it: {self.settings.slug} serve  (then POST text/csv to "
                "http://127.0.0.1:8080/invocations)"
            )
        else:
            self.say(f"  history: {history}")
