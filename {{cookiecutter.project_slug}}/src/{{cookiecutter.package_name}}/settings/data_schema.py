"""The dataset's schema: settings.toml's [data] table, checked, and as the Glue job reads it.

The Glue job (steps/glue_etl_job.py) gets the schema as its ``--schema`` argument,
the JSON of ``DataSchema.to_json``; the job and local mode then read any dataset whose
header has these columns, in any order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NUMERIC, BOOLEAN, CATEGORICAL = "numeric", "boolean", "categorical"
KINDS_HELP = '"numeric", "boolean" (yes/no, true/false, 1/0) or a list of its categories'
MAX_CATEGORIES = 50  # one-hot columns per feature: beyond this, encode it yourself
# The spellings of a boolean feature (any case). The Glue job, uploaded on its own, holds
# the same two tuples (BOOLEAN_TRUE/BOOLEAN_FALSE); a test keeps them equal.
BOOLEAN_TRUE, BOOLEAN_FALSE = ("yes", "true", "1"), ("no", "false", "0")


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # NUMERIC, BOOLEAN or CATEGORICAL
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataSchema:
    label: str
    positive: tuple[str, ...]  # label values of the positive class (case-insensitive)
    negative: tuple[str, ...]
    id_column: str  # "" when the data has none
    features: tuple[Feature, ...]
    ignore: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        """Every column a raw file must have, in the schema's order."""
        identity = [self.id_column] if self.id_column else []
        return [*identity, self.label, *(f.name for f in self.features), *self.ignore]

    @property
    def feature_layout(self) -> str:
        """A fingerprint of what a model trained on this table takes and predicts: its
        features (names, kinds, categories, in order) and its label's classes. Two
        models are compared only when theirs are equal (the workflow's SAME_FEATURES)."""
        document = json.loads(self.to_json())
        for unrelated in ("id_column", "ignore"):  # they never reach the model
            document.pop(unrelated)
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        return f"sha256:{digest[:16]}"

    def to_json(self) -> str:
        """The Glue job's --schema argument (compact, keys sorted: stable in the definition)."""
        document = {
            "label": self.label,
            "positive": list(self.positive),
            "negative": list(self.negative),
            "id_column": self.id_column,
            "features": [
                {"name": f.name, "kind": f.kind, **({"categories": list(f.categories)}
                                                    if f.kind == CATEGORICAL else {})}
                for f in self.features
            ],
            "ignore": list(self.ignore),
        }  # fmt: skip
        return json.dumps(document, separators=(",", ":"), sort_keys=True)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def problems_of(table: Mapping[str, Any]) -> list[str]:
    """Every problem with a [data] table, one line each (types are checked elsewhere)."""
    problems = []
    label, identity = table.get("label"), table.get("id_column")
    positive, negative = table.get("positive"), table.get("negative")
    ignore, features = table.get("ignore"), table.get("features")
    for key, value in (("positive", positive), ("negative", negative)):
        if not _strings(value) or not value:
            problems.append(f'data.{key} must list one label value or more, like ["yes"]')
    if _strings(positive) and _strings(negative):
        both = sorted({v.lower() for v in positive} & {v.lower() for v in negative})
        if both:
            problems.append(f"data.positive and data.negative both hold {', '.join(both)}")
    if not isinstance(features, dict) or not features:
        return [*problems, "[data.features] is empty; list each feature column and its kind"]
    for name, kind in features.items():
        if isinstance(kind, list):
            if not kind:
                problems.append(f"data.features.{name} lists no categories; give its values")
            elif not _strings(kind):
                problems.append(
                    f"data.features.{name} lists an empty or non-text category; "
                    'write each as a quoted, non-empty string, like ["north", "south"]'
                )
            elif len({value.lower() for value in kind}) != len(kind):
                problems.append(f"data.features.{name} lists a category twice")
            elif len(kind) > MAX_CATEGORIES:
                problems.append(
                    f"data.features.{name} has {len(kind)} categories, more than "
                    f"{MAX_CATEGORIES}; encode it yourself or list it in data.ignore"
                )
        elif kind not in (NUMERIC, BOOLEAN):
            problems.append(f"data.features.{name} is {kind!r}; use {KINDS_HELP}")
    names = [*features, label, *(ignore if _strings(ignore) else [])]
    if identity:
        names.append(identity)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(
            f"{', '.join(repeated)} named twice in [data] (label, id_column, features and "
            "ignore name different columns)"
        )
    if ignore is not None and not isinstance(ignore, list):
        problems.append('data.ignore must be a list of column names, like ["notes"]')
    return problems


def from_table(table: Mapping[str, Any]) -> DataSchema:
    """The schema of a [data] table that ``problems_of`` found nothing wrong with."""
    features = tuple(
        Feature(name, CATEGORICAL, tuple(kind)) if isinstance(kind, list) else Feature(name, kind)
        for name, kind in table["features"].items()
    )
    return DataSchema(
        label=table["label"],
        positive=tuple(table["positive"]),
        negative=tuple(table["negative"]),
        id_column=table.get("id_column", ""),
        features=features,
        ignore=tuple(table.get("ignore", ())),
    )
