"""A local endpoint speaking SageMaker's inference protocol, on 127.0.0.1.

``GET /ping`` answers 200 when a model is loaded; ``POST /invocations`` takes
``text/csv`` rows of features (no label, no header) and answers one prediction per
line, as SageMaker's built-in XGBoost does for a binary:logistic model.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import xgboost

from .local_training import load_model

MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's real-time payload limit


def make_server(model_archive: Path, port: int = 8080, host: str = "127.0.0.1"):
    booster = load_model(model_archive)
    features = booster.num_features()

    class Handler(BaseHTTPRequestHandler):
        server_version = "local-sagemaker-endpoint"

        def do_GET(self) -> None:
            if self.path == "/ping":
                self._reply(HTTPStatus.OK, "")
            else:
                self._reply(HTTPStatus.NOT_FOUND, "only /ping and /invocations exist\n")

        def do_POST(self) -> None:
            if self.path != "/invocations":
                self._reply(HTTPStatus.NOT_FOUND, "only /ping and /invocations exist\n")
                return
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type != "text/csv":
                self._reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send Content-Type: text/csv\n")
                return
            length = int(self.headers.get("Content-Length", 0))
            if length > MAX_BODY_BYTES:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload over 6 MB\n")
                return
            body = self.rfile.read(length).decode("utf-8")
            try:
                rows = np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)
            except ValueError as error:
                self._reply(HTTPStatus.BAD_REQUEST, f"not numeric CSV: {error}\n")
                return
            if rows.shape[1] != features:
                message = f"each row needs {features} features, got {rows.shape[1]}\n"
                self._reply(HTTPStatus.BAD_REQUEST, message)
                return
            predictions = booster.predict(xgboost.DMatrix(rows))
            self._reply(HTTPStatus.OK, "".join(f"{p:.6f}\n" for p in predictions), "text/csv")

        def _reply(self, status: HTTPStatus, body: str, content_type: str = "text/plain"):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:
            pass  # one line per request would drown the terminal

    return ThreadingHTTPServer((host, port), Handler)
