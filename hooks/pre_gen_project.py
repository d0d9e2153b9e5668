"""Refuse bad answers before any file is written (the logic: hooks/bake_logic.py)."""

import json
import os
import sys
from pathlib import Path

# The answers arrive as JSON data and are never executed as code.
CONTEXT = json.loads(r"""{{ cookiecutter | tojson }}""")


def template_dir(repo_dir: str) -> Path:
    """The template's folder. cookiecutter gives it as the user typed it (`.`, `../x`),
    relative to where they ran it, while this hook runs in the new project's folder;
    cookiecutter itself runs hooks from the template's folder (its cwd, Linux's /proc)."""
    given = Path(repo_dir)
    candidates = [given] if given.is_absolute() else [
        Path(f"/proc/{os.getppid()}/cwd"),  # cookiecutter's folder while it runs hooks
        Path(os.environ.get("PWD", ".")) / given,  # the shell's folder, where it was typed
        Path.cwd().parent / given,  # the project is made in that folder by default
    ]  # fmt: skip
    for candidate in candidates:
        if (candidate / "hooks" / "bake_logic.py").is_file():
            return candidate.resolve()
    sys.exit(f"ERROR: cannot find the template's hooks from '{repo_dir}'; give cookiecutter "
             "the template's absolute path")  # fmt: skip


TEMPLATE_DIR = template_dir(CONTEXT["_repo_dir"])
sys.path.insert(0, str(TEMPLATE_DIR / "hooks"))

import bake_logic  # noqa: E402  (importable only once the line above has run)

problems = bake_logic.check_answers(CONTEXT, bake_logic.load_shared_modules(TEMPLATE_DIR))
for problem in problems:
    print(f"ERROR: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
