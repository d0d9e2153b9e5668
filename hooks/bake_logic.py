"""What the template's hooks do, as plain functions with their own tests.

Cookiecutter runs each hook from a temporary copy, so the hooks put this folder on
``sys.path`` (found through ``_repo_dir``) and call these functions. The rules
themselves live in the generated package (``settings/rules.py`` and friends), which is
loaded here straight from the template folder: the project checks its settings
with exactly the code that checked the answers. Standard library only; Python 3.9+
(tests/test_hooks_on_older_pythons.py runs them on each older Python it finds).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

# Where the generated package's sources sit in the template (names unrendered).
PROJECT_TEMPLATE_DIR = "{{cookiecutter.project_slug}}"
PACKAGE_TEMPLATE_DIR = Path(PROJECT_TEMPLATE_DIR, "src", "{{cookiecutter.package_name}}")
# The generated package's settings/ folder: standard library only, by design.
SHARED_MODULES = {
    "rules": "settings.rules",
    "fields": "settings.fields",
    "settings_file": "settings.toml_file",
    "fill_in": "settings.fill_in",
    "aws_account": "settings.aws_account",
}
_ALIAS = "_retrain_template_project"

ANSWERS_FILE_NAME = ".cookiecutter.json"
# Keys cookiecutter adds to the context while it runs, and the template's own settings
# for cookiecutter: not answers, not kept.
_RUNTIME_KEYS = ("_output_dir", "_repo_dir", "_checkout", "_copy_without_render", "_extensions")
_JINJA_DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}")

# Files and folders that only some answers keep, with the test that keeps them.
OPTIONAL_PATHS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    ".github": lambda answers: answers["ci_provider"] == "github",
    ".gitlab-ci.yml": lambda answers: answers["ci_provider"] == "gitlab",
    "infrastructure/ci-deploy-role.yaml": lambda answers: answers["ci_provider"] != "none",
    "notebooks": lambda answers: is_yes(answers["include_notebook"]),
    "tests/test_notebook.py": lambda answers: is_yes(answers["include_notebook"]),
    # copier's answers file: the template holds it for copier; cookiecutter keeps
    # .cookiecutter.json instead.
    ".copier-answers.yml": lambda answers: False,
}


def is_yes(value: Any) -> bool:
    """A yes/no answer, whether it arrives as a boolean or as text."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y", "on")


class SharedModules:
    """The generated package's settings modules, each imported on first use: each of a
    bake's hooks is a process of its own, and loads only what it needs."""

    def __init__(self, alias: str):
        self._alias = alias

    def __getattr__(self, name: str) -> ModuleType:
        if name not in SHARED_MODULES:
            raise AttributeError(name)
        module = importlib.import_module(f"{self._alias}.{SHARED_MODULES[name]}")
        setattr(self, name, module)  # found directly from now on
        return module


def bytecode_cache_dir() -> Path:
    """Where the hooks' compiled modules are kept: the user's cache folder (XDG)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "retrain-template" / "bytecode"


def load_shared_modules(repo_dir: Path) -> SharedModules:
    """The generated package's standard-library modules, from the template."""
    package_dir = Path(repo_dir) / PACKAGE_TEMPLATE_DIR
    # Bytecode caches written into the template folder would be baked into the next
    # project (and break rendering), so they go to the user's cache folder instead:
    # the second hook, and every later bake, then skips compiling these modules.
    if sys.pycache_prefix is None:
        try:
            sys.pycache_prefix = str(bytecode_cache_dir())
        except RuntimeError:  # no home folder to find: compile without keeping
            sys.dont_write_bytecode = True
    if _ALIAS not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            _ALIAS, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[_ALIAS] = package
        spec.loader.exec_module(package)
    return SharedModules(_ALIAS)


def public_answers(context: Mapping[str, Any]) -> dict[str, Any]:
    """The user's answers, without cookiecutter's private keys and prompts."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


def check_answers(context: Mapping[str, Any], shared: SharedModules) -> list[str]:
    """Every problem with the answers, one line each, naming the field and the fix."""
    answers = public_answers(context)
    problems = []
    for field, value in answers.items():
        if isinstance(value, str):
            delimiter = next((d for d in _JINJA_DELIMITERS if d in value), None)
            if delimiter:
                problems.append(
                    f"{field} contains '{delimiter}', which the template engine reads as "
                    "code; remove it"
                )
    if problems:
        return problems
    texts = {field: str(value) for field, value in answers.items() if value is not None}
    import questions  # only the check needs the questions: the other hook skips them

    for question in questions.all_questions(shared):
        if question.rule is not None and question.name in texts:
            problem = question.rule(texts[question.name])
            if problem:
                problems.append(f"{question.name} {problem}")
    return problems + shared.rules.contradictions(texts, lambda field: field)


def prune(project_dir: Path, answers: Mapping[str, Any]) -> list[str]:
    """Remove what belongs to options not chosen; return what was removed."""
    removed = []
    for pattern, keep in OPTIONAL_PATHS.items():
        relative = pattern.format(package=answers["package_name"])
        path = project_dir / relative
        if keep(answers) or not path.exists():
            continue
        if path.is_dir():
            import shutil  # only here: the bake hooks' other paths do without it

            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(relative)
    return removed


def fill_in_settings(
    project_dir: Path, answers: Mapping[str, Any], shared: SharedModules, lookup=None
) -> list[str]:
    """Fill in account, bucket and role ARNs; return lines telling the user what happened."""
    lookup = lookup or shared.aws_account.lookup_account_id
    region = str(answers["aws_region"])
    account = str(answers.get("aws_account_id") or "")
    source = "from your answers"
    if not account:
        result = lookup(region)
        account, source = (result.account_id or ""), result.explanation
    values = {row.name: answers.get(row.name, "") for row in shared.fields.FIELDS}
    settings_path = project_dir / shared.settings_file.SETTINGS_FILE_NAME
    updates = shared.fill_in.fill_in_file(settings_path, values, account or None)
    slug = answers["project_slug"]
    if not updates:
        if account:
            return ["settings.toml: account, bucket and roles were all given; nothing to fill in"]
        return [
            f"settings.toml: AWS account unknown ({source}); account, bucket and role ARNs "
            f"stay empty until you run '{slug} settings fill' with credentials"
        ]
    names = shared.fields.DISPLAY_NAMES
    return [f"settings.toml: account {account} ({source})"] + [
        f"  filled in {names[field]} = {value}" for field, value in updates.items()
    ]


def write_answers_file(project_dir: Path, context: Mapping[str, Any]) -> Path:
    """Keep the answers in cookiecutter's replay format, for a re-bake or an update.

    ``cookiecutter --replay-file .cookiecutter.json <template>`` bakes the same
    project again and asks only questions added to the template since.
    """
    kept = {
        key: value
        for key, value in context.items()
        if key not in _RUNTIME_KEYS and key != "__prompts__"
    }
    path = project_dir / ANSWERS_FILE_NAME
    document = {"cookiecutter": kept, "_cookiecutter": public_answers(kept)}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
