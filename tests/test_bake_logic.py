"""The hooks' logic, called directly (the hooks themselves only wire it up)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import bake_logic
import pytest
import tomllib
from template_facts import DEFAULTS, TEMPLATE_DIR


@pytest.fixture(scope="module")
def shared():
    return bake_logic.load_shared_modules(TEMPLATE_DIR)


def default_answers(**changes):
    answers = {k: (v[0] if isinstance(v, list) else v) for k, v in DEFAULTS.items()}
    answers.update(project_slug="churn", package_name="churn", metric_direction="lower-is-better")
    answers.update(metric_threshold="0.1")
    answers.update(changes)
    return answers


def test_default_answers_pass(shared):
    assert bake_logic.check_answers(default_answers(), shared) == []


@pytest.mark.parametrize("text", ["{{ x }}", "{% if %}", "{# note #}", "a }} b"])
def test_template_syntax_in_an_answer_is_refused(shared, text):
    problems = bake_logic.check_answers(default_answers(description=text), shared)
    assert problems and problems[0].startswith("description contains")


def test_private_keys_are_not_judged_as_answers(shared):
    answers = default_answers(_template="gh:{{org}}/x", _output_dir="/tmp/{%x")
    assert bake_logic.check_answers(answers, shared) == []


@pytest.mark.parametrize(
    ("changes", "removed"),
    [
        ({}, {".gitlab-ci.yml"}),
        ({"ci_provider": "gitlab"}, {".github"}),
        (
            {"ci_provider": "none", "include_notebook": False},
            {".github", ".gitlab-ci.yml", "notebooks"},
        ),
        ({"include_notebook": "no"}, {".gitlab-ci.yml", "notebooks"}),
    ],
)
def test_prune_removes_exactly_the_unchosen_options(tmp_path, changes, removed):
    for relative in (".github/workflows/ci.yml", ".gitlab-ci.yml", "notebooks/a.ipynb", "keep.txt"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    assert set(bake_logic.prune(tmp_path, default_answers(**changes))) == removed
    for relative in removed:
        assert not (tmp_path / relative).exists()
    assert (tmp_path / "keep.txt").exists()


SETTINGS = """[aws]
region = "us-east-1"
account_id = ""  # comment kept
artifact_bucket = ""

[iam]
roles = "create"
sagemaker_role_arn = ""
stepfunctions_role_arn = ""
glue_role_arn = ""
lambda_role_arn = ""
"""


def fake_lookup(account):
    return lambda region: SimpleNamespace(account_id=account, explanation="from a fake")


def test_fill_in_writes_the_looked_up_account(tmp_path, shared):
    (tmp_path / "settings.toml").write_text(SETTINGS)
    lines = bake_logic.fill_in_settings(
        tmp_path, default_answers(), shared, lookup=fake_lookup("123456789012")
    )
    assert lines[0] == "settings.toml: account 123456789012 (from a fake)"
    settings = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert settings["aws"]["artifact_bucket"] == "churn-123456789012-us-east-1"
    assert settings["iam"]["lambda_role_arn"] == "arn:aws:iam::123456789012:role/churn-lambda-role"
    assert "# comment kept" in (tmp_path / "settings.toml").read_text()


def test_fill_in_without_an_account_changes_nothing_and_says_why(tmp_path, shared):
    (tmp_path / "settings.toml").write_text(SETTINGS)
    lines = bake_logic.fill_in_settings(
        tmp_path, default_answers(), shared, lookup=fake_lookup(None)
    )
    assert "AWS account unknown (from a fake)" in lines[0]
    assert (tmp_path / "settings.toml").read_text() == SETTINGS


def test_a_given_account_is_not_looked_up(tmp_path, shared):
    (tmp_path / "settings.toml").write_text(SETTINGS)

    def must_not_be_called(region):
        raise AssertionError("looked up although the account was given")

    answers = default_answers(aws_account_id="111111111111")
    bake_logic.fill_in_settings(tmp_path, answers, shared, lookup=must_not_be_called)
    settings = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert settings["iam"]["glue_role_arn"].startswith("arn:aws:iam::111111111111:")


def test_the_answers_file_keeps_answers_but_not_run_details(tmp_path):
    context = default_answers(
        _template="gh:org/retrain-template",
        _output_dir="/x",
        _repo_dir="/y",
        _checkout="v1",
        _extensions=["jinja_bytecode_cache.BytecodeCache"],
    )
    path = bake_logic.write_answers_file(tmp_path, context)
    document = json.loads(path.read_text())
    assert document["cookiecutter"]["_template"] == "gh:org/retrain-template"
    for key in ("_output_dir", "_repo_dir", "_checkout", "_extensions", "__prompts__"):
        assert key not in document["cookiecutter"]
    assert document["_cookiecutter"]["aws_region"] == "us-east-1"


def test_the_region_list_matches_botocores_partitions(shared):
    """A new AWS region shows up here first (botocore ships the partition data)."""
    import botocore.session

    endpoints = botocore.session.get_session().get_data("endpoints")
    for partition in endpoints["partitions"]:
        name = partition["partition"]
        if name in shared.rules.PARTITION_REGIONS:
            assert set(partition["regions"]) == set(shared.rules.PARTITION_REGIONS[name]), name
