"""Baking from a git URL, as `cookiecutter gh:org/retrain-template` will.

A local bare repository stands in for GitHub: a user config maps the `gh:`
abbreviation onto it, so the command under test is the one the README gives.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from template_facts import TEMPLATE_DIR, files_in

IGNORED = shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__", ".*_cache")


def git(*arguments, cwd):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """org/retrain-template.git with tag v0.1.0 and one later commit on main."""
    root = tmp_path_factory.mktemp("github")
    work = root / "work"
    shutil.copytree(TEMPLATE_DIR, work, ignore=IGNORED)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "v0.1.0", cwd=work)
    git("tag", "v0.1.0", cwd=work)
    marker = work / "{{cookiecutter.project_slug}}" / "ADDED_AFTER_v0.1.0.md"
    marker.write_text("a change made after the tag\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "after the tag", cwd=work)
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
