"""boto3 clients for the project's region, and the check that they reach its account.

Credentials come from the usual chain (AWS_PROFILE, SSO, environment, instance
role); AWS_ENDPOINT_URL points every client at an emulator, as the deploy
rehearsal test does.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from ..settings import Settings, SettingsError
from .errors import AwsError

# Bounded, so that a wrong network or region fails in seconds rather than hanging.
CLIENT_CONFIG = Config(
    connect_timeout=10, read_timeout=60, retries={"mode": "standard", "max_attempts": 5}
)


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    """One reader of botocore's service models for the process: each new botocore
    session otherwise parses them from disk again (about half a second a session)."""
    return botocore.loaders.create_loader()


def _new_boto3_session(region: str) -> boto3.session.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=core, region_name=region)


def profileless_botocore_session() -> botocore.session.Session:
    """A botocore session that reads no profile (not even AWS_PROFILE's), for what
    botocore answers from its own data, on the process's shared model reader."""
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    core.register_component("data_loader", _shared_loader())
    return core


class AwsSession:
    """Clients for one project's region, created once each.

    Every S3 request names the project's account as the bucket's expected owner
    (ExpectedBucketOwner), so a bucket of the same name in another account is never
    read, written or emptied: S3 refuses the request with 403 instead.
    """

    def __init__(self, settings: Settings, session: boto3.session.Session | None = None):
        self.caller_arn: str | None = None  # known once check_account has asked STS
        self.settings = settings
        self._session = session or _new_boto3_session(settings.region)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = self._session.client(service, config=CLIENT_CONFIG)
            if service == "s3" and self.settings.account_id:
                client.meta.events.register("provide-client-params.s3.*", self._expect_owner)
            self._clients[service] = client
        return self._clients[service]

    def _expect_owner(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """Add ExpectedBucketOwner to each S3 request that takes it and lacks it."""
        if "ExpectedBucketOwner" in model.input_shape.members:
            params.setdefault("ExpectedBucketOwner", self.settings.account_id)

    def check_account(self) -> str:
        """The account of the credentials, refused unless it is the one in settings.toml."""
        if not self.settings.account_id:
            raise SettingsError(
                f"aws.account_id is empty; run '{self.settings.slug} settings fill' first"
            )
        identity = self.client("sts").get_caller_identity()
        account, self.caller_arn = identity["Account"], identity["Arn"]
        if account != self.settings.account_id:
            if not self.settings.is_first_stage:
                stage = self.settings.stage
                raise AwsError(
                    f"your credentials are for account {account}, but stage {stage} is "
                    f"{self.settings.account_id}; switch profile (AWS_PROFILE) or fix "
                    f"stages.{stage}.account_id"
                )
            raise AwsError(
                f"your credentials are for account {account}, but settings.toml is for "
                f"{self.settings.account_id}; switch profile (AWS_PROFILE) or fix aws.account_id"
            )
        return account
