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
