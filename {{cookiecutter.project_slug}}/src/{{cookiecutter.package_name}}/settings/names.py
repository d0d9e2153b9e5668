"""The names of the project's AWS resources, in one place.

Every name starts with the slug, which is what the stacks' IAM policies are scoped
to. Standard library only, so that the AWS commands need not import the SDK that
builds the workflow just to name what it deploys.
"""

from __future__ import annotations

from . import rules
from .model import Settings


def glue_job_name(settings: Settings) -> str:
    return f"{settings.slug}-etl"


def evaluator_function_name(settings: Settings) -> str:
    return f"{settings.slug}-evaluator"


def endpoint_name(settings: Settings) -> str:
    return f"{settings.slug}-endpoint"


def model_package_group_name(settings: Settings) -> str:
    """The registry: one SageMaker Model Package Group per project."""
    return settings.slug


def rollback_alarm_names(settings: Settings) -> tuple[str, str]:
    """The pipeline stack's CloudWatch alarms that roll an endpoint update back."""
    return f"{settings.slug}-endpoint-5xx-errors", f"{settings.slug}-endpoint-model-latency"


def approval_rule_name(settings: Settings) -> str:
    """The EventBridge rule that deploys a version approved in the registry."""
    return f"{settings.slug}-model-approved"


def state_machine_name(settings: Settings) -> str:
    return f"{settings.slug}-retraining"


def schedule_name(settings: Settings) -> str:
    return f"{settings.slug}-retraining"


def new_data_schedule_name(settings: Settings) -> str:
    """The one-time schedule that new raw data sets (steps/new_data_trigger.py)."""
    return f"{settings.slug}-new-data"


def new_data_rule_name(settings: Settings) -> str:
    return f"{settings.slug}-new-data"


def drift_check_name(settings: Settings) -> str:
    """The drift check's function and the rule that runs it on drift.check_schedule."""
    return f"{settings.slug}-drift-check"


def drift_alarm_name(settings: Settings) -> str:
    """The alarm on the check's violations, and the rule that starts a run on it."""
    return f"{settings.slug}-drift"


def storage_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-storage"


def pipeline_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-pipeline"


def ci_role_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-ci-role"


def execution_role_arn(settings: Settings) -> str:
    """The role CloudFormation deploys the storage and pipeline stacks as (ci-role stack)."""
    return stack_role_arn(settings, "cfn-exec")


def permissions_boundary_arn(settings: Settings) -> str:
    """The boundary of every role the storage and pipeline stacks create (ci-role stack)."""
    return (
        f"arn:{settings.partition}:iam::{settings.account_id}:policy/"
        f"{settings.slug}-permissions-boundary"
    )


def stack_role_arn(settings: Settings, kind: str) -> str:
    """The ARN of a role that one of the project's stacks creates, <slug>-<kind>-role."""
    return rules.derived_role_arn(settings.slug, f"{kind}_role_arn", settings.account_id,
                                  settings.region)  # fmt: skip
