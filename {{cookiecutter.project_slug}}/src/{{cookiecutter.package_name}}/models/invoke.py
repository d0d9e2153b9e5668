"""`invoke`: CSV rows to the live endpoint, one prediction printed per row.

Rows are what the endpoint takes: the model's encoded features (the Glue job's
output without its label: a number per numeric feature, 1/0 per boolean one, one 1/0
column per category), an empty field (or nan) for a missing value. A first line that names
columns is a header: it may list the model's columns in any order (they are put in
the model's order) and columns [data] names that are not features (label, id,
ignored), which are left out. Raw values (yes/no, category names) are not encoded
here: the encoding is the Glue job's, in PySpark.

Every row is checked before anything is sent, so a bad row is one line naming it
(exit code 2) and no prediction is printed for a half-sent input.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..local.inference_request import MAX_BODY_BYTES
from ..settings import Settings, SettingsError
from ..settings.data_schema import CATEGORICAL, DataSchema

# float32's largest finite value: xgboost stores features as float32 and refuses an
# infinite one (see local/inference_request.py).
_FLOAT32_MAX = 3.4028234663852886e38
_SHOWN_COLUMNS = 6  # of the model's columns, in a message


class BadInput(SettingsError):
    """A row the endpoint cannot take; the message names its line and the problem."""


def encoded_columns(schema: DataSchema) -> list[str]:
    """The model's columns, in order: the Glue job's Schema.encoded_features (the job is
    uploaded on its own and keeps its copy; a test keeps the two equal)."""
    return [
        name
        for feature in schema.features
        for name in (
            [f"{feature.name}={category}" for category in feature.categories]
            if feature.kind == CATEGORICAL
            else [feature.name]
        )
    ]


@dataclass(frozen=True)
class Rows:
    lines: list[str]  # CSV lines of the model's features, in its column order
    numbers: list[int]  # the input line each came from


def read_rows(text: str, schema: DataSchema, features: int | None) -> Rows:
    """The rows of ``text``, checked; ``features``: how many the model takes, when known."""
    columns = encoded_columns(schema)
    width = features if features is not None else len(columns)
    records = [
        (number, [field.strip() for field in fields])
        for number, fields in enumerate(_records(text), start=1)
        if any(field.strip() for field in fields)  # blank lines are skipped
    ]
    if not records:
        raise BadInput(f"no rows: give CSV rows of {width} features (a file, or on stdin)")
    order: list[int] | None = None
    first_number, first = records[0]
    if _is_header(first, columns, schema):
        order = _header_order(first_number, first, columns, schema, width)
        records = records[1:]
        if not records:
            raise BadInput(f"line {first_number} is a header, and no rows follow it")
    lines, numbers = [], []
    for number, fields in records:
        if order is not None:
            if len(fields) != len(first):
                raise BadInput(
                    f"line {number}: {len(fields)} values, but the header names {len(first)}"
                )
            fields = [fields[index] for index in order]
        elif len(fields) != width:
            raise BadInput(
                f"line {number}: {len(fields)} values, but the model takes {width} "
                f"({_shown(columns) if len(columns) == width else 'its features'})"
            )
        for column, field in enumerate(fields, start=1):
            if field and not _is_number(field):
                shown = field if len(field) <= 20 else field[:20] + "..."
                raise BadInput(
                    f"line {number}: value {column} {shown!r} is not a finite number "
                    "(rows hold the encoded features: 1/0 for yes/no and for each category; "
                    "leave a value empty when it is missing)"
                )
        lines.append(",".join(fields))
        numbers.append(number)
    return Rows(lines, numbers)


def _is_header(fields: list[str], columns: list[str], schema: DataSchema) -> bool:
    """A line of names, at least one of them the model's or [data]'s: a raw row of the
    dataset (yes/no, a category's name, numbers) is a row, refused as one, not a header."""
    known = {*columns, schema.label, schema.id_column, *schema.ignore} - {""}
    return any(field and not _is_number(field) for field in fields) and any(
        field in known for field in fields
    )


def _records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(text.splitlines())
    except csv.Error as error:
        raise BadInput(f"the input is not CSV ({error})") from None


def _is_number(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    # "nan" is a missing value, as the container reads it; infinities are refused.
    return math.isnan(value) or (math.isfinite(value) and abs(value) <= _FLOAT32_MAX)


def _header_order(
    number: int, header: list[str], columns: list[str], schema: DataSchema, width: int
) -> list[int]:
    """Where each of the model's columns is in the header."""
    if len(columns) != width:
        raise BadInput(
            f"line {number} is a header, but the live model takes {width} features and "
            f"[data] names {len(columns)}: it was trained before [data] changed; send rows "
            "without a header, in the model's column order"
        )
    not_features = {schema.label, schema.id_column, *schema.ignore} - {""}
    unknown = [name for name in header if name not in columns and name not in not_features]
    repeated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in columns if name not in header]
    problems = [
        f"{label} {', '.join(repr(name) for name in names)}"
        for label, names in (("unknown", unknown), ("repeated", repeated), ("missing", missing))
        if names
    ]
    if problems:
        raise BadInput(
            f"line {number} (header): {'; '.join(problems)}; the model's columns are "
            f"{_shown(columns)}"
        )
    return [header.index(name) for name in columns]


def _shown(columns: list[str]) -> str:
    more = len(columns) - _SHOWN_COLUMNS
    return ", ".join(columns[:_SHOWN_COLUMNS]) + (f" and {more} more" if more > 0 else "")


def batches(lines: list[str], limit: int) -> Iterator[list[str]]:
    """Consecutive rows whose request body (one line each) fits SageMaker's 6 MB."""
    batch: list[str] = []
    size = 0
    for line in lines:
        length = len(line.encode("utf-8")) + 1
        if length > limit:
            raise BadInput(f"a row of {length} bytes is over the endpoint's {limit}-byte limit")
        if batch and size + length > limit:
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += length
    if batch:
        yield batch


def predict_locally(settings: Settings, text: str) -> list[str]:
    """Predictions of the live local model, made as the local endpoint makes them."""
    import xgboost  # only for local mode

    from ..local.accounts import stage_folder
    from ..local.capture import capture_of
    from ..local.inference_request import read_rows as read_matrix
    from ..local.services import Workspace, live_model
    from ..local.training import load_model
    from ..settings.names import endpoint_name

    workspace = Workspace(stage_folder(settings))
    try:
        endpoint, archive = live_model(workspace, endpoint_name(settings))
    except FileNotFoundError as error:
        raise SettingsError(f"{error}; run '{settings.slug} run --local' first") from None
    booster = load_model(archive)
    capture = capture_of(workspace, endpoint)  # as the endpoint captures each request
    rows = read_rows(text, settings.data, booster.num_features())
    predictions: list[str] = []
    for batch in batches(rows.lines, MAX_BODY_BYTES):
        # The local endpoint's own parse (serve.py), on rows already checked.
        body = ("\n".join(batch) + "\n").encode("utf-8")
        values = booster.predict(
            xgboost.DMatrix(read_matrix(body, booster.num_features())), validate_features=False
        )
        answers = [f"{value:.6f}" for value in values]
        capture.record(body, "text/csv", "".join(answer + "\n" for answer in answers))
        predictions += answers
    return predictions


def predict_on_aws(settings: Settings, text: str, client=None) -> list[str]:
    """Predictions of the live endpoint on SageMaker (InvokeEndpoint, text/csv)."""
    from ..aws.errors import AwsError
    from ..settings.names import endpoint_name

    rows = read_rows(text, settings.data, None)
    if client is None:
        from ..aws.session import AwsSession

        client = AwsSession(settings).client("sagemaker-runtime")
    predictions: list[str] = []
    for batch in batches(rows.lines, MAX_BODY_BYTES):
        answer = client.invoke_endpoint(
            EndpointName=endpoint_name(settings),
            ContentType="text/csv",
            Accept="text/csv",
            Body=("\n".join(batch) + "\n").encode("utf-8"),
        )
        body = answer["Body"].read().decode("utf-8", errors="replace")
        # XGBoost answers one prediction per line (older containers: comma-separated).
        values = [value for value in re.split(r"[,\s]+", body.strip()) if value]
        if len(values) != len(batch):
            raise AwsError(
                f"the endpoint answered {len(values)} predictions for {len(batch)} rows; "
                "is it serving a model of this project?"
            )
        predictions += values
    return predictions
