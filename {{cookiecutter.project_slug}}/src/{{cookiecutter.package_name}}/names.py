"""The names of the project's AWS resources, in one place.

Every name starts with the slug, which is what the stacks' IAM policies are scoped
to. Standard library only, so that the AWS commands need not import the SDK that
builds the workflow just to name what it deploys.
"""

from __future__ import annotations

from . import rules
from .settings import Settings


def glue_job_name(settings: Settings) -> str:
    return f"{settings.slug}-etl"


def evaluator_function_name(settings: Settings) -> str:
    return f"{settings.slug}-evaluator"


def endpoint_name(settings: Settings) -> str:
    return f"{settings.slug}-endpoint"


def state_machine_name(settings: Settings) -> str:
    return f"{settings.slug}-retraining"


def storage_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-storage"


def pipeline_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-pipeline"


def ci_role_stack_name(settings: Settings) -> str:
    return f"{settings.slug}-ci-role"


def stack_role_arn(settings: Settings, kind: str) -> str:
    """The ARN of a role that one of the project's stacks creates, <slug>-<kind>-role."""
    return rules.derived_role_arn(settings.slug, f"{kind}_role_arn", settings.account_id,
                                  settings.region)  # fmt: skip
