"""What cookiecutter does with template syntax in an answer, before any hook can see it.

The pre-generation hook refuses '{{', '{%' and '{#' in an answer it receives. But
cookiecutter renders command-line values (``--no-input key=value``, and values of a
user config's default_context) as Jinja while it builds the context, before any hook
runs: the hook receives the result, and cannot tell it from a plain answer. These
tests pin that behaviour down, so the README says no more than holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from template_facts import TEMPLATE_DIR, user_config


def test_a_command_line_value_is_rendered_as_jinja_before_the_hooks_run(tmp_path):
    project = Path(cookiecutter(
        str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path),
        config_file=str(user_config(tmp_path)),
        extra_context={"description": "Churn {{ 7*7 }} model"},
    ))  # fmt: skip
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert answers["cookiecutter"]["description"] == "Churn 49 model"
    assert "Churn 49 model" in (project / "README.md").read_text(encoding="utf-8")


def test_escaped_on_the_command_line_the_syntax_reaches_the_hook_and_is_refused(tmp_path, capfd):
    output = tmp_path / "out"
    output.mkdir()
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, output_dir=str(output),
            config_file=str(user_config(tmp_path)),
            extra_context={"description": "Churn {% raw %}{{ 7*7 }}{% endraw %} model"},
        )  # fmt: skip
    assert "ERROR: description contains '{{'" in capfd.readouterr().err
    assert list(output.iterdir()) == []
