"""The CLI's AWS commands: deploy, preflight, run (on AWS), status, history, destroy,
upload-data, ci-role.

Each loads the settings, makes an ``AwsSession`` and calls the module that does
the work; the CLI turns any SettingsError or AwsError into one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys

from .. import exit_codes
from ..settings import Settings, SettingsError, load_settings
from ..workflow.display import display_for
from . import deploy, destroy, executions, raw_data
from .errors import AwsError
from .session import AwsSession


def _session(arguments: argparse.Namespace) -> tuple[Settings, AwsSession]:
    """The settings of the command's stage (--stage), and a session in its account."""
    settings = load_settings(arguments.settings)
    stage = getattr(arguments, "stage", None)
    if stage:
        settings = settings.for_stage(stage)
    return settings, AwsSession(settings)


def deploy_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)
    if not getattr(arguments, "skip_preflight", False):
        _preflight_before_deploy(settings, aws)
    deploy.deploy(settings, aws)
    return exit_codes.DONE


def _preflight_before_deploy(settings: Settings, aws: AwsSession) -> None:
    """Stop before any change when a check fails; one that could not be checked (the
    deploying role may not read quotas or simulate policies) is said, and deploy goes on."""
    from . import preflight

    aws.check_account()  # credentials of another account stop here, in one line
    checks = preflight.preflight(settings, aws)
    for check in checks:
        if not check.passed:
            print(check.line())
    failed = [check for check in checks if check.status == preflight.FAILED]
    if failed:
        raise AwsError(
            f"preflight: {len(failed)} check(s) failed (!! above); fix them, or deploy with "
            "--skip-preflight"
        )
    unknown = len(checks) - sum(check.passed for check in checks)
    print(f"preflight: {len(checks) - unknown} checks passed"
          + (f", {unknown} could not be checked (!! above)" if unknown else ""))  # fmt: skip


def preflight_command(arguments: argparse.Namespace) -> int:
    """Check the account before the first deploy; --local: rehearse against stubs."""
    from . import preflight

    settings = load_settings(arguments.settings)
    if arguments.local:
        settings, aws, _ = preflight.rehearsal(settings)
        print(
            "rehearsal: botocore's Stubber answers as a healthy account would; AWS is not "
            "asked, so these lines show what is checked, not your account"
        )
    else:
        aws = AwsSession(settings)
    checks = preflight.preflight(settings, aws)
    print("\n".join(preflight.report(checks)))
    return preflight.exit_code(checks)


def run_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)
    check = not getattr(arguments, "skip_size_check", False)
    arn = executions.start(settings, aws, arguments.run_name, check_size=check)
    print(f"started {arn}")
    console = console_link(settings, arn)
    if console:
        print(f"  console: {console}")
    if not arguments.wait:
        print(f"  follow it: {settings.slug} status, or run with --wait")
        return exit_codes.DONE
    with display_for(sys.stdout) as display:
        outcome = executions.watch(settings, aws, arn, say=display)
    return _report(outcome)


def status_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)
    arn = executions.resolve(settings, aws, arguments.run)
    outcome = executions.status(aws, arn)
    print(f"{arn}: {outcome.status}")
    if outcome.error:
        print(f"  {outcome.error}: {outcome.cause}")
    return exit_codes.DONE


def history_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)
    arn = executions.resolve(settings, aws, arguments.run)
    for event in executions.events(aws, arn):
        details = executions.event_details(event)
        name = details.get("name") or details.get("error") or ""
        print(f"{event['timestamp']:%Y-%m-%d %H:%M:%S} {event['type']:<28} {name}")
    return exit_codes.DONE


def destroy_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)

    def confirm(removals: list[str]) -> bool:
        print(f"This removes from {settings.region}:")
        print("\n".join(removals))
        if arguments.yes:
            return True
        if not sys.stdin.isatty():
            raise SettingsError("destroy needs confirmation: run it in a terminal, or add --yes")
        return input(f"Type '{settings.slug}' to confirm: ").strip() == settings.slug

    done = destroy.destroy(settings, aws, confirm, force=arguments.force)
    return exit_codes.DONE if done else exit_codes.FAILED


def upload_data_command(arguments: argparse.Namespace) -> int:
    settings, aws = _session(arguments)
    if (arguments.csv is None) == (not arguments.sample):
        raise SettingsError("give a CSV file or --sample, not both and not neither")
    uri = raw_data.upload_data(settings, aws, arguments.csv, arguments.rows)
    print(f"uploaded {uri}")
    return exit_codes.DONE


def ci_role_command(arguments: argparse.Namespace) -> int:
    from .ci_role import deploy_ci_role, detect_provider

    settings, aws = _session(arguments)
    provider = arguments.provider or detect_provider(settings.path.parent)
    role_arn = deploy_ci_role(
        settings,
        aws,
        provider,
        arguments.repository,
        environment_checked=arguments.environment_checked,
    )
    where = "repository variable" if provider == "github" else "CI/CD variable"
    if not settings.is_first_stage:  # read by the promote job, in the stage's environment
        where = (f"variable of the GitHub environment '{settings.stage}'" if provider == "github"
                 else f"CI/CD variable scoped to the environment '{settings.stage}'")  # fmt: skip
    print(f"deploy role: {role_arn}")
    print(f"  set it as the {where} AWS_DEPLOY_ROLE_ARN; it trusts only {arguments.repository}")
    return exit_codes.DONE


def _report(outcome: executions.RunOutcome) -> int:
    if outcome.status == "SUCCEEDED":
        print("SUCCEEDED")
        return exit_codes.DONE
    print(f"{outcome.status}: {outcome.error}: {outcome.cause}", file=sys.stderr)
    return exit_codes.FAILED


def console_link(settings: Settings, arn: str) -> str | None:
    """The execution's page in the AWS console (the commercial partition's)."""
    if settings.partition != "aws":
        return None
    region = settings.region
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{arn}"
    )
