"""Environments in which the tests install and run baked projects.

Installing sagemaker and its friends takes the better part of a minute, so the
heavy dependencies of a baked project are installed once, into a shared
environment under .cache/ (keyed by a hash of the dependency list, so a template
change that alters them rebuilds it). Each baked project then gets a small
environment of its own that sees the shared packages through a .pth file, and is
really installed into it (built as a wheel, without dependencies). Projects with
the same package name can so be installed side by side, by parallel test workers.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import tomllib
from template_facts import TEMPLATE_DIR

ENV_DIR = Path(os.environ.get("RETRAIN_TEST_ENV", TEMPLATE_DIR / ".cache" / "project-env"))
_SITE_PACKAGES = Path(sysconfig.get_path("purelib")).relative_to(sys.prefix)


def requirements_of(project: Path) -> list[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    metadata = pyproject["project"]
    return sorted(
        metadata["dependencies"]
        + metadata["optional-dependencies"]["local"]
        + metadata["optional-dependencies"]["dev"]
        + pyproject["build-system"]["requires"]
    )


def python_of(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def ensure_env(project: Path) -> Path:
    """The shared environment, with the baked project's dependencies installed."""
    requirements = requirements_of(project)
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    stamp = ENV_DIR / "requirements.sha256"
    ENV_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(ENV_DIR.parent / f"{ENV_DIR.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build it once
        if stamp.is_file() and stamp.read_text() == digest and python_of(ENV_DIR).exists():
            return ENV_DIR
        venv.EnvBuilder(clear=True, with_pip=True).create(ENV_DIR)
        run(python_of(ENV_DIR), "-m", "pip", "install", "--quiet", *requirements)
        stamp.write_text(digest)
    return ENV_DIR


def install_project(project: Path, env_dir: Path) -> Path:
    """A fresh environment holding ``project``, on top of the shared one."""
    shared = ensure_env(project)
    venv.EnvBuilder(clear=True, with_pip=False).create(env_dir)
    (env_dir / _SITE_PACKAGES / "_shared_project_env.pth").write_text(
        str(shared / _SITE_PACKAGES) + "\n"
    )
    run(python_of(shared), "-m", "pip", "--python", python_of(env_dir), "install", "--quiet",
        "--no-deps", "--no-build-isolation", str(project))  # fmt: skip
    return env_dir


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


def baked_defaults(folder: Path) -> tuple[Path, str, Path]:
    """A default bake in ``folder``, installed: its folder, package name and Python."""
    from cookiecutter.main import cookiecutter

    project = Path(
        cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(folder), default_config=True)
    )
    package = next(path.name for path in (project / "src").iterdir() if path.is_dir())
    return project, package, python_of(install_project(project, folder / "env"))
