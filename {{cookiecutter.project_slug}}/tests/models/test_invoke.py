"""`invoke`: rows to the live endpoint, one prediction per row, and a bad row is one
line naming it (exit code 2), never a traceback.

The local path runs against a real model (trained by local training) behind the local
endpoint's records. The AWS path stubs sagemaker-runtime with botocore's Stubber:
moto's InvokeEndpoint answers canned results whatever the body, and these tests check
the body sent and the predictions read back, batch by batch.
"""

from __future__ import annotations

import io
import random

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from project.cli import main
from project.local.run import LOCAL_FOLDER
from project.local.services import LocalServices, Workspace
from project.models import invoke
from project.settings import load_settings
from project.settings.data_schema import DataSchema, Feature
from project.settings.names import endpoint_name

from ..conftest import PROJECT_ROOT, encoded_row, project_schema
from ..local.serving import deploy_to_local_endpoint, post, running_server, tiny_model


@pytest.fixture(scope="module")
def live_project(tmp_path_factory):
    """A project copy whose local endpoint serves a model of the project's columns (as
    tests/local/test_serve.py sets one up)."""
    root = tmp_path_factory.mktemp("project")
    settings_path = root / "settings.toml"
    settings_path.write_bytes((PROJECT_ROOT / "settings.toml").read_bytes())
    settings = load_settings(settings_path)
    services = LocalServices(Workspace(root / LOCAL_FOLDER), "us-east-1", spark_session=None)
    folder = services.workspace.path_of("s3://local-artifacts/runs/v1/")
    width = len(invoke.encoded_columns(settings.data))
    archive = tiny_model(folder, features=width, rows=80, seed=11)
    deploy_to_local_endpoint(services, archive, endpoint_name(settings))
    return settings_path, archive


def run_invoke(settings_path, text: str, capsys, monkeypatch, *options: str):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    code = main(["--settings", str(settings_path), "invoke", *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


ROWS = [encoded_row(project_schema(), strong=True), encoded_row(project_schema(), strong=False)]


def test_local_rows_get_the_local_endpoints_predictions(live_project, capsys, monkeypatch):
    settings_path, archive = live_project
    code, out, err = run_invoke(
        settings_path, "\n".join(ROWS) + "\n", capsys, monkeypatch, "--local"
    )
    assert (code, err) == (0, "")
    with running_server(archive) as port:
        served = post(port, ("\n".join(ROWS) + "\n").encode()).body.decode().split()
    assert out.split() == served and len(served) == 2


def test_a_header_puts_columns_in_the_models_order_and_drops_the_label(
    live_project, capsys, monkeypatch, tmp_path
):
    settings_path, _ = live_project
    schema = project_schema()
    columns = invoke.encoded_columns(schema)
    values = [row.split(",") for row in ROWS]
    shuffled = list(reversed(range(len(columns))))
    header = [schema.label, *(columns[i] for i in shuffled)]
    lines = [",".join(header)] + [",".join(["yes", *(row[i] for i in shuffled)]) for row in values]
    path = tmp_path / "rows.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")  # with a BOM
    code, out, err = run_invoke(settings_path, "", capsys, monkeypatch, str(path), "--local")
    assert (code, err) == (0, "")
    _, in_order, _ = run_invoke(settings_path, "\n".join(ROWS), capsys, monkeypatch, "--local")
    assert out == in_order


def _bad_inputs(columns: list[str]) -> list[tuple[str, str]]:
    width = len(columns)
    good = ",".join(["1"] * width)
    return [
        ("", "error: no rows: give CSV rows of"),
        ("\n \n", "error: no rows"),
        (f"{good}\n1,2\n", f"error: line 2: 2 values, but the model takes {width}"),
        (f"{good}\n{good},3\n", "error: line 2:"),
        (f"{good}\n" + ",".join(["x"] + ["1"] * (width - 1)), "error: line 2: value 1 'x'"),
        (f"{good}\n" + ",".join(["inf"] + ["1"] * (width - 1)), "error: line 2: value 1 'inf'"),
        (f"{good}\n" + ",".join(["1e39"] + ["1"] * (width - 1)), "error: line 2: value 1 '1e39'"),
        (",".join(["nosuch", *columns[1:]]) + f"\n{good}",
         "error: line 1 (header): unknown 'nosuch'; missing"),
        (",".join(columns) + "\n", "error: line 1 is a header, and no rows follow it"),
        (",".join([*columns, columns[0]]) + "\n" + good + ",1", "error: line 1 (header): repeated"),
        (",".join(columns) + "\n" + ",".join(["yes"] * width), "error: line 2: value 1 'yes'"),
        # A raw row of the dataset, without a header: a row, not a header (#26).
        (",".join(["yes"] + ["1"] * (width - 1)), "error: line 1: value 1 'yes' is not a finite"),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(len(_bad_inputs(invoke.encoded_columns(project_schema())))))
def test_bad_input_is_one_line_naming_the_line_and_exit_code_2(
    live_project, capsys, monkeypatch, case
):
    text, message = _bad_inputs(invoke.encoded_columns(project_schema()))[case]
    code, out, err = run_invoke(live_project[0], text, capsys, monkeypatch, "--local")
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_a_file_that_is_not_utf8_is_one_line(live_project, capsys, monkeypatch, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"\xff\xfe1,2\n")
    code, _, err = run_invoke(live_project[0], "", capsys, monkeypatch, str(path), "--local")
    assert (code, err) == (2, f"error: {path} is not UTF-8 text (byte 0)\n")


def test_without_a_local_model_it_says_to_run_locally_first(settings_path, capsys, monkeypatch):
    settings = load_settings(settings_path)
    code, _, err = run_invoke(settings_path, ROWS[0], capsys, monkeypatch, "--local")
    assert code == 2
    assert err == (
        f"error: no local endpoint {endpoint_name(settings)} yet: a local run must pass the "
        f"quality gate first; run '{settings.slug} run --local' first\n"
    )


def test_seeded_fuzz_of_malformed_rows_never_shows_a_traceback(live_project, capsys, monkeypatch):
    """Rows cut, stretched, garbled or quoted at random: each run exits 0 or 2, with one
    line of error or one prediction per row."""
    rng = random.Random(15)
    columns = invoke.encoded_columns(project_schema())
    pieces = ["1", "0", "", "-3.5", "1e40", "nan", "inf", "x", '"', '""', "\x00", "é", " ", ",",
              "\t", "1,2", '"1\n2"', columns[0], "yes", "0x10", "1_000", "--1"]  # fmt: skip
    codes = []
    for _ in range(60):
        rows = []
        for _ in range(rng.randint(0, 4)):
            fields = [f"{rng.uniform(-5, 200):.3g}" for _ in columns]
            for _ in range(rng.choice([0, 0, 0, 1, 2])):  # most rows well-formed
                mutation = rng.choice(["replace", "drop", "add"])
                if mutation == "drop" and fields:
                    fields.pop(rng.randrange(len(fields)))
                elif mutation == "add":
                    fields.insert(rng.randint(0, len(fields)), rng.choice(pieces))
                elif fields:
                    fields[rng.randrange(len(fields))] = rng.choice(pieces)
            rows.append(",".join(fields))
        text = rng.choice(["\n", "\r\n"]).join(rows)
        code, out, err = run_invoke(live_project[0], text, capsys, monkeypatch, "--local")
        assert code in (0, 2), (text, err)
        if code == 2:
            assert out == "" and err.startswith("error: ") and err.count("\n") == 1, (text, err)
        else:
            assert err == "" and all(0 <= float(value) <= 1 for value in out.split()), text
        codes.append(code)
    assert {0, 2} <= set(codes)  # the fuzz reaches both answers


# --- on AWS: sagemaker-runtime InvokeEndpoint, stubbed -------------------------------


def body(text: str) -> StreamingBody:
    data = text.encode("utf-8")
    return StreamingBody(io.BytesIO(data), len(data))


@pytest.fixture
def runtime(monkeypatch):
    import boto3

    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    monkeypatch.setattr("project.aws.session.AwsSession.client", lambda self, service: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_rows_are_sent_as_text_csv_in_batches_under_the_payload_limit(
    settings_path, capsys, monkeypatch, runtime
):
    name = endpoint_name(load_settings(settings_path))
    rows = [ROWS[0], ROWS[1], ROWS[0]]
    limit = len(ROWS[0]) + len(ROWS[1]) + 2  # two rows per request
    monkeypatch.setattr(invoke, "MAX_BODY_BYTES", limit)
    for batch, answer in (([rows[0], rows[1]], "0.9\n0.1\n"), ([rows[2]], "0.9\n")):
        runtime.add_response(
            "invoke_endpoint",
            {"Body": body(answer), "ContentType": "text/csv"},
            {"EndpointName": name, "ContentType": "text/csv", "Accept": "text/csv",
             "Body": ("\n".join(batch) + "\n").encode()},
        )  # fmt: skip
    code, out, err = run_invoke(settings_path, "\n".join(rows), capsys, monkeypatch)
    assert (code, out, err) == (0, "0.9\n0.1\n0.9\n", "")


def test_an_older_containers_comma_separated_answer_is_read_too(
    settings_path, capsys, monkeypatch, runtime
):
    runtime.add_response("invoke_endpoint", {"Body": body("0.9,0.1")})
    code, out, _ = run_invoke(settings_path, "\n".join(ROWS), capsys, monkeypatch)
    assert (code, out) == (0, "0.9\n0.1\n")


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [("ValidationException", "Endpoint customer-churn-retraining-endpoint of account "
      "123456789012 not found.", "ValidationException: Endpoint"),
     ("ModelError", "Received client error (415) from primary with message \"Loading csv data "
      "failed\"", "ModelError: Received client error (415)"),
     ("AccessDeniedException", "not authorized to perform: sagemaker:InvokeEndpoint",
      "access denied on sagemaker:InvokeEndpoint")],
)  # fmt: skip
def test_aws_errors_are_one_line(settings_path, capsys, monkeypatch, runtime, code, message,
                                 expected):  # fmt: skip
    runtime.add_client_error("invoke_endpoint", code, message, http_status_code=400)
    status, out, err = run_invoke(settings_path, ROWS[0], capsys, monkeypatch)
    assert status == 2 and out == ""
    assert err.startswith("error: invoke: ") and expected in err and err.count("\n") == 1, err


def test_a_wrong_number_of_predictions_is_one_line(settings_path, capsys, monkeypatch, runtime):
    runtime.add_response("invoke_endpoint", {"Body": body("0.5\n")})
    code, _, err = run_invoke(settings_path, "\n".join(ROWS), capsys, monkeypatch)
    assert code == 2
    assert "the endpoint answered 1 predictions for 2 rows" in err and err.count("\n") == 1


def test_the_columns_are_the_glue_jobs_encoding():
    from project.steps.glue_etl_job import Schema

    schema = DataSchema(
        label="y", positive=("1",), negative=("0",), id_column="", ignore=(),
        features=(Feature("a", "numeric"), Feature("plan", "categorical", ("basic", "pro")),
                  Feature("flag", "boolean")),
    )  # fmt: skip
    glue = Schema.from_json(schema.to_json())
    assert invoke.encoded_columns(schema) == glue.encoded_features == [
        "a", "plan=basic", "plan=pro", "flag"
    ]  # fmt: skip
    assert (
        invoke.encoded_columns(project_schema())
        == Schema.from_json(project_schema().to_json()).encoded_features
    )
