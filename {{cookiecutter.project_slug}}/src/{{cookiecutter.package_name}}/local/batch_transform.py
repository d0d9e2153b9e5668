"""Local batch transform and the bake-period traffic of a local endpoint update.

Batch transform, as SageMaker documents it (Associate Prediction Results with Input
Records): each input file under the prefix is split into records by line; InputFilter
selects what the model sees, the model's answer is appended to the whole input record
(JoinSource "Input"), and OutputFilter selects what is written, to
<S3OutputPath>/<input file name>.out. The model answers as the XGBoost container's
/invocations does (``inference_request.read_rows``), so a record it would refuse fails
the job here too.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xgboost

from .inference_request import Refused, read_rows
from .training import load_model

_INDEXES = re.compile(r"^\$\[(?P<body>[-0-9,: ]+)\]$")


class TransformError(Exception):
    """A record the model refused, or a filter that selects nothing."""


def select(fields: list[str], expression: str) -> list[str]:
    """A JSONPath filter of a CSV record's fields: "$", "$[1:]", "$[0,-1]"."""
    if expression == "$":
        return fields
    match = _INDEXES.match(expression)
    if not match:
        raise TransformError(f"unsupported filter {expression!r}")
    body = match["body"].replace(" ", "")
    if ":" in body:
        start, _, stop = body.partition(":")
        return fields[int(start) if start else None : int(stop) if stop else None]
    return [fields[int(index)] for index in body.split(",")]


def predict(booster: xgboost.Booster, body: bytes) -> np.ndarray:
    """The container's /invocations answer to a CSV body, or Refused (its 4xx)."""
    rows = read_rows(body, booster.num_features())
    try:
        return booster.predict(xgboost.DMatrix(rows), validate_features=False)
    except xgboost.core.XGBoostError as error:
        first_line = str(error).splitlines()[0]
        raise Refused(400, f"Unable to evaluate payload provided: {first_line}") from None


def transform_file(booster, source: Path, target: Path, input_filter: str,
                   join_source: str, output_filter: str) -> int:  # fmt: skip
    """One input file's records through the model; the number of records written."""
    records = [line.split(",") for line in source.read_text(encoding="utf-8").splitlines()
               if line.strip()]  # fmt: skip
    if not records:
        target.write_text("", encoding="utf-8")
        return 0
    body = "\n".join(",".join(select(record, input_filter)) for record in records)
    try:
        predictions = predict(booster, body.encode("utf-8"))
    except Refused as error:
        raise TransformError(f"{source.name}: the model answered {error}") from None
    lines = []
    for record, prediction in zip(records, predictions, strict=True):
        joined = [*record, repr(float(prediction))] if join_source == "Input" else [
            repr(float(prediction))]  # fmt: skip
        lines.append(",".join(select(joined, output_filter)))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def answer_request(booster: xgboost.Booster, body: bytes) -> np.ndarray:
    """A hosting container's /invocations (tests inject its faults here)."""
    return predict(booster, body)


@dataclass(frozen=True)
class BakeTraffic:
    """What the rollback alarms would see of a new model during its bake period."""

    requests: int
    errors_5xx: int
    average_latency_ms: float


def bake_traffic(model_archive: Path, feature_rows: list[str], batch: int = 10) -> BakeTraffic:
    """Send the rows to the new model in small requests, as clients would during the bake
    period: a 5xx is any failure other than the container's answer to a bad request."""
    booster = load_model(model_archive)
    requests = errors = 0
    latencies = []
    for start in range(0, len(feature_rows), batch):
        body = "\n".join(feature_rows[start : start + batch]).encode("utf-8")
        requests += 1
        began = time.perf_counter()
        try:
            answer_request(booster, body)
        except Refused:
            pass  # a 4xx: the request's fault, not counted by Invocation5XXErrors
        except Exception:
            errors += 1
        latencies.append((time.perf_counter() - began) * 1000)
    average = sum(latencies) / len(latencies) if latencies else 0.0
    return BakeTraffic(requests, errors, average)
