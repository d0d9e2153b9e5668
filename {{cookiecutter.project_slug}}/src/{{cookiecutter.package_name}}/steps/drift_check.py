"""The drift check: what the live endpoint received, against its model's baseline.

The baseline (statistics.json, constraints.json under ``models/<run>/baseline/``) is
written by the ETL job from the run's training features, in SageMaker Model Monitor's
formats. This module reads the endpoint's captured requests (data capture's JSON
Lines: ``captureData.endpointInput.data`` holds the CSV rows), computes the same
statistics on them with the baseline's buckets, and reports violations in Model
Monitor's ``constraint_violations.json`` shape:

- ``baseline_drift_check``: the distance between a feature's baseline and current
  distributions (the largest gap between their cumulative shares at the bucket
  bounds, "Simple" comparison) exceeds ``comparison_threshold``;
- ``missing_column_check`` / ``extra_column_check``: requests carry fewer or more
  columns than the model was trained on;
- ``completeness_check``: a smaller share of values is present than in the baseline.

Why not Model Monitor itself: it is no longer open to new customers (AWS's
"Model Monitor availability change"); these are its documented file formats, so a
team that has it can point it at the same baseline. Standard library only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

INPUT_MODE = "INPUT"


def captured_rows(
    capture_lines: Iterable[str], since: datetime | None = None
) -> Iterator[list[str]]:
    """The CSV rows of each captured request (a request may hold several rows), of
    requests captured at ``since`` or later when it is given."""
    for line in capture_lines:
        if not line.strip():
            continue
        record = json.loads(line)
        if since and datetime.fromisoformat(record["eventMetadata"]["inferenceTime"]) < since:
            continue
        request = record.get("captureData", {}).get("endpointInput", {})
        if request.get("mode", INPUT_MODE) != INPUT_MODE or request.get("encoding") != "CSV":
            continue
        yield from (row for row in csv.reader(io.StringIO(request.get("data", ""))) if row)


class CurrentStatistics:
    """The captured rows' statistics, bucketed as the baseline is: bounded memory,
    whatever the number of rows."""

    def __init__(self, baseline: dict[str, Any]):
        self.features = [feature["name"] for feature in baseline["features"]]
        self.bounds = [_upper_bounds(feature) for feature in baseline["features"]]
        self.counts = [[0] * (len(bounds) or 1) for bounds in self.bounds]
        self.present = [0] * len(self.features)
        self.rows = 0
        self.widths: dict[int, int] = {}  # columns per row -> rows

    def add(self, row: list[str]) -> None:
        self.rows += 1
        self.widths[len(row)] = self.widths.get(len(row), 0) + 1
        for index, text in enumerate(row[: len(self.features)]):
            value = _number(text)
            if value is None:
                continue
            self.present[index] += 1
            bounds = self.bounds[index]
            bucket = next((k for k, upper in enumerate(bounds) if value <= upper), len(bounds) - 1)
            self.counts[index][max(bucket, 0)] += 1


def check(
    baseline: dict[str, Any], constraints: dict[str, Any], rows: Iterable[list[str]]
) -> tuple[CurrentStatistics, dict[str, Any]]:
    """The current statistics and the violations report for ``rows``."""
    current = CurrentStatistics(baseline)
    for row in rows:
        current.add(row)
    return current, {"violations": violations(baseline, constraints, current)}


def violations(
    baseline: dict[str, Any], constraints: dict[str, Any], current: CurrentStatistics
) -> list[dict[str, str]]:
    found = []
    expected = len(current.features)
    for width, rows in sorted(current.widths.items()):
        if width != expected:
            kind = "missing_column_check" if width < expected else "extra_column_check"
            found.append({
                "feature_name": "",
                "constraint_check_type": kind,
                "description": f"{rows} of {current.rows} requests have {width} columns; "
                               f"the model was trained on {expected}",
            })  # fmt: skip
    threshold = _threshold(constraints)
    by_name = {feature["name"]: feature for feature in constraints.get("features", [])}
    for index, name in enumerate(current.features):
        if not current.rows:
            break
        distance = distribution_distance(baseline["features"][index], current.counts[index])
        if distance is not None and distance > threshold:
            found.append({
                "feature_name": name,
                "constraint_check_type": "baseline_drift_check",
                "description": f"distance {distance:.3f} exceeds threshold {threshold:g} "
                               "(the largest gap between baseline and current cumulative shares)",
            })  # fmt: skip
        completeness = current.present[index] / current.rows
        required = by_name.get(name, {}).get("completeness")
        if required is not None and completeness < required - 1e-9:
            found.append({
                "feature_name": name,
                "constraint_check_type": "completeness_check",
                "description": f"{completeness:.1%} of values present; the baseline had "
                               f"{required:.1%}",
            })  # fmt: skip
    return found


def distribution_distance(feature: dict[str, Any], counts: list[int]) -> float | None:
    """The L-infinity distance between the cumulative shares of the baseline's buckets
    and of ``counts`` (the current values in the same buckets); None without data."""
    buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
    baseline_counts = [bucket["count"] for bucket in buckets]
    total_baseline, total_current = sum(baseline_counts), sum(counts)
    if not total_baseline or not total_current:
        return None
    gap = running_baseline = running_current = 0
    for baseline_count, current_count in zip(baseline_counts, counts, strict=False):
        running_baseline += baseline_count
        running_current += current_count
        gap = max(gap, abs(running_baseline / total_baseline - running_current / total_current))
    return gap


def _upper_bounds(feature: dict[str, Any]) -> list[float]:
    buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
    return [bucket["upper_bound"] for bucket in buckets]


def _threshold(constraints: dict[str, Any]) -> float:
    config = constraints.get("monitoring_config", {}).get("distribution_constraints", {})
    return float(config.get("comparison_threshold", 0.1))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
