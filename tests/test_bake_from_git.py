"""Baking from a git URL, as `cookiecutter gh:org/retrain-template` will.

A local bare repository stands in for GitHub: a user config maps the `gh:`
abbreviation onto it, so the command under test is the one the README gives.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from git_repos import commit_all, copy_template, git
from template_facts import files_in


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """org/retrain-template.git with tag v0.1.0 and one later commit on main."""
    root = tmp_path_factory.mktemp("github")
    work = copy_template(root / "work")
    commit_all(work, "v0.1.0", tag="v0.1.0")
    marker = work / "{{cookiecutter.project_slug}}" / "ADDED_AFTER_v0.1.0.md"
    marker.write_text("a change made after the tag\n")
    commit_all(work, "after the tag")
    bare = root / "org" / "retrain-template.git"
    bare.parent.mkdir()
    git("clone", "-q", "--bare", str(work), str(bare), cwd=root)
    config = root / "config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{root / "clones"}"\n'
        f'replay_dir: "{root / "replay"}"\n'
        f'abbreviations:\n  gh: "file://{root}/{{0}}.git"\n'
    )
    return config


def bake(config, tmp_path, *extra):
    command = [
        sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config),
        "--output-dir", str(tmp_path), "gh:org/retrain-template", *extra,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return tmp_path / "customer-churn-retraining"


def test_baking_from_the_repository_url_gives_the_main_branch(remote, tmp_path):
    project = bake(remote, tmp_path)
    assert "ADDED_AFTER_v0.1.0.md" in files_in(project)
    assert (project / "settings.toml").is_file()


def test_checkout_of_a_tag_bakes_that_version(remote, tmp_path):
    project = bake(remote, tmp_path, "--checkout", "v0.1.0")
    assert "ADDED_AFTER_v0.1.0.md" not in files_in(project)
    assert (project / "settings.toml").is_file()
