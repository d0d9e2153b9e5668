"""Rules for which raw data a run trains on (``retraining.train_on``).

Standard library only, like every ``rules_*`` module (see rules.py). The Glue job,
uploaded alone, reads the same values with its own copy of the parser
(steps/glue_etl_job.py, ``select_inputs``); a test holds the two together.
"""

from __future__ import annotations

import re

TRAIN_ON_ALL = "all"  # every upload under data/raw/
TRAIN_ON_LATEST = "latest"  # the newest upload: a file, or a folder of files, under data/raw/
MAX_WINDOW_DAYS = 3650
_WINDOW = re.compile(r"(\d+) days?")


def window_days(value: str) -> int | None:
    """The N of "N days" (uploads of the last N days), or None for another value."""
    match = _WINDOW.fullmatch(value.strip().lower())
    return int(match.group(1)) if match else None


def normalized_train_on(value: str) -> str:
    """The value as the job and the model version record it: "30 days", not " 30 Days"."""
    return " ".join(value.lower().split())


def train_on(value: str) -> str | None:
    """all, latest, or "N days"."""
    if value.strip().lower() in (TRAIN_ON_ALL, TRAIN_ON_LATEST):
        return None
    days = window_days(value)
    if days is None:
        return (
            f"'{value}' is not a choice of training data; write \"all\" (every upload), "
            '"latest" (the newest upload) or "30 days" (the uploads of the last 30 days)'
        )
    if not 1 <= days <= MAX_WINDOW_DAYS:
        return f"'{value}' is outside 1 to {MAX_WINDOW_DAYS} days; write \"all\" for every upload"
    return None
