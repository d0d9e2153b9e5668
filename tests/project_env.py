"""One virtual environment shared by every baked project the tests install.

Installing sagemaker and its friends takes the better part of a minute, so the
heavy dependencies of a baked project are installed once, into .cache/ (keyed by
a hash of the dependency list, so a template change that alters them rebuilds
it), and each baked project is then installed into it without dependencies.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import venv
from pathlib import Path

import tomllib
from template_facts import TEMPLATE_DIR

ENV_DIR = Path(os.environ.get("RETRAIN_TEST_ENV", TEMPLATE_DIR / ".cache" / "project-env"))


def requirements_of(project: Path) -> list[str]:
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    build = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    return sorted(
        metadata["dependencies"]
        + metadata["optional-dependencies"]["dev"]
        + build["build-system"]["requires"]
    )


def python_of(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def ensure_env(project: Path) -> Path:
    """The shared environment, with the baked project's dependencies installed."""
    requirements = requirements_of(project)
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    stamp = ENV_DIR / "requirements.sha256"
    if stamp.is_file() and stamp.read_text() == digest and python_of(ENV_DIR).exists():
        return ENV_DIR
    venv.EnvBuilder(clear=True, with_pip=True).create(ENV_DIR)
    run(python_of(ENV_DIR), "-m", "pip", "install", "--quiet", *requirements)
    stamp.write_text(digest)
    return ENV_DIR


def run(*command, cwd: Path | None = None, env: dict | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout
