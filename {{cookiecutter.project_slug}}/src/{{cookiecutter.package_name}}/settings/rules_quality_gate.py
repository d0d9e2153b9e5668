"""The quality gate: the metrics it can judge a model by, which way each improves, the
range of a threshold, and how an approved version is approved.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import math

from .rules_suggestions import did_you_mean, one_of

# Metrics that SageMaker's built-in XGBoost and the xgboost library both report
# for a binary classifier, with the direction in which each one improves.
METRIC_DIRECTIONS = {
    "validation:error": "lower-is-better",
    "validation:logloss": "lower-is-better",
    "validation:auc": "higher-is-better",
    "validation:aucpr": "higher-is-better",
}
# The range a threshold of each metric can take (logloss is unbounded above).
METRIC_RANGES = {
    "validation:error": (0.0, 1.0),
    "validation:logloss": (0.0, math.inf),
    "validation:auc": (0.0, 1.0),
    "validation:aucpr": (0.0, 1.0),
}
DIRECTIONS = ("lower-is-better", "higher-is-better")
# "automatic": the gate's decision approves (or rejects) a version; "manual": a
# version that passes waits as PendingManualApproval until someone approves it.
APPROVAL_MODES = ("automatic", "manual")


def quality_metric(value: str) -> str | None:
    if value in METRIC_DIRECTIONS:
        return None
    close = did_you_mean(value, METRIC_DIRECTIONS)
    if close:
        return f"'{value}' is not a metric the quality gate supports{close}"
    return one_of(value, tuple(METRIC_DIRECTIONS), "a metric the quality gate supports")
