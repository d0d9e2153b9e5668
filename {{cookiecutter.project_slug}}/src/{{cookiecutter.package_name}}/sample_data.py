"""A deterministic, customer-churn-like sample dataset (the reference lab's use case).

The same seed and row count always give the same file. Churn depends on the
features the way it plausibly does (many service calls, long day calls, an
international plan) plus noise, so a model has something real to learn.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

STATES = ("CA", "NY", "TX", "FL", "WA", "IL", "OH", "GA", "NC", "MI")
DEFAULT_ROWS = 1000
DEFAULT_SEED = 7
# The raw CSV's header, as etl_job.RAW_SCHEMA reads it (a test keeps the two equal).
# Written out here so that sample data needs neither Spark nor the local extra.
COLUMNS = (
    "customer_id",
    "state",
    "account_length",
    "international_plan",
    "voice_mail_plan",
    "number_vmail_messages",
    "total_day_minutes",
    "total_day_calls",
    "total_eve_minutes",
    "total_night_minutes",
    "total_intl_minutes",
    "customer_service_calls",
    "churn",
)


def generate(path: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> Path:
    """Write ``rows`` customers to ``path`` (CSV with a header) and return the path."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, not {rows}")
    rng = np.random.default_rng(seed)
    international = rng.random(rows) < 0.1
    voice_mail = rng.random(rows) < 0.28
    vmail_messages = np.where(voice_mail, rng.poisson(25, rows), 0)
    day_minutes = np.clip(rng.normal(180, 55, rows), 0, None).round(1)
    day_calls = rng.poisson(100, rows)
    eve_minutes = np.clip(rng.normal(200, 50, rows), 0, None).round(1)
    night_minutes = np.clip(rng.normal(200, 50, rows), 0, None).round(1)
    intl_minutes = np.clip(rng.normal(10, 2.8, rows), 0, None).round(1)
    service_calls = rng.poisson(1.6, rows)
    account_length = rng.integers(1, 240, rows)
    # About 16% churn; XGBoost with the default settings reaches ~6% validation error.
    risk = (
        -2.5
        + 1.2 * np.maximum(service_calls - 2, 0)
        + 0.04 * np.maximum(day_minutes - 200, 0)
        + 2.0 * international
        - 1.0 * voice_mail
    )
    churn = rng.random(rows) < 1 / (1 + np.exp(-3 * risk))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for index in range(rows):
            writer.writerow(
                [
                    f"C{index:08d}",
                    STATES[index % len(STATES)],
                    account_length[index],
                    "yes" if international[index] else "no",
                    "yes" if voice_mail[index] else "no",
                    vmail_messages[index],
                    day_minutes[index],
                    day_calls[index],
                    eve_minutes[index],
                    night_minutes[index],
                    intl_minutes[index],
                    service_calls[index],
                    "True" if churn[index] else "False",
                ]
            )
    return path
