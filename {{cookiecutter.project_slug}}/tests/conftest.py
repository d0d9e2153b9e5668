"""Shared fixtures. No test reaches AWS: credentials are cleared for every test."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import botocore.loaders
import botocore.session
import pytest

from .project_alias import PROJECT_ROOT, install

install()  # the tests import the package as ``project`` (see project_alias.py)


def _share_botocore_models() -> None:
    """One reader of botocore's service models for every session the tests make.

    moto, the tests' own clients and the SageMaker SDK each start botocore sessions,
    and each new session parses the same JSON models again: about 15 s of the quick
    tier. The project's own clients already share one reader (aws/session.py); the
    models are read-only data, so sharing them changes no answer.
    """
    shared = botocore.loaders.create_loader()
    original = botocore.loaders.create_loader

    def create_loader(search_path_string=None):
        return original(search_path_string) if search_path_string else shared

    botocore.loaders.create_loader = create_loader
    botocore.session.create_loader = create_loader


_share_botocore_models()


def pytest_collection_finish(session):
    """Keep Python's full garbage collections off what the tests load once and keep.

    The modules, botocore's models, moto's backends and cfn-lint's schemas are millions
    of long-lived objects; each full collection walked all of them (about 0.3 s, some
    twenty times a worker: 6 s of a worker's minute). Freezing what collection loaded
    and collecting the oldest generation a tenth as often leaves the young generations,
    which find a test's own garbage, as they were. benchmarks/project_suite.py measures it.
    """
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


@pytest.fixture(scope="session", autouse=True)
def spark_classes_saved():
    """The first Spark of an environment records its classes for quicker starts
    (local/spark_classes.py), published when its process ends; a pytest-xdist worker is
    killed after it reports, so it publishes them here, after the last test's teardown."""
    yield
    from project.local.spark_classes import publish_recorded_classes

    publish_recorded_classes()


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
    """Edit settings.toml as a user would: rewrite the one line that starts so, outside
    the [data] tables (whose keys are the dataset's column names, any name at all)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    table, in_data = "", []
    for line in lines:
        if line.startswith("["):
            table = line.strip("[] ")
        in_data.append(table == "data" or table.startswith("data."))
    matches = [
        index
        for index, line in enumerate(lines)
        if line.startswith(startswith) and not in_data[index]
    ]
    assert len(matches) == 1, f"expected one line starting with {startswith!r}"
    lines[matches[0]] = new_line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_replace_on_tie(settings_path: Path, value: bool) -> None:
    """Let a later run's model win a tie with the live one (or not), and render: tests
    that run the same sample again train the same model, so they tie."""
    from project.cli import main

    replace_line(settings_path, "replace_on_tie =", f"replace_on_tie = {str(value).lower()}")
    assert main(["--settings", str(settings_path), "render"]) == 0


def clear_account_values(path: Path) -> None:
    """Empty the account and everything derived from it, as in a bake without credentials."""
    replace_line(path, "account_id =", 'account_id = ""')
    replace_line(path, "artifact_bucket =", 'artifact_bucket = ""')
    replace_line(path, "roles =", 'roles = "create"')
    for role in ("sagemaker", "stepfunctions", "glue", "lambda"):
        replace_line(path, f"{role}_role_arn =", f'{role}_role_arn = ""')


def run_of(model_data_url: str) -> str:
    """The run that trained a model: its archive is under s3://<bucket>/models/<run>/."""
    return model_data_url.split("/models/")[1].split("/")[0]


def project_schema():
    """The dataset schema of the project's settings.toml ([data]): tests that need data
    make it from this, so that they hold for whatever dataset the project is set up for."""
    from project.settings import load_settings

    return load_settings(PROJECT_ROOT / "settings.toml").data


def sample_csv(path: Path, rows: int) -> Path:
    """``rows`` generated rows of the project's schema, written to ``path``."""
    from project.sample_data import generate

    return generate(path, project_schema(), rows=rows)


def encoded_row(schema, strong: bool) -> str:
    """A row as the endpoint takes it (the Glue job's encoding), strong or weak in the
    features that decide the sample's label (its first ones, see sample_data.py)."""
    from project.settings.data_schema import BOOLEAN, NUMERIC

    values = []
    for index, feature in enumerate(schema.features):
        decides = index < 3
        if feature.kind == NUMERIC:
            values.append("160" if strong and decides else ("40" if decides else "100"))
        elif feature.kind == BOOLEAN:
            values.append("1" if strong and decides else "0")
        else:
            chosen = 0 if strong or not decides else len(feature.categories) - 1
            values += ["1" if i == chosen else "0" for i in range(len(feature.categories))]
    return ",".join(values)


def dicts_in(node):
    """Every mapping in a parsed JSON or YAML document, at any depth (the node first)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from dicts_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from dicts_in(value)
