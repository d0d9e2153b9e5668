"""`destroy`: remove what the project created in AWS, after asking.

Removed: the endpoint (the one thing that costs money while idle), the pipeline
stack, the storage stack. The bucket is kept when it holds data, unless forced,
and is never touched when it is not the project's (not tagged with its slug).
Models and endpoint configs of past runs cost nothing and are left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .aws_session import AwsSession
from .names import endpoint_name, pipeline_stack_name, storage_stack_name
from .settings import Settings
from .stacks import DEFAULT_WAITING, Waiting, delete_stack, stack_status


@dataclass(frozen=True)
class Plan:
    endpoint: str | None
    stacks: list[str]
    bucket: str | None  # the project's bucket, if it exists
    bucket_holds_data: bool

    def lines(self, force: bool) -> list[str]:
        lines = [f"  endpoint {self.endpoint}"] if self.endpoint else []
        lines += [f"  stack {name}" for name in self.stacks]
        if self.bucket and (force or not self.bucket_holds_data):
            lines.append(f"  bucket {self.bucket} and every object version in it")
        return lines


def plan(settings: Settings, aws: AwsSession) -> Plan:
    sagemaker = aws.client("sagemaker")
    endpoint: str | None = endpoint_name(settings)
    try:
        sagemaker.describe_endpoint(EndpointName=endpoint)
    except sagemaker.exceptions.ClientError as error:
        if "Could not find" not in str(error) and "ValidationException" not in str(error):
            raise
        endpoint = None
    cloudformation = aws.client("cloudformation")
    stacks = [
        name
        for name in (pipeline_stack_name(settings), storage_stack_name(settings))
        if stack_status(cloudformation, name) is not None
    ]
    bucket = settings.artifact_bucket if _is_project_bucket(aws, settings) else None
    holds_data = bool(bucket) and _holds_data(aws.client("s3"), bucket)
    return Plan(endpoint, stacks, bucket, holds_data)


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
    removals = found.lines(force)
    if not removals:
        say(f"nothing of {settings.slug} to remove in {settings.region}")
        return True
    if not confirm(removals):
        say("nothing removed")
        return False
    if found.endpoint:
        aws.client("sagemaker").delete_endpoint(EndpointName=found.endpoint)
        say(f"{found.endpoint}: deleting")
    for name in found.stacks:
        delete_stack(aws.client("cloudformation"), name, say, waiting)
    if found.bucket and found.bucket_holds_data and not force:
        say(
            f"kept s3://{found.bucket}: it holds data; copy what you need, then run "
            f"'{settings.slug} destroy --force' to delete it"
        )
    elif found.bucket:
        _delete_bucket(aws.client("s3"), found.bucket)
        say(f"{found.bucket}: deleted")
    return True


def _is_project_bucket(aws: AwsSession, settings: Settings) -> bool:
    """Whether the bucket exists and carries the storage stack's tag for this project."""
    s3 = aws.client("s3")
    try:
        tags = s3.get_bucket_tagging(Bucket=settings.artifact_bucket)["TagSet"]
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchBucket", "NoSuchTagSet", "404"):
            return False
        raise
    return {"Key": "project", "Value": settings.slug} in tags


def _holds_data(s3: Any, bucket: str) -> bool:
    listing = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    return bool(listing.get("Versions") or listing.get("DeleteMarkers"))


def _delete_bucket(s3: Any, bucket: str) -> None:
    """Delete every object version and delete marker, then the bucket."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)
