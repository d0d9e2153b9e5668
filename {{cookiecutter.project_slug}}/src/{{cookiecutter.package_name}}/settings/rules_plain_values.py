"""Rules for values that are not AWS names: free text, CSV column names, choices among
a list, numbers, and the git branch that CI deploys from.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Optional

from .rules_suggestions import one_of

Rule = Callable[[str], Optional[str]]  # noqa: UP045 ("str | None" fails on 3.9, in the hooks)


def free_text(max_length: int) -> Rule:
    """A one-line, human-written answer such as a name or a description."""

    def rule(value: str) -> str | None:
        if not value.strip():
            return "is empty; write a few words"
        if len(value) > max_length:
            return f"is {len(value)} characters long; shorten it to {max_length} at most"
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            return "contains a line break or control character; write it on one line"
        return None

    return rule


def column_name(optional: bool = False) -> Rule:
    """A column of the raw CSV's header, by name."""

    def rule(value: str) -> str | None:
        if not value:
            return None if optional else "is empty; give a column name of your CSV's header"
        if len(value) > 200 or any(ord(char) < 32 for char in value):
            return f"{value[:40]!r} is not a column name (one line, 200 characters at most)"
        return None

    return rule


def choice(choices, what: str) -> Rule:
    return lambda value: one_of(value, choices, what)


def number(value: str) -> str | None:
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return f"'{value}' is not a number; write it like 0.1"
    if not math.isfinite(parsed):
        return f"'{value}' is not a finite number; write it like 0.1"
    return None


def non_negative_number(value: str) -> str | None:
    problem = number(value)
    if problem is None and float(value) < 0:
        return f"'{value}' must be 0 or more"
    return problem


def share(value: str) -> str | None:
    """A share above 0 and at most 1, such as a distance threshold."""
    problem = number(value)
    if problem is None and not 0 < float(value) <= 1:
        return f"'{value}' must be above 0 and at most 1"
    return problem


def whole_number(low: int, high: int) -> Rule:
    def rule(value: str) -> str | None:
        text = str(value)
        if not re.match(r"^[0-9]+$", text) or not low <= int(text) <= high:
            return f"'{value}' must be a whole number from {low} to {high}"
        return None

    return rule


# Branch names: git's own rules (git check-ref-format) narrowed to characters that
# need no quoting in YAML, TOML, a shell or an OIDC subject claim that IAM compares.
_BRANCH = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


def git_branch_name(value: str) -> str | None:
    """A branch that CI deploys from: refs/heads/<value> must be a valid git ref."""
    if not _BRANCH.match(value):
        return (
            f"'{value}' is not a branch name this template accepts; use letters, digits "
            "and . _ / - (such as 'main' or 'release/prod')"
        )
    parts = value.split("/")
    if (
        value.startswith("-")
        or value.endswith(".")
        or ".." in value
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    ):
        return (
            f"'{value}' is not a valid git branch name (no leading '-', empty or '.'-leading "
            "parts, '..', or a '.lock' or '.' ending); write it as git would, like 'main'"
        )
    return None


# A stage's name ([stages]) is typed on the command line and names a CI environment
# and a local folder (.local-NAME): short, lowercase, no dots or slashes.
_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


def stage_name(value: str) -> str | None:
    if _STAGE.match(value):
        return None
    return (f"'{value}' is not a stage name; use 1 to 20 lowercase letters, digits and "
            "hyphens, starting with a letter (such as 'dev' or 'prod')")  # fmt: skip
