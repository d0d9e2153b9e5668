"""The post-generation hook looks up the account, and never stalls a bake.

STS is emulated by moto's server on 127.0.0.1 (the hook reaches it through
botocore's AWS_ENDPOINT_URL_STS); a socket that accepts and never answers stands
in for an unreachable endpoint. Nothing leaves the machine.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import tomllib
from moto.server import ThreadedMotoServer


@pytest.fixture
def sts_endpoint(monkeypatch):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield
    server.stop()


@pytest.fixture
def silent_endpoint(monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield
    listener.close()


def test_with_credentials_the_bake_fills_in_account_bucket_and_roles(sts_endpoint, bake, capfd):
    result = bake(aws_region="eu-central-1")
    assert result.exit_code == 0, result.exception
    settings = tomllib.loads((Path(result.project_path) / "settings.toml").read_text())
    slug = settings["project"]["slug"]
    assert settings["aws"]["account_id"] == "123456789012"  # moto's default account
    assert settings["aws"]["artifact_bucket"] == f"{slug}-123456789012-eu-central-1"
    assert settings["iam"]["sagemaker_role_arn"] == (
        f"arn:aws:iam::123456789012:role/{slug}-sagemaker-role"
    )
    assert "settings.toml: account 123456789012 (from STS)" in capfd.readouterr().out


def test_an_endpoint_that_never_answers_does_not_stall_the_bake(silent_endpoint, bake, capfd):
    result = bake()
    assert result.exit_code == 0, result.exception
    assert "did not answer within 2 s" in capfd.readouterr().out
    settings = tomllib.loads((Path(result.project_path) / "settings.toml").read_text())
    assert settings["aws"]["account_id"] == ""
