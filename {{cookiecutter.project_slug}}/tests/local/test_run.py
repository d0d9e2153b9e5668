"""The whole pipeline in local mode: real Spark, real xgboost, the real evaluator,
the committed definition, and a local endpoint answered over HTTP."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from project.cli import main
from project.local import services as local_aws
from project.local.inputs import run_input
from project.local.interpreter import Interpreter
from project.local.registry import LocalRegistry
from project.local.run import LOCAL_FOLDER, load_definition, local_handlers, spark_session
from project.local.serve import make_server
from project.local.services import LOCAL_BUCKET, LocalServices, Workspace, live_model
from project.settings import load_settings
from project.settings.names import endpoint_name
from project.workflow.state_names import State

from ..conftest import (
    copy_project,
    encoded_row,
    project_schema,
    replace_line,
    run_of,
    set_replace_on_tie,
)
from ..project_alias import PACKAGE

# Spark: every test that uses it shares one test worker's JVM (xdist_group "spark", make test).
pytestmark = pytest.mark.xdist_group("spark")

ROWS = "1000"
PROJECT_FILES = ("README.md", "statemachine")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project copy that has run locally twice, passing the gate both times.

    Each run takes the same sample, so it trains the same model: a tie with the live
    one, which only replace_on_tie lets a later run win (and so update the endpoint),
    as these tests need. test_a_tie_keeps_the_live_model turns it off.
    """
    settings_path = copy_project(tmp_path_factory.mktemp("project"), *PROJECT_FILES)
    set_replace_on_tie(settings_path, True)
    for _ in range(2):
        assert main(["--settings", str(settings_path), "run", "--local", "--rows", ROWS]) == 0
    return settings_path


def request(url, data=None, content_type="text/csv"):
    headers = {"Content-Type": content_type} if data is not None else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_passing_run_deploys_and_the_local_endpoint_answers(project):
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    _, archive = live_model(workspace, endpoint_name(settings))
    server = make_server(archive, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert request(f"{base}/ping") == (200, "")
        # The sample's label follows its first features (sample_data.py): a row strong
        # in them is positive, a weak one negative.
        rows = f"{encoded_row(settings.data, True)}\n{encoded_row(settings.data, False)}\n"
        status, body = request(f"{base}/invocations", rows.encode())
        predictions = [float(line) for line in body.split()]
        assert status == 200 and len(predictions) == 2
        assert all(0 <= p <= 1 for p in predictions)
        assert predictions[0] > predictions[1]
        features = len(rows.splitlines()[0].split(","))
        assert request(f"{base}/invocations", b"1,2\n") == (
            400,
            f"each row needs {features} features, got 2\n",
        )
        assert request(f"{base}/invocations", b"{}", "application/json")[0] == 415
    finally:
        server.shutdown()
        server.server_close()


def test_the_second_run_updated_the_endpoint_and_both_models_are_kept(project):
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    endpoint = workspace.load("endpoints", endpoint_name(load_settings(project)))
    assert len(endpoint["History"]) == 2
    first, second = endpoint["History"]
    assert first["ModelName"] != second["ModelName"] == endpoint["ModelName"]
    for entry in endpoint["History"]:
        assert workspace.path_of(entry["ModelDataUrl"]).is_file()


def test_the_model_version_records_which_raw_files_trained_it(project, capsys):
    """#25: retraining.train_on and the files it chose (training_inputs.json, beside the
    baseline) are recorded in the version, and `models` shows the choice."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    newest = LocalRegistry(workspace, settings.region, "0").list_model_packages(settings.slug)[-1]
    metadata = newest["CustomerMetadataProperties"]
    assert metadata["TrainOn"] == settings.train_on == "all"
    inputs = json.loads(workspace.path_of(metadata["TrainingInputs"]).read_text())
    assert inputs["train_on"] == "all" and len(inputs["files"]) == 1
    capsys.readouterr()
    assert main(["--settings", str(project), "models", "--local"]) == 0
    header, latest = capsys.readouterr().out.splitlines()[:2]
    column = header.index("data")
    assert latest[column:].split()[0] == "all"


def test_each_run_writes_its_history_with_step_functions_event_names(project):
    folder = project.parent / LOCAL_FOLDER / "executions"
    runs = [
        [json.loads(line) for line in path.read_text().splitlines()] for path in folder.iterdir()
    ]
    succeeded = sorted(
        (events for events in runs if events[-1]["type"] == "ExecutionSucceeded"),
        key=lambda events: events[0]["timestamp"],
    )
    assert len(succeeded) >= 2  # later tests may add runs
    first = succeeded[0]
    types = [event["type"] for event in first]
    assert types[0] == "ExecutionStarted"
    for expected in ("TaskStateEntered", "TaskScheduled", "TaskSucceeded", "ChoiceStateEntered"):
        assert expected in types
    entered = [
        {e.get("name") for e in events if e["type"].endswith("Entered")} for events in succeeded[:2]
    ]
    assert State.CREATE_ENDPOINT in entered[0] and State.UPDATE_ENDPOINT not in entered[0]
    assert State.UPDATE_ENDPOINT in entered[1] and State.CREATE_ENDPOINT not in entered[1]


def test_a_run_below_the_bar_fails_the_gate_and_keeps_the_live_model(project, capsys):
    settings = load_settings(project)
    live_before = Workspace(project.parent / LOCAL_FOLDER).load(
        "endpoints", endpoint_name(settings)
    )["ModelName"]
    impossible = "0.0" if settings.quality_gate.lower_is_better else "1.0"
    replace_line(project, "threshold =", f"threshold = {impossible}")
    try:
        assert main(["--settings", str(project), "render"]) == 0
        capsys.readouterr()
        code = main(["--settings", str(project), "run", "--local", "--rows", ROWS])
        output = capsys.readouterr()
    finally:
        replace_line(project, "threshold =", f"threshold = {settings.quality_gate.threshold}")
        main(["--settings", str(project), "render"])
    assert code == 1
    failure = output.err.strip().splitlines()
    assert len(failure) == 1 and failure[0].startswith("FAILED: QualityGateFailed: ")
    assert settings.quality_gate.metric in failure[0]
    # What the progress says is the decision the run took, not the one it hoped for.
    (gate_line,) = [line for line in output.out.splitlines() if "quality gate:" in line]
    assert gate_line.endswith(", keep the live model") and " is not " in gate_line
    live_after = Workspace(project.parent / LOCAL_FOLDER).load(
        "endpoints", endpoint_name(settings)
    )["ModelName"]
    assert live_after == live_before


def test_a_tie_keeps_the_live_model(project, capsys):
    """#26: the same data again scores the same; by default that keeps the live model."""
    set_replace_on_tie(project, False)  # as a new project has it
    try:
        settings = load_settings(project)
        workspace = Workspace(project.parent / LOCAL_FOLDER)
        live_before = workspace.load("endpoints", endpoint_name(settings))["ModelName"]
        capsys.readouterr()
        code = main(["--settings", str(project), "run", "--local", "--rows", ROWS])
        output = capsys.readouterr()
    finally:
        set_replace_on_tie(project, True)
    assert code == 1
    (failure,) = output.err.strip().splitlines()
    assert failure.startswith("FAILED: NotBetterThanLiveModel: ")
    assert "an improvement of 0, a tie, which keeps the live model" in failure
    assert re.search(r"registered as version \d+: Rejected", output.out)
    assert workspace.load("endpoints", endpoint_name(settings))["ModelName"] == live_before


def test_a_stale_definition_is_refused(tmp_path, capsys):
    settings_path = copy_project(tmp_path, *PROJECT_FILES)
    replace_line(settings_path, "max_depth =", "max_depth = 3")
    assert main(["--settings", str(settings_path), "run", "--local"]) == 2
    assert "does not match settings.toml; run" in capsys.readouterr().err


def test_missing_data_is_one_clear_line(tmp_path, capsys):
    settings_path = copy_project(tmp_path, *PROJECT_FILES)
    code = main(["--settings", str(settings_path), "run", "--local", "--data", "nope.csv"])
    assert code == 2
    assert capsys.readouterr().err == "error: --data nope.csv does not exist; give a CSV file\n"


def test_missing_java_is_one_clear_line(tmp_path, capsys, monkeypatch):
    settings_path = copy_project(tmp_path, *PROJECT_FILES)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert main(["--settings", str(settings_path), "run", "--local"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: local mode runs the Glue job on Spark, which needs Java 17+")
    assert error.count("\n") == 1


def test_a_definition_that_does_not_ask_for_the_gates_metric_fails_at_the_evaluator(project):
    """Without eval_metric the XGBoost container reports only logloss (binary:logistic):
    the evaluator then finds no validation:error, as it would on AWS."""
    settings = load_settings(project)
    definition = load_definition(settings, project.parent)
    training = definition["States"][State.TRAIN_MODEL]["Parameters"]["HyperParameters"]
    assert training.pop("eval_metric")
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    with run_input(workspace.root, None, int(ROWS), project_schema()) as given:
        services = LocalServices(workspace, settings.region, spark_session, given.folder)
        handlers = local_handlers(definition, services)
        interpreter = Interpreter(definition, handlers, sleep=lambda seconds: None)
        execution = interpreter.run({"RunName": f"{settings.slug}-no-eval-metric"})
    failed = [e.details for e in execution.events if e.type == "TaskFailed"]
    if settings.quality_gate.metric == "validation:logloss":  # the objective's default
        assert "MetricNotFound" not in {failure["error"] for failure in failed}
        return
    assert execution.status == "FAILED"
    assert failed[-1]["error"] == "MetricNotFound"
    assert settings.quality_gate.metric in failed[-1]["cause"]


def test_a_model_that_cannot_serve_is_not_deployed_and_the_live_one_stays(
    project, capsys, monkeypatch
):
    """The update is accepted, then the endpoint stays InService on its previous config
    with a FailureReason; the run waits, sees it and fails saying so, and the version is
    marked Rejected. Injected: the hosting container cannot load the model (batch
    transform, on other instances, scored it)."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    live_before = live_model(workspace, endpoint_name(settings))[0]["ModelName"]

    def cannot_load(archive):
        raise ValueError(f"cannot load {archive}")

    monkeypatch.setattr(local_aws, "start_serving_container", cannot_load)
    capsys.readouterr()
    code = main(["--settings", str(project), "run", "--local", "--rows", ROWS])
    output = capsys.readouterr()
    monkeypatch.undo()
    assert code == 1
    assert output.err.startswith("FAILED: EndpointUpdateFailed: ")
    assert "still serves" in output.err and local_aws.HEALTH_CHECK_FAILURE in output.err
    assert "endpoint status: Updating" in output.out
    endpoint, _ = live_model(workspace, endpoint_name(settings))
    assert endpoint["ModelName"] == live_before and endpoint["EndpointStatus"] == "InService"
    newest = LocalRegistry(workspace, settings.region, "0").list_model_packages(settings.slug)[-1]
    assert newest["ModelApprovalStatus"] == "Rejected"
    assert local_aws.HEALTH_CHECK_FAILURE in newest["ApprovalDescription"]
    # The next run updates the endpoint again, and the reason of the last failure goes.
    assert main(["--settings", str(project), "run", "--local", "--rows", ROWS]) == 0
    endpoint, _ = live_model(workspace, endpoint_name(settings))
    assert endpoint["ModelName"] != live_before and "FailureReason" not in endpoint


@pytest.mark.slow  # a whole run whose training starts two processes: about 20 s
def test_a_run_on_two_training_instances_shards_the_data_between_them(tmp_path):
    """#24: training.instance_count = 2 trains one model on two "instances", each on its
    share of the ETL's files (ShardedByS3Key); none is left without data."""
    settings_path = copy_project(tmp_path, *PROJECT_FILES)
    text = settings_path.read_text()
    training = text.index("[training]")
    settings_path.write_text(text[:training] + text[training:].replace(
        "instance_count = 1", "instance_count = 2", 1))  # fmt: skip
    assert main(["--settings", str(settings_path), "render"]) == 0
    assert main(["--settings", str(settings_path), "run", "--local", "--rows", ROWS]) == 0
    workspace = Workspace(tmp_path / LOCAL_FOLDER)
    (job_file,) = workspace._record("training-jobs").glob("*.json")
    job = json.loads(job_file.read_text())
    assert job["ResourceConfig"]["InstanceCount"] == 2 and "HostsWithoutData" not in job
    run = job["TrainingJobName"]
    for channel in ("train", "validation"):
        parts = list(workspace.path_of(f"s3://{LOCAL_BUCKET}/runs/{run}/{channel}/").glob("part-*"))
        assert len(parts) == 2


@pytest.mark.slow  # a new interpreter and JVM: about 15 s
def test_a_run_in_a_new_process_prints_its_progress_and_nothing_else(tmp_path):
    """Spark's start-up banner, log4j warnings, pyspark's and the SDK's import warnings
    go to .local/logs, not to the user's terminal (--verbose shows them)."""
    import subprocess
    import sys

    settings_path = copy_project(tmp_path, *PROJECT_FILES)
    command = [sys.executable, "-m", PACKAGE, "--settings",
               str(settings_path), "run", "--local", "--rows", ROWS]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    noise = ("WARN", "log4j", "Warning", "SparkContext", "setLogLevel", "Traceback")
    assert not [line for line in result.stdout.splitlines() if any(n in line for n in noise)]
    assert (tmp_path / LOCAL_FOLDER / "logs" / "spark.log").stat().st_size > 0


def test_a_reused_run_name_is_refused_before_anything_is_written(project, capsys):
    """SageMaker refuses a second training job of the same name, but only after the ETL
    has replaced the first run's data, which its registered version records as its
    lineage: the name is refused first, in one line, and nothing changes. The name
    reused is the live model's: the run that trained what the endpoint serves."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, archive = live_model(workspace, endpoint_name(settings))
    name = run_of(record["ModelDataUrl"])
    served = archive.read_bytes()
    data = workspace.path_of(f"s3://{LOCAL_BUCKET}/runs/{name}/")
    before = {path: path.stat().st_mtime_ns for path in data.rglob("*") if path.is_file()}
    histories_before = sorted((workspace.root / "executions").glob(f"{name}*.jsonl"))
    assert before and histories_before  # the run whose name is reused wrote both
    capsys.readouterr()
    command = ["--settings", str(project), "run", "--local", "--rows", ROWS, "--run-name", name]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"--run-name {name} was used by an earlier run" in error
    assert live_model(workspace, endpoint_name(settings))[1].read_bytes() == served
    assert {path: path.stat().st_mtime_ns for path in data.rglob("*") if path.is_file()} == before
    assert sorted((workspace.root / "executions").glob(f"{name}*.jsonl")) == histories_before
