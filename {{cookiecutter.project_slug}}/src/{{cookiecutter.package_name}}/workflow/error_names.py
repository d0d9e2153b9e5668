"""The error names a Task state can raise, as Step Functions names them.

Step Functions names a service's error ``<Service>.<Code>``, adding an ``Exception``
suffix when the code has none (``SageMaker.ResourceInUseException``). The codes an
operation can return are the error shapes of botocore's service model; an error the
model does not define (SageMaker's ValidationException and ThrottlingException among
them) surfaces under the SDK's base exception instead: ``SageMaker.SageMakerException``
for AWS SDK integrations (``aws-sdk:sagemaker:...``), ``SageMaker.AmazonSageMakerException``,
``Glue.AWSGlueException`` and ``Lambda.AWSLambdaException`` for the optimized ones.
A Retry or Catch that names anything else never matches (FIDELITY.md lists the sources;
tests/workflow/test_error_names.py checks every name of the rendered definition).
"""

from __future__ import annotations

import functools

import botocore.session

# Step Functions' prefix for each service, and its botocore model's name.
SERVICES = {"sagemaker": "SageMaker", "glue": "Glue", "lambda": "Lambda"}
# The base exception an unmodelled error surfaces as, by integration kind.
GENERIC = {
    ("sagemaker", "aws-sdk"): "SageMaker.SageMakerException",
    ("sagemaker", "optimized"): "SageMaker.AmazonSageMakerException",
    ("glue", "optimized"): "Glue.AWSGlueException",
    ("lambda", "optimized"): "Lambda.AWSLambdaException",
}
# Lambda's optimized integration also reports a failure of the client that calls it
# (Step Functions' guide: "Handle transient Lambda service exceptions").
LAMBDA_CLIENT_ERROR = "Lambda.SdkClientException"


def parse_resource(resource: str) -> tuple[str, str, str]:
    """(service, operation in PascalCase, integration kind) of a Task's Resource ARN."""
    integration = resource.split(":::", 1)[1].removesuffix(".sync")
    parts = integration.split(":")
    kind = "aws-sdk" if parts[0] == "aws-sdk" else "optimized"
    service, action = parts[-2], parts[-1]
    return service, action[0].upper() + action[1:], kind


def error_name(service: str, code: str) -> str:
    name = code if code.endswith("Exception") else f"{code}Exception"
    return f"{SERVICES[service]}.{name}"


@functools.cache
def modelled_errors(service: str, operation: str) -> frozenset[str]:
    """The names of the errors botocore's model defines for the operation."""
    model = botocore.session.get_session().get_service_model(service)
    shapes = model.operation_model(operation).error_shapes
    return frozenset(error_name(service, shape.name) for shape in shapes)


def possible_errors(resource: str) -> frozenset[str]:
    """Every service error name a Task with this Resource can fail with."""
    service, operation, kind = parse_resource(resource)
    generic = {GENERIC[(service, kind)]}
    if service == "lambda":
        generic.add(LAMBDA_CLIENT_ERROR)
    return modelled_errors(service, operation) | generic


def generic_error(resource: str) -> str:
    """What an unmodelled error (throttling, an internal error, a validation error)
    of this Task is named: one name for all three, which no Retry can tell apart."""
    service, _, kind = parse_resource(resource)
    return GENERIC[(service, kind)]


def modelled_error(resource: str, code: str) -> str:
    """The name of one of the operation's modelled errors; refused if the model has none."""
    service, operation, _ = parse_resource(resource)
    name = error_name(service, code)
    if name not in modelled_errors(service, operation):
        raise ValueError(f"{service} {operation} defines no error {code} in botocore's model")
    return name
