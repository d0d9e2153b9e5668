"""In-place edits of settings.toml, and its values keyed by field.

Edits change only the value of the named keys and keep every comment, blank line
and key a user wrote. Standard library only; runs on Python 3.10+ (the template's
hooks use it to fill in a freshly baked file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .errors import SettingsError
from .fields import FIELDS

SETTINGS_FILE_NAME = "settings.toml"

# Each setting's field name -> (table, key) in settings.toml.
FIELD_LOCATIONS: dict[str, tuple[str, str]] = {row.name: (row.table, row.key) for row in FIELDS}

_TABLE_HEADER = re.compile(r"^\s*\[\s*(?P<name>[A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$")
# A basic ("...") or a literal ('...') TOML string: edits write back a basic one.
_STRING_ASSIGNMENT = re.compile(
    r"""^(?P<lead>\s*(?P<key>[A-Za-z0-9_-]+)\s*=\s*)(?:"(?:[^"\\]|\\.)*"|'[^']*')"""
    r"(?P<trail>\s*(#.*)?)$"
)


class SettingsEditError(SettingsError):
    """A key to edit is not in the file as a plain string value."""


def set_string_values(text: str, updates: Mapping[str, str]) -> str:
    """Return ``text`` with each field's string value replaced, all else kept.

    ``updates`` is keyed by field (see FIELD_LOCATIONS). Each key must already be in
    the file as ``key = "..."``: a missing key is an error, never silently added.
    """
    wanted = {FIELD_LOCATIONS[field]: value for field, value in updates.items()}
    done = set()
    table = ""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        header = _TABLE_HEADER.match(line)
        if header:
            table = header["name"]
            continue
        assignment = _STRING_ASSIGNMENT.match(line.rstrip("\r\n"))
        if assignment and (table, assignment["key"]) in wanted:
            location = (table, assignment["key"])
            ending = line[len(line.rstrip("\r\n")) :]
            value = json.dumps(wanted[location])
            lines[index] = f"{assignment['lead']}{value}{assignment['trail']}{ending}"
            done.add(location)
    missing = sorted(set(wanted) - done)
    if missing:
        names = ", ".join(f"{table}.{key}" for table, key in missing)
        raise SettingsEditError(f"{names} not found as a string value in {SETTINGS_FILE_NAME}")
    return "".join(lines)


def flatten(document: Mapping[str, object]) -> dict[str, object]:
    """The values of a parsed settings.toml keyed by field, for the rules."""
    values = {}
    for field, (table, key) in FIELD_LOCATIONS.items():
        section = document.get(table)
        if isinstance(section, dict) and key in section:
            values[field] = section[key]
    return values


def replace_table(text: str, table: str, block: str) -> str:
    """Return ``text`` with ``[table]`` and its sub-tables replaced by ``block``.

    Everything before and after stays as it was; a file without the table gets the
    block appended. ``block`` is complete TOML text, headers included.
    """
    lines = text.splitlines(keepends=True)
    start = end = None
    for index, line in enumerate(lines):
        header = _TABLE_HEADER.match(line)
        if not header:
            continue
        inside = header["name"] == table or header["name"].startswith(f"{table}.")
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            end = index
            break
    if start is None:
        return text.rstrip("\n") + "\n\n" + block
    if end is None:
        end = len(lines)
    else:  # comments right above the next table's header are that table's
        while end > start + 1 and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
    rest = "".join(lines[end:]).lstrip("\n")
    return "".join(lines[:start]) + block.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
