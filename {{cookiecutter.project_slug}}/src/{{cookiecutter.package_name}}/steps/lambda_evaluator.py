"""The evaluator Lambda: a training job's metric, by name, as a plain number; and
the champion/challenger comparison of two models' predictions.

The state machine's quality gate compares that number with the threshold, so the
handler must return a JSON scalar and fail loudly, with an error the state machine
can tell apart, when it cannot: the reference notebook read ``trainingMetrics[0]``
by position and, on error, indexed into a string.

With ``"Action": "CompareModels"`` it reads the batch transform outputs of the live
and the new model on the same validation rows (``label,prediction`` lines) and
scores both with the same code, so neither number comes from other data.

Deployed as-is (``handler``); tested locally against SageMaker emulated by moto.
Needs only boto3, which the Lambda runtime provides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from itertools import zip_longest
from typing import Any

from botocore.exceptions import ClientError

# Each error's class name is what Step Functions sees as the Error of the failed
# Lambda task, so each one can be caught and reported on its own.


class EvaluatorError(Exception):
    """Base class of the evaluator's errors."""


class MissingTrainingJobName(EvaluatorError):
    """The event has no TrainingJobName."""


class TrainingJobNotFound(EvaluatorError):
    """SageMaker knows no training job of that name."""


class TrainingJobNotCompleted(EvaluatorError):
    """The job is still running, or it failed or was stopped."""


class MetricNotFound(EvaluatorError):
    """The job finished without reporting the metric the gate needs."""


class ScoresNotFound(EvaluatorError):
    """A batch transform left no predictions where the comparison reads them."""


class ScoresUnreadable(EvaluatorError):
    """Predictions that are not 'label,prediction' lines, or that do not pair up."""


def read_metric(description: dict[str, Any], metric_name: str) -> dict[str, Any]:
    """Pick ``metric_name`` out of a DescribeTrainingJob response (a pure function)."""
    job_name = description.get("TrainingJobName", "?")
    status = description.get("TrainingJobStatus")
    if status != "Completed":
        reason = description.get("FailureReason", "")
        raise TrainingJobNotCompleted(
            f"training job {job_name} is {status}" + (f": {reason}" if reason else "")
        )
    metrics = {
        metric["MetricName"]: float(metric["Value"])
        for metric in description.get("FinalMetricDataList", [])
    }
    if metric_name not in metrics:
        reported = ", ".join(sorted(metrics)) or "none"
        raise MetricNotFound(
            f"training job {job_name} did not report {metric_name} (reported: {reported})"
        )
    value = metrics[metric_name]
    if not math.isfinite(value):
        raise MetricNotFound(f"training job {job_name} reported {metric_name} = {value}")
    return {"metric_name": metric_name, "value": value, "metrics": metrics, "job_name": job_name}


def evaluate(event: dict[str, Any], sagemaker_client: Any) -> dict[str, Any]:
    job_name = event.get("TrainingJobName")
    if not job_name:
        raise MissingTrainingJobName("the event must name the training job: TrainingJobName")
    metric_name = event.get("MetricName", "validation:error")
    try:
        description = sagemaker_client.describe_training_job(TrainingJobName=job_name)
    except ClientError as error:
        if _is_not_found(error):
            raise TrainingJobNotFound(f"no training job named {job_name}") from error
        raise
    return read_metric(description, metric_name)


def _is_not_found(error: ClientError) -> bool:
    # SageMaker answers DescribeTrainingJob for an unknown job with a
    # ValidationException ("Requested resource not found"), not ResourceNotFound.
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "").lower()
    return code == "ResourceNotFound" or (code == "ValidationException" and "not found" in message)


# -- Champion/challenger --------------------------------------------------------
# Each metric of the gate, computed from (label, predicted probability) pairs as
# xgboost defines it for binary:logistic (its documentation of eval_metric), streamed:
# the memory is the same for a thousand validation rows or a billion. Error and
# logloss are exact. AUC and AUCPR come from a histogram of the predictions in
# SCORE_BINS equal bins over [0, 1]: a positive and a negative row in one bin count as
# a tie (half), so the AUC is within ``auc_error_bound`` of the exact value, which the
# comparison states when it is not zero.

SCORE_BINS = 1 << 16
LOG_LOSS_EPS = 1e-16  # xgboost clips probabilities to [eps, 1 - eps]


class Scores:
    """One model's running totals over its (label, prediction) pairs."""

    def __init__(self) -> None:
        self.rows = 0
        self.wrong = 0
        self.log_loss = 0.0
        self.positives = [0] * SCORE_BINS  # rows with a positive label, per score bin
        self.negatives = [0] * SCORE_BINS

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, float]]) -> Scores:
        scores = cls()
        for label, prediction in pairs:
            scores.add(label, prediction)
        return scores

    def add(self, label: float, prediction: float) -> None:
        positive = label > 0.5
        self.rows += 1
        self.wrong += (prediction > 0.5) != positive
        p = min(max(prediction, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS)
        self.log_loss -= label * math.log(p) + (1 - label) * math.log(1 - p)
        bucket = min(int(min(max(prediction, 0.0), 1.0) * SCORE_BINS), SCORE_BINS - 1)
        (self.positives if positive else self.negatives)[bucket] += 1

    def groups(self) -> list[tuple[int, int]]:
        """(positives, negatives) per occupied bin, highest predictions first."""
        return [(self.positives[k], self.negatives[k]) for k in range(SCORE_BINS - 1, -1, -1)
                if self.positives[k] or self.negatives[k]]  # fmt: skip

    def auc_error_bound(self) -> float:
        """The most the binned AUC can differ from the exact one: half the share of
        positive-negative pairs that share a bin."""
        positives, negatives = sum(self.positives), sum(self.negatives)
        if not positives or not negatives:
            return 0.0
        same_bin = sum(p * n for p, n in zip(self.positives, self.negatives, strict=True))
        return same_bin / (2 * positives * negatives)


def _error(scores: Scores) -> float:
    """The share of rows whose prediction, read as positive above 0.5, is wrong."""
    return scores.wrong / scores.rows


def _logloss(scores: Scores) -> float:
    return scores.log_loss / scores.rows


def _auc(scores: Scores) -> float:
    """Area under the ROC curve; tied predictions count half (trapezoids)."""
    positives, negatives = sum(scores.positives), sum(scores.negatives)
    if positives == 0 or negatives == 0:
        raise ScoresUnreadable("AUC needs both classes in the validation rows")
    area, true_positives = 0.0, 0
    for group_positives, group_negatives in scores.groups():
        area += group_negatives * (true_positives + group_positives / 2)
        true_positives += group_positives
    return area / (positives * negatives)


def _aucpr(scores: Scores) -> float:
    """Area under the precision-recall curve, by trapezoids between thresholds."""
    positives = sum(scores.positives)
    if positives == 0:
        raise ScoresUnreadable("AUCPR needs positive rows in the validation set")
    area, true_positives, seen = 0.0, 0, 0
    last_recall, last_precision = 0.0, 1.0
    for group_positives, group_negatives in scores.groups():
        true_positives += group_positives
        seen += group_positives + group_negatives
        recall, precision = true_positives / positives, true_positives / seen
        area += (recall - last_recall) * (precision + last_precision) / 2
        last_recall, last_precision = recall, precision
    return area


METRICS: dict[str, Callable[[Scores], float]] = {
    "validation:error": _error,
    "validation:logloss": _logloss,
    "validation:auc": _auc,
    "validation:aucpr": _aucpr,
}
BINNED_METRICS = ("validation:auc", "validation:aucpr")


def parse_scores(lines: Iterable[str], where: str) -> Iterator[tuple[float, float]]:
    """'label,prediction' lines (batch transform with JoinSource=Input and
    OutputFilter '$[0,-1]') as pairs, one at a time; blank lines are skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.strip().split(",")
        try:
            label, prediction = float(fields[0]), float(fields[-1])
        except ValueError:
            raise ScoresUnreadable(f"{where} line {number} is not 'label,prediction': "
                                   f"{line.strip()[:80]!r}") from None  # fmt: skip
        if len(fields) != 2 or not (math.isfinite(label) and math.isfinite(prediction)):
            raise ScoresUnreadable(f"{where} line {number} is not 'label,prediction': "
                                   f"{line.strip()[:80]!r}")  # fmt: skip
        yield label, prediction


def score_lines(s3_client: Any, uri: str) -> Iterator[str]:
    """The lines of every ``.out`` object under the prefix (one per input file), in key
    order (the same order for both models, which read the same input files), streamed."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    keys = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".out")]
    if not keys:
        raise ScoresNotFound(f"no batch transform output (*.out) under {uri}")
    for key in sorted(keys):
        for line in s3_client.get_object(Bucket=bucket, Key=key)["Body"].iter_lines():
            yield line.decode("utf-8")


def score_both(s3_client: Any, new_uri: str, live_uri: str) -> tuple[Scores, Scores]:
    """Both models' totals, reading their outputs side by side: each row's label must
    be the same in both, or they were not scored on the same rows."""
    new, live = Scores(), Scores()
    new_pairs = parse_scores(score_lines(s3_client, new_uri), new_uri)
    live_pairs = parse_scores(score_lines(s3_client, live_uri), live_uri)
    for new_pair, live_pair in zip_longest(new_pairs, live_pairs):
        if new_pair is None or live_pair is None or new_pair[0] != live_pair[0]:
            raise ScoresUnreadable(
                f"the two models' predictions do not pair up (at row {new.rows + 1}: "
                f"{new_pair} and {live_pair} as label and prediction): they must come from "
                "the same validation files"
            )
        new.add(*new_pair)
        live.add(*live_pair)
    return new, live


def compare(event: dict[str, Any], s3_client: Any) -> dict[str, Any]:
    """Score the new and the live model on the same rows; say whether the new one wins."""
    metric_name = event["MetricName"]
    if metric_name not in METRICS:
        raise MetricNotFound(f"the comparison cannot compute {metric_name}")
    new, live = score_both(s3_client, event["NewScoresUri"], event["LiveScoresUri"])
    if not new.rows:
        raise ScoresNotFound(f"the batch transform outputs under {event['NewScoresUri']} are empty")
    metric = METRICS[metric_name]
    new_score, live_score = metric(new), metric(live)
    lower_is_better = bool(event["LowerIsBetter"])
    improvement = live_score - new_score if lower_is_better else new_score - live_score
    minimum = float(event.get("MinImprovement", 0.0))
    # A tie keeps the live model unless the settings say otherwise (replace_on_tie).
    tie_kept = improvement == 0 and not event.get("ReplaceOnTie", False)
    beats = improvement >= minimum and not tie_kept
    live_model = event.get("LiveModel", "?")
    if tie_kept:
        verdict = "a tie, which keeps the live model (quality_gate.replace_on_tie)"
    else:
        verdict = f"{'at least' if beats else 'less than'} min_improvement {minimum:g}"
    bound = max(new.auc_error_bound(), live.auc_error_bound())
    precision = (f" (each within {bound:.2g} of the exact value: {SCORE_BINS} score bins)"
                 if metric_name == "validation:auc" and bound else "")  # fmt: skip
    summary = (
        f"on this run's {new.rows} validation rows, {metric_name} of the new model is "
        f"{new_score:.6g} and of the live model ({live_model}) {live_score:.6g}{precision}: "
        f"an improvement of {improvement:.6g}, {verdict}"
    )
    return {
        "new_model_score": new_score,
        "live_model_score": live_score,
        "improvement": improvement,
        "beats_live_model": beats,
        "rows": new.rows,
        "live_model": live_model,
        "summary": summary,
    }


def handler(
    event: dict[str, Any], context: Any = None, sagemaker_client: Any = None, s3_client: Any = None
) -> dict:
    """Lambda entry point. The clients are injected by tests and local mode."""
    if event.get("Action") == "CompareModels":
        return compare(event, s3_client or _client("s3"))
    return evaluate(event, sagemaker_client or _client("sagemaker"))


def _client(service: str) -> Any:
    import boto3  # the Lambda runtime provides it

    return boto3.client(service)
