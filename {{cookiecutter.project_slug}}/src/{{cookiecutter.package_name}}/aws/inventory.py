"""What is left in AWS under the project's names, and why: read from AWS, never assumed.

`destroy` prints it when it is done. Each line names a resource, why it is there
and, where it can go, the command that removes it.
"""

from __future__ import annotations

from typing import Any

from ..settings.names import (
    ci_role_stack_name,
    endpoint_name,
    evaluator_function_name,
    model_package_group_name,
    pipeline_stack_name,
    state_machine_name,
    storage_stack_name,
)
from .session import AwsSession
from .stacks import stack_status

# Log groups that AWS services write to for every job in the account, whatever the
# project: not the project's to create, expire or delete (see the README).
SHARED_LOG_GROUPS = ("/aws/sagemaker/TrainingJobs", "/aws-glue/jobs/output", "/aws-glue/jobs/error")


def inventory(aws: AwsSession) -> list[str]:
    """One line for each thing of the project that AWS still holds."""
    settings = aws.settings
    lines = _stacks(aws) + _bucket(aws) + _endpoint(aws) + _model_registry(aws)
    lines += _sagemaker_records(aws) + _log_groups(aws) + _roles(aws)
    if not lines:
        return [f"nothing of {settings.slug} is left in {settings.region}"]
    return [f"left in account {settings.account_id}, {settings.region}:", *lines]


def _stacks(aws: AwsSession) -> list[str]:
    settings, cloudformation = aws.settings, aws.client("cloudformation")
    why = {
        storage_stack_name(settings): (
            "kept with its bucket, so the bucket keeps its TLS-only policy and later "
            f"changes to storage.yaml still reach it; '{settings.slug} destroy --force' "
            "deletes both"
        ),
        pipeline_stack_name(settings): "its deletion did not finish; see its events",
        ci_role_stack_name(settings): (
            "the role CI deploys with: while it stands, a push to the deploy branch deploys "
            "everything again. Remove it with 'aws cloudformation delete-stack --stack-name "
            f"{ci_role_stack_name(settings)} --region {settings.region}' (it deletes the "
            "account's OIDC provider for the CI host too if this stack created it: check "
            "first that no other role trusts it), and disable the deploy workflow"
        ),
    }
    lines = []
    for name, reason in why.items():
        status = stack_status(cloudformation, name)
        if status is not None:
            lines.append(f"  stack {name} ({status}): {reason}")
    return lines


def _bucket(aws: AwsSession) -> list[str]:
    settings, s3 = aws.settings, aws.client("s3")
    bucket = settings.artifact_bucket
    try:
        listing = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return []
        raise
    holds = "holds data" if listing.get("Versions") or listing.get("DeleteMarkers") else "is empty"
    managed = stack_status(aws.client("cloudformation"), storage_stack_name(settings))
    owner = "the storage stack's" if managed else "not created by the storage stack, so left alone"
    return [f"  bucket s3://{bucket}: {owner}; it {holds}"]


def _endpoint(aws: AwsSession) -> list[str]:
    sagemaker = aws.client("sagemaker")
    name = endpoint_name(aws.settings)
    try:
        status = sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"]
    except sagemaker.exceptions.ClientError:
        return []
    return [f"  endpoint {name} ({status}): still billing; delete it in the SageMaker console"]


def _model_registry(aws: AwsSession) -> list[str]:
    """The pipeline stack's model package group, when its deletion did not finish."""
    sagemaker = aws.client("sagemaker")
    group = model_package_group_name(aws.settings)
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except sagemaker.exceptions.ClientError:
        return []
    pages = sagemaker.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, ModelPackageType="Versioned"
    )
    count = sum(len(page["ModelPackageSummaryList"]) for page in pages)
    if stack_status(aws.client("cloudformation"), pipeline_stack_name(aws.settings)):
        why = (
            f"the pipeline stack's; '{aws.settings.slug} destroy' deletes its versions, "
            "then the stack deletes it"
        )
    else:
        why = (
            "no stack of the project holds it, so it was left alone; delete its versions, "
            "then the group, in the SageMaker console"
        )
    return [f"  model registry {group} ({count} version(s)): {why}"]


def _sagemaker_records(aws: AwsSession) -> list[str]:
    """Models and endpoint configs of past runs: records that cost nothing."""
    sagemaker, slug = aws.client("sagemaker"), aws.settings.slug
    lines = []
    for kind, operation, key, delete in (
        ("models", "list_models", "Models", "delete-model --model-name"),
        ("endpoint configs", "list_endpoint_configs", "EndpointConfigs",
         "delete-endpoint-config --endpoint-config-name"),
    ):  # fmt: skip
        pages = sagemaker.get_paginator(operation).paginate(NameContains=slug)
        name_key = "ModelName" if kind == "models" else "EndpointConfigName"
        names = [item[name_key] for page in pages for item in page[key]
                 if item[name_key].startswith(f"{slug}-")]  # fmt: skip
        if names:
            lines.append(
                f"  {len(names)} SageMaker {kind} of past runs ({names[0]}...): cost nothing; "
                f"remove each with 'aws sagemaker {delete} <name>'"
            )
    return lines


def _log_groups(aws: AwsSession) -> list[str]:
    settings, logs = aws.settings, aws.client("logs")
    own_prefixes = (
        f"/aws/lambda/{evaluator_function_name(settings)}",
        f"/aws/vendedlogs/states/{state_machine_name(settings)}",
        f"/aws/sagemaker/Endpoints/{endpoint_name(settings)}",
    )
    lines = []
    for prefix in own_prefixes:
        for group in _groups(logs, prefix):
            lines.append(
                f"  log group {group['logGroupName']}: outlived its stack; "
                f"'aws logs delete-log-group --log-group-name {group['logGroupName']}'"
            )
    for name in SHARED_LOG_GROUPS:
        for group in _groups(logs, name):
            if group["logGroupName"] != name:
                continue
            kept = group.get("retentionInDays")
            expiry = f"events kept {kept} days" if kept else "events kept forever (no retention)"
            ours = ""
            if name == "/aws/sagemaker/TrainingJobs":  # its streams are named after the jobs
                pages = logs.get_paginator("describe_log_streams").paginate(
                    logGroupName=name, logStreamNamePrefix=f"{settings.slug}-"
                )
                count = sum(len(page["logStreams"]) for page in pages)
                ours = f", {count} streams of this project's training jobs"
            lines.append(
                f"  log group {name}: shared by every job of its kind in the account, so "
                f"not the project's to delete; {expiry}{ours}"
            )
    return lines


def _groups(logs: Any, prefix: str) -> list[dict[str, Any]]:
    pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix)
    return [group for page in pages for group in page["logGroups"]]


def _roles(aws: AwsSession) -> list[str]:
    """IAM roles named <slug>-...: the stacks create them, so one left is worth a line."""
    slug = aws.settings.slug
    pages = aws.client("iam").get_paginator("list_roles").paginate()
    names = [role["RoleName"] for page in pages for role in page["Roles"]
             if role["RoleName"].startswith(f"{slug}-")]  # fmt: skip
    return [f"  IAM role {name}: see its stack above, or delete it in the IAM console"
            for name in names]  # fmt: skip
