"""The hooks run under whatever Python runs cookiecutter or copier (`pipx run` may pick
an old one): they and the settings modules they load must work on Python 3.9 and 3.10.

Each older interpreter found on this machine (pyenv's, or python3.X on the PATH) checks
good and bad answers and fills in a baked settings.toml; one not installed is skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from template_facts import TEMPLATE_DIR

SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1] + "/hooks")
    import bake_logic
    from pathlib import Path
    shared = bake_logic.load_shared_modules(sys.argv[1])
    answers = json.loads(sys.argv[2])
    good = bake_logic.check_answers(answers, shared)
    bad = bake_logic.check_answers({**answers, "aws_region": "us-est-1",
                                    "package_name": "json"}, shared)
    filled = bake_logic.fill_in_settings(Path(sys.argv[3]),
                                         {**answers, "aws_account_id": "123456789012"}, shared)
    print(json.dumps({"good": good, "bad": bad, "filled": filled}))
    """
)


def interpreter(version: str) -> str | None:
    for candidate in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python")):
        return str(candidate)
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
        return found
    return None


@pytest.mark.parametrize("version", ["3.9", "3.10"])
def test_the_hooks_work_on_older_pythons(version, baked, tmp_path):
    python = interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine")
    shutil.copyfile(Path(baked("defaults")) / "settings.toml", tmp_path / "settings.toml")
    answers = {"project_slug": "churn", "package_name": "churn", "aws_region": "us-east-1",
               "iam_roles": "create", "author_email": "a@example.com"}  # fmt: skip
    result = subprocess.run(
        [python, "-c", SCRIPT, str(TEMPLATE_DIR), json.dumps(answers), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert said["good"] == []
    assert said["bad"] == [
        "package_name 'json' would shadow the module of the same name; choose another name",
        "aws_region 'us-est-1' is not an AWS region; did you mean 'us-east-1'?",
    ]
    assert "  filled in aws.artifact_bucket = churn-123456789012-us-east-1" in said["filled"]
