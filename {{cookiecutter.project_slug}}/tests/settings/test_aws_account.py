"""The account lookup answers fast, with or without credentials.

STS is emulated by moto in process; no request leaves the machine.
"""

from __future__ import annotations

import time

from moto import mock_aws
from project.settings import aws_account
from project.settings.aws_account import (
    SKIP_VARIABLE,
    credential_source_may_exist,
    lookup_account_id,
)


def test_no_credentials_means_no_account_and_no_wait():
    started = time.monotonic()
    lookup = lookup_account_id("us-east-1", timeout_seconds=5)
    assert lookup.account_id is None
    assert "credentials" in lookup.explanation
    # Not a timing assertion on speed: only that it did not sit out the bound.
    assert time.monotonic() - started < 5


def test_the_account_comes_from_sts(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        lookup = lookup_account_id("us-east-1")
    assert lookup.account_id == "123456789012"


def test_the_lookup_can_be_switched_off(monkeypatch):
    monkeypatch.setenv(SKIP_VARIABLE, "1")
    assert lookup_account_id("us-east-1").account_id is None


def test_without_any_credential_source_sts_is_not_asked(monkeypatch, tmp_path):
    """No variables, no shared files, metadata disabled: nothing could answer, so
    neither botocore nor the AWS CLI is started (that is most of a bake's time)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    asked = []
    monkeypatch.setattr(aws_account, "_lookup_with_botocore", lambda *a: asked.append(a))
    monkeypatch.setattr(aws_account, "_lookup_with_cli", lambda *a: asked.append(a))
    assert not credential_source_may_exist()
    assert lookup_account_id("us-east-1").account_id is None and asked == []


def test_each_credential_source_makes_the_lookup_ask(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_PROFILE", "team")
    assert credential_source_may_exist()
    monkeypatch.delenv("AWS_PROFILE")
    shared = tmp_path / "credentials"
    shared.write_text("[default]\n", encoding="utf-8")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    assert credential_source_may_exist()
