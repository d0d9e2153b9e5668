"""The Step Functions Data Science SDK and the SageMaker SDK, imported once, quietly.

Every module of the workflow imports the SDKs' classes from here, so the environment
they need is set before either is imported."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import warnings
from collections.abc import Iterator

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
# stepfunctions 2.3.0 imports pkg_resources, which warns on import; the SDK's pin is
# known and tested (see pyproject.toml), so the warning tells a user nothing.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
# sagemaker logs at INFO which config files it did not find; that is not news.
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)

import boto3  # noqa: E402  (after the environment above is set)
import sagemaker  # noqa: E402

# sagemaker_core (imported by sagemaker) installs rich's traceback handler, which
# prints 80-line boxes on stdout; errors are the CLI's to report.
sys.excepthook = sys.__excepthook__
from sagemaker.estimator import Estimator  # noqa: E402
from stepfunctions.steps import (  # noqa: E402
    Catch,
    Chain,
    Choice,
    EndpointConfigStep,
    EndpointStep,
    Fail,
    GlueStartJobRunStep,
    Graph,
    LambdaStep,
    ModelStep,
    Pass,
    Retry,
    Succeed,
    Task,
    TrainingStep,
    Wait,
    integration_resources,
)
from stepfunctions.steps.choice_rule import ChoiceRule, Rule  # noqa: E402

__all__ = [
    "Catch",
    "Chain",
    "Choice",
    "ChoiceRule",
    "EndpointConfigStep",
    "EndpointStep",
    "Estimator",
    "Fail",
    "GlueStartJobRunStep",
    "Graph",
    "LambdaStep",
    "ModelStep",
    "Pass",
    "Retry",
    "Rule",
    "Succeed",
    "Task",
    "TrainingStep",
    "Wait",
    "offline_sagemaker_session",
    "sdk_partition",
]


@contextlib.contextmanager
def sdk_partition(partition: str) -> Iterator[None]:
    """Have the SDK write the settings' partition into integration ARNs
    (arn:aws-cn:states:::...).

    The SDK asks a new default boto3 session for each Task: that is whoever renders
    (their region, not the project's), and reads botocore's endpoint data each time,
    which made most of a render's time.
    """
    original = integration_resources.get_aws_partition
    integration_resources.get_aws_partition = lambda: partition
    try:
        yield
    finally:
        integration_resources.get_aws_partition = original


@functools.cache  # loading botocore's service models takes most of a build
def offline_sagemaker_session(region: str) -> sagemaker.Session:
    """A SageMaker session that never calls AWS.

    Building a definition only serializes requests, but boto3 resolves credentials
    when a client is created (and may wait on instance metadata doing so). Static
    placeholder credentials skip that lookup; they are never sent anywhere.
    """
    boto_session = boto3.Session(
        region_name=region,
        aws_access_key_id="offline-definition-build",
        aws_secret_access_key="offline-definition-build",
    )
    return sagemaker.Session(boto_session=boto_session, default_bucket="unused-offline-bucket")
