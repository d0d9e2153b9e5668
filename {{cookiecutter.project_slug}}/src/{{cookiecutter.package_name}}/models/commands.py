"""The `models`, `approve`, `rollback` and `promote` commands, on AWS or (--local) locally.

Each acts on one stage's account (--stage; the first stage by default).

On AWS, approving a version changes its status in the registry; the pipeline stack's
EventBridge rule sees the change and starts the run that deploys it (as an approval
made in SageMaker Studio does). Locally, the same run is started in process.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from .. import exit_codes
from ..settings import Settings, SettingsError, load_settings
from ..settings.names import endpoint_name, model_package_group_name
from . import registry as model_registry

# A rollback on AWS: SageMaker replaces the fleet in minutes; check every 30 s, 45 min.
ROLLBACK_CHECK_SECONDS = 30
ROLLBACK_MAX_CHECKS = 90


def sagemaker_client(settings: Settings, local: bool) -> Any:
    """boto3's SageMaker client, or local mode's stand-in for the same calls (in the
    local account of the settings' stage)."""
    if local:
        from ..local.accounts import stage_folder
        from ..local.run import local_services
        from ..local.services import LocalSageMakerClient, Workspace

        return LocalSageMakerClient(local_services(settings, Workspace(stage_folder(settings))))
    from ..aws.session import AwsSession

    return AwsSession(settings).client("sagemaker")


def stage_settings(arguments: argparse.Namespace) -> Settings:
    """The settings, as the account of the command's --stage sees them."""
    settings = load_settings(arguments.settings)
    stage = getattr(arguments, "stage", None)
    return settings.for_stage(stage) if stage else settings


def models_command(arguments: argparse.Namespace) -> int:
    settings = stage_settings(arguments)
    client = sagemaker_client(settings, arguments.local)
    found = model_registry.versions(client, settings)
    live = model_registry.live_run_name(client, settings) if found else None
    for line in model_registry.listing(found, live):
        print(line)
    if live and settings.is_first_stage:  # the drift summary reads the first stage's data
        from .drift import summary_for

        print(summary_for(settings, arguments.local))
    if arguments.version is not None:
        version = model_registry.find(found, arguments.version)
        print(f"\nversion {version.number}: {version.description}")
        if version.approval_description:
            print(f"  status note: {version.approval_description}")
    return exit_codes.DONE


def approve_command(arguments: argparse.Namespace) -> int:
    settings = stage_settings(arguments)
    client = sagemaker_client(settings, arguments.local)
    version = model_registry.find(model_registry.versions(client, settings), arguments.version)
    if version.status == "Approved":
        return _deploy_again(settings, client, version, arguments.local)
    client.update_model_package(
        ModelPackageArn=version.arn,
        ModelApprovalStatus="Approved",
        ApprovalDescription=f"approved by {model_registry.who()} with the approve command",
    )
    print(f"version {version.number} ({version.run_name}): {version.status} -> Approved")
    if not arguments.local:
        print("  the registry's approval event starts the run that deploys it; "
              f"follow it with '{settings.slug} status'")  # fmt: skip
        return exit_codes.DONE
    return _deploy_locally(settings, version)


def promote_command(arguments: argparse.Namespace) -> int:
    """promote --to STAGE VERSION: the first stage's approved version, to a later stage."""
    from . import promote

    settings = load_settings(arguments.settings)
    target = settings.for_stage(arguments.to)
    if target.is_first_stage:
        raise SettingsError(f"{arguments.to} is the first stage, where versions are trained; "
                            "promote --to names a later one ([stages.NAME])")  # fmt: skip
    print(f"promoting {settings.stage} version {arguments.version} to {target.stage}")
    if arguments.local:
        return _promote_locally(settings, target, arguments.version)
    from ..aws.session import AwsSession
    from ..workflow.prepare_and_train import training_image_uri

    session = AwsSession(target)
    session.check_account()  # promote runs with the later stage's credentials
    _refuse_without_the_stages_pipeline(target, session)
    # The same credentials, in the first stage's region (SageMaker's APIs are regional).
    source_client = AwsSession(settings).client("sagemaker")
    done = promote.promote(
        settings, target, promote.source_version_arn(settings, arguments.version),
        source_client, session.client("sagemaker"),
        promote.s3_copier(session.client("s3"), settings.account_id), target.artifact_bucket,
        training_image_uri(target),
        regrant=f"deploy the {settings.stage} stage again ('{settings.slug} deploy')",
    )  # fmt: skip
    follow = f"'{settings.slug} status --stage {target.stage}'"
    print(f"{settings.stage} version {arguments.version} is {target.stage} version "
          f"{done.target_version} (Approved); the registry's approval event starts the run "
          f"that deploys it: follow it with {follow}")  # fmt: skip
    return exit_codes.DONE


def _refuse_without_the_stages_pipeline(target: Settings, session: Any) -> None:
    """Nothing is copied or registered unless the stage's pipeline stack is there to
    deploy it: its approval rule is what starts the deployment."""
    from ..aws.deploy import USABLE_STACK
    from ..aws.stacks import stack_status
    from ..settings.names import pipeline_stack_name

    name = pipeline_stack_name(target)
    status = stack_status(session.client("cloudformation"), name)
    if status not in USABLE_STACK:
        raise SettingsError(
            f"{name} is {status or 'not deployed'} in {target.stage} ({target.account_id}), and "
            f"its approval rule deploys what promote registers; run '{target.slug} deploy "
            f"--stage {target.stage}' first"
        )


def _promote_locally(settings: Settings, target: Settings, number: int) -> int:
    """Between the stages' local accounts (.local/ and .local-NAME/), then the
    deployment run the approval event starts on AWS."""
    import shutil

    from ..local.accounts import stage_account, stage_folder
    from ..local.run import check_java, local_services
    from ..local.services import LOCAL_BUCKET, LocalSageMakerClient, LocalServices, Workspace
    from ..workflow.definition import read_committed_definition
    from . import promote

    source_workspace, target_workspace = (
        Workspace(stage_folder(settings)),
        Workspace(stage_folder(target)),
    )
    # The first stage's registry as its last local run left it (group and policy).
    source_services = LocalServices(source_workspace, settings.region, None,
                                    account=stage_account(settings))  # fmt: skip
    source = LocalSageMakerClient(source_services, caller_account=stage_account(target))
    target_client = LocalSageMakerClient(local_services(target, target_workspace))

    def copy(source_uri: str, target_uri: str) -> bool:
        source_path = source_workspace.path_of(source_uri)
        if not source_path.is_file():
            return False
        destination = target_workspace.path_of(target_uri)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_path, destination)
        return True

    def ready_to_deploy() -> None:  # what the deployment run needs
        read_committed_definition(target, settings.path.parent)
        check_java()

    group = model_package_group_name(settings)
    source_arn = source_services.registry.package_arn(group, number)
    done = promote.promote(
        settings, target, source_arn, source, target_client, copy, LOCAL_BUCKET,
        "local/sagemaker-xgboost:1.7-1",
        regrant=f"run the {settings.stage} stage locally again ('{settings.slug} run --local')",
        before_changes=ready_to_deploy,
    )  # fmt: skip
    print(f"{settings.stage} version {number} is {target.stage} version {done.target_version} "
          f"(Approved), in {target_workspace.root.name}/")  # fmt: skip
    version = model_registry.Version.from_description(
        target_client.describe_model_package(ModelPackageName=done.target_arn)
    )
    return _deploy_locally(target, version)


def _deploy_again(settings: Settings, client: Any, version: model_registry.Version,
                  local: bool) -> int:  # fmt: skip
    """An Approved version that does not serve: its deployment did not finish (the
    endpoint was not ready in time, the run was stopped), and no event will come again.
    Its Decision is updated (so the workflow does not take it for one its own run is
    deploying) and the deployment its approval starts is started again."""
    if model_registry.live_run_name(client, settings) == version.run_name:
        raise SettingsError(f"version {version.number} is already Approved and live")
    client.update_model_package(
        ModelPackageArn=version.arn,
        CustomerMetadataProperties={"Decision": "ApprovedAgain"},
    )
    print(f"version {version.number} ({version.run_name}) is Approved but not live: "
          "deploying it again")  # fmt: skip
    if local:
        return _deploy_locally(settings, version)
    from ..aws import executions
    from ..aws.session import AwsSession

    arn = executions.start_deployment(settings, AwsSession(settings), version.arn)
    print(f"  started {arn.rsplit(':', 1)[-1]}; follow it with '{settings.slug} status'")
    return exit_codes.DONE


def _deploy_locally(settings: Settings, version: model_registry.Version) -> int:
    from ..local.run import run_locally
    from ..workflow.display import display_for

    print("deploying it locally (what the approval event starts on AWS)")
    result = run_locally(settings, settings.path.parent, display=display_for(sys.stdout),
                         approved_version_arn=version.arn)  # fmt: skip
    return result.exit_code()


def rollback_command(arguments: argparse.Namespace) -> int:
    settings = stage_settings(arguments)
    client = sagemaker_client(settings, arguments.local)
    found = model_registry.versions(client, settings)
    live, previous = model_registry.previous_approved(
        found, model_registry.live_run_name(client, settings)
    )
    endpoint = endpoint_name(settings)
    print(f"rolling {endpoint} back from version {live.number} to version {previous.number}")
    # The previous version's endpoint config (named after its run) still exists: the
    # run that deployed it created it, and nothing deletes it.
    client.update_endpoint(EndpointName=endpoint, EndpointConfigName=previous.run_name)
    status = _wait_in_service(client, endpoint, arguments.local)
    serving = model_registry.live_run_name(client, settings)
    if serving != previous.run_name:
        print(f"FAILED: {endpoint} is {status} and serves {serving}, not version "
              f"{previous.number}")  # fmt: skip
        return exit_codes.FAILED
    client.update_model_package(
        ModelPackageArn=live.arn,
        ModelApprovalStatus="Rejected",
        ApprovalDescription=f"rolled back to version {previous.number} by {model_registry.who()} "
        "with the rollback command",
        CustomerMetadataProperties={"Decision": "RolledBack"},  # approving it redeploys it
    )
    print(f"{endpoint} serves version {previous.number} again; version {live.number} is "
          "now Rejected")  # fmt: skip
    return exit_codes.DONE


def _wait_in_service(client: Any, endpoint: str, local: bool) -> str:
    for _ in range(ROLLBACK_MAX_CHECKS):
        status = client.describe_endpoint(EndpointName=endpoint)["EndpointStatus"]
        if status not in ("Updating", "SystemUpdating", "RollingBack", "Creating"):
            return status
        print(f"  {endpoint} is {status}")
        if not local:  # local stand-ins change state when asked, not with time
            time.sleep(ROLLBACK_CHECK_SECONDS)
    return status
