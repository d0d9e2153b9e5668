"""Learn a dataset's schema from a sample of its CSV: what `data init` writes.

Each column's kind is read from its values: a label with two values, an id whose
values are all distinct, booleans (yes/no, true/false, 1/0), numbers, and text with
few distinct values (categories). What cannot be told from the data is not guessed
silently: each choice that needs a person is returned as a decision to confirm.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from ..settings import SettingsError
from ..settings.data_schema import BOOLEAN, CATEGORICAL, NUMERIC, DataSchema, Feature
from ..settings.data_schema import BOOLEAN_FALSE as FALSE_VALUES
from ..settings.data_schema import BOOLEAN_TRUE as TRUE_VALUES

SAMPLE_ROWS = 20_000  # enough to see the values of each column; a file may be larger
MAX_INFERRED_CATEGORIES = 20  # more distinct texts than this: a person decides
NON_NUMBERS_TOLERATED = 0.05  # a numeric column with up to 5% stray texts ('n/a', '-')
LABEL_NAMES = ("label", "target", "class", "y", "outcome")
OTHER_TASKS = "README's 'Other tasks' says what to change for regression or multi-class"


class DataInitError(SettingsError):
    """The sample cannot give a binary-classification schema: one line says why."""


@dataclass(frozen=True)
class Inferred:
    schema: DataSchema
    rows_sampled: int
    decisions: tuple[str, ...]  # what a person should confirm or change


@dataclass(frozen=True)
class Sample:
    names: list[str]
    rows: list[list[str]]
    left_out: int  # rows with another number of fields than the header


def read_sample(text: str, source: str) -> Sample:
    """The header and up to SAMPLE_ROWS rows of CSV ``text`` (a last partial line,
    from a ranged read, is left out by the caller)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise DataInitError(f"{source} is empty or has no header line")
    names = list(header)  # exactly as written: Spark binds columns by these names
    if len(names) == 1 and any(separator in names[0] for separator in ";\t|"):
        raise DataInitError(
            f"{source}'s header reads as one column ({names[0][:60]!r}): the file is not "
            "comma-separated, as the Glue job reads it; save it with commas"
        )
    lowered = [name.lower() for name in names]
    repeated = sorted({name for name in names if lowered.count(name.lower()) > 1})
    if repeated or any(not name.strip() for name in names):
        raise DataInitError(
            f"{source}'s header has "
            + (f"repeated columns {', '.join(repeated)} (Spark, on Glue too, ignores case)"
               if repeated else "an unnamed column")
            + "; give each column its own name"
        )  # fmt: skip
    rows, ragged = [], 0
    for row in reader:
        if len(row) == len(names):
            rows.append([value.strip() for value in row])
        else:
            ragged += 1
        if len(rows) >= SAMPLE_ROWS:
            break
    if not rows:
        raise DataInitError(f"{source} has no row with all {len(names)} columns")
    return Sample(names, rows, ragged)


def infer(sample: Sample, source: str, label: str | None) -> Inferred:
    names, rows = sample.names, sample.rows
    columns = {name: [row[index] for row in rows] for index, name in enumerate(names)}
    decisions: list[str] = []
    label = _label_column(columns, source, label, decisions)
    positive, negative = _label_values(label, columns[label], decisions)
    identity = _id_column(columns, label, decisions)
    features, ignore = [], []
    for name, values in columns.items():
        if name in (label, identity):
            continue
        feature = _feature(name, values, decisions)
        if feature is None:
            ignore.append(name)
        else:
            features.append(feature)
    if not features:
        raise DataInitError(f"{source} has no column usable as a feature besides {label}")
    if sample.left_out:
        decisions.append(
            f"{sample.left_out} rows of {source} have a different number of fields and "
            "were left out of the sample; a run drops them too (`data check` counts them)"
        )
    schema = DataSchema(label, positive, negative, identity, tuple(features), tuple(ignore))
    decisions += _class_balance(columns[label], positive, negative)
    return Inferred(schema, len(rows), tuple(decisions))


def _class_balance(labels: list[str], positive, negative) -> list[str]:
    """The positive class's share among the rows a run keeps (labelled ones), and how
    many rows it drops for an empty or unknown label."""
    kept = [value.lower() for value in labels if value.lower() in {*positive, *negative}]
    said = []
    if len(kept) < len(labels):
        said.append(
            f"{len(labels) - len(kept)} of the sampled rows have an empty or other label: a "
            "run drops them (`data check` counts them)"
        )
    if kept:
        share = sum(value in positive for value in kept) / len(kept)
        said.append(
            f"the positive class is {share:.1%} of the labelled rows: a model that always "
            f"answers the majority class has a validation error of about "
            f"{min(share, 1 - share):.3f}; set [quality_gate] so that such a model fails it "
            "(a lower error threshold, or auc)"
        )
    return said


def _label_column(columns, source: str, given: str | None, decisions: list[str]) -> str:
    if given is not None:
        if given not in columns:
            raise DataInitError(
                f"--label {given} is not a column of {source}; its columns: {', '.join(columns)}"
            )
        return given
    named = [name for name in columns if name.lower() in LABEL_NAMES]
    if len(named) == 1:
        decisions.append(f"label: {named[0]}, by its name (--label chooses another column)")
        return named[0]
    two_valued = [name for name, values in columns.items() if len(_distinct(values)) == 2]
    if len(two_valued) == 1:
        decisions.append(
            f"label: {two_valued[0]}, the only column with two values (--label chooses another)"
        )
        return two_valued[0]
    raise DataInitError(
        f"which column of {source} is the label? give --label COLUMN (one of {', '.join(columns)})"
    )


def _label_values(label: str, values: list[str], decisions: list[str]):
    counts = Counter(value.lower() for value in values if value)
    if len(counts) < 2:
        raise DataInitError(
            f"{label} has {len(counts)} distinct value in the {len(values)} rows sampled (the "
            "first of the file): a label needs two; if the file is sorted by label, shuffle it"
        )
    if len(counts) > 2:
        shown = ", ".join(f"{value!r} ({n})" for value, n in counts.most_common(5))
        more = ", ..." if len(counts) > 5 else ""
        raise DataInitError(
            f"{label} has {len(counts)} distinct values ({shown}{more}), and this template "
            "trains a binary classifier: if only two are labels, write data.positive and "
            f"data.negative yourself (rows with other values are dropped); {OTHER_TASKS}"
        )
    first, second = sorted(counts)
    if {first, second} <= {*TRUE_VALUES, *FALSE_VALUES} and (first in TRUE_VALUES) != (
        second in TRUE_VALUES
    ):
        positive = first if first in TRUE_VALUES else second
        negative = second if positive == first else first
        return (positive,), (negative,)
    rarer, commoner = sorted((first, second), key=lambda value: (counts[value], value))
    decisions.append(
        f"decide: {label} has the values {rarer!r} ({counts[rarer]} rows) and {commoner!r} "
        f"({counts[commoner]}); the rarer, {rarer!r}, is written as the positive class, the "
        "one the model detects: swap data.positive and data.negative if that is wrong"
    )
    return (rarer,), (commoner,)


def _looks_like_id(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("id", "key", "uuid")
        or lowered.endswith(("_id", "-id", " id", ".id", "_key", "_uuid"))
        or (name.endswith(("ID", "Id")) and len(name) > 2)  # CustomerID, userId
    )


def _id_column(columns, label: str, decisions: list[str]) -> str:
    for name, values in columns.items():
        if name != label and _looks_like_id(name):
            distinct = len(set(values))
            decisions.append(
                f"id column: {name}, by its name ({distinct} distinct values in {len(values)} "
                "rows): all rows of one id go to the same one of train and validation"
            )
            return name
    decisions.append("no id column: train/validation is split on a hash of the whole row")
    for name, values in columns.items():
        if name != label and len(values) > 1 and len(set(values)) == len(values):
            decisions.append(
                f"decide: every value of {name} is distinct: if it identifies a row (an "
                "index, a key), set data.id_column to it or list it in data.ignore; as a "
                "feature it would only let the model memorize rows"
            )
    return ""


def _feature(name: str, values: list[str], decisions: list[str]) -> Feature | None:
    present = [value for value in values if value]
    missing = len(values) - len(present)
    if missing:
        decisions.append(
            f"{name}: {missing} of {len(values)} sampled rows have no value; such rows are "
            "dropped (fill them in, or list the column in data.ignore)"
        )
    if not present:
        decisions.append(f"{name}: no value in the sample; listed in data.ignore")
        return None
    distinct = _distinct(present)
    one_sided = distinct <= set(TRUE_VALUES) or distinct <= set(FALSE_VALUES)
    if len(distinct) <= 2 and (one_sided or _is_pair(distinct)):
        return Feature(name, BOOLEAN)
    not_numbers = [value for value in present if not _is_number(value)]
    if not not_numbers:
        return Feature(name, NUMERIC)
    if len(not_numbers) <= NON_NUMBERS_TOLERATED * len(present):
        examples = ", ".join(repr(value) for value in sorted(set(not_numbers))[:3])
        decisions.append(
            f"decide: {name} is numeric but {len(not_numbers)} sampled values are not numbers "
            f"({examples}): rows with them are dropped; clean them (a missing value, a "
            "thousands separator) or list the column in data.ignore"
        )
        return Feature(name, NUMERIC)
    first_spelling = {}  # the ETL matches categories in any case: one per lowercase form
    for value in present:
        first_spelling.setdefault(value.lower(), value)
    categories = sorted(first_spelling.values())
    if len(categories) > MAX_INFERRED_CATEGORIES:
        decisions.append(
            f"decide: {name} has {len(categories)} distinct texts, too many to encode one "
            "column each; listed in data.ignore (encode it yourself, or list the categories "
            "that matter in data.features)"
        )
        return None
    decisions.append(f"{name}: categorical, {len(categories)} values")
    return Feature(name, CATEGORICAL, tuple(categories))


def _is_pair(distinct: set[str]) -> bool:
    return any({yes, no} >= distinct for yes, no in zip(TRUE_VALUES, FALSE_VALUES, strict=True))


def _distinct(values: list[str]) -> set[str]:
    return {value.lower() for value in values if value}


def _is_number(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return number == number and abs(number) != float("inf")
