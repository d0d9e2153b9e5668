"""`iam-policies`: the trust and permission policies each of the project's roles needs.

Read from infrastructure/pipeline.yaml, the file CloudFormation creates the roles
from, and resolved for this project's settings (partition, region, account, bucket,
names), so that a platform team that creates the roles itself (iam.roles =
"existing") applies exactly what the stack would have created. With existing roles,
the policies name the roles of settings.toml wherever one role refers to another.
"""

from __future__ import annotations

import json
from typing import Any

from ..project_layout import PIPELINE_TEMPLATE
from ..settings import Settings, SettingsError
from ..settings.names import stack_role_arn, state_machine_name
from .cfn_template import Resolver, load_template, pseudo_parameters
from .deploy import trigger_parameters

# Each role: its logical id in pipeline.yaml, and the setting that names it (None:
# the stack creates it whatever iam.roles says: the scheduler's, with a schedule, the
# triggers' (new data, the drift check and the rule that retrains on drift) when they
# are on, and the one EventBridge assumes to deploy a version approved in the registry).
ROLES: dict[str, tuple[str, str | None]] = {
    "sagemaker": ("SageMakerExecutionRole", "sagemaker_role_arn"),
    "stepfunctions": ("StepFunctionsRole", "stepfunctions_role_arn"),
    "glue": ("GlueRole", "glue_role_arn"),
    "lambda": ("EvaluatorRole", "lambda_role_arn"),
    "scheduler": ("SchedulerRole", None),
    "new-data": ("NewDataRole", None),
    "drift-check": ("DriftCheckRole", None),
    "drift-retraining": ("DriftRuleRole", None),
    "approval": ("ApprovalRuleRole", None),
}

# When a role that not every project has exists (its resource's Condition), in words.
ROLE_NEEDED_WHEN = {
    "sagemaker": "iam.roles is create",
    "stepfunctions": "iam.roles is create",
    "glue": "iam.roles is create",
    "lambda": "iam.roles is create",
    "scheduler": "schedule.expression is set or retraining.on_new_data is true",
    "new-data": "retraining.on_new_data is true",
    "drift-check": "drift.check_schedule is set",
    "drift-retraining": "retraining.on_drift is true and drift.check_schedule is set",
    "approval": "always",
}


def role_arn(settings: Settings, kind: str) -> str:
    setting = ROLES[kind][1]
    return settings.role_arn(setting) if setting else stack_role_arn(settings, kind)


def resolver(settings: Settings, template: dict[str, Any]) -> Resolver:
    """Resolves pipeline.yaml as the stack would be, with its roles created."""
    account = settings.account_id
    if not account:
        raise SettingsError(
            "the policies name aws.account_id, which is empty; run "
            f"'{settings.slug} settings fill' with AWS credentials, or set it in {settings.path}"
        )
    machine = (
        f"arn:{settings.partition}:states:{settings.region}:{account}:stateMachine:"
        f"{state_machine_name(settings)}"
    )
    roles = {f"{logical}.Arn": role_arn(settings, kind) for kind, (logical, _) in ROLES.items()}
    return Resolver(
        template,
        parameters={
            **pseudo_parameters(settings.partition, settings.region, account),
            "ProjectSlug": settings.slug,
            "ArtifactBucketName": settings.artifact_bucket,
            "CreateRoles": "true",
            **trigger_parameters(settings),
        },
        references={"StateMachine": machine, **roles},
    )


def role_policies(settings: Settings, kinds: list[str] | None = None) -> dict[str, Any]:
    """Per role: its ARN, trust policy and inline policies, as the stack creates them."""
    template = load_template(settings.path.parent / PIPELINE_TEMPLATE)
    resolve = resolver(settings, template)
    documents = {}
    for kind in kinds or list(ROLES):
        logical_id, _ = ROLES[kind]
        resource = template["Resources"][logical_id]
        if "Condition" in resource and not resolve.condition(resource["Condition"]):
            if not kinds:
                continue
            raise SettingsError(
                f"the project needs no {kind} role with these settings "
                f"(it exists only when {ROLE_NEEDED_WHEN[kind]})"
            )
        properties = resource["Properties"]
        documents[kind] = {
            "RoleArn": role_arn(settings, kind),
            "AssumeRolePolicyDocument": resolve.resolve(properties["AssumeRolePolicyDocument"]),
            "Policies": resolve.resolve(properties["Policies"]),
        }
    return documents


def iam_policies_command(settings: Settings, kind: str | None) -> str:
    return json.dumps(role_policies(settings, [kind] if kind else None), indent=2)
