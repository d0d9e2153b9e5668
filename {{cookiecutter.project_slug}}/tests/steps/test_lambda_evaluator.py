"""The evaluator Lambda, against SageMaker's real client with stubbed responses.

botocore's Stubber checks each request and response against SageMaker's API model;
nothing is sent. The handler is the one deployed to Lambda.
"""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from project.steps import lambda_evaluator
from project.steps.lambda_evaluator import (
    MetricNotFound,
    MissingTrainingJobName,
    TrainingJobNotCompleted,
    TrainingJobNotFound,
    handler,
)

JOB = "churn-0f8fd3c2-5b7a-4e4e-9a57-2c1a4e1d7f10"


def description(status="Completed", metrics=None, failure_reason=None):
    response = {
        "TrainingJobName": JOB,
        "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{JOB}",
        "ModelArtifacts": {"S3ModelArtifacts": f"s3://bucket/runs/{JOB}/model.tar.gz"},
        "TrainingJobStatus": status,
        "SecondaryStatus": status,
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": datetime(2026, 1, 1),
    }
    if metrics is not None:
        response["FinalMetricDataList"] = [
            {"MetricName": name, "Value": value, "Timestamp": datetime(2026, 1, 1)}
            for name, value in metrics.items()
        ]
    if failure_reason:
        response["FailureReason"] = failure_reason
    return response


@pytest.fixture
def sagemaker():
    client = boto3.client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield client, stubber


def call(sagemaker, response=None, error=None, metric="validation:error"):
    client, stubber = sagemaker
    if error:
        stubber.add_client_error("describe_training_job", *error)
    else:
        stubber.add_response("describe_training_job", response, {"TrainingJobName": JOB})
    return handler({"TrainingJobName": JOB, "MetricName": metric}, None, sagemaker_client=client)


def test_the_metric_is_read_by_name_not_by_position(sagemaker):
    metrics = {"train:error": 0.02, "validation:logloss": 0.3, "validation:error": 0.07}
    result = call(sagemaker, description(metrics=metrics))
    assert result["metric_name"] == "validation:error"
    assert result["value"] == pytest.approx(0.07)
    assert result["metrics"]["train:error"] == pytest.approx(0.02)


def test_the_result_is_json_safe_with_a_scalar_value(sagemaker):
    result = call(sagemaker, description(metrics={"validation:error": 0.1}))
    assert json.loads(json.dumps(result)) == result
    assert isinstance(result["value"], float)


def test_a_missing_job_name_is_a_named_error(sagemaker):
    with pytest.raises(MissingTrainingJobName):
        handler({}, None, sagemaker_client=sagemaker[0])


def test_an_unknown_job_is_a_named_error(sagemaker):
    with pytest.raises(TrainingJobNotFound):
        call(sagemaker, error=("ValidationException", "Requested resource not found."))


def test_any_other_sagemaker_error_is_not_disguised(sagemaker):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="AccessDenied"):
        call(sagemaker, error=("AccessDeniedException", "no", 403))


@pytest.mark.parametrize("status", ["InProgress", "Failed", "Stopped"])
def test_an_unfinished_or_failed_job_is_a_named_error(sagemaker, status):
    with pytest.raises(TrainingJobNotCompleted, match=status):
        call(sagemaker, description(status=status, failure_reason="AlgorithmError: boom"))


def test_a_metric_the_job_did_not_report_is_a_named_error(sagemaker):
    with pytest.raises(MetricNotFound, match="reported: train:error"):
        call(sagemaker, description(metrics={"train:error": 0.1}))


def test_error_names_are_what_step_functions_will_see():
    """Lambda reports the exception's class name as the task's Error."""
    names = {
        cls.__name__
        for cls in (
            MissingTrainingJobName,
            TrainingJobNotFound,
            TrainingJobNotCompleted,
            MetricNotFound,
        )
    }
    assert len(names) == 4


# -- The champion/challenger comparison --------------------------------------------
# Emulated: S3 (moto) holding batch transform outputs; the reference numbers are
# xgboost's own eval metrics, computed on the same labels and predictions.


def _scores(seed: int, rows: int = 300):
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = (rng.random(rows) > 0.6).astype(float)
    predictions = np.clip(labels * 0.5 + rng.random(rows) * 0.6 - 0.05, 0.001, 0.999)
    return labels, np.round(predictions, 6)


@pytest.mark.parametrize("metric", ["error", "logloss", "auc", "aucpr"])
def test_each_metric_is_computed_as_xgboost_computes_it(metric):
    import numpy as np
    import xgboost

    labels, predictions = _scores(seed=7)
    matrix = xgboost.DMatrix(np.zeros((len(labels), 1)), label=labels)
    matrix.set_base_margin(np.log(predictions / (1 - predictions)))
    booster = xgboost.train({"objective": "binary:logistic", "eval_metric": metric},
                            matrix, num_boost_round=0)  # fmt: skip
    reference = float(booster.eval(matrix).split(":")[-1])
    ours = lambda_evaluator.METRICS[f"validation:{metric}"](
        lambda_evaluator.Scores.of(zip(labels.tolist(), predictions.tolist(), strict=True))
    )
    tolerance = 0.02 if metric == "aucpr" else 1e-4  # xgboost interpolates its PR curve
    assert ours == pytest.approx(reference, abs=tolerance)


def _put_scores(s3, prefix, labels, predictions):
    body = "".join(f"{int(label)},{p}\n" for label, p in zip(labels, predictions, strict=True))
    s3.put_object(Bucket="bucket", Key=f"{prefix}part-0.csv.out", Body=body.encode())


@mock_aws
def test_the_comparison_scores_both_models_on_the_same_rows_and_says_so():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    labels, better = _scores(seed=1)
    _, worse = _scores(seed=2)
    _put_scores(s3, "runs/r/scores/new/", labels, better)
    _put_scores(s3, "runs/r/scores/live/", labels, worse)
    event = {"Action": "CompareModels", "MetricName": "validation:logloss", "LowerIsBetter": True,
             "MinImprovement": 0.0, "NewScoresUri": "s3://bucket/runs/r/scores/new/",
             "LiveScoresUri": "s3://bucket/runs/r/scores/live/",
             "LiveModel": "old-run"}  # fmt: skip
    result = lambda_evaluator.handler(event, None, s3_client=s3)
    assert result["rows"] == len(labels) and result["live_model"] == "old-run"
    assert result["improvement"] == pytest.approx(
        result["live_model_score"] - result["new_model_score"]
    )
    assert result["beats_live_model"] == (result["improvement"] > 0)
    strict = lambda_evaluator.handler({**event, "MinImprovement": 10.0}, None, s3_client=s3)
    assert not strict["beats_live_model"] and "less than min_improvement 10" in strict["summary"]


@mock_aws
@pytest.mark.parametrize("replace_on_tie", [False, True])
def test_a_tie_keeps_the_live_model_unless_replace_on_tie(replace_on_tie):
    """#26: a model trained on 1,000 rows replaced one trained on 2 million at an equal
    score. Equal scores keep the live model, whatever min_improvement 0 allows."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    labels, predictions = _scores(seed=1)
    _put_scores(s3, "runs/r/scores/new/", labels, predictions)
    _put_scores(s3, "runs/r/scores/live/", labels, predictions)
    event = {"Action": "CompareModels", "MetricName": "validation:error", "LowerIsBetter": True,
             "MinImprovement": 0.0, "ReplaceOnTie": replace_on_tie,
             "NewScoresUri": "s3://bucket/runs/r/scores/new/",
             "LiveScoresUri": "s3://bucket/runs/r/scores/live/"}  # fmt: skip
    result = lambda_evaluator.handler(event, None, s3_client=s3)
    assert result["improvement"] == 0 and result["beats_live_model"] == replace_on_tie
    assert ("a tie, which keeps the live model" in result["summary"]) != replace_on_tie


@mock_aws
def test_outputs_that_do_not_pair_up_or_are_missing_are_refused():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bucket")
    labels, predictions = _scores(seed=1)
    _put_scores(s3, "runs/r/scores/new/", labels, predictions)
    _put_scores(s3, "runs/r/scores/live/", labels[:-1], predictions[:-1])
    event = {"Action": "CompareModels", "MetricName": "validation:error", "LowerIsBetter": True,
             "NewScoresUri": "s3://bucket/runs/r/scores/new/",
             "LiveScoresUri": "s3://bucket/runs/r/scores/live/"}  # fmt: skip
    with pytest.raises(lambda_evaluator.ScoresUnreadable, match="do not pair up"):
        lambda_evaluator.handler(event, None, s3_client=s3)
    missing = {**event, "LiveScoresUri": "s3://bucket/runs/r/scores/none/"}
    with pytest.raises(lambda_evaluator.ScoresNotFound, match="no batch transform output"):
        lambda_evaluator.handler(missing, None, s3_client=s3)


def test_the_binned_auc_is_within_its_stated_bound_of_the_exact_auc():
    """The exact AUC, by comparing every positive with every negative (ties half),
    against the histogram's, on predictions with many near-ties."""
    import numpy as np

    rng = np.random.default_rng(3)
    labels = (rng.random(400) > 0.5).astype(float)
    predictions = np.round(np.clip(labels * 0.2 + rng.random(400) * 0.8, 0, 1), 5)
    positives = predictions[labels == 1]
    negatives = predictions[labels == 0]
    wins = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    exact = (wins + ties / 2) / (len(positives) * len(negatives))
    scores = lambda_evaluator.Scores.of(zip(labels.tolist(), predictions.tolist(), strict=True))
    binned = lambda_evaluator.METRICS["validation:auc"](scores)
    assert abs(binned - exact) <= scores.auc_error_bound() + 1e-12


class _GeneratedOutputs:
    """An S3 client whose batch transform outputs are generated line by line, so that
    only the comparison's own memory is measured."""

    def __init__(self, rows: int):
        self.rows = rows

    def get_paginator(self, operation):
        return self

    def paginate(self, Bucket, Prefix):
        yield {"Contents": [{"Key": f"{Prefix}part-0.csv.out"}]}

    def get_object(self, Bucket, Key):
        rows = self.rows

        class Body:
            def iter_lines(self):
                for k in range(rows):
                    yield f"{k % 2},{(k * 7919 % 1000) / 1000}".encode()

        return {"Body": Body()}


@pytest.mark.slow  # 55,000 rows under tracemalloc take seconds: `make test-slow`
@pytest.mark.parametrize("metric", ["validation:auc", "validation:logloss"])
def test_the_comparisons_memory_does_not_grow_with_the_rows(metric):
    """#25: the comparison had read both outputs into lists (about 295 bytes a row, past
    the function's 512 MB at about 0.6 GB of raw data). Peak memory for 10x the rows
    stays the same, within 100 kB."""
    import tracemalloc

    event = {"Action": "CompareModels", "MetricName": metric, "LowerIsBetter": False,
             "NewScoresUri": "s3://b/new/", "LiveScoresUri": "s3://b/live/"}  # fmt: skip
    peaks = []
    for rows in (5_000, 50_000):
        tracemalloc.start()
        result = lambda_evaluator.handler(event, None, s3_client=_GeneratedOutputs(rows))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result["rows"] == rows
    assert peaks[1] - peaks[0] < 100_000, peaks
