"""[stages]: the later accounts a version is promoted to, checked like every setting."""

from __future__ import annotations

import tomllib

import pytest
from project.settings import SettingsError, load_settings, rules

from ..conftest import clear_account_values, replace_line

DEV, PROD = "111111111111", "222222222222"


def region_of(settings_path) -> str:
    return tomllib.loads(settings_path.read_text(encoding="utf-8"))["aws"]["region"]


def settings_with(settings_path, stage_table: str, roles: str = "create"):
    """The project's settings with dev's account and a stage table, whatever the bake
    answered for the account, roles and region."""
    partition = rules.partition_of(region_of(settings_path))
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", f'account_id = "{DEV}"')
    replace_line(settings_path, "roles =", f'roles = "{roles}"')
    if roles == "existing":
        for role in ("sagemaker", "stepfunctions", "glue", "lambda"):
            replace_line(settings_path, f"{role}_role_arn =",
                         f'{role}_role_arn = "arn:{partition}:iam::{DEV}:role/{role}"')  # fmt: skip
    with settings_path.open("a", encoding="utf-8") as stream:
        table = stage_table
        for placeholder, region in regions(settings_path).items():
            table = table.replace(placeholder, region)
        stream.write("\n" + table + "\n")
    return load_settings(settings_path)


def regions(settings_path) -> dict[str, str]:
    """Regions for the tables below, by placeholder: another in dev's partition, one in
    another partition."""
    region = region_of(settings_path)
    partition = rules.partition_of(region)
    same = next(r for r in rules.PARTITION_REGIONS[partition] if r != region)
    other = next(r for p, found in rules.PARTITION_REGIONS.items() if p != partition
                 for r in found)  # fmt: skip
    return {"SAME_PARTITION": same, "OTHER_PARTITION": other}


def test_without_later_stages_the_project_is_its_one_account(settings_path):
    settings = load_settings(settings_path)
    assert settings.stages.names == ("dev",) and settings.is_first_stage
    assert settings.for_stage("dev") == settings


def test_a_later_stage_is_its_own_account_that_trains_nothing(settings_path):
    settings = settings_with(settings_path, f'[stages.prod]\naccount_id = "{PROD}"')
    prod = settings.for_stage("prod")
    assert settings.stages.names == ("dev", "prod") and not prod.is_first_stage
    assert prod.account_id == PROD and prod.region == settings.region
    assert prod.artifact_bucket == f"{settings.slug}-{PROD}-{settings.region}"
    assert f"::{PROD}:role/" in prod.role_arn("sagemaker_role_arn")
    assert not prod.on_new_data and not prod.on_drift and prod.schedule_expression is None
    assert prod.endpoint_instance_type == settings.endpoint_instance_type
    assert prod.for_stage("dev") == settings and prod.for_stage("prod") == prod


ACCOUNT = f'account_id = "{PROD}"'


@pytest.mark.parametrize(("table", "message"), [
    ('[stages.prod]\nregion = "SAME_PARTITION"', "stages.prod.account_id is missing"),
    (f'[stages.prod]\n{ACCOUNT}\nacount = "x"', "stages.prod.acount is not a stage setting"),
    ('[stages.prod]\naccount_id = "2222"', "account_id '2222' is not an AWS account id"),
    (f'[stages.prod]\naccount_id = {PROD}', "it must be a quoted string"),
    (f'[stages.prod]\n{ACCOUNT}\nregion = "OTHER_PARTITION"', "another partition"),
    (f'[stages.prod]\naccount_id = "{DEV}"', "is the first stage's (aws.account_id)"),
    (f'[stages.prod]\naccount_id = "{DEV}"\nregion = "SAME_PARTITION"', "is the first stage's"),
    (f'[stages.production]\n{ACCOUNT}', "the first stage's CI environment"),
    (f'[stages.staging]\n{ACCOUNT}\n[stages.prod]\n{ACCOUNT}',
     "stages.prod.account_id is stages.staging's too"),
    (f'[stages.dev]\naccount_id = "{PROD}"', "[stages.dev] is the first stage"),
    (f'[stages.Prod]\naccount_id = "{PROD}"', "is not a stage name"),
    (f'[stages.prod]\n{ACCOUNT}\nartifact_bucket = "Bad_Bucket"', "stages.prod.artifact_bucket"),
])  # fmt: skip
def test_a_wrong_stage_is_one_line_naming_the_key(settings_path, table, message):
    with pytest.raises(SettingsError, match=r"settings\.toml: ") as raised:
        settings_with(settings_path, table)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_with_existing_roles_each_stage_names_its_own(settings_path):
    with pytest.raises(SettingsError, match=r"stages\.prod\.sagemaker_role_arn is missing"):
        settings_with(settings_path, f'[stages.prod]\naccount_id = "{PROD}"', roles="existing")


def test_the_first_stage_name_is_checked(settings_path):
    replace_line(settings_path, "first =", 'first = "Dev Account"')
    with pytest.raises(SettingsError, match=r"stages\.first 'Dev Account' is not a stage name"):
        load_settings(settings_path)


def test_a_stage_may_have_its_own_endpoint(settings_path):
    table = f'[stages.prod]\n{ACCOUNT}\nendpoint_instance_type = "ml.c5.xlarge"\n'
    settings = settings_with(settings_path, table + "endpoint_instance_count = 3")
    prod = settings.for_stage("prod")
    assert (prod.endpoint_instance_type, prod.endpoint_instance_count) == ("ml.c5.xlarge", 3)
    endpoint = tomllib.loads(settings_path.read_text(encoding="utf-8"))["endpoint"]
    assert settings.endpoint_instance_type == endpoint["instance_type"]  # dev keeps [endpoint]'s
    assert settings.endpoint_instance_count == endpoint["instance_count"] != 3


@pytest.mark.parametrize(("lines", "message"), [
    ('endpoint_instance_count = "2"', "endpoint_instance_count is '2'; it must be a whole number"),
    ("endpoint_instance_count = 0", "stages.prod.endpoint_instance_count"),
    ('endpoint_instance_type = "m5.large"', "stages.prod.endpoint_instance_type"),
])  # fmt: skip
def test_a_wrong_stage_endpoint_is_refused(settings_path, lines, message):
    with pytest.raises(SettingsError) as raised:
        settings_with(settings_path, f"[stages.prod]\n{ACCOUNT}\n{lines}")
    assert message in str(raised.value)


def test_a_canary_needs_two_instances_in_every_stage(settings_path):
    head, endpoint = settings_path.read_text(encoding="utf-8").split("\n[endpoint]\n", 1)
    endpoint = endpoint.replace("instance_count = 1", "instance_count = 2", 1)  # dev's: fine
    settings_path.write_text(f"{head}\n[endpoint]\n{endpoint}", encoding="utf-8")
    replace_line(settings_path, "strategy =", 'strategy = "canary"')
    with pytest.raises(SettingsError, match=r"stages\.prod\.endpoint_instance_count is 1"):
        settings_with(settings_path, f"[stages.prod]\n{ACCOUNT}\nendpoint_instance_count = 1")
