"""`deploy`: from the committed files to a running stack, in three steps.

1. the storage stack (the artifact bucket), unless the bucket already exists and
   is yours, in which case it is used as it is;
2. the Glue script, the evaluator's zip and the definition, uploaded under keys
   that hash their content (see artifacts.py);
3. the pipeline stack (roles, Glue job, Lambda, state machine, schedule), pointed
   at those keys.

Every step is a no-op when nothing changed, and says so.

Once a person has deployed the `<slug>-ci-role` stack (`ci-role`), both stacks are
deployed through its CloudFormation execution role, and every role they create gets
its permissions boundary: whoever runs `deploy` (CI included) needs no IAM rights
but passing that role. Without that stack, your own credentials deploy them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..project_layout import PIPELINE_TEMPLATE, STORAGE_TEMPLATE
from ..settings import Settings
from ..settings.names import (
    ci_role_stack_name,
    execution_role_arn,
    permissions_boundary_arn,
    pipeline_stack_name,
    stack_role_arn,
    storage_stack_name,
)
from . import artifacts
from .errors import AwsError
from .session import AwsSession
from .stacks import DEFAULT_WAITING, Waiting, apply_template, describe_stack, stack_status


@dataclass(frozen=True)
class Deployment:
    changed: bool
    outputs: dict[str, str]


# States of a ci-role stack whose execution role and boundary exist.
USABLE_STACK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"}


@dataclass(frozen=True)
class Guardrails:
    """How the stacks are deployed: as which role, and with which roles' boundary."""

    execution_role_arn: str | None = None
    permissions_boundary_arn: str = ""


def guardrails(settings: Settings, aws: AwsSession, say: Callable[[str], None]) -> Guardrails:
    """The ci-role stack's execution role and boundary, when that stack is deployed."""
    name = ci_role_stack_name(settings)
    cloudformation = aws.client("cloudformation")
    if stack_status(cloudformation, name) not in USABLE_STACK:
        # CloudFormation keeps using a stack's service role once it has one, and the
        # boundary may not be removed: without the ci-role stack this would roll back.
        stacks = (storage_stack_name(settings), pipeline_stack_name(settings))
        bound = [name for name in stacks
                 if (describe_stack(cloudformation, name) or {}).get("RoleARN")]  # fmt: skip
        if bound:
            raise AwsError(
                f"{', '.join(bound)} deploy(s) through the execution role of the {name} "
                f"stack, which is missing or not usable; restore it with '{settings.slug} "
                "ci-role' before deploying"
            )
        say(f"  as you (no {name} stack): the stacks' roles get no permissions boundary")
        return Guardrails()
    role, boundary = execution_role_arn(settings), permissions_boundary_arn(settings)
    say(f"  as {role}; the stacks' roles are bounded by {boundary}")
    return Guardrails(role, boundary)


def pipeline_parameters(
    settings: Settings,
    keys: dict[str, str],
    training_image_uri: str,
    permissions_boundary: str = "",
) -> dict[str, str]:
    """The pipeline stack's parameters, all from the settings and the uploaded keys."""
    return {
        "ProjectSlug": settings.slug,
        "ArtifactBucketName": settings.artifact_bucket,
        "CreateRoles": "true" if settings.iam_roles == "create" else "false",
        # With created roles these are the ARNs the stack will create; unused then.
        "ExistingSageMakerRoleArn": settings.role_arn("sagemaker_role_arn"),
        "ExistingStepFunctionsRoleArn": settings.role_arn("stepfunctions_role_arn"),
        "ExistingGlueRoleArn": settings.role_arn("glue_role_arn"),
        "ExistingLambdaRoleArn": settings.role_arn("lambda_role_arn"),
        "GlueVersion": settings.glue_version,
        "GlueWorkerType": settings.glue_worker_type,
        "GlueNumberOfWorkers": str(settings.glue_number_of_workers),
        "GlueTimeoutMinutes": str(settings.glue_timeout_minutes),
        "GlueAutoScaling": "true" if settings.glue_auto_scaling else "false",
        "TrainingImageUri": training_image_uri,
        "PermissionsBoundaryArn": permissions_boundary,
        "ScheduleTimezone": settings.schedule_timezone,
        **trigger_parameters(settings),
        "LogRetentionDays": str(settings.log_retention_days),
        # The rollback alarms' thresholds; SageMaker reports ModelLatency in microseconds.
        "Alarm5xxErrors": str(settings.alarm_5xx_errors),
        "AlarmModelLatencyMicroseconds": str(settings.alarm_latency_ms * 1000),
        "PromotionAccounts": promotion_accounts(settings),
        **keys,
    }


def promotion_accounts(settings: Settings) -> str:
    """The later stages' accounts, which the first stage's stacks let read its registry
    and models (for `promote`); none in a later stage's own stacks."""
    if not settings.is_first_stage:
        return ""
    return ",".join(sorted({stage.account_id for stage in settings.stages.later}))


def trigger_parameters(settings: Settings) -> dict[str, str]:
    """The parameters that decide which of the stack's triggers (and their roles)
    exist: the schedule, new data, the drift check and drift retraining."""
    return {
        "ScheduleExpression": settings.schedule_expression or "none",
        "OnNewData": "true" if settings.on_new_data else "false",
        "NewDataQuietMinutes": str(settings.new_data_quiet_minutes),
        "DriftCheckSchedule": settings.drift_check_schedule or "none",
        "OnDrift": "true" if settings.on_drift else "false",
        "DriftMaxDistance": str(settings.drift_threshold),
    }


def storage_parameters(settings: Settings, deployer_arn: str) -> dict[str, str]:
    return {
        "ProjectSlug": settings.slug,
        "ArtifactBucketName": settings.artifact_bucket,
        "KeepRunsDays": str(settings.keep_runs_days),
        "KeepCapturesDays": str(settings.keep_captures_days),
        "CodeWriterArns": ",".join(code_writer_arns(settings, deployer_arn)),
        "PromotionAccounts": promotion_accounts(settings),
    }


def code_writer_arns(settings: Settings, deployer_arn: str) -> list[str]:
    """Who may write under code/: the CI deploy role and the principal deploying now.

    The bucket policy matches aws:PrincipalArn, which for an assumed role is the
    role's ARN (with its path), not the session's: so the STS session ARN that
    GetCallerIdentity returns is turned back into its role's ARN, any path allowed.
    """
    ci_role = stack_role_arn(settings, "ci-deploy")
    partition, account = settings.partition, settings.account_id
    kind, _, rest = deployer_arn.split(":", 5)[5].partition("/")
    if kind == "assumed-role":
        role = rest.split("/", 1)[0]
        return [ci_role, f"arn:{partition}:iam::{account}:role/{role}",
                f"arn:{partition}:iam::{account}:role/*/{role}"]  # fmt: skip
    return [ci_role, deployer_arn]


def deploy(
    settings: Settings,
    aws: AwsSession,
    say: Callable[[str], None] = print,
    waiting: Waiting = DEFAULT_WAITING,
) -> Deployment:
    from ..workflow.definition import read_committed_definition, training_image_uri

    account = aws.check_account()
    root = settings.path.parent
    definition = read_committed_definition(settings, root)  # refuses a stale file
    bucket = settings.artifact_bucket
    say(f"deploying {settings.slug} to account {account}, {settings.region}")
    cloudformation, s3 = aws.client("cloudformation"), aws.client("s3")
    through = guardrails(settings, aws, say)
    say(f"[1/3] storage: s3://{bucket}")
    storage_changed, outputs = _storage(settings, aws, say, waiting, through)
    say("[2/3] code")
    built = artifacts.build_artifacts(definition)
    artifacts.upload(s3, bucket, built, say)
    say(f"[3/3] pipeline: {pipeline_stack_name(settings)}")
    keys = {parameter: artifact.key for parameter, artifact in built.items()}
    pipeline = apply_template(
        cloudformation,
        pipeline_stack_name(settings),
        (root / PIPELINE_TEMPLATE).read_text(encoding="utf-8"),
        pipeline_parameters(
            settings, keys, training_image_uri(settings), through.permissions_boundary_arn
        ),
        say,
        waiting,
        role_arn=through.execution_role_arn,
    )
    outputs = {**outputs, **pipeline.outputs}
    changed = storage_changed or pipeline.changed
    say("deployed" if changed else "nothing to deploy: every stack was already up to date")
    for name, value in outputs.items():
        say(f"  {name:<24} {value}")
    return Deployment(changed, outputs)


def _storage(
    settings: Settings,
    aws: AwsSession,
    say: Callable[[str], None],
    waiting: Waiting,
    through: Guardrails,
) -> tuple[bool, dict[str, str]]:
    """Create or update the storage stack, or use a bucket of yours that already exists."""
    bucket = settings.artifact_bucket
    name = storage_stack_name(settings)
    cloudformation = aws.client("cloudformation")
    if stack_status(cloudformation, name) is None and _bucket_is_yours(aws, bucket):
        say(f"  using your existing bucket {bucket} (no storage stack manages it)")
        return False, {"ArtifactBucketName": bucket}
    root = settings.path.parent
    result = apply_template(
        cloudformation,
        name,
        (root / STORAGE_TEMPLATE).read_text(encoding="utf-8"),
        storage_parameters(settings, aws.caller_arn),
        say,
        waiting,
        role_arn=through.execution_role_arn,
    )
    return result.changed, result.outputs


def _bucket_is_yours(aws: AwsSession, bucket: str) -> bool:
    """True if the bucket exists in your account; an error if another account owns it."""
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=aws.settings.account_id)
    except s3.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if code in ("403", "AccessDenied"):
            raise AwsError(
                f"bucket {bucket} belongs to another account (S3 names are global); "
                "set another aws.artifact_bucket in settings.toml"
            ) from None
        raise
    return True
