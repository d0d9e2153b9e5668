"""The evaluator Lambda: a training job's metric, by name, as a plain number.

The state machine's quality gate compares that number with the threshold, so the
handler must return a JSON scalar and fail loudly, with an error the state machine
can tell apart, when it cannot: the reference notebook read ``trainingMetrics[0]``
by position and, on error, indexed into a string.

Deployed as-is (``handler``); tested locally against SageMaker emulated by moto.
Needs only boto3, which the Lambda runtime provides.
"""

from __future__ import annotations

import math
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


def handler(event: dict[str, Any], context: Any = None, sagemaker_client: Any = None) -> dict:
    """Lambda entry point. ``sagemaker_client`` is injected by tests and local mode."""
    if sagemaker_client is None:
        import boto3

        sagemaker_client = boto3.client("sagemaker")
    return evaluate(event, sagemaker_client)
