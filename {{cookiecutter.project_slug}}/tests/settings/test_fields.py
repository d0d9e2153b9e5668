"""The table of settings (settings/fields.py) matches settings.toml and Settings."""

from __future__ import annotations

import dataclasses
import tomllib

from project.settings import Settings, fields, load_settings
from project.settings.toml_file import FIELD_LOCATIONS

from ..project_alias import PROJECT_ROOT


def test_every_row_is_a_key_of_settings_toml_and_every_key_a_row():
    document = tomllib.loads((PROJECT_ROOT / "settings.toml").read_text(encoding="utf-8"))
    in_file = {f"{table}.{key}" for table, section in document.items() for key in section}
    assert in_file == {row.location for row in fields.FIELDS}
    assert set(FIELD_LOCATIONS) == {row.name for row in fields.FIELDS}


def test_each_attribute_a_row_names_is_a_field_of_settings():
    attributes = {field.name for field in dataclasses.fields(Settings)}
    named = {row.settings_attribute for row in fields.FIELDS if row.settings_attribute}
    assert named <= attributes
    assert len(named) == len([row for row in fields.FIELDS if row.settings_attribute])


def test_a_row_carries_its_value_onto_settings_as_it_is():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    for row in fields.FIELDS:
        if row.settings_attribute:
            assert getattr(settings, row.settings_attribute) == settings.values[row.name]


def test_asked_rows_have_a_question_and_choices_their_rule_accepts():
    for row in fields.FIELDS:
        if row.choices:
            assert row.question, row.name
            for value, _meaning in row.choices:
                assert row.rule(value) is None, (row.name, value)
        if row.question and row.default is not None and row.kind != fields.TABLE:
            assert row.rule(row.default) is None, row.name
