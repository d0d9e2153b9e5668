"""The drift check (steps/drift_check.py) on hand-made baselines: each violation type
of Model Monitor's constraint_violations.json that it reports, and its bounded memory."""

from __future__ import annotations

import json
import random
import tracemalloc

from project.steps import drift_check
from project.steps.glue_etl_job import suggested_constraints


def feature(name: str, values: list[float]) -> dict:
    """A feature's statistics.json entry as the ETL writes it (10 equal buckets)."""
    low, high = min(values), max(values)
    width = (high - low) / 10
    counts = [0] * 10
    for value in values:
        counts[min(int((value - low) / width), 9) if width else 0] += 1
    return {
        "name": name,
        "inferred_type": "Fractional",
        "numerical_statistics": {
            "common": {"num_present": len(values), "num_missing": 0},
            "mean": sum(values) / len(values), "sum": sum(values), "std_dev": 0.0,
            "min": low, "max": high,
            "distribution": {"kll": {"buckets": [
                {"lower_bound": low + k * width, "upper_bound": low + (k + 1) * width,
                 "count": counts[k]} for k in range(10)]}},
        },
    }  # fmt: skip


def baseline(seed: int = 1, rows: int = 2000):
    rng = random.Random(seed)
    columns = {"age": [rng.gauss(40, 10) for _ in range(rows)],
               "spend": [rng.uniform(0, 100) for _ in range(rows)]}  # fmt: skip
    features = [feature(name, values) for name, values in columns.items()]
    statistics = {"version": 0, "dataset": {"item_count": rows}, "features": features}
    return statistics, suggested_constraints(statistics), columns


def rows_of(columns, shift_age=0.0):
    return [[str(age + shift_age), str(spend)]
            for age, spend in zip(columns["age"], columns["spend"], strict=True)]  # fmt: skip


def test_the_training_distribution_is_no_drift_and_a_shift_names_its_feature():
    statistics, constraints, _ = baseline()
    fresh = baseline(seed=2)[2]  # another sample of the same distributions
    _, report = drift_check.check(statistics, constraints, rows_of(fresh))
    assert report == {"violations": []}
    _, report = drift_check.check(statistics, constraints, rows_of(fresh, shift_age=15))
    (violation,) = report["violations"]
    assert violation["feature_name"] == "age"
    assert violation["constraint_check_type"] == "baseline_drift_check"
    assert "exceeds threshold 0.1" in violation["description"]


def test_the_threshold_is_the_constraints_comparison_threshold():
    statistics, constraints, columns = baseline()
    shifted = rows_of(columns, shift_age=3)  # a small shift: about 0.12 apart
    distance = drift_check.distribution_distance(
        statistics["features"][0], drift_check.check(statistics, constraints, shifted)[0].counts[0]
    )
    assert 0.1 < distance < 0.3
    constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] = 0.5
    assert drift_check.check(statistics, constraints, shifted)[1] == {"violations": []}


def test_rows_with_missing_or_extra_columns_and_missing_values_are_reported():
    statistics, constraints, columns = baseline()
    rows = rows_of(columns)[:100] + [["41"]] * 5 + [["41", "5", "9"]] * 3 + [["", "5"]] * 40
    _, report = drift_check.check(statistics, constraints, rows)
    kinds = {(v["constraint_check_type"], v["feature_name"]) for v in report["violations"]}
    assert ("missing_column_check", "") in kinds and ("extra_column_check", "") in kinds
    assert ("completeness_check", "age") in kinds


def test_captured_rows_are_read_from_data_captures_json_lines():
    def line(data, mode="INPUT", encoding="CSV"):
        request = {"observedContentType": "text/csv", "mode": mode, "data": data,
                   "encoding": encoding}  # fmt: skip
        metadata = {"eventId": "e", "inferenceTime": "2026-12-04T10:00:00.000+00:00"}
        return json.dumps({"captureData": {"endpointInput": request}, "eventMetadata": metadata})

    lines = [line("1,2\n3,4\n"), "", line("5,6"), line("x", encoding="BASE64")]
    assert list(drift_check.captured_rows(lines)) == [["1", "2"], ["3", "4"], ["5", "6"]]


def test_memory_does_not_grow_with_the_captured_rows():
    """Counts per bucket, not rows: 10x the rows, about the same peak memory."""
    statistics, constraints, _ = baseline(rows=500)
    row = ["40.0", "50.0"]

    def peak(count):
        tracemalloc.start()
        drift_check.check(statistics, constraints, (row for _ in range(count)))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5 + 10_000
