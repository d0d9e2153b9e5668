"""The local endpoint answers every request over HTTP, as SageMaker's XGBoost 1.7-1
container answers it (statuses from its algorithm_mode/serve.py; see FIDELITY.md): a
malformed request gets a 4xx whose body is one line saying why, and the server
stays up. A port it cannot use is a one-line error of ``serve``."""

from __future__ import annotations

import socket

import pytest
from project.cli import main
from project.local.run import LOCAL_FOLDER
from project.local.services import LocalServices, Workspace
from project.settings import load_settings
from project.settings.names import endpoint_name

from ..conftest import PROJECT_ROOT
from .serving import (
    deploy_to_local_endpoint,
    exchange,
    parse_response,
    post,
    running_server,
    tiny_model,
)


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    with running_server(tiny_model(tmp_path_factory.mktemp("model"))) as port:
        yield port


def one_line(response) -> str:
    text = response.body.decode("utf-8")
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text.strip()


def test_rows_of_features_get_one_prediction_each(port):
    response = post(port, b"0.9,0.5,0.5\n0.1,0.5,0.5\n")
    predictions = [float(line) for line in response.body.split()]
    assert response.status == 200 and response.headers["content-type"] == "text/csv"
    assert len(predictions) == 2 and predictions[0] > predictions[1]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        # Bodies the container cannot load as CSV: 415 (parse_content_data fails).
        (b"inf", 415, "row 1 value 1 is infinite"),
        (b"0.5,inf,0.5", 415, "row 1 value 2 is infinite"),
        (b"1e300,0.5,0.5", 415, "too large for float32"),
        (b"\xff\xfe0.5,0.5,0.5", 415, "not UTF-8"),
        (b"a,b,c", 415, "row 1 value 1 'a' is not a number"),
        (b"0.1,0.2,0.3\n0.1,0.2", 415, "row 2 has 2 values but row 1 has 3"),
        (b"   ", 415, "could not determine the delimiter"),
        # Rows that load but do not fit the model: 400, as the container answers.
        (b"0.1,0.2,0.3,0.4", 400, "each row needs 3 features, got 4"),
        (b"0.1,0.2", 400, "each row needs 3 features, got 2"),
    ],
)
def test_a_body_that_is_not_the_models_csv_gets_a_4xx_with_one_line(port, body, status, reason):
    response = post(port, body)
    assert response.status == status
    assert reason in one_line(response)


def test_missing_values_are_empty_fields_or_nan_as_in_the_container(port):
    assert post(port, b",0.5,0.5\nnan,0.5,0.5\n").status == 200


def test_an_empty_body_gets_204_no_content_as_in_the_container(port):
    response = post(port, b"")
    assert (response.status, response.body) == (204, b"")


@pytest.mark.parametrize(
    ("content_length", "status", "reason"),
    [
        ("abc", 400, "Content-Length 'abc' is not a byte count"),
        ("-5", 400, "Content-Length '-5' is not a byte count"),
        ("99999999", 413, "at most 6291456"),
        ("50", 400, "the body ended after 11 of its 50 bytes"),
    ],
)
def test_a_bad_content_length_gets_a_4xx_with_one_line(port, content_length, status, reason):
    response = post(port, b"0.1,0.2,0.3", Content_Length=content_length)
    assert response.status == status
    assert reason in one_line(response)


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({"content_type": "application/json"}, 415, "'application/json' is not supported"),
        ({"content_type": "text/libsvm"}, 415, "reads text/csv only"),
        ({"content_type": None}, 415, "no Content-Type"),
        ({"content_type": "text/csv; label_size=2"}, 415, "label_size must be 1"),
        ({"Accept": "application/json"}, 406, "answers text/csv only"),
        ({"Accept": "image/png"}, 406, "'image/png' is not supported"),
    ],
)
def test_content_types_the_local_endpoint_cannot_read_or_write_are_4xx(
    port, headers, status, reason
):
    response = post(port, b"0.1,0.2,0.3", **headers)
    assert response.status == status
    assert reason in one_line(response)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /ping HTTP/1.1\r\n\r\n", 200),
        (b"GET /ping?probe=1 HTTP/1.1\r\n\r\n", 200),
        (b"HEAD /ping HTTP/1.1\r\n\r\n", 200),
        (b"GET /nowhere HTTP/1.1\r\n\r\n", 404),
        (b"POST /ping HTTP/1.1\r\n\r\n", 405),
        (b"BREW /invocations HTTP/1.1\r\n\r\n", 405),
        (b"GET /ping HTTP/2.0\r\n\r\n", 400),
        (b"GET /ping\r\n\r\n", 400),
        (b"nonsense\r\n\r\n", 400),
        (b"POST /invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
    ],
)
def test_every_request_line_gets_a_well_formed_answer(port, request_bytes, status):
    response = parse_response(exchange(port, request_bytes), request_bytes.startswith(b"HEAD "))
    assert response.status == status
    if status >= 400 and not request_bytes.startswith(b"HEAD "):
        assert one_line(response)


def test_the_server_stays_up_after_malformed_requests(port):
    for body in (b"inf", b"\xff", b"1,2,3,4,5"):
        post(port, body)
    assert parse_response(exchange(port, b"GET /ping HTTP/1.1\r\n\r\n")).status == 200


@pytest.fixture
def project_with_a_live_model(tmp_path):
    """A project copy whose local endpoint serves a tiny model."""
    settings_path = tmp_path / "settings.toml"
    settings_path.write_bytes((PROJECT_ROOT / "settings.toml").read_bytes())
    services = LocalServices(Workspace(tmp_path / LOCAL_FOLDER), "us-east-1", spark_session=None)
    folder = services.workspace.path_of("s3://local-artifacts/runs/v1/")
    name = endpoint_name(load_settings(settings_path))
    deploy_to_local_endpoint(services, tiny_model(folder), name)
    assert services.describe_endpoint({"EndpointName": name})["EndpointStatus"] == "InService"
    return settings_path


def test_serve_on_a_port_in_use_is_a_one_line_error(project_with_a_live_model, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        code = main(["--settings", str(project_with_a_live_model), "serve", "--port", str(busy)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: cannot listen on 127.0.0.1:{busy}: Address already in use; choose another --port\n"
    )


@pytest.mark.parametrize("port_text", ["99999", "0", "-1", "http"])
def test_serve_refuses_a_port_outside_1_to_65535(project_with_a_live_model, capsys, port_text):
    with pytest.raises(SystemExit) as exit_:
        main(["--settings", str(project_with_a_live_model), "serve", "--port", port_text])
    assert exit_.value.code == 2
    error_lines = capsys.readouterr().err.splitlines()
    assert error_lines[-1].endswith(f"'{port_text}' is not a TCP port; use 1 to 65535")


def test_serve_follows_the_model_a_later_run_deploys(tmp_path):
    """SageMaker's endpoint serves the new model once an update completes; `serve`
    follows the local endpoint the same way, and an archive that cannot load leaves
    the old model serving (#26: it kept serving the first model for ever)."""
    import threading

    from project.local.serve import make_server

    first = tiny_model(tmp_path / "first", seed=1)
    second = tiny_model(tmp_path / "second", seed=2, rows=200)
    live = [first]
    server = make_server(first, port=0, live=lambda: live[0], check_seconds=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    rows = b"0.9,0.1,0.4\n0.2,0.8,0.6\n"
    try:
        before = post(port, rows).body
        live[0] = second
        after = post(port, rows).body
        assert after != before
        live[0] = tmp_path / "no-such-model.tar.gz"
        assert post(port, rows).body == after  # a model that cannot load does not take over
    finally:
        server.shutdown()
        server.server_close()
