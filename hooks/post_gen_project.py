"""Prune unchosen options, fill in account, bucket and roles, keep the answers.

The logic lives in hooks/bake_logic.py, where it is tested.
"""

import json
import sys
from pathlib import Path

# The answers arrive as JSON data and are never executed as code.
CONTEXT = json.loads(r"""{{ cookiecutter | tojson }}""")
sys.path.insert(0, str(Path(CONTEXT["_repo_dir"]) / "hooks"))

import bake_logic  # noqa: E402  (importable only once the line above has run)

project_dir = Path.cwd()
shared = bake_logic.load_shared_modules(CONTEXT["_repo_dir"])
bake_logic.prune(project_dir, CONTEXT)
for line in bake_logic.fill_in_settings(project_dir, CONTEXT, shared):
    print(line)
bake_logic.write_answers_file(project_dir, CONTEXT)
