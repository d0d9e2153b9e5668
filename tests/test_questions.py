"""cookiecutter.json and copier.yml are generated from one question table."""

from __future__ import annotations

import json
import subprocess
import sys

import bake_logic
import questions
import yaml
from template_facts import TEMPLATE_DIR

sys.path.insert(0, str(TEMPLATE_DIR / "scripts"))
import generate_questions


def test_the_committed_question_files_are_what_the_table_generates():
    result = subprocess.run(
        [sys.executable, str(TEMPLATE_DIR / "scripts" / "generate_questions.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_stale_question_file_fails_the_check(monkeypatch, capsys):
    real = generate_questions.generated_files()
    path = TEMPLATE_DIR / "cookiecutter.json"
    monkeypatch.setattr(
        generate_questions, "generated_files", lambda: {**real, path: real[path] + " "}
    )
    assert generate_questions.main(["--check"]) == 1
    assert "cookiecutter.json differ from the question table" in capsys.readouterr().err


def test_one_new_row_of_fields_py_is_asked_by_both_generators(monkeypatch):
    """Adding an asked setting: one row in settings/fields.py (its settings.toml line
    and the code that reads it aside) puts it in both generators' questions."""
    shared = bake_logic.load_shared_modules(TEMPLATE_DIR)
    row = shared.fields.Field(
        "endpoint_variant_name", "endpoint.variant_name", shared.fields.TEXT,
        shared.rules.free_text(63), question="Endpoint production variant name",
        default="AllTraffic",
    )  # fmt: skip
    monkeypatch.setattr(shared.fields, "FIELDS", (*shared.fields.FIELDS, row))
    asked = questions.all_questions(shared)
    cookiecutter = json.loads(generate_questions.cookiecutter_json(asked, []))
    copier = yaml.safe_load(
        generate_questions.copier_yml(asked, questions.copier_validators(shared.rules))
    )
    assert cookiecutter["endpoint_variant_name"] == "AllTraffic"
    assert cookiecutter["__prompts__"]["endpoint_variant_name"] == row.question
    assert copier["endpoint_variant_name"]["default"] == "AllTraffic"
    assert "'endpoint_variant_name': endpoint_variant_name" in copier["cookiecutter"]["default"]
    problems = bake_logic.check_answers({"endpoint_variant_name": " "}, shared)
    assert problems == ["endpoint_variant_name is empty; write a few words"]


def test_the_answers_only_a_bake_needs_are_checked_at_bake_and_absent_from_the_project():
    shared = bake_logic.load_shared_modules(TEMPLATE_DIR)
    bake_only = set(questions.bake_rules(shared))
    assert bake_only == {"package_name", "description", "author_name", "author_email",
                         "ci_provider", "license"}  # fmt: skip
    assert not bake_only & {row.name for row in shared.fields.FIELDS}
    assert not hasattr(shared.rules, "package_name") and not hasattr(shared.rules, "email")


def test_every_asked_question_has_a_rule_or_is_yes_no():
    shared = bake_logic.load_shared_modules(TEMPLATE_DIR)
    for question in questions.all_questions(shared):
        assert question.rule is not None or question.is_yes_no, question.name
        assert question.text, question.name
