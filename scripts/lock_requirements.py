"""Regenerate, or check, the deploy jobs' lock: {{cookiecutter.project_slug}}/requirements.lock.

A baked project's CI deploy job installs its runtime dependencies from this lock, each
file checked against its SHA-256 (``pip install --require-hashes``), so no release that
nobody reviewed runs in the job that holds the deploy role. The runtime dependencies
(pyproject.toml's ``[project] dependencies``) are the same whatever the answers to the
template's questions, so one committed lock serves every baked project; a bake could
not make one anyway, since the hooks run without network.

    python scripts/lock_requirements.py           # re-resolve with uv (network): rewrite it
    python scripts/lock_requirements.py --check   # offline: exit 1 unless every dependency
                                                  # is pinned within its range, with hashes

The command is the one a baked project's ``make lock`` runs, so the two write the same
file; the project's ``make lock-check`` (in its CI) re-resolves with the lock as the
preference and fails on any difference.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
PROJECT_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
LOCK = PROJECT_DIR / "requirements.lock"
# Kept equal to the `lock` target of the project's Makefile by tests/test_lock.py.
UV_COMPILE_OPTIONS = (
    "--universal",
    "--python-version", "3.11",
    "--generate-hashes",
    "--no-annotate",
    "--custom-compile-command", "make lock",
    "--quiet",
)  # fmt: skip
_DEPENDENCIES = re.compile(r"^dependencies = \[$.*?^\]$", re.MULTILINE | re.DOTALL)
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def runtime_dependencies(pyproject_text: str) -> list[str]:
    """The ``[project] dependencies`` of the template's pyproject.toml (Jinja elsewhere)."""
    match = _DEPENDENCIES.search(pyproject_text)
    if not match or "{{" in match.group() or "{%" in match.group():
        raise SystemExit("pyproject.toml: no plain 'dependencies = [...]' block to lock")
    return tomllib.loads(match.group())["dependencies"]


def lock_entries(lock_text: str) -> dict[str, list[tuple[str, int]]]:
    """Canonical name -> [(pinned version, number of hashes)], one per marker branch."""
    entries: dict[str, list[tuple[str, int]]] = {}
    for requirement in re.sub(r"\\\n\s*", " ", lock_text).splitlines():
        pin = _PIN.match(requirement)
        if pin:
            hashes = len(_HASH.findall(requirement))
            entries.setdefault(canonicalize_name(pin["name"]), []).append((pin["version"], hashes))
    return entries


def problems(dependencies: list[str], lock_text: str) -> list[str]:
    """Why the lock does not serve these dependencies, one line each (empty: it does)."""
    entries = lock_entries(lock_text)
    found = [
        f"{name}=={version} has no sha256 hash"
        for name, pins in entries.items()
        for version, hashes in pins
        if not hashes
    ]
    for dependency in dependencies:
        wanted = Requirement(dependency)
        pins = entries.get(canonicalize_name(wanted.name))
        if not pins:
            found.append(f"{wanted.name} is not in the lock")
        elif not any(wanted.specifier.contains(version, prereleases=True) for version, _ in pins):
            pinned = ", ".join(version for version, _ in pins)
            found.append(f"{wanted.name} is pinned at {pinned}, outside '{wanted.specifier}'")
    return found


def regenerate(dependencies: list[str]) -> None:
    uv = shutil.which("uv") or sys.exit("uv is not on PATH: pip install uv (or pipx install uv)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "requirements.in")
        source.write_text("\n".join(dependencies) + "\n", encoding="utf-8")
        output = Path(folder, "requirements.lock")
        if LOCK.is_file():  # uv keeps the pins it finds there that still fit
            shutil.copyfile(LOCK, output)
        subprocess.run([uv, "pip", "compile", str(source), *UV_COMPILE_OPTIONS, "-o", str(output)],
                       check=True)  # fmt: skip
        shutil.copyfile(output, LOCK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check offline; change nothing")
    arguments = parser.parse_args(argv)
    dependencies = runtime_dependencies((PROJECT_DIR / "pyproject.toml").read_text("utf-8"))
    if not arguments.check:
        regenerate(dependencies)
    if not LOCK.is_file():
        print(f"{LOCK.relative_to(TEMPLATE_DIR)} is missing; run scripts/lock_requirements.py")
        return 1
    found = problems(dependencies, LOCK.read_text(encoding="utf-8"))
    for problem in found:
        print(f"{LOCK.relative_to(TEMPLATE_DIR)}: {problem}; run scripts/lock_requirements.py")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
