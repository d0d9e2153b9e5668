"""Helpers for the tests of the local endpoint: a tiny trained model, a live server
on an ephemeral port of 127.0.0.1, and raw HTTP exchanges (so malformed requests are
sent exactly as written)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from project.local.serve import make_server
from project.local.services import CHECKS_BEFORE_SETTLED
from project.local.training import train

FEATURES = 3
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] ([1-5][0-9][0-9]) [^\r\n]*\r\n")


def tiny_model(folder: Path, features: int = FEATURES, rows: int = 60, seed: int = 7) -> Path:
    """A binary:logistic model archive of ``features`` features (3 by default), trained
    as local training does."""
    rng = np.random.default_rng(seed)
    for channel in ("train", "validation"):
        table = rng.random((rows, features))
        labels = (table[:, 0] > 0.5).astype(float)
        (folder / channel).mkdir(parents=True)
        np.savetxt(folder / channel / "part-0.csv", np.column_stack([labels, table]), delimiter=",")
    hyperparameters = {"objective": "binary:logistic", "num_round": "3"}
    return train(
        folder / "train", folder / "validation", hyperparameters, folder / "model"
    ).model_archive


@contextmanager
def running_server(archive: Path) -> Iterator[int]:
    """A real server on 127.0.0.1; yields its port."""
    server = make_server(archive, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` as is, half-close, and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def parse_response(raw: bytes, to_head: bool = False) -> Response:
    """A well-formed HTTP/1.x response, or AssertionError saying what is wrong.
    A response ``to_head`` (a HEAD request) may leave out its body (a refusal of a
    request line it cannot parse does not know it was HEAD)."""
    match = _STATUS_LINE.match(raw)
    assert match, f"no HTTP status line in {raw[:80]!r}"
    head, separator, body = raw.partition(b"\r\n\r\n")
    assert separator, f"headers never end in {raw[:200]!r}"
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        assert colon and name.strip(), f"malformed header line {line!r}"
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    if "content-length" in headers and not (to_head and body == b""):
        assert len(body) == int(headers["content-length"]), f"body is not Content-Length: {raw!r}"
    return Response(int(match[1]), headers, body)


def post(port: int, body: bytes, content_type: str | None = "text/csv", **headers: str) -> Response:
    """POST /invocations with a Content-Length that matches ``body`` unless given."""
    fields = {"Host": "127.0.0.1"}
    if content_type is not None:
        fields["Content-Type"] = content_type
    fields["Content-Length"] = str(len(body))
    fields.update({name.replace("_", "-"): value for name, value in headers.items()})
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    request = f"POST /invocations HTTP/1.1\r\n{head}\r\n".encode("latin-1") + body
    return parse_response(exchange(port, request))


def deploy_to_local_endpoint(services, archive: Path, endpoint: str) -> None:
    """Serve ``archive`` on the local endpoint as model and config v1, InService."""
    services.create_model(
        {
            "ModelName": "v1",
            "PrimaryContainer": {"ModelDataUrl": services.workspace.uri_of(archive)},
        }
    )
    services.create_endpoint_config(
        {"EndpointConfigName": "v1", "ProductionVariants": [{"ModelName": "v1"}]}
    )
    services.create_endpoint({"EndpointName": endpoint, "EndpointConfigName": "v1"})
    for _ in range(CHECKS_BEFORE_SETTLED + 1):  # Creating, ..., InService
        services.describe_endpoint({"EndpointName": endpoint})
