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
from project.aws_steps.lambda_evaluator import (
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
