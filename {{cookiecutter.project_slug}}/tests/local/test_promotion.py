"""Promotion between two local accounts: .local/ (the first stage, dev) and
.local-prod/ (a later stage), each with an account id of its own.

Emulated: both accounts are folders; the first stage's registry answers the other
account only as its group policy allows (the policy the first stage's stack writes,
FIDELITY.md), and the deployment in prod is the committed definition run locally from
the approved version, as the prod stack's approval rule starts it on AWS.
"""

from __future__ import annotations

import json

import pytest
from project.cli import main
from project.local.registry import LocalRegistry
from project.local.services import Workspace
from project.settings import load_settings
from project.settings.names import model_package_group_name

from ..conftest import clear_account_values, copy_project

PROD = "222222222222"


def with_prod_stage(settings_path, endpoint: str = ""):
    """A prod stage, on settings without an account (local mode needs none) and with
    created roles, whatever the bake answered (a stage of existing roles names its own)."""
    clear_account_values(settings_path)
    with settings_path.open("a", encoding="utf-8") as stream:
        stream.write(f'\n[stages.prod]\naccount_id = "{PROD}"\n{endpoint}')
    return settings_path


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_a_version_promoted_from_dev_serves_in_prod(tmp_path, capsys):
    bigger = 'endpoint_instance_type = "ml.m5.xlarge"\nendpoint_instance_count = 2\n'
    settings_path = with_prod_stage(copy_project(tmp_path, "README.md", "statemachine"), bigger)
    cli = ["--settings", str(settings_path)]
    assert main([*cli, "run", "--local", "--rows", "500"]) == 0
    # prod's own definition, for its own endpoint: promote refuses to deploy without it
    assert main([*cli, "promote", "--to", "prod", "1", "--local"]) != 0
    assert "statemachine/definition.prod.asl.json is missing" in capsys.readouterr().err
    assert main([*cli, "render"]) == 0
    capsys.readouterr()

    assert main([*cli, "promote", "--to", "prod", "1", "--local"]) == 0
    out = capsys.readouterr().out
    assert "dev version 1 is prod version 1 (Approved)" in out
    assert "SUCCEEDED" in out and "serve --stage prod" in out

    assert main([*cli, "models", "--stage", "prod", "--local"]) == 0
    live = [line for line in capsys.readouterr().out.splitlines() if line.startswith("* ")]
    assert "promoted: arn:aws:sagemaker:" in live[0] and ":000000000000:model-package/" in live[0]
    # prod serves its own copy of the model, in its own account's folder.
    settings = load_settings(settings_path).for_stage("prod")
    prod = Workspace(tmp_path / ".local-prod")
    record = LocalRegistry(prod, settings.region, "000000000001").list_model_packages(
        model_package_group_name(settings))[0]  # fmt: skip
    assert record["ModelPackageArn"].split(":")[4] == "000000000001"
    model = prod.path_of(record["InferenceSpecification"]["Containers"][0]["ModelDataUrl"])
    assert model.is_file() and tmp_path / ".local-prod" in model.parents

    # prod's endpoint is prod's size; dev's stays [endpoint]'s
    dev = load_settings(settings_path)
    dev_size = (dev.endpoint_instance_type, dev.endpoint_instance_count)
    for folder, size in ((".local-prod", ("ml.m5.xlarge", 2)), (".local", dev_size)):
        (config,) = (tmp_path / folder / "sagemaker" / "endpoint-configs").glob("*.json")
        record = json.loads(config.read_text(encoding="utf-8"))
        assert (record["InstanceType"], record["InitialInstanceCount"]) == size

    assert main([*cli, "promote", "--to", "prod", "1", "--local"]) != 0
    assert "already version 1 of prod" in capsys.readouterr().err


def test_without_the_first_stages_grant_promote_is_refused_in_one_line(tmp_path, capsys):
    """A dev registry created before [stages.prod] was added (no group policy yet):
    prod's account is refused, as SageMaker refuses a cross-account read no policy allows."""
    settings_path = copy_project(tmp_path)
    settings = load_settings(settings_path)
    registry = LocalRegistry(Workspace(tmp_path / ".local"), settings.region, "000000000000")
    group = model_package_group_name(settings)
    registry.create_group(group)  # as a run before the stage existed left it
    registry.create_model_package({
        "ModelPackageGroupName": group, "ModelApprovalStatus": "Approved",
        "InferenceSpecification": {"Containers": [{"ModelDataUrl": "s3://b/models/m.tar.gz"}]},
        "CustomerMetadataProperties": {"RunName": "run-1"},
    })  # fmt: skip
    with_prod_stage(settings_path)
    code = main(["--settings", str(settings_path), "promote", "--to", "prod", "1", "--local"])
    err = capsys.readouterr().err
    assert code != 0 and "dev's registry refuses this account" in err
    assert "run --local" in err and "Traceback" not in err


@pytest.mark.parametrize(("arguments", "message"), [
    (["promote", "--to", "dev", "1", "--local"], "dev is the first stage"),
    (["promote", "--to", "qa", "1", "--local"], "'qa' is not a stage of settings.toml"),
    (["models", "--stage", "qa", "--local"], "'qa' is not a stage of settings.toml"),
])  # fmt: skip
def test_a_stage_that_is_not_a_later_one_is_refused(tmp_path, capsys, arguments, message):
    settings_path = with_prod_stage(copy_project(tmp_path))
    assert main(["--settings", str(settings_path), *arguments]) != 0
    assert message in capsys.readouterr().err


def test_promote_names_a_version_dev_does_not_have(tmp_path, capsys):
    """With the grant, a missing version is said as such (without it, SageMaker and the
    local registry refuse before telling whether it exists)."""
    settings_path = with_prod_stage(copy_project(tmp_path))
    settings = load_settings(settings_path)
    registry = LocalRegistry(Workspace(tmp_path / ".local"), settings.region, "000000000000")
    registry.create_group(model_package_group_name(settings), ["000000000001"])
    code = main(["--settings", str(settings_path), "promote", "--to", "prod", "7", "--local"])
    assert code != 0 and "there is no version 7 in dev" in capsys.readouterr().err
