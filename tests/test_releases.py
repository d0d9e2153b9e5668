"""Releases: VERSION is the one source of the template's version, CHANGELOG.md's latest
entry is that version, and every baked project records the release it came from."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from template_facts import TEMPLATE_DIR

VERSION = (TEMPLATE_DIR / "VERSION").read_text(encoding="utf-8").strip()


def test_the_version_is_major_minor_patch():
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", VERSION), VERSION


def test_the_changelogs_latest_entry_is_the_version():
    headings = re.findall(r"^## ([0-9]+\.[0-9]+\.[0-9]+)", (TEMPLATE_DIR / "CHANGELOG.md")
                          .read_text(encoding="utf-8"), flags=re.M)  # fmt: skip
    assert headings and headings[0] == VERSION
    assert headings == sorted(headings, key=lambda v: tuple(map(int, v.split("."))), reverse=True)


def test_a_baked_project_records_the_release_it_came_from(baked):
    pyproject = tomllib.loads((Path(baked("defaults")) / "pyproject.toml").read_text())
    assert pyproject["tool"]["retrain-template"]["version"] == VERSION
