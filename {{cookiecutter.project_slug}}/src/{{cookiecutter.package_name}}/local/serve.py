"""A local endpoint speaking SageMaker's inference protocol, on 127.0.0.1.

``GET /ping`` answers 200 when a model is loaded; ``POST /invocations`` takes
``text/csv`` rows of features (no label, no header) and answers one prediction per
line, as SageMaker's built-in XGBoost does for a binary:logistic model.

Every request gets an HTTP answer: a malformed one a 4xx whose body is one line
saying why (the statuses are the XGBoost container's, see inference_request.py and
FIDELITY.md), and nothing a client sends stops the server.
"""

from __future__ import annotations

import re
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import xgboost

from .capture import Capture
from .inference_request import (
    MAX_BODY_BYTES,
    Refused,
    check_accept,
    check_content_type,
    read_rows,
)
from .training import load_model

# The methods each path answers (Flask's routes in the container; HEAD and OPTIONS
# are added by Flask to every route that has GET, or any method).
ROUTES = {"/ping": ("GET", "HEAD", "OPTIONS"), "/invocations": ("POST", "OPTIONS")}
# A client that stops sending in the middle of a request is dropped after this long,
# so it cannot hold a thread forever.
READ_TIMEOUT_SECONDS = 10
# Bytes of an unread request body read and dropped before the connection closes:
# closing a socket with unread input sends a TCP reset, which can destroy the answer
# before the client reads it.
_DRAIN_LIMIT = MAX_BODY_BYTES + 65536
_BYTE_COUNT = re.compile(r"[0-9]+")
_HTTP_1 = ("HTTP/1.0", "HTTP/1.1")


class PortUnavailable(OSError):
    """The port cannot be bound: in use, privileged, or out of range."""


class ServedModel:
    """The model a local endpoint serves. Given ``live`` (what returns the archive the
    endpoint serves now), it follows the endpoint as SageMaker's does after an update:
    checked at most every ``check_seconds``, a new archive is loaded and then takes
    over; one that cannot load leaves the old model serving."""

    def __init__(self, archive: Path, live: Callable[[], Path] | None = None,
                 check_seconds: float = 1.0):  # fmt: skip
        self.archive, self.booster = archive, load_model(archive)
        self.live, self.check_seconds = live, check_seconds
        self._checked, self._lock = time.monotonic(), threading.Lock()

    def current(self) -> xgboost.Booster:
        if self.live is not None and time.monotonic() - self._checked >= self.check_seconds:
            with self._lock:
                self._checked = time.monotonic()
                self._follow()
        return self.booster

    def _follow(self) -> None:
        try:
            archive = self.live()
            if archive != self.archive:
                self.booster, self.archive = load_model(archive), archive
                print(f"serve: now serving {archive}", file=sys.stderr)
        except Exception as error:  # the endpoint mid-update, a model that cannot load
            print(f"serve: still serving {self.archive}: {error}", file=sys.stderr)


def make_server(model_archive: Path, port: int = 8080, host: str = "127.0.0.1",
                live: Callable[[], Path] | None = None, check_seconds: float = 1.0,
                capture: Capture | None = None):  # fmt: skip
    """A server of ``model_archive``; with ``live``, of whatever the endpoint serves;
    with ``capture``, recording a sample of its traffic as SageMaker's data capture."""
    model = ServedModel(model_archive, live, check_seconds)

    class Handler(InvocationHandler):
        def captured(self, body: bytes, content_type: str, predictions: str) -> None:
            if capture is not None:
                capture.record(body, content_type, predictions)

        def predict(self, body: bytes) -> str:
            booster = model.current()
            rows = read_rows(body, booster.num_features())
            try:
                # inplace_predict: the same predictions, without building a DMatrix
                # for each request (a tenth of a millisecond, at hundreds a second).
                predictions = booster.inplace_predict(rows, validate_features=False)
            except xgboost.core.XGBoostError as error:
                # The container's answer to a payload xgboost cannot evaluate.
                first_line = str(error).splitlines()[0]
                raise Refused(
                    HTTPStatus.BAD_REQUEST, f"Unable to evaluate payload provided: {first_line}"
                ) from None
            return "".join(f"{p:.6f}\n" for p in predictions)

    try:
        return QuietServer((host, port), Handler)
    except OverflowError:
        raise PortUnavailable(f"port {port} is not a TCP port; use 1 to 65535") from None
    except OSError as error:
        raise PortUnavailable(f"cannot listen on {host}:{port}: {error.strerror}") from None


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog: socketserver's default of 5 made a burst of 20 clients wait on
    # TCP retransmits (about 1 s) or be reset (benchmarks/serve_load.py).
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up is its own business; anything else is one line."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            print(f"serve: request from {client_address[0]} failed: {error!r}", file=sys.stderr)


class InvocationHandler(BaseHTTPRequestHandler):
    """SageMaker's /ping and /invocations; subclasses say how to predict."""

    server_version = "local-sagemaker-endpoint"
    timeout = READ_TIMEOUT_SECONDS
    # A request line without a version ("GET /ping") is answered as HTTP/1.0 (with a
    # status line), never in HTTP/0.9's bare-body form.
    default_request_version = "HTTP/1.0"

    def predict(self, body: bytes) -> str:
        raise NotImplementedError

    def __getattr__(self, name: str):
        # http.server calls do_<METHOD>; every method goes through the same routing,
        # so an unknown one is a 405 (or 404) like Flask's, not a 501.
        if name.startswith("do_"):
            return self._route
        raise AttributeError(name)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.requestline.split()) != 3 or self.request_version not in _HTTP_1:
            self.send_error(HTTPStatus.BAD_REQUEST, "send a request line: METHOD PATH HTTP/1.1")
            return False
        return True

    def _route(self) -> None:
        path = urlsplit(self.path).path
        allowed = ROUTES.get(path)
        if allowed is None:
            self._reply(HTTPStatus.NOT_FOUND, "only /ping and /invocations exist")
        elif self.command not in allowed:
            self._reply(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"{path} answers {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        elif self.command == "OPTIONS":
            self._reply(HTTPStatus.OK, "", headers={"Allow": ", ".join(allowed)})
        elif path == "/ping":
            self._reply(HTTPStatus.OK, "")
        else:
            self._invoke()

    def _invoke(self) -> None:
        try:
            body = self._read_body()
            if not body:
                # The container answers an empty payload with 204 and no body.
                self._reply(HTTPStatus.NO_CONTENT, "")
                return
            check_content_type(self.headers.get("Content-Type"))
            predictions = self.predict(body)
            check_accept(self.headers.get("Accept"))
        except Refused as refused:
            self._reply(refused.status, refused.reason)
            return
        self._reply(HTTPStatus.OK, predictions, "text/csv")
        self.captured(body, self.headers.get("Content-Type") or "", predictions)

    def captured(self, body: bytes, content_type: str, predictions: str) -> None:
        """Data capture of an answered request; none unless the server was given one."""

    def _read_body(self) -> bytes:
        if "Transfer-Encoding" in self.headers:
            raise Refused(
                HTTPStatus.LENGTH_REQUIRED,
                "send the body with a Content-Length (chunked bodies are not read here)",
            )
        declared = self.headers.get("Content-Length")
        if declared is None:
            return b""  # no length and no chunks: an empty body, as gunicorn reads it
        if not _BYTE_COUNT.fullmatch(declared.strip()):
            raise Refused(
                HTTPStatus.BAD_REQUEST, f"Content-Length {declared!r} is not a byte count"
            )
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body is {length} bytes; SageMaker takes at most {MAX_BODY_BYTES} (6 MB)",
            )
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            raise Refused(
                HTTPStatus.REQUEST_TIMEOUT,
                f"the body did not arrive within {READ_TIMEOUT_SECONDS} s",
            ) from None
        if len(body) < length:
            raise Refused(
                HTTPStatus.BAD_REQUEST,
                f"the body ended after {len(body)} of its {length} bytes (Content-Length)",
            )
        return body

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """http.server's own refusals (bad request line, long headers), as one line of text.
        HTTP/2+ request lines get gunicorn's 400, not 505: the endpoint answers 4xx to
        whatever a client sends."""
        status = HTTPStatus(code)
        if status == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            status, message = HTTPStatus.BAD_REQUEST, "send an HTTP/1.0 or HTTP/1.1 request"
        self.close_connection = True
        self._reply(status, message or status.phrase)

    def _reply(
        self,
        status: HTTPStatus,
        body: str,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        has_body = (
            status not in (HTTPStatus.NO_CONTENT,) and getattr(self, "command", None) != "HEAD"
        )
        if getattr(self, "request_version", None) not in _HTTP_1:
            # An HTTP/0.9 answer has no status line: answer anything but 1.x as 1.0.
            self.request_version = "HTTP/1.0"
        data = (body + "\n" if body and not body.endswith("\n") else body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status >= 400:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if has_body:
            self.wfile.write(data)

    def finish(self) -> None:
        super().finish()
        _drain(self.connection)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would drown the terminal


def _drain(connection: socket.socket) -> None:
    """Read and drop what the client already sent that was not read (a refused body),
    so closing the socket does not reset the connection under the client's answer."""
    dropped = 0
    try:
        while dropped < _DRAIN_LIMIT and select.select([connection], [], [], 0)[0]:
            chunk = connection.recv(65536)
            if not chunk:
                return
            dropped += len(chunk)
    except OSError:
        return
