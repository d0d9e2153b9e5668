"""In-place edits of settings.toml keep everything a user wrote."""

from __future__ import annotations

import tomllib

import pytest
from project.settings.toml_file import SettingsEditError, set_string_values

TEXT = """# my notes
[aws]
region = "us-east-1"  # keep this comment
account_id = ""   # filled in later

[iam]
roles = "create"
"""


def test_only_the_named_values_change():
    edited = set_string_values(TEXT, {"aws_account_id": "123456789012"})
    assert edited == TEXT.replace('account_id = ""   #', 'account_id = "123456789012"   #')
    assert tomllib.loads(edited)["aws"]["account_id"] == "123456789012"


def test_a_key_missing_from_the_file_is_an_error_not_an_addition():
    with pytest.raises(SettingsEditError, match=r"aws\.artifact_bucket not found"):
        set_string_values(TEXT, {"artifact_bucket": "b"})


def test_values_are_written_as_escaped_toml_strings():
    edited = set_string_values(TEXT, {"aws_account_id": 'a"b\\c'})
    assert tomllib.loads(edited)["aws"]["account_id"] == 'a"b\\c'


def test_literal_strings_and_spaced_table_headers_are_edited_too():
    text = "[ aws ]\nregion = 'us-east-1'\naccount_id = ''  # literal, as TOML allows\n"
    edited = set_string_values(text, {"aws_account_id": "123456789012"})
    assert tomllib.loads(edited)["aws"] == {"region": "us-east-1", "account_id": "123456789012"}
    assert "# literal, as TOML allows" in edited


def test_an_edit_that_cannot_be_made_is_a_settings_error():
    from project.settings import SettingsError

    assert issubclass(SettingsEditError, SettingsError)  # one line from the CLI, exit 2


def test_replace_table_swaps_a_table_and_its_subtables_and_keeps_the_rest():
    from project.settings.toml_file import replace_table

    text = (
        "[aws]\nregion = 'x'\n\n[data]\nlabel = 'a'\n\n[data.features]\nf = 'numeric'\n\n"
        "# about the gate\n[quality_gate]\nmetric = 'm'\n"
    )
    block = "[data]\nlabel = 'b'\n\n[data.features]\ng = 'boolean'\n"
    replaced = replace_table(text, "data", block)
    assert tomllib.loads(replaced) == {
        "aws": {"region": "x"},
        "data": {"label": "b", "features": {"g": "boolean"}},
        "quality_gate": {"metric": "m"},
    }
    assert "\n\n# about the gate\n[quality_gate]" in replaced
    assert tomllib.loads(replace_table("[aws]\nregion = 'x'\n", "data", block))["data"]
