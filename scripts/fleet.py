"""Which of a team's projects are behind the template, and what an update does to each.

    python scripts/fleet.py PROJECT [PROJECT ...] [--template PATH_OR_URL] [--update]

Each PROJECT is a project's folder or a git URL (cloned into a scratch folder). For each,
one line: the template release it records, whether a newer one exists, and the files
its owners changed relative to what that release bakes (the release rendered again with
the project's own answers). With --update, `copier update` runs in each project's
folder on a new branch, template-update-v<latest>, and the line says how it went: clean
(committed on the branch), conflicts (the files, left for a person on the branch), or
not adoptable (no .copier-answers.yml: scripts/adopt_copier.py adopts one).

Standard library plus copier (and git). The latest release is the template's highest
v<major>.<minor>.<patch> tag; --template defaults to this repository.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
ANSWERS = ".copier-answers.yml"
NOT_COMPARED = {".git", ".local", ANSWERS, ".cookiecutter.json"}
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


@dataclass
class Report:
    project: str
    version: str = "?"
    latest: str = "?"
    changed: list[str] | None = field(default_factory=list)
    outcome: str = ""
    state: str = ""  # instead of behind / up to date, when that cannot be told

    @property
    def behind(self) -> bool:
        return (-1,) < _key(self.version) < _key(self.latest)

    def line(self) -> str:
        state = f"behind ({self.version} < {self.latest})" if self.behind else "up to date"
        if self.state:
            state = self.state
        changed = ", ".join(self.changed) if self.changed else "none"
        if self.changed is None:
            changed = "not compared"
        text = f"{self.project}: {self.version}, {state}; changed by its owners: {changed}"
        return text + (f"; update: {self.outcome}" if self.outcome else "")


_RELEASE = re.compile(r"^v?([0-9]+)\.([0-9]+)\.([0-9]+)")


def _key(version: str) -> tuple[int, ...]:
    """The release a version names (v1.1.0-3-gabc, a commit past v1.1.0, is v1.1.0)."""
    match = _RELEASE.match(version)
    return tuple(int(part) for part in match.groups()) if match else (-1,)


def git(*arguments: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def latest_release(template: str) -> str:
    tags = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", template], check=True, capture_output=True,
        text=True,
    ).stdout.split()  # fmt: skip
    versions = [tag.rsplit("/", 1)[-1] for tag in tags if tag.startswith("refs/tags/v")]
    versions = [version for version in versions if _key(version) != (-1,)]
    if not versions:
        raise SystemExit(f"{template} has no v<major>.<minor>.<patch> tag: cut a release first")
    return max(versions, key=_key)


def answers_of(project: Path) -> dict | None:
    import yaml  # copier depends on PyYAML

    path = project / ANSWERS
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def changed_files(project: Path, template: str, answers: dict) -> list[str]:
    """Files git tracks that differ from what the project's release bakes with its
    answers (untracked and ignored files, .venv say, are not the owners' changes)."""
    from copier import run_copy

    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory() as scratch, _quiet_stdout():
        baked = Path(scratch) / project.name
        run_copy(template, baked, data=data, vcs_ref=answers["_commit"], defaults=True,
                 quiet=True, unsafe=True)  # fmt: skip
        tracked = set(git("ls-files", cwd=project).splitlines())
        return sorted(name for name in _differences(project, baked) if name in tracked
                      or ((baked / name).is_file() and not (project / name).exists()))  # fmt: skip


@contextlib.contextmanager
def _quiet_stdout():
    """The template's post-copy task prints what it filled in; that is not the report's."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _differences(ours: Path, baked: Path) -> set[str]:
    def files(root: Path) -> set[str]:
        return {
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and not NOT_COMPARED & set(path.relative_to(root).parts)
        }

    mine, theirs = files(ours), files(baked)
    differ = {name for name in mine & theirs if not filecmp.cmp(ours / name, baked / name, False)}
    return differ | (mine ^ theirs)


def update(project: Path, latest: str) -> str:
    """copier update to ``latest``, from the template the project's answers name."""
    from copier import run_update

    branch = f"template-update-{latest}"
    if git("status", "--porcelain", cwd=project).strip():
        return "not updated: uncommitted changes (commit or stash them first)"
    if git("branch", "--list", branch, cwd=project).strip():
        return f"not updated: branch {branch} exists (from an earlier run)"
    git("checkout", "-q", "-b", branch, cwd=project)
    run_update(project, vcs_ref=latest, defaults=True, overwrite=True,
               unsafe=True, quiet=True, conflict="inline")  # fmt: skip
    conflicted = sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts and _has_markers(path)
    )
    if conflicted:
        return f"conflicts in {', '.join(conflicted)} (on branch template-update-{latest})"
    git("add", "-A", cwd=project)
    git("-c", "user.name=fleet", "-c", "user.email=fleet@localhost", "commit", "-q", "-m",
        f"Template update to {latest}", cwd=project)  # fmt: skip
    return f"clean (committed on branch template-update-{latest})"


def _has_markers(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return False
    return any(line.startswith(CONFLICT_MARKERS) for line in text.splitlines())


def recorded_release(project: Path) -> str:
    """The release in pyproject.toml's [tool.retrain-template], for any project."""
    import tomllib

    try:
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "?"
    return str(pyproject.get("tool", {}).get("retrain-template", {}).get("version", "?"))


def report_on(project: Path, label: str, template: str, latest: str, do_update: bool) -> Report:
    report = Report(label, latest=latest)
    if not (project / ".git").exists():
        report.version, report.changed = recorded_release(project), None
        report.state = "not a git repository"
        return report
    answers = answers_of(project)
    if answers is None or "_commit" not in answers:
        report.version, report.changed = recorded_release(project), None
        report.state = "no copier answers" if answers is None else "no _commit in its answers"
        if do_update:
            report.outcome = "not adoptable: no .copier-answers.yml (scripts/adopt_copier.py)"
        return report
    report.version = str(answers["_commit"])
    report.changed = changed_files(project, template, answers)
    if do_update:
        report.outcome = update(project, latest) if report.behind else "nothing to do"
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="+", help="project folders or git URLs")
    parser.add_argument("--template", default=str(TEMPLATE_DIR), help="the template's repo")
    parser.add_argument("--update", action="store_true", help="copier update, on a new branch")
    arguments = parser.parse_args(argv)
    if arguments.update and any(not Path(given).is_dir() for given in arguments.projects):
        parser.error("--update works on project folders (a branch must stay somewhere): "
                     "clone the repositories first")  # fmt: skip
    latest = latest_release(arguments.template)
    with tempfile.TemporaryDirectory() as clones:
        for given in arguments.projects:
            project = Path(given)
            try:
                if not project.is_dir():
                    project = Path(tempfile.mkdtemp(dir=clones)) / "project"
                    git("clone", "-q", given, str(project), cwd=Path(clones))
                report = report_on(project, given, arguments.template, latest, arguments.update)
                print(report.line(), flush=True)
            except Exception as error:  # one project's failure is its line; the rest go on
                detail = getattr(error, "stderr", None) or str(error)
                print(f"{given}: error: {str(detail).strip().splitlines()[-1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
