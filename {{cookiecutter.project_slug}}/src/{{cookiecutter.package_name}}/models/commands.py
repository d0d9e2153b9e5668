"""The `models`, `approve` and `rollback` commands, on AWS or (--local) in local mode.

On AWS, approving a version changes its status in the registry; the pipeline stack's
EventBridge rule sees the change and starts the run that deploys it (as an approval
made in SageMaker Studio does). Locally, the same run is started in process.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any

from .. import exit_codes
from ..settings import Settings, SettingsError, load_settings
from ..settings.names import endpoint_name
from . import registry as model_registry

# A rollback on AWS: SageMaker replaces the fleet in minutes; check every 30 s, 45 min.
ROLLBACK_CHECK_SECONDS = 30
ROLLBACK_MAX_CHECKS = 90


def sagemaker_client(settings: Settings, local: bool) -> Any:
    """boto3's SageMaker client, or local mode's stand-in for the same calls."""
    if local:
        from ..local.run import LOCAL_FOLDER, local_services
        from ..local.services import LocalSageMakerClient, Workspace

        workspace = Workspace(settings.path.parent / LOCAL_FOLDER)
        return LocalSageMakerClient(local_services(settings, workspace))
    from ..aws.session import AwsSession

    return AwsSession(settings).client("sagemaker")


def models_command(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    client = sagemaker_client(settings, arguments.local)
    found = model_registry.versions(client, settings)
    live = model_registry.live_run_name(client, settings) if found else None
    for line in model_registry.listing(found, live):
        print(line)
    if live:
        from .drift import summary_for

        print(summary_for(settings, arguments.local))
    if arguments.version is not None:
        version = model_registry.find(found, arguments.version)
        print(f"\nversion {version.number}: {version.description}")
        if version.approval_description:
            print(f"  status note: {version.approval_description}")
    return exit_codes.DONE


def approve_command(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    client = sagemaker_client(settings, arguments.local)
    version = model_registry.find(model_registry.versions(client, settings), arguments.version)
    if version.status == "Approved":
        return _deploy_again(settings, client, version, arguments.local)
    client.update_model_package(
        ModelPackageArn=version.arn,
        ModelApprovalStatus="Approved",
        ApprovalDescription=f"approved by {_who()} with the approve command",
    )
    print(f"version {version.number} ({version.run_name}): {version.status} -> Approved")
    if not arguments.local:
        print("  the registry's approval event starts the run that deploys it; "
              f"follow it with '{settings.slug} status'")  # fmt: skip
        return exit_codes.DONE
    return _deploy_locally(settings, version)


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
    settings = load_settings(arguments.settings)
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
        ApprovalDescription=f"rolled back to version {previous.number} by {_who()} "
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


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "an unknown user"
