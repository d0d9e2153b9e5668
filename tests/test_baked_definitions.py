"""Every configuration's state machine passes both ASL validators.

statelint (PyPI) checks the States Language rules; asl-validator (npm) also checks
paths, dangling Next targets and unreachable states. Both run offline; `make test`
installs them (asl-validator into .cache/node).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from template_facts import CONFIGURATIONS, TEMPLATE_DIR

ASL_VALIDATOR = Path(
    os.environ.get(
        "ASL_VALIDATOR",
        TEMPLATE_DIR / ".cache" / "node" / "node_modules" / ".bin" / "asl-validator",
    )
)
STATELINT = Path(sys.executable).parent / "statelint"


def definition_of(project: Path) -> Path:
    return project / "statemachine" / "definition.asl.json"


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_statelint_accepts_the_definition(baked, name):
    assert STATELINT.exists(), "statelint is missing: pip install -r requirements-dev.txt"
    result = subprocess.run(
        [str(STATELINT), str(definition_of(baked(name)))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_asl_validator_accepts_the_definition(baked, name):
    assert ASL_VALIDATOR.exists() and shutil.which("node"), (
        "asl-validator is missing: `make test` installs it with npm into .cache/node"
    )
    result = subprocess.run(
        [str(ASL_VALIDATOR), "--json-path", str(definition_of(baked(name)))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validators_reject_a_broken_definition(tmp_path, baked):
    """Guards the two tests above against validators that accept anything."""
    broken = (
        definition_of(baked("defaults"))
        .read_text()
        .replace('"Next": "Deployed"', '"Next": "Nowhere"', 1)
    )
    path = tmp_path / "broken.asl.json"
    path.write_text(broken)
    for command in ([str(STATELINT), str(path)], [str(ASL_VALIDATOR), "--json-path", str(path)]):
        assert subprocess.run(command, capture_output=True).returncode != 0, command[0]
