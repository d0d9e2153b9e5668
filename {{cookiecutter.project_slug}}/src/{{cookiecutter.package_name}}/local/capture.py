"""Data capture for the local endpoint, as SageMaker captures an endpoint's traffic.

With DataCaptureConfig, SageMaker writes a sample of the requests and responses
(InitialSamplingPercentage) as JSON Lines under
``<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/``: per line, ``captureData`` with
``endpointInput`` and ``endpointOutput`` (``observedContentType``, ``mode``, ``data``,
``encoding``: CSV for text/csv) and ``eventMetadata`` (``eventId``, ``inferenceTime``).
`serve` writes the same records, as the live local endpoint's config says (the run
puts DataCaptureConfig in it from drift.capture_percent, as on AWS), under
``.local/s3/<bucket>/capture/``; the drift check reads them.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..steps.drift_check import CAPTURE_PREFIX, VARIANT

__all__ = ["CAPTURE_PREFIX", "Capture", "capture_files"]


class Capture:
    def __init__(
        self, folder: Path, endpoint: str, percent: float, rng: random.Random | None = None,
        csv_content_types: tuple[str, ...] = ("text/csv",),
    ):  # fmt: skip
        self.folder = folder / endpoint / VARIANT
        self.percent = percent
        self.csv_content_types = csv_content_types
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._file_id = uuid.uuid4().hex  # one file per process and hour, as SageMaker batches

    def record(self, request: bytes, content_type: str, response: str, now: datetime | None = None):
        """Write one request/response pair, for the sampled share of requests."""
        if self.percent <= 0 or self._rng.uniform(0, 100) >= self.percent:
            return
        now = now or datetime.now(UTC)
        line = json.dumps({
            "captureData": {
                "endpointInput": {"observedContentType": content_type, "mode": "INPUT",
                                  **self._encoded(request, content_type)},
                "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                   "data": response, "encoding": "CSV"},
            },
            "eventMetadata": {"eventId": str(uuid.uuid4()),
                              "inferenceTime": now.isoformat(timespec="milliseconds")},
            "eventVersion": "0",
        })  # fmt: skip
        path = self.folder / f"{now:%Y/%m/%d/%H}" / f"{self._file_id}.jsonl"
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as stream:
                stream.write(line + "\n")

    def _encoded(self, body: bytes, content_type: str) -> dict[str, str]:
        """As data capture keeps a body: as text for the content types the config lists
        (CaptureContentTypeHeader.CsvContentTypes), base64 for any other."""
        if content_type in self.csv_content_types:
            return {"data": body.decode("utf-8", "replace"), "encoding": "CSV"}
        return {"data": base64.b64encode(body).decode("ascii"), "encoding": "BASE64"}

    def describe(self) -> str:
        if self.percent <= 0:
            return "capturing no requests (the live endpoint has no DataCaptureConfig)"
        return f"capturing {self.percent:g}% of requests for `drift --local`"


def capture_of(workspace: Any, endpoint: dict[str, Any]) -> Capture:
    """The capture the live local endpoint was deployed with (its DataCaptureConfig):
    a change to drift.capture_percent takes effect with the next deployment."""
    config = endpoint.get("DataCaptureConfig") or {}
    enabled = config.get("EnableCapture", False)
    percent = config.get("InitialSamplingPercentage", 0) if enabled else 0
    destination = config.get("DestinationS3Uri") or f"s3://{_bucket(endpoint)}/{CAPTURE_PREFIX}"
    folder = workspace.path_of(destination.rstrip("/") + "/")
    header = config.get("CaptureContentTypeHeader", {})
    return Capture(folder, endpoint["EndpointName"], percent,
                   csv_content_types=tuple(header.get("CsvContentTypes", ())))  # fmt: skip


def _bucket(endpoint: dict[str, Any]) -> str:
    return endpoint["ModelDataUrl"].removeprefix("s3://").partition("/")[0]


def capture_files(folder: Path, endpoint: str) -> list[Path]:
    """The endpoint's capture files, oldest hour first."""
    root = folder / endpoint / VARIANT
    return sorted(root.rglob("*.jsonl")) if root.is_dir() else []
