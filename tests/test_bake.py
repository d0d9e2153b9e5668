"""Baking: every configuration of the matrix produces exactly its files, valid."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import tomllib
from template_facts import (
    CONFIGURATIONS,
    TEMPLATE_DIR,
    TEXT_ANSWERS,
    configuration_with,
    expected_files,
    files_in,
)

# Template syntax, or a template variable (cookiecutter.x) that was never rendered.
LEFTOVER_MARKERS = ("{{", "{%", "{#", "cookiecutter.")
# The answers file is named .cookiecutter.json: these two mention it on purpose.
MAY_NAME_COOKIECUTTER = {".cookiecutter.json", "README.md"}


def package_of(project: Path) -> str:
    return next(path.name for path in (project / "src").iterdir() if path.is_dir())


GITHUB_EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_each_configuration_bakes_exactly_its_files(baked, name):
    project = baked(name)
    assert files_in(project) == expected_files(CONFIGURATIONS[name], package_of(project))


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_no_template_syntax_survives_a_bake(baked, name):
    project = baked(name)
    for relative in files_in(project):
        text = (project / relative).read_text(encoding="utf-8")
        if relative.startswith(".github/"):
            text = GITHUB_EXPRESSION.sub("", text)  # ${{ ... }} belongs to GitHub Actions
        for marker in LEFTOVER_MARKERS:
            if marker == "cookiecutter." and relative in MAY_NAME_COOKIECUTTER:
                continue
            assert marker not in text, f"{marker!r} left in {relative}"


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_baked_python_toml_and_json_parse(baked, name):
    project = baked(name)
    for relative in files_in(project):
        path = project / relative
        if path.suffix == ".py":
            ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".json", ".ipynb"):
            json.loads(path.read_text(encoding="utf-8"))


def test_answers_with_quotes_backslashes_and_shell_syntax_are_kept_as_data(baked):
    name = configuration_with(author_name=TEXT_ANSWERS[2]["author_name"])
    answers = CONFIGURATIONS[name]
    project = baked(name)
    settings = tomllib.loads((project / "settings.toml").read_text(encoding="utf-8"))
    assert settings["project"]["name"] == answers["project_name"]
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["project"]["description"] == answers["description"]
    assert metadata["project"]["authors"][0]["name"] == answers["author_name"]
    notebook = json.loads((project / "notebooks/walkthrough.ipynb").read_text(encoding="utf-8"))
    assert answers["project_name"] in notebook["cells"][0]["source"][0]
    assert not Path("/tmp/pwned").exists()


def test_the_shared_rules_are_baked_unchanged(baked):
    """The hooks and the project judge values with the very same file."""
    project = baked("defaults")
    package = package_of(project)
    source = TEMPLATE_DIR / "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}"
    rules_modules = sorted(path.name for path in (source / "settings").glob("rules*.py"))
    assert len(rules_modules) > 1, rules_modules  # rules.py and the modules it gathers
    for module in (*(f"settings/{name}" for name in rules_modules), "settings/toml_file.py",
                   "settings/fill_in.py", "settings/aws_account.py"):  # fmt: skip
        baked = (project / "src" / package / module).read_bytes()
        assert baked == (source / module).read_bytes(), module


def test_without_credentials_the_bake_says_how_to_fill_in_later(bake, capfd):
    result = bake()
    assert result.exit_code == 0
    out = capfd.readouterr().out
    assert "AWS account unknown" in out
    assert "settings fill" in out
    settings = tomllib.loads((Path(result.project_path) / "settings.toml").read_text())
    assert settings["aws"]["account_id"] == ""


def test_a_given_account_fills_in_bucket_and_roles(bake):
    result = bake(aws_account_id="012345678901", aws_region="eu-west-1")
    settings = tomllib.loads((Path(result.project_path) / "settings.toml").read_text())
    slug = settings["project"]["slug"]
    assert settings["aws"]["account_id"] == "012345678901"
    assert settings["aws"]["artifact_bucket"] == f"{slug}-012345678901-eu-west-1"
    assert settings["iam"]["glue_role_arn"] == (f"arn:aws:iam::012345678901:role/{slug}-glue-role")


def test_existing_roles_are_kept_as_given(baked):
    name = configuration_with(iam_roles="existing")
    answers = CONFIGURATIONS[name]
    settings = tomllib.loads((baked(name) / "settings.toml").read_text())
    assert settings["iam"]["roles"] == "existing"
    assert settings["iam"]["glue_role_arn"] == answers["glue_role_arn"]


def test_the_answers_file_rebakes_the_same_project(bake, tmp_path):
    from cookiecutter.main import cookiecutter

    first = Path(bake(aws_account_id="012345678901", ci_provider="gitlab").project_path)
    output = tmp_path / "rebake"
    second = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            replay=str(first / ".cookiecutter.json"),
            output_dir=str(output),
            default_config=True,
        )
    )
    assert files_in(first) == files_in(second)
    for relative in files_in(first):
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_template_python_files_are_valid_python_before_rendering():
    """Jinja never breaks Python syntax: template sources parse as they are."""
    sources = [
        *(TEMPLATE_DIR / "{{cookiecutter.project_slug}}").rglob("*.py"),
        *(TEMPLATE_DIR / "hooks").glob("*.py"),
    ]
    assert len(sources) > 20
    for source in sources:
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))


def test_the_matrix_bakes_every_value_of_every_choice():
    from template_facts import DEFAULTS

    for name, default in DEFAULTS.items():
        if isinstance(default, list | bool):
            values = default if isinstance(default, list) else [True, False]
            chosen = {
                configuration.get(name, values[0]) for configuration in CONFIGURATIONS.values()
            }
            assert chosen == set(values), name


def test_make_targets_use_the_projects_venv_without_activating_it(bake):
    """`make check` in a fresh shell must not fall back to a Python without ruff."""
    import os
    import subprocess

    project = Path(bake().project_path)
    # As from a user's shell, not from inside this suite's own `make test`.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}

    def first_lint_command() -> str:
        dry_run = subprocess.run(
            ["make", "--no-print-directory", "-n", "lint"],
            cwd=project, env=environment, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return dry_run.stdout.splitlines()[0]

    venv_python = project / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("#!/bin/sh\n", encoding="utf-8")
    venv_python.chmod(0o755)
    assert first_lint_command() == ".venv/bin/python -m ruff check ."
    venv_python.unlink()
    assert first_lint_command() == "python3 -m ruff check ."


@pytest.mark.parametrize(
    ("working_folder", "template_path", "shell_pwd"),
    [
        ("retrain-template", ".", True),
        (".", "./retrain-template", True),
        ("elsewhere", "../retrain-template", True),
        ("elsewhere", "../retrain-template/", False),  # no PWD: not run from a shell
    ],
)
def test_every_form_of_template_path_bakes(tmp_path, working_folder, template_path, shell_pwd):
    """cookiecutter hands the hooks the template's path as typed, relative to where it
    was run, while the hooks run in the new project's folder (#26: `No module named
    'bake_logic'`). Each form bakes, in a new cookiecutter process as a user runs it."""
    import os
    import subprocess
    import sys

    from git_repos import copy_template

    copy_template(tmp_path / "retrain-template")
    folder = (tmp_path / working_folder).resolve()
    folder.mkdir(exist_ok=True)
    environment = {**os.environ, "PWD": str(folder)}
    if not shell_pwd:
        environment.pop("PWD")
    baked = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", template_path],
        cwd=folder, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert baked.returncode == 0, baked.stderr[-2000:]
    assert (folder / "customer-churn-retraining" / "settings.toml").is_file()


def test_the_hooks_keep_compiled_modules_in_the_cache_folder_not_the_template(tmp_path):
    """The hooks compile the generated package's settings modules once into the user's
    cache folder (XDG_CACHE_HOME): the second hook and later bakes reuse them, and no
    __pycache__ lands in the template, where the next bake would copy it."""
    import os
    import subprocess
    import sys

    from git_repos import copy_template

    template = copy_template(tmp_path / "retrain-template")
    cache = tmp_path / "cache"
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("PYTHONPYCACHEPREFIX", None)
    for output in ("first", "second"):
        baked = subprocess.run(
            [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir",
             str(tmp_path / output), str(template)],
            env=environment, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert baked.returncode == 0, baked.stderr[-2000:]
    compiled = {path.name.split(".")[0] for path in cache.rglob("*.pyc")}
    assert {"rules", "fields", "fill_in", "toml_file"} <= compiled
    package = template / "{{cookiecutter.project_slug}}"
    assert not list(package.rglob("__pycache__"))
    assert not list((tmp_path / "second").rglob("__pycache__"))
