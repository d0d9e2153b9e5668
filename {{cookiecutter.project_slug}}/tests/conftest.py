"""Shared fixtures. No test reaches AWS: credentials are cleared for every test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .project_alias import PROJECT_ROOT, install

install()  # the tests import the package as ``project`` (see project_alias.py)


@pytest.fixture(autouse=True)
def no_aws_credentials(monkeypatch, tmp_path_factory):
    """Hide any real credentials, config and instance metadata from the tests."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "RETRAIN_SETTINGS",
    ):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.mktemp("aws-config") / "none"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def copy_project(folder: Path, *names: str) -> Path:
    """Copy settings.toml and the named files or folders of the project into ``folder``,
    so that a test may edit them and write beside them; return the settings' copy."""
    for name in ("settings.toml", *names):
        source = PROJECT_ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copyfile
        copy(source, folder / name)
    return folder / "settings.toml"


@pytest.fixture
def settings_path(tmp_path) -> Path:
    """A copy of the project's own settings.toml that a test may edit."""
    copy = tmp_path / "settings.toml"
    shutil.copyfile(PROJECT_ROOT / "settings.toml", copy)
    return copy


def replace_line(path: Path, startswith: str, new_line: str) -> None:
    """Edit settings.toml as a user would: rewrite the one line that starts so."""
    lines = path.read_text(encoding="utf-8").splitlines()
    matches = [index for index, line in enumerate(lines) if line.startswith(startswith)]
    assert len(matches) == 1, f"expected one line starting with {startswith!r}"
    lines[matches[0]] = new_line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def clear_account_values(path: Path) -> None:
    """Empty the account and everything derived from it, as in a bake without credentials."""
    replace_line(path, "account_id =", 'account_id = ""')
    replace_line(path, "artifact_bucket =", 'artifact_bucket = ""')
    replace_line(path, "roles =", 'roles = "create"')
    for role in ("sagemaker", "stepfunctions", "glue", "lambda"):
        replace_line(path, f"{role}_role_arn =", f'{role}_role_arn = ""')
