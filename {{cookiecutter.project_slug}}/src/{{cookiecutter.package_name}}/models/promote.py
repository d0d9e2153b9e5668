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

import getpass
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


def promote(
    source: Settings,
    target: Settings,
    source_arn: str,
    source_sagemaker: Any,
    target_sagemaker: Any,
    copy_model: Callable[[str], str],
    image: str,
    regrant: str,
    say: Callable[[str], None] = print,
    before_changes: Callable[[], None] = lambda: None,
) -> Promotion:
    """Register the first stage's version ``source_arn`` in ``target``'s stage as
    Approved. ``copy_model`` copies a model artifact into the target's bucket and returns
    its URI; ``regrant`` says how to renew the first stage's grant when it is missing;
    ``before_changes`` refuses (raises) when the stage could not deploy the version."""
    number = int(source_arn.rsplit("/", 1)[-1])
    described = _describe_source(source_sagemaker, source_arn, source, number, regrant)
    if described["ModelApprovalStatus"] != "Approved":
        raise SettingsError(
            f"version {number} is {described['ModelApprovalStatus']} in {source.stage}; only "
            f"an Approved version is promoted ('{source.slug} approve {number}' first)"
        )
    metadata = dict(described.get("CustomerMetadataProperties", {}))
    run_name = metadata["RunName"]
    for version in model_registry.versions(target_sagemaker, target):
        if version.promoted_from == source_arn:
            raise SettingsError(
                f"version {number} of {source.stage} is already version {version.number} of "
                f"{target.stage} ({version.status}); '{target.slug} approve {version.number} "
                f"--stage {target.stage}' deploys it again if it is not live"
            )
    before_changes()  # the stage can deploy it: else it refuses, and nothing has changed
    container = described["InferenceSpecification"]["Containers"][0]
    model_data_url = copy_model(container["ModelDataUrl"])
    say(f"  copied {container['ModelDataUrl']} -> {model_data_url}")
    layout = metadata.get("FeatureLayout", "")
    _create_model(target_sagemaker, target, run_name, image, model_data_url, layout)
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
            "Containers": [{"Image": image, "ModelDataUrl": model_data_url}],
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
    return Promotion(source_arn, arn, int(arn.rsplit("/", 1)[-1]), run_name, model_data_url)


def _describe_source(client: Any, arn: str, source: Settings, number: int,
                     regrant: str) -> dict[str, Any]:  # fmt: skip
    try:
        return client.describe_model_package(ModelPackageName=arn)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
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
    try:
        return getpass.getuser()
    except Exception:
        return "an unknown user"
