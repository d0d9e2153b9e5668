"""Drift, locally: the ETL writes the training features' baseline beside the model,
`serve` captures a sample of the traffic as SageMaker's data capture does, and
`drift --local` checks the captured requests against the live model's baseline,
reporting in Model Monitor's constraint_violations.json shape.

Emulated: the endpoint (the local server) and its data capture (local/capture.py);
the check itself is the code AWS would run (steps/drift_check.py).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.request
from pathlib import Path

import pytest
from project.cli import main
from project.local.capture import capture_of
from project.local.run import LOCAL_FOLDER
from project.local.serve import make_server
from project.local.services import LOCAL_BUCKET, Workspace, live_model
from project.settings import load_settings
from project.settings.names import endpoint_name
from project.steps.drift_check import baseline_uri

from ..conftest import copy_project, replace_line, run_of

# Spark: every test that uses it shares one test worker's JVM (xdist_group "spark", make test).
pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with a live local model, capturing every request."""
    settings_path = copy_project(tmp_path_factory.mktemp("drift"), "README.md", "statemachine")
    replace_line(settings_path, "capture_percent =", "capture_percent = 100")
    assert main(["--settings", str(settings_path), "render"]) == 0  # DataCaptureConfig
    assert main(["--settings", str(settings_path), "run", "--local", "--rows", "1000"]) == 0
    return settings_path


def training_rows(workspace: Workspace, record) -> list[list[str]]:
    """The live model's validation rows as the endpoint takes them (no label)."""
    run = run_of(record["ModelDataUrl"])
    folder = workspace.path_of(f"s3://{LOCAL_BUCKET}/runs/{run}/validation/")
    rows = []
    for path in sorted(folder.glob("part-*")):
        with path.open(newline="") as stream:
            rows += [row[1:] for row in csv.reader(stream) if row]
    return rows


def send(project, rows: list[list[str]]) -> None:
    """The rows through `serve`'s server, with the capture `serve` gives it."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, archive = live_model(workspace, endpoint_name(settings))
    server = make_server(archive, port=0, capture=capture_of(workspace, record))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/invocations"
    try:
        for start in range(0, len(rows), 20):  # requests of 20 rows, like a client's batches
            body = "".join(",".join(row) + "\n" for row in rows[start : start + 20]).encode()
            request = urllib.request.Request(url, body, {"Content-Type": "text/csv"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_the_etl_wrote_a_baseline_in_model_monitors_formats_beside_the_model(project):
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, _ = live_model(workspace, endpoint_name(settings))
    folder = workspace.path_of(baseline_uri(record["ModelDataUrl"]))
    statistics = json.loads((folder / "statistics.json").read_text())
    constraints = json.loads((folder / "constraints.json").read_text())
    features = statistics["features"]
    assert len(features) == len(training_rows(workspace, record)[0])
    for feature in features:
        numbers = feature["numerical_statistics"]
        buckets = numbers["distribution"]["kll"]["buckets"]
        assert len(buckets) == 10 and sum(b["count"] for b in buckets) == numbers["common"][
            "num_present"]  # fmt: skip
        assert numbers["min"] <= numbers["mean"] <= numbers["max"]
    assert [f["name"] for f in constraints["features"]] == [f["name"] for f in features]
    comparison = constraints["monitoring_config"]["distribution_constraints"]
    assert comparison["comparison_threshold"] == 0.1
    assert comparison["perform_comparison"] == "Enabled"


def test_traffic_like_the_training_data_is_no_drift_and_a_shifted_feature_is(project, capsys):
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, _ = live_model(workspace, endpoint_name(settings))
    rows = training_rows(workspace, record)
    send(project, rows)
    capsys.readouterr()
    assert main(["--settings", str(project), "drift", "--local"]) == 0
    out = capsys.readouterr().out
    assert f"on {len(rows)} captured request rows: no violation(s)" in out

    # The same rows again, with the first feature moved far above its training range.
    statistics = json.loads(
        (workspace.path_of(baseline_uri(record["ModelDataUrl"])) / "statistics.json").read_text()
    )
    shifted_name = statistics["features"][0]["name"]
    top = statistics["features"][0]["numerical_statistics"]["max"]
    send(project, [[str(top + 1000), *row[1:]] for row in rows])
    assert main(["--settings", str(project), "drift", "--local"]) == 1
    out = capsys.readouterr().out
    drifted = [line for line in out.splitlines() if "baseline_drift_check" in line]
    assert drifted == [line for line in drifted if line.strip().startswith(f"{shifted_name}:")]
    assert len(drifted) == 1 and "retraining.on_drift = false: no run starts" in out
    report = out.splitlines()[0].rsplit("report ", 1)[1]
    violations = json.loads(Path(report).read_text())["violations"]
    assert [v["feature_name"] for v in violations] == [shifted_name]
    assert main(["--settings", str(project), "models", "--local"]) == 0
    assert f"found 1 violation(s): {shifted_name};" in capsys.readouterr().out


def test_serve_captures_what_the_endpoint_was_deployed_with_not_the_settings_now(project):
    """As on AWS, DataCaptureConfig is part of the deployed endpoint config: a changed
    drift.capture_percent takes effect with the next deployment."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, _ = live_model(workspace, endpoint_name(settings))
    assert record["DataCaptureConfig"]["InitialSamplingPercentage"] == 100
    replace_line(project, "capture_percent =", "capture_percent = 0")
    try:
        capture = capture_of(workspace, live_model(workspace, endpoint_name(settings))[0])
        assert capture.percent == 100
        assert capture.folder == workspace.path_of(
            f"s3://{LOCAL_BUCKET}/capture/{endpoint_name(settings)}/AllTraffic"
        )
    finally:
        replace_line(project, "capture_percent =", "capture_percent = 100")


def test_with_on_drift_a_violation_starts_a_run(project, capsys):
    replace_line(project, "on_drift =", "on_drift = true")
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, _ = live_model(workspace, endpoint_name(settings))
    rows = training_rows(workspace, record)
    histories = len(list((workspace.root / "executions").glob("*.jsonl")))
    send(project, [[row[0], *row[1:-1], "-1000"] for row in rows])  # the last feature moves
    capsys.readouterr()
    assert main(["--settings", str(project), "drift", "--local"]) == 1
    out = capsys.readouterr().out
    assert "retraining on drift (retraining.on_drift): a run on the sample starts" in out
    assert len(list((workspace.root / "executions").glob("*.jsonl"))) == histories + 1


def test_invoke_is_captured_like_any_request_to_the_endpoint(project, capsys, monkeypatch):
    """On AWS, InvokeEndpoint's requests are what data capture records: `invoke --local`
    goes through the same capture as `serve` (100% here), rows and answers."""
    settings = load_settings(project)
    workspace = Workspace(project.parent / LOCAL_FOLDER)
    record, _ = live_model(workspace, endpoint_name(settings))
    rows = training_rows(workspace, record)[:3]
    folder = capture_of(workspace, record).folder

    def captured_lines() -> set[str]:
        return {line for path in folder.rglob("*.jsonl") for line in path.read_text().splitlines()}

    before = captured_lines()
    text = "".join(",".join(row) + "\n" for row in rows)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    capsys.readouterr()
    assert main(["--settings", str(project), "invoke", "--local"]) == 0
    answers = capsys.readouterr().out.split()
    (new,) = captured_lines() - before  # one request, captured once
    captured = json.loads(new)["captureData"]
    assert captured["endpointInput"]["data"] == text
    assert captured["endpointOutput"]["data"].split() == answers


def test_drift_needs_a_live_local_model(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    assert main(["--settings", str(settings_path), "drift", "--local"]) == 2
    assert "no local endpoint" in capsys.readouterr().err


def test_the_local_capture_keeps_unlisted_content_types_as_base64_like_sagemaker(tmp_path):
    """`serve` accepts "csv" too; data capture keeps only the listed types as text."""
    from project.local.capture import Capture, capture_files
    from project.steps.drift_check import captured_rows

    capture = Capture(tmp_path, "ep", 100, csv_content_types=("text/csv",))
    capture.record(b"1,2\n", "csv", "0.5\n")
    capture.record(b"3,4\n", "text/csv", "0.5\n")
    records = [json.loads(line) for path in capture_files(tmp_path, "ep")
               for line in path.read_text().splitlines()]  # fmt: skip
    encodings = [record["captureData"]["endpointInput"]["encoding"] for record in records]
    assert encodings == ["BASE64", "CSV"]
    lines = [json.dumps(record) for record in records]
    assert list(captured_rows(lines)) == [["1", "2"], ["3", "4"]]
