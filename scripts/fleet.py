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
import filecmp
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
    changed: list[str] = field(default_factory=list)
    outcome: str = ""

    @property
    def behind(self) -> bool:
        return _key(self.version) < _key(self.latest)

    def line(self) -> str:
        state = f"behind ({self.version} < {self.latest})" if self.behind else "up to date"
        if self.version == "?":
            state = "no copier answers"
        changed = ", ".join(self.changed) if self.changed else "none"
        text = f"{self.project}: {self.version}, {state}; changed by its owners: {changed}"
        return text + (f"; update: {self.outcome}" if self.outcome else "")


def _key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.lstrip("v").split("."))
    except ValueError:
        return (-1,)


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
    """Files that differ from what the project's release bakes with its answers."""
    from copier import run_copy

    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory() as scratch:
        baked = Path(scratch) / project.name
        run_copy(template, baked, data=data, vcs_ref=answers.get("_commit"), defaults=True,
                 quiet=True, unsafe=True)  # fmt: skip
        return sorted(_differences(project, baked))


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

    git("checkout", "-q", "-b", f"template-update-{latest}", cwd=project)
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


def report_on(project: Path, label: str, template: str, latest: str, do_update: bool) -> Report:
    report = Report(label, latest=latest)
    answers = answers_of(project)
    if answers is None:
        if do_update:
            report.outcome = "not adoptable: no .copier-answers.yml (scripts/adopt_copier.py)"
        return report
    report.version = str(answers.get("_commit", "?"))
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
    latest = latest_release(arguments.template)
    with tempfile.TemporaryDirectory() as clones:
        for given in arguments.projects:
            project = Path(given)
            if not project.is_dir():
                project = Path(clones) / Path(given.rstrip("/")).stem
                git("clone", "-q", given, str(project), cwd=Path(clones))
            report = report_on(project, given, arguments.template, latest, arguments.update)
            print(report.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
