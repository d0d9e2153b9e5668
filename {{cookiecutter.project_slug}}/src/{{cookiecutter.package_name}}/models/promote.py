"""`promote --to STAGE VERSION`: send an approved version to a later stage's account.

AWS's cross-account pattern for the model registry (SageMaker's "Set up
discoverability" page): the first stage's model package group has a resource policy
that lets the later stages' accounts read its versions, and its bucket lets them read
the model artifacts (both written by the first stage's stacks from [stages]). With the
later stage's credentials, promote then:

1. reads the version from the first stage's registry, by its ARN;
2. copies its model artifact into the stage's own bucket, under the same key: the stage
   owns what it serves, and nothing the first stage deletes can take it away;
3. creates the SageMaker model there, named after the run as the run named it;
4. registers it in the stage's own group as Approved, with where it came from.

The stage's approval rule sees that version and starts the run that deploys it, with
the same guarded rollout as everywhere (locally, promote starts that run itself).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..settings import Settings, SettingsError
from ..settings.names import model_package_group_name
from ..workflow.building_blocks import FEATURE_LAYOUT_VARIABLE
from . import registry as model_registry

# The version's metadata that the deployment run reads (gate_and_registry.py): a
# promoted version is Approved with a Decision of its own, so the stage's approval
# event deploys it (the "none" of a gate-approved version means "its run deploys it").
PROMOTED_DECISION = "Promoted"
MAX_DESCRIPTION = 1024  # ModelPackageDescription, as the local registry checks it


@dataclass(frozen=True)
class Promotion:
    source_arn: str
    target_arn: str
    target_version: int
    run_name: str
    model_data_url: str


def source_version_arn(source: Settings, number: int) -> str:
    """The version's ARN in the first stage's account, which promote reads it by."""
    if not source.account_id:
        raise SettingsError(
            f"aws.account_id is empty: promote reads the {source.stage} stage's registry "
            f"by ARN; run '{source.slug} settings fill' or set it"
        )
    return (f"arn:{source.partition}:sagemaker:{source.region}:{source.account_id}:"
            f"model-package/{model_package_group_name(source)}/{number}")  # fmt: skip


# A run's drift baseline, beside its model (steps/drift_check.py reads these): copied
# with the model so that the stage's drift check has what to compare its requests with.
BASELINE_FILES = ("statistics.json", "constraints.json")

# copy(source URI, target URI): False when the source object is missing (or unreadable).
Copy = Callable[[str, str], bool]


def promote(
    source: Settings,
    target: Settings,
    source_arn: str,
    source_sagemaker: Any,
    target_sagemaker: Any,
    copy: Copy,
    target_bucket: str,
    image: str,
    regrant: str,
    say: Callable[[str], None] = print,
    before_changes: Callable[[], None] = lambda: None,
) -> Promotion:
    """Register the first stage's version ``source_arn`` in ``target``'s stage as
    Approved. ``copy`` copies an object into ``target_bucket`` under the same key;
    ``regrant`` says how to renew the first stage's grant when it is missing;
    ``before_changes`` refuses (raises) when the stage could not deploy the version."""
    number = int(source_arn.rsplit("/", 1)[-1])
    described = _describe_source(source_sagemaker, source_arn, source, target.stage, number,
                                 regrant)  # fmt: skip
    if described["ModelApprovalStatus"] != "Approved":
        raise SettingsError(
            f"version {number} is {described['ModelApprovalStatus']} in {source.stage}; only "
            f"an Approved version is promoted ('{source.slug} approve {number}' first)"
        )
    metadata = dict(described.get("CustomerMetadataProperties", {}))
    run_name = metadata.get("RunName")
    if not run_name:
        raise SettingsError(
            f"version {number} of {source.stage} records no RunName (it was not registered "
            "by this project's pipeline); only the pipeline's versions are promoted"
        )
    for version in model_registry.versions(target_sagemaker, target):
        if version.promoted_from == source_arn:
            raise SettingsError(
                f"version {number} of {source.stage} is already version {version.number} of "
                f"{target.stage} ({version.status}); '{target.slug} approve {version.number} "
                f"--stage {target.stage}' deploys it again if it is not live"
            )
    before_changes()  # the stage can deploy it: else it refuses, and nothing has changed
    model_data_url = described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]
    copied = _same_key_in(model_data_url, target_bucket)
    if not copy(model_data_url, copied):
        raise SettingsError(
            f"{model_data_url} is missing, or this account may not read it: {regrant}, "
            "which grants the [stages] accounts read access to its model archives"
        )
    say(f"  copied {model_data_url} -> {copied}")
    baseline = _copy_baseline(metadata.get("BaselineUri", ""), target_bucket, copy, say, regrant)
    metadata.update(baseline)
    layout = metadata.get("FeatureLayout", "")
    _create_model(target_sagemaker, target, run_name, image, copied, layout)
    say(f"  created model {run_name} in {target.stage}")
    registered = target_sagemaker.create_model_package(
        ModelPackageGroupName=model_package_group_name(target),
        ModelPackageDescription=(
            f"promoted from {source.stage} version {number}: "
            f"{described.get('ModelPackageDescription', '')}"
        )[:MAX_DESCRIPTION],
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            **described["InferenceSpecification"],
            "Containers": [{"Image": image, "ModelDataUrl": copied}],
        },
        CustomerMetadataProperties={
            **metadata,
            "Decision": PROMOTED_DECISION,
            "PromotedFrom": source_arn,
            "PromotedFromStage": source.stage,
            "PromotedBy": _who(),
        },
    )
    arn = registered["ModelPackageArn"]
    return Promotion(source_arn, arn, int(arn.rsplit("/", 1)[-1]), run_name, copied)


def _same_key_in(uri: str, bucket: str) -> str:
    return f"s3://{bucket}/{uri.removeprefix('s3://').split('/', 1)[1]}"


def _copy_baseline(baseline: str, target_bucket: str, copy: Copy, say: Callable[[str], None],
                   regrant: str) -> dict[str, str]:  # fmt: skip
    """The drift baseline's files, when the run wrote them; the version's BaselineUri
    then names the stage's copy (its TrainUri and the like keep naming the first
    stage's data, which trained it)."""
    if not baseline:
        return {}
    copied = _same_key_in(baseline, target_bucket)
    if not all(copy(baseline + name, copied + name) for name in BASELINE_FILES):
        say(f"  no drift baseline this account may read under {baseline} (a run before "
            f"baselines, or a grant before them: {regrant}); the stage's drift check skips "
            "this model")  # fmt: skip
        return {}
    say(f"  copied the drift baseline -> {copied}")
    return {"BaselineUri": copied}


def s3_copier(s3: Any, source_account: str) -> Copy:
    """Copies between the stages' buckets with one CopyObject each (the object never
    leaves S3; at most 5 GB, far above an XGBoost model). ``s3`` is the target stage's
    client, which names its own account as the destination's owner; the source's owner
    is named too, so that a bucket of that name in another account is never read."""

    def copy(source_uri: str, target_uri: str) -> bool:
        source_bucket, source_key = source_uri.removeprefix("s3://").split("/", 1)
        bucket, key = target_uri.removeprefix("s3://").split("/", 1)
        try:
            s3.copy_object(
                CopySource={"Bucket": source_bucket, "Key": source_key},
                Bucket=bucket, Key=key, ExpectedSourceBucketOwner=source_account,
            )  # fmt: skip
        except ClientError as error:
            # Without s3:ListBucket on the source, S3 answers a missing key with 403.
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "AccessDenied"):
                return False
            raise
        return True

    return copy


def _describe_source(client: Any, arn: str, source: Settings, stage: str, number: int,
                     regrant: str) -> dict[str, Any]:  # fmt: skip
    try:
        return client.describe_model_package(ModelPackageName=arn)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "AccessDeniedException" and "identity-based policy" in str(error):
            raise SettingsError(
                f"these credentials may not read {source.stage}'s versions: use the "
                f"stage's role ('{source.slug} ci-role --stage {stage}' "
                "creates it with that permission)"
            ) from None
        if code == "AccessDeniedException":
            raise SettingsError(
                f"{source.stage}'s registry refuses this account: {regrant}, which grants "
                "the [stages] accounts read access to its versions"
            ) from None
        if "does not exist" in str(error):
            raise SettingsError(f"there is no version {number} in {source.stage}") from None
        raise


def _create_model(client: Any, target: Settings, name: str, image: str, model_data_url: str,
                  layout: str) -> None:  # fmt: skip
    """The model the stage's endpoint config points at; an earlier promote that stopped
    after creating it left the same model, which is kept."""
    try:
        client.create_model(
            ModelName=name,
            ExecutionRoleArn=target.role_arn("sagemaker_role_arn"),
            PrimaryContainer={
                "Image": image,
                "ModelDataUrl": model_data_url,
                **({"Environment": {FEATURE_LAYOUT_VARIABLE: layout}} if layout else {}),
            },
        )
    except ClientError as error:
        if "already existing model" not in str(error):
            raise
        existing = client.describe_model(ModelName=name)["PrimaryContainer"]["ModelDataUrl"]
        if existing != model_data_url:
            raise SettingsError(
                f"{target.stage} has a model {name} with other data ({existing}); "
                "delete it before promoting this version"
            ) from None


def _who() -> str:
    """Who promoted: the CI run's user where CI says so, else the local user."""
    for variable in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if os.environ.get(variable):
            return f"{os.environ[variable]} (CI)"
    return model_registry.who()
