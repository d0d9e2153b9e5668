"""A team's defaults file, through both generators: the same tree, the team's values,
and a bad value refused as a bad answer is (and named with its file by the checker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from git_repos import copy_template
from template_facts import TEMPLATE_DIR, files_in

TEAM = TEMPLATE_DIR / "examples" / "team-defaults"
BIN = Path(sys.executable).parent
NO_AWS = {**os.environ, "RETRAIN_NO_AWS_LOOKUP": "1"}


def cookiecutter_bake(config: Path, folder: Path) -> subprocess.CompletedProcess:
    text = config.read_text() + f'\ncookiecutters_dir: "{folder / "cc"}"\n'
    text += f'replay_dir: "{folder / "replay"}"\n'
    (folder / "config.yaml").write_text(text)
    return subprocess.run(
        [BIN / "cookiecutter", "--no-input", "--config-file", folder / "config.yaml",
         "--output-dir", folder / "out", TEMPLATE_DIR],
        capture_output=True, text=True, env=NO_AWS, check=False,
    )  # fmt: skip


def test_the_two_files_hold_the_same_values():
    cookiecutter = yaml.safe_load((TEAM / "cookiecutter.yaml").read_text())["default_context"]
    assert cookiecutter == yaml.safe_load((TEAM / "copier.yml").read_text())


def test_both_generators_bake_the_same_tree_with_the_teams_values(tmp_path):
    baked = cookiecutter_bake(TEAM / "cookiecutter.yaml", tmp_path)
    assert baked.returncode == 0, baked.stderr
    by_cookiecutter = tmp_path / "out" / "customer-churn-retraining"
    template = copy_template(tmp_path / "template")
    by_copier = tmp_path / "copier" / "customer-churn-retraining"
    copied = subprocess.run(
        [BIN / "copier", "copy", "--trust", "--defaults", "--quiet",
         "--data-file", TEAM / "copier.yml", template, by_copier],
        capture_output=True, text=True, env=NO_AWS, check=False,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    answers = {".cookiecutter.json", ".copier-answers.yml"}
    ours = set(files_in(by_cookiecutter)) - answers
    assert ours == set(files_in(by_copier)) - answers
    for relative in ours:
        assert (by_cookiecutter / relative).read_bytes() == (by_copier / relative).read_bytes()
    settings = (by_cookiecutter / "settings.toml").read_text()
    assert 'region = "eu-west-1"' in settings and 'roles = "existing"' in settings
    assert "arn:aws:iam::123456789012:role/platform/ml-glue" in settings
    assert (by_cookiecutter / ".gitlab-ci.yml").is_file()
    assert not (by_cookiecutter / ".github").exists()
    assert "proprietary and confidential" in (by_cookiecutter / "LICENSE").read_text()


def test_a_bad_value_in_the_team_file_is_refused_in_one_line_and_the_checker_names_the_file(
    tmp_path,
):
    bad = tmp_path / "team.yaml"
    bad.write_text((TEAM / "cookiecutter.yaml").read_text().replace(
        'aws_region: "eu-west-1"', 'aws_region: "eu-wast-1"'))  # fmt: skip
    baked = cookiecutter_bake(bad, tmp_path)
    assert baked.returncode != 0
    refusal = "aws_region 'eu-wast-1' is not an AWS region; did you mean 'eu-west-1'?"
    assert f"ERROR: {refusal}" in baked.stderr
    assert not (tmp_path / "out" / "customer-churn-retraining").exists()
    checked = subprocess.run(
        [sys.executable, TEMPLATE_DIR / "scripts" / "check_team_defaults.py", bad],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 1
    assert checked.stderr == f"{bad}: {refusal}\n"
    for good in ("cookiecutter.yaml", "copier.yml"):
        assert subprocess.run([sys.executable, TEMPLATE_DIR / "scripts" / "check_team_defaults.py",
                               TEAM / good], capture_output=True).returncode == 0  # fmt: skip


def test_the_checker_refuses_what_cookiecutter_would_drop_with_a_warning(tmp_path):
    typed = tmp_path / "team.yaml"
    typed.write_text("default_context:\n  glue_version: 4.0\n  aws_regoin: eu-west-1\n")
    checked = subprocess.run(
        [sys.executable, TEMPLATE_DIR / "scripts" / "check_team_defaults.py", typed],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"{typed}: aws_regoin is not a question of the template",
        f'{typed}: glue_version is 4.0; write it as a quoted string, "4.0"',
    ]
