"""Refuse bad answers before any file is written (the logic: hooks/bake_logic.py)."""

import json
import sys
from pathlib import Path

# The answers arrive as JSON data and are never executed as code.
CONTEXT = json.loads(r"""{{ cookiecutter | tojson }}""")
sys.path.insert(0, str(Path(CONTEXT["_repo_dir"]) / "hooks"))

import bake_logic  # noqa: E402  (importable only once the line above has run)

problems = bake_logic.check_answers(CONTEXT, bake_logic.load_shared_modules(CONTEXT["_repo_dir"]))
for problem in problems:
    print(f"ERROR: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
