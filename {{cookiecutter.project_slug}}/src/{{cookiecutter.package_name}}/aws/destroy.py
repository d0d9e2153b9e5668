"""`destroy`: stop what runs, then remove what the project created, after asking.

The order keeps anything from billing on or coming back:
1. the schedule is disabled, running executions are stopped with their Glue job runs
   and training jobs, and destroy waits for them (stop_runs.py);
2. the endpoint is deleted, and destroy waits until it is gone;
3. the versions of the project's model registry (the model package group named
   after the slug, which the pipeline stack owns) are deleted: CloudFormation cannot
   delete a group that holds versions;
4. the endpoint's captured requests and the drift reports (capture/, monitoring/) are
   deleted, every version: they are the endpoint's traffic, not the project's data;
5. the pipeline stack is deleted (its alarms, rules and drift check go with it);
6. the bucket and its storage stack go together, or stay together: a bucket that
   holds data is kept unless forced, and then its stack is kept too, so the bucket
   keeps its TLS-only policy and later changes to storage.yaml still reach it.

The bucket counts as the project's only when the storage stack lists it as its own
resource: a tag can be set by anyone, a stack's resource list cannot. Every S3
request names the project's account as the bucket's owner (see session.py).
Afterwards, what is left is read back from AWS and printed (inventory.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..settings import Settings
from ..settings.names import (
    endpoint_name,
    model_package_group_name,
    pipeline_stack_name,
    storage_stack_name,
)
from ..steps.drift_check import CAPTURE_PREFIX, MONITORING_PREFIX
from . import stop_runs
from .errors import AwsError
from .inventory import inventory
from .session import AwsSession
from .stacks import DEFAULT_WAITING, Waiting, delete_stack, stack_status

# The storage template's logical id of the bucket.
BUCKET_RESOURCE = "ArtifactBucket"
# What the endpoint's traffic left in the bucket: deleted with the endpoint.
TRAFFIC_PREFIXES = (CAPTURE_PREFIX, MONITORING_PREFIX)


@dataclass(frozen=True)
class Plan:
    activity: stop_runs.Activity
    endpoint: str | None
    model_versions: list[str]  # ARNs of the versions in the project's model registry
    pipeline_stack: bool
    storage_stack: bool
    bucket: str | None  # the project's bucket (the storage stack's own), if it exists
    bucket_holds_data: bool  # beyond the endpoint's traffic (TRAFFIC_PREFIXES)
    traffic_objects: int  # object versions under TRAFFIC_PREFIXES

    def deletes_bucket(self, force: bool) -> bool:
        return bool(self.bucket) and (force or not self.bucket_holds_data)

    def lines(self, settings: Settings, force: bool) -> list[str]:
        lines = self.activity.lines(settings)
        lines += [f"  endpoint {self.endpoint}"] if self.endpoint else []
        if self.model_versions:
            lines.append(
                f"  {len(self.model_versions)} model version(s) in the registry "
                f"{model_package_group_name(settings)} (its history of trained models)"
            )
        if self.traffic_objects:
            lines.append(
                f"  {self.traffic_objects} object version(s) of captured requests and drift "
                f"reports under {' and '.join(TRAFFIC_PREFIXES)} in {self.bucket}"
            )
        lines += [f"  stack {pipeline_stack_name(settings)}"] if self.pipeline_stack else []
        if self.storage_stack and (self.deletes_bucket(force) or not self.bucket):
            lines.append(f"  stack {storage_stack_name(settings)}")
        if self.deletes_bucket(force):
            lines.append(f"  bucket {self.bucket} and every object version in it")
        return lines


def plan(settings: Settings, aws: AwsSession) -> Plan:
    cloudformation = aws.client("cloudformation")
    storage = stack_status(cloudformation, storage_stack_name(settings)) is not None
    bucket = settings.artifact_bucket if storage and _stack_owns_bucket(aws, settings) else None
    s3 = aws.client("s3")
    return Plan(
        activity=stop_runs.find(settings, aws),
        endpoint=_existing_endpoint(settings, aws),
        model_versions=model_versions(settings, aws),
        pipeline_stack=stack_status(cloudformation, pipeline_stack_name(settings)) is not None,
        storage_stack=storage,
        bucket=bucket,
        bucket_holds_data=bool(bucket) and _holds_data(s3, bucket),
        traffic_objects=sum(_count_versions(s3, bucket, p) for p in TRAFFIC_PREFIXES)
        if bucket
        else 0,
    )


def destroy(
    settings: Settings,
    aws: AwsSession,
    confirm: Callable[[list[str]], bool],
    force: bool = False,
    say: Callable[[str], None] = print,
    waiting: Waiting = DEFAULT_WAITING,
) -> bool:
    """Delete what ``plan`` finds once ``confirm`` agrees; False when it does not."""
    aws.check_account()
    found = plan(settings, aws)
    removals = found.lines(settings, force)
    if not removals:
        say(f"nothing of {settings.slug} to remove in {settings.region}")
    elif not confirm(removals):
        say("nothing removed")
        return False
    else:
        _remove(settings, aws, found, force, say, waiting)
    say("\n".join(inventory(aws)))
    return True


def _remove(
    settings: Settings, aws: AwsSession, found: Plan, force: bool, say, waiting: Waiting
) -> None:
    stop_runs.stop(settings, aws, found.activity, say, waiting)
    if found.endpoint:
        _delete_endpoint(aws, found.endpoint, say, waiting)
    if found.model_versions:
        _delete_model_versions(aws, settings, found.model_versions, say)
    if found.traffic_objects:
        deleted = sum(_delete_versions(aws.client("s3"), found.bucket, p) for p in TRAFFIC_PREFIXES)
        say(f"captured requests and drift reports: deleted {deleted} object version(s)")
    cloudformation = aws.client("cloudformation")
    if found.pipeline_stack:
        delete_stack(cloudformation, pipeline_stack_name(settings), say, waiting)
    if found.bucket and not found.deletes_bucket(force):
        say(
            f"kept s3://{found.bucket} and its stack {storage_stack_name(settings)}: the "
            f"bucket holds data; copy what you need, then run '{settings.slug} destroy "
            "--force' to delete both"
        )
        return
    if found.storage_stack:
        delete_stack(cloudformation, storage_stack_name(settings), say, waiting)
    if found.bucket:
        _delete_bucket(aws.client("s3"), found.bucket)
        say(f"bucket {found.bucket}: deleted")


def _stack_owns_bucket(aws: AwsSession, settings: Settings) -> bool:
    """Whether the storage stack lists the configured bucket as its own ArtifactBucket."""
    pages = (
        aws.client("cloudformation")
        .get_paginator("list_stack_resources")
        .paginate(StackName=storage_stack_name(settings))
    )
    return any(
        resource["LogicalResourceId"] == BUCKET_RESOURCE
        and resource.get("PhysicalResourceId") == settings.artifact_bucket
        and not resource["ResourceStatus"].startswith("DELETE_")
        for page in pages
        for resource in page["StackResourceSummaries"]
    )


def _existing_endpoint(settings: Settings, aws: AwsSession) -> str | None:
    sagemaker, name = aws.client("sagemaker"), endpoint_name(settings)
    try:
        sagemaker.describe_endpoint(EndpointName=name)
    except sagemaker.exceptions.ClientError as error:
        if "Could not find" not in str(error) and "ValidationException" not in str(error):
            raise
        return None
    return name


def model_versions(settings: Settings, aws: AwsSession) -> list[str]:
    """The ARNs of the versions in the model package group named after the slug;
    none when there is no such group."""
    sagemaker, group = aws.client("sagemaker"), model_package_group_name(settings)
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except sagemaker.exceptions.ClientError as error:
        if "does not exist" not in str(error) and "ValidationException" not in str(error):
            raise
        return []
    pages = sagemaker.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, ModelPackageType="Versioned"
    )
    return [
        summary["ModelPackageArn"]
        for page in pages
        for summary in page["ModelPackageSummaryList"]
        if summary.get("ModelPackageGroupName", group) == group
    ]


def _delete_model_versions(aws: AwsSession, settings: Settings, arns: list[str], say) -> None:
    sagemaker = aws.client("sagemaker")
    for arn in arns:
        sagemaker.delete_model_package(ModelPackageName=arn)
    say(
        f"model registry {model_package_group_name(settings)}: deleted {len(arns)} model version(s)"
    )


def _delete_endpoint(aws: AwsSession, name: str, say, waiting: Waiting) -> None:
    """Delete the endpoint and wait until SageMaker no longer knows it."""
    sagemaker = aws.client("sagemaker")
    sagemaker.delete_endpoint(EndpointName=name)
    say(f"endpoint {name}: deleting")
    deadline = time.monotonic() + waiting.timeout_seconds
    while _existing_endpoint(aws.settings, aws):
        if time.monotonic() > deadline:
            raise AwsError(f"endpoint {name} is still being deleted; run destroy again later")
        waiting.sleep(waiting.poll_seconds)
    say(f"endpoint {name}: deleted")


def _versions(s3: Any, bucket: str, prefix: str = ""):
    """Pages of object versions and delete markers, as {Key, VersionId}."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        yield [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]


def _holds_data(s3: Any, bucket: str) -> bool:
    """Whether anything but the endpoint's traffic is in the bucket (any version)."""
    return any(
        not item["Key"].startswith(TRAFFIC_PREFIXES)
        for page in _versions(s3, bucket)
        for item in page
    )


def _count_versions(s3: Any, bucket: str, prefix: str) -> int:
    return sum(len(page) for page in _versions(s3, bucket, prefix))


def _delete_bucket(s3: Any, bucket: str) -> None:
    """Delete the bucket policy (its Deny on code/ would refuse whoever did not deploy
    last), every object version and delete marker, then the bucket."""
    s3.delete_bucket_policy(Bucket=bucket)
    _delete_versions(s3, bucket)
    s3.delete_bucket(Bucket=bucket)


def _delete_versions(s3: Any, bucket: str, prefix: str = "") -> int:
    """Delete every object version and delete marker under ``prefix``; how many."""
    deleted = 0
    for doomed in _versions(s3, bucket, prefix):
        if doomed:
            # Quiet: S3 lists only the keys it refused, per key, in Errors.
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise AwsError(
                    f"S3 refused to delete {len(answer['Errors'])} object(s) of {bucket}, "
                    f"e.g. {first['Key']}: {first.get('Code')} {first.get('Message', '')}"
                )
            deleted += len(doomed)
    return deleted
