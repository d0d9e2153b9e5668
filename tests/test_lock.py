"""The deploy jobs' lock (requirements.lock): one for every baked project, current with
the template's dependencies, every pin hashed; checked offline by the script that
writes it (scripts/lock_requirements.py)."""

from __future__ import annotations

import re
import sys

from template_facts import CONFIGURATIONS, TEMPLATE_DIR

sys.path.insert(0, str(TEMPLATE_DIR / "scripts"))

import lock_requirements

LOCK_TEXT = lock_requirements.LOCK.read_text(encoding="utf-8")
DEPENDENCIES = lock_requirements.runtime_dependencies(
    (lock_requirements.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8")
)


def test_the_committed_lock_serves_the_templates_dependencies():
    assert lock_requirements.main(["--check"]) == 0


def test_the_check_refuses_a_pin_out_of_range_a_missing_one_and_a_missing_hash():
    out_of_range = re.sub(r"^stepfunctions==2\.3\.0", "stepfunctions==2.2.0", LOCK_TEXT, flags=re.M)
    assert lock_requirements.problems(DEPENDENCIES, out_of_range) == [
        "stepfunctions is pinned at 2.2.0, outside '==2.3.0'"
    ]
    assert lock_requirements.problems([*DEPENDENCIES, "jsonpath-ng>=1.6"], LOCK_TEXT) == [
        "jsonpath-ng is not in the lock"
    ]
    unhashed = re.sub(r"(?m)^(boto3==[^ ]+) \\\n(\s+--hash=\S+ \\\n)*\s+--hash=\S+\n", r"\1\n",
                      LOCK_TEXT)  # fmt: skip
    assert [p for p in lock_requirements.problems(DEPENDENCIES, unhashed) if "hash" in p] == [
        f"boto3=={lock_requirements.lock_entries(LOCK_TEXT)['boto3'][0][0]} has no sha256 hash"
    ]


def test_every_configuration_has_the_runtime_dependencies_the_lock_was_made_for(baked):
    """One lock for all: the answers change no runtime dependency."""
    for name in CONFIGURATIONS:
        pyproject = (baked(name) / "pyproject.toml").read_text(encoding="utf-8")
        assert lock_requirements.runtime_dependencies(pyproject) == DEPENDENCIES, name
        assert (baked(name) / "requirements.lock").read_text(encoding="utf-8") == LOCK_TEXT


def test_make_lock_runs_the_scripts_uv_command():
    makefile = (lock_requirements.PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    command = re.search(r"^UV_COMPILE = (.*?)\n\n", makefile, re.M | re.S)[1]
    words = command.replace("\\\n\t", " ").replace('"', "").split()
    expected = " ".join(lock_requirements.UV_COMPILE_OPTIONS).replace("make lock", "make_lock")
    joined = " ".join(words).replace("make lock", "make_lock")
    assert joined == "$(UV) pip compile pyproject.toml " + expected
