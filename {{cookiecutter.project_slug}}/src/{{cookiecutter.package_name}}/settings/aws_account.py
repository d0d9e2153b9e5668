"""Find the AWS account of the caller's credentials, quickly or not at all.

Used when a project is baked (the hooks load this file) and by ``settings fill``.
A laptop with no credentials must not stall: the instance-metadata lookup that
botocore falls back to is bounded to one short attempt, and the whole lookup to
``timeout_seconds``. Standard library only; botocore or the AWS CLI are used when
present.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

SKIP_VARIABLE = "RETRAIN_NO_AWS_LOOKUP"


class AccountLookup(NamedTuple):
    account_id: str | None
    explanation: str


# Where botocore and the AWS CLI find credentials, in their order: each is a cheap
# local check, so a laptop without any skips STS (and the CLI's start-up) at once.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
# An EC2 instance says so in its DMI data (Nitro and Xen instances alike).
EC2_MARKERS = {
    Path("/sys/class/dmi/id/sys_vendor"): "Amazon EC2",
    Path("/sys/class/dmi/id/board_asset_tag"): "i-",
    Path("/sys/hypervisor/uuid"): "ec2",
}


def lookup_account_id(region: str, timeout_seconds: float = 2.0) -> AccountLookup:
    """Ask STS who the caller is; never raises, never waits past the timeout."""
    if os.environ.get(SKIP_VARIABLE):
        return AccountLookup(None, f"lookup skipped ({SKIP_VARIABLE} is set)")
    if not credential_source_may_exist():
        return AccountLookup(None, "no AWS credentials found (no variables, files or EC2 role)")
    try:
        import botocore.session  # noqa: F401  (only to learn whether it is there)
    except ImportError:
        return _lookup_with_cli(region, timeout_seconds)
    return _lookup_with_botocore(region, timeout_seconds)


def credential_source_may_exist() -> bool:
    """Whether any source of AWS credentials is configured on this machine."""
    if any(os.environ.get(name) for name in CREDENTIAL_VARIABLES):
        return True
    home = Path.home() / ".aws"
    files = (
        os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / "credentials",
        os.environ.get("AWS_CONFIG_FILE") or home / "config",
    )
    if any(Path(file).is_file() for file in files):
        return True
    if os.environ.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true":
        return False
    return any(_starts_with(path, marker) for path, marker in EC2_MARKERS.items())


def _starts_with(path: Path, marker: str) -> bool:
    try:
        return path.read_text(encoding="ascii", errors="ignore").strip().startswith(marker)
    except OSError:
        return False


# threading, subprocess and shutil are imported where they are needed: a bake without
# credentials (its hook loads this module) needs none of them.


def _lookup_with_botocore(region: str, timeout_seconds: float) -> AccountLookup:
    import threading

    outcome: list = []

    def ask() -> None:
        import botocore.config
        import botocore.exceptions
        import botocore.session

        session = botocore.session.get_session()
        session.set_config_variable("metadata_service_timeout", 1)
        session.set_config_variable("metadata_service_num_attempts", 1)
        config = botocore.config.Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            retries={"max_attempts": 1},
        )
        try:
            sts = session.create_client("sts", region_name=region, config=config)
            outcome.append(AccountLookup(sts.get_caller_identity()["Account"], "from STS"))
        except botocore.exceptions.NoCredentialsError:
            outcome.append(AccountLookup(None, "no AWS credentials found"))
        except Exception as error:  # any failure only means "not known yet"
            outcome.append(AccountLookup(None, f"STS lookup failed: {error}"))

    # A daemon thread: if credentials resolution hangs, the bake goes on without it.
    worker = threading.Thread(target=ask, daemon=True)
    worker.start()
    worker.join(timeout_seconds)
    if outcome:
        return outcome[0]
    return AccountLookup(None, f"STS did not answer within {timeout_seconds:g} s")


def _lookup_with_cli(region: str, timeout_seconds: float) -> AccountLookup:
    import shutil
    import subprocess

    aws = shutil.which("aws")
    if not aws:
        return AccountLookup(None, "neither botocore nor the AWS CLI is installed")
    command = [aws, "sts", "get-caller-identity", "--query", "Account", "--output", "text"]
    environment = dict(
        os.environ,
        AWS_REGION=region,
        AWS_METADATA_SERVICE_TIMEOUT="1",
        AWS_METADATA_SERVICE_NUM_ATTEMPTS="1",
        AWS_PAGER="",
    )
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            env=environment,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return AccountLookup(None, f"the AWS CLI did not answer within {timeout_seconds:g} s")
    account = result.stdout.strip()
    if result.returncode == 0 and account.isdigit() and len(account) == 12:
        return AccountLookup(account, "from the AWS CLI")
    return AccountLookup(None, "the AWS CLI found no usable credentials")
