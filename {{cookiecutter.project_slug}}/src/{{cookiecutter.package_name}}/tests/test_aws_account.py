"""The account lookup answers fast, with or without credentials.

STS is emulated by moto in process; no request leaves the machine.
"""

from __future__ import annotations

import time

from moto import mock_aws

from ..aws_account import SKIP_VARIABLE, lookup_account_id


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
