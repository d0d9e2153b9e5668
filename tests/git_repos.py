"""Git repositories for tests that bake from, copy from or update against a
template repository: a copy of the template's files, commits and tags."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from template_facts import TEMPLATE_DIR

# What a checkout may hold beside the template's own files.
IGNORED = shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__", ".*_cache")


def git(*arguments, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def copy_template(destination: Path, source: Path = TEMPLATE_DIR) -> Path:
    """The template's files, without its git history or local caches."""
    shutil.copytree(source, destination, ignore=IGNORED)
    return destination


def commit_all(folder: Path, message: str, tag: str | None = None) -> None:
    """Commit everything in ``folder`` (made a repository on first use), and tag it."""
    if not (folder / ".git").exists():
        git("init", "-q", "-b", "main", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", message, cwd=folder)
    if tag:
        git("tag", tag, cwd=folder)
