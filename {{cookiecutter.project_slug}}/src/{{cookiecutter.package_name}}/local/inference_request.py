"""What an ``/invocations`` request means, judged as SageMaker's XGBoost 1.7-1 container
judges it (``algorithm_mode/serve.py`` and ``serve_utils.py`` of
aws/sagemaker-xgboost-container at tag v1.7-1; see FIDELITY.md).

Pure functions of the request's headers and body: each either returns what the
request asks for, or raises :class:`Refused` with the status and the one-line
reason the endpoint answers. ``serve.py`` turns them into HTTP.
"""

from __future__ import annotations

import csv
import math
from http import HTTPStatus

import numpy as np

# The container's MAX_CONTENT_LENGTH default (6291456 bytes): Flask answers 413 above it.
MAX_BODY_BYTES = 6 * 1024 * 1024
# Media types the container reads besides CSV: a request that sends one is valid on
# AWS, but the local endpoint reads CSV only, and says so.
_CONTAINER_ONLY_TYPES = (
    "libsvm",
    "text/libsvm",
    "text/x-libsvm",
    "recordio-protobuf",
    "application/x-recordio-protobuf",
)
_CONTAINER_ACCEPTS = (
    "application/json",
    "application/jsonlines",
    "application/x-recordio-protobuf",
    "text/csv",
)


class Refused(Exception):
    """A request the endpoint answers with ``status`` and the one-line ``reason``."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    """``'text/csv; label_size=1'`` -> ``('text/csv', {'label_size': '1'})``, lowercased,
    as ``cgi.parse_header`` splits it for the container."""
    kind, *parameters = header.lower().split(";")
    pairs = (part.split("=", 1) for part in parameters if "=" in part)
    return kind.strip(), {key.strip(): value.strip().strip('"') for key, value in pairs}


def check_content_type(header: str | None) -> None:
    """The container reads ``text/csv`` (or ``csv``) with no ``label_size`` other than 1,
    and answers 415 to anything it cannot parse."""
    if header is None:
        # Without a Content-Type the container parses the body as libsvm.
        raise Refused(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "no Content-Type; send Content-Type: text/csv "
            "(SageMaker would read the body as libsvm)",
        )
    kind, parameters = _media_type(header)
    if kind in ("text/csv", "csv"):
        if parameters.get("label_size", "1") != "1":
            raise Refused(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"{header!r} is not an accepted csv ContentType: label_size must be 1",
            )
        return
    if kind in _CONTAINER_ONLY_TYPES:
        reason = f"the local endpoint reads text/csv only (SageMaker also reads {kind}); send CSV"
    else:
        reason = f"Content-Type {header!r} is not supported; send Content-Type: text/csv"
    raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, _one_line(reason))


def check_accept(header: str | None) -> None:
    """No Accept (or ``*/*``) means text/csv; the container answers 406 to a type it
    cannot write. It can also write JSON, JSON Lines and RecordIO: the local endpoint
    writes CSV only."""
    kind, _ = _media_type(header or "")
    if kind in ("", "*/*", "text/csv"):
        return
    if kind in _CONTAINER_ACCEPTS:
        reason = f"the local endpoint answers text/csv only (SageMaker also writes {kind})"
    else:
        reason = f"Accept {header!r} is not supported; accept text/csv"
    raise Refused(HTTPStatus.NOT_ACCEPTABLE, _one_line(reason))


def read_rows(body: bytes, features: int) -> np.ndarray:
    """The body's rows as a float matrix, parsed as the container's ``csv_to_dmatrix``
    parses them: UTF-8, stripped, the delimiter sniffed from the first line (',' when the
    sniffer names a letter or digit), an empty field a missing value, and no infinite
    value (xgboost refuses one when it builds the matrix)."""
    try:
        text = body.strip().decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unreadable(f"the body is not UTF-8 text (byte {error.start})") from None
    lines = text.split("\n")
    try:
        delimiter = csv.Sniffer().sniff(lines[0][:512]).delimiter
    except csv.Error:
        raise _unreadable("could not determine the delimiter of the first row") from None
    if delimiter.isalnum():
        delimiter = ","
    rows = [_read_row(number, line, delimiter) for number, line in enumerate(lines, start=1)]
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise _unreadable(f"row {number} has {len(row)} values but row 1 has {width}")
    matrix = np.array(rows, dtype=np.float64)
    # xgboost stores features as float32: a value finite in float64 can overflow there.
    with np.errstate(over="ignore"):
        infinite = np.isinf(matrix.astype(np.float32))
    if infinite.any():
        row, column = (int(index) + 1 for index in np.argwhere(infinite)[0])
        raise _unreadable(
            f"row {row} value {column} is infinite or too large for float32 "
            "(leave a value empty for a missing one)"
        )
    if width != features:
        # The container has xgboost refuse this when it predicts: 400, not 415.
        raise Refused(HTTPStatus.BAD_REQUEST, f"each row needs {features} features, got {width}")
    return matrix


def _read_row(number: int, line: str, delimiter: str) -> list[float]:
    values = []
    for column, field in enumerate(line.split(delimiter), start=1):
        if field == "":
            values.append(math.nan)  # the container writes "nan" for an empty field
            continue
        try:
            values.append(float(field))
        except ValueError:
            shown = field if len(field) <= 20 else field[:20] + "..."
            raise _unreadable(f"row {number} value {column} {shown!r} is not a number") from None
    return values


def _unreadable(problem: str) -> Refused:
    """The container answers 415 to a body it cannot load as CSV."""
    return Refused(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        _one_line(f"Loading csv data failed: {problem}; send numeric CSV rows, no header"),
    )


def _one_line(text: str) -> str:
    """Values quoted from a request may hold line breaks; a reason never does."""
    return " ".join(text.split())
