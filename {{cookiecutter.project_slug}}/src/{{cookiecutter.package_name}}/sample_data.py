"""A deterministic sample dataset for whatever schema settings.toml's [data] table gives.

The same schema, seed and row count always give the same file. The label depends on
the first three features (plus a little noise), so that a model has something real to
learn and the default quality gate passes on a thousand rows; the other features and
the ignored columns are noise.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .settings.data_schema import BOOLEAN, NUMERIC, DataSchema

DEFAULT_ROWS = 1000
DEFAULT_SEED = 7
POSITIVE_SHARE = 0.2  # about one row in five is of the positive class
SIGNAL_WEIGHTS = (1.6, 1.3, 1.0)  # of the first three features; the rest carry none


def generate(
    path: Path, schema: DataSchema, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED
) -> Path:
    """Write ``rows`` rows to ``path`` (CSV with a header) and return the path."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, not {rows}")
    rng = np.random.default_rng(seed)
    values: dict[str, list[str]] = {}
    signal = np.zeros(rows)
    for index, feature in enumerate(schema.features):
        if feature.kind == NUMERIC:
            numbers = rng.normal(100, 25, rows).round(2)
            values[feature.name] = [f"{number:g}" for number in numbers]
            standardized = (numbers - 100) / 25
        elif feature.kind == BOOLEAN:
            flags = rng.random(rows) < 0.3
            values[feature.name] = ["yes" if flag else "no" for flag in flags]
            standardized = np.where(flags, 1.5, -0.65)
        else:
            picks = rng.integers(0, len(feature.categories), rows)
            values[feature.name] = [feature.categories[pick] for pick in picks]
            standardized = np.where(picks == 0, 1.5, -0.5)
        weight = SIGNAL_WEIGHTS[index] if index < len(SIGNAL_WEIGHTS) else 0.0
        signal += weight * standardized
    noisy = signal + rng.normal(0, 0.25, rows)
    positive = noisy > np.quantile(noisy, 1 - POSITIVE_SHARE)
    values[schema.label] = [schema.positive[0] if flag else schema.negative[0] for flag in positive]
    if schema.id_column:
        values[schema.id_column] = [f"R{index:08d}" for index in range(rows)]
    for number, name in enumerate(schema.ignore):
        values[name] = [f"x{(index * 7 + number) % 97}" for index in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(schema.columns)
        writer.writerows(zip(*(values[name] for name in schema.columns), strict=True))
    return path
