"""scripts/fleet.py on a small fleet: projects at two releases, one with an edit that
collides with the newer release, and one baked with cookiecutter (no copier answers)."""

from __future__ import annotations

import sys
from pathlib import Path

from git_repos import commit_all, copy_template
from template_facts import TEMPLATE_DIR, user_config
from test_copier import copied_project, release

sys.path.insert(0, str(TEMPLATE_DIR / "scripts"))
import fleet

IGNORE = Path("{{cookiecutter.project_slug}}", ".gitignore")
VERSION = (TEMPLATE_DIR / "VERSION").read_text(encoding="utf-8").strip()


def test_the_fleet_report_then_an_update_of_each_project(tmp_path, capsys, monkeypatch):
    from cookiecutter.main import cookiecutter

    monkeypatch.setenv("RETRAIN_NO_AWS_LOOKUP", "1")
    template = copy_template(tmp_path / "template")
    commit_all(template, "v1.0.0", tag="v1.0.0")
    behind = copied_project(template, tmp_path / "behind")
    edited = copied_project(template, tmp_path / "edited")
    ignore = edited / ".gitignore"
    ignore.write_text(ignore.read_text().replace(".local/", ".local/  # ours"))
    commit_all(edited, "our edit")
    release(template, IGNORE, lambda text: text.replace(".local/", ".local/  # theirs"), "v1.1.0")
    current = copied_project(template, tmp_path / "current")
    baked = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path / "cc"),
                              config_file=str(user_config(tmp_path))))  # fmt: skip
    commit_all(baked, "baked with cookiecutter")
    (edited / ".venv").mkdir()
    (edited / ".venv" / "python").write_text("")  # untracked: not an owners' change
    fleet_of = [str(behind), str(edited), str(current), str(baked)]

    assert fleet.main([*fleet_of, "--template", str(template)]) == 0
    report = capsys.readouterr().out.splitlines()
    assert report == [
        f"{behind}: v1.0.0, behind (v1.0.0 < v1.1.0); changed by its owners: none",
        f"{edited}: v1.0.0, behind (v1.0.0 < v1.1.0); changed by its owners: .gitignore",
        f"{current}: v1.1.0, up to date; changed by its owners: none",
        # Without copier answers, the release recorded in pyproject.toml (from VERSION).
        f"{baked}: {VERSION}, no copier answers; changed by its owners: not compared",
    ]

    assert fleet.main([*fleet_of, "--template", str(template), "--update"]) == 0
    outcomes = [line.split("; update: ")[1] for line in capsys.readouterr().out.splitlines()]
    assert outcomes == [
        "clean (committed on branch template-update-v1.1.0)",
        "conflicts in .gitignore (on branch template-update-v1.1.0)",
        "nothing to do",
        "not adoptable: no .copier-answers.yml (scripts/adopt_copier.py)",
    ]

    assert "# theirs" in (behind / ".gitignore").read_text()
    merged = ignore.read_text()
    assert "# ours" in merged and "# theirs" in merged and "<<<<<<<" in merged
