"""Each baked configuration passes its own checks: lint, format, tests, CLI.

The project is really installed (built as a wheel, no dependencies) into an
environment of its own that reuses the heavy dependencies of a shared one
(see project_env.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from project_env import install_project, python_of, run
from template_facts import CONFIGURATIONS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_baked_project_passes_its_own_checks(baked, name, tmp_path):
    # A copy: the project's own tests and builds must not write into the shared bake.
    project = tmp_path / Path(baked(name)).name
    shutil.copytree(baked(name), project)
    python = python_of(install_project(project, tmp_path / "env"))
    run(python, "-m", "ruff", "check", "--no-cache", ".", cwd=project)
    run(python, "-m", "ruff", "format", "--check", "--no-cache", ".", cwd=project)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    # `make validate` as CI runs it: drift check, statelint, cfn-lint.
    run("make", "validate", f"PYTHON={python}", cwd=project, env=environment)
    # `make test` as CI runs it, one process per bake (this suite runs bakes side by
    # side). The slow tier (whole runs in new processes, the notebook, fault
    # injection) depends on no option but the notebook's, so only the defaults run it.
    make = ["make", f"PYTHON={python}", "PYTEST_WORKERS=0"]
    output = run(*make, "test", cwd=project, env=environment)
    assert " passed" in output and "failed" not in output
    if name == "defaults":
        output = run(*make, "test-slow", cwd=project, env=environment)
        assert " passed" in output and "failed" not in output
    script = python.parent / project.name  # the console script the project declares
    assert "all settings are valid" in run(script, "settings", "check", cwd=project)


def test_the_workflow_snapshot_is_what_the_sdk_renders():
    """The template's Jinja snapshot of the definition and graph is up to date."""
    import subprocess
    import sys

    from template_facts import TEMPLATE_DIR

    result = subprocess.run(
        [sys.executable, str(TEMPLATE_DIR / "scripts" / "snapshot_workflow.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def loans_csv(path: Path, rows: int = 1200) -> Path:
    """A dataset unlike the sample's: an id column, a categorical feature, a yes/no label
    (which depends on income and region, plus noise)."""
    import csv
    import random

    rng = random.Random(5)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["loan_id", "income", "region", "has_mortgage", "age", "defaulted"])
        for number in range(rows):
            income, region = rng.gauss(60, 20), rng.choice(["north", "south", "east"])
            risk = (45 - income) / 10 + (1.5 if region == "south" else 0) + rng.gauss(0, 0.3)
            writer.writerow([f"L{number:06d}", f"{income:.1f}", region,
                             rng.choice(["yes", "no"]), rng.randint(20, 70),
                             "yes" if risk > 0 else "no"])  # fmt: skip
    return path


def measurements_csv(path: Path, rows: int = 569) -> Path:
    """Shaped like a public diagnostic dataset no test names: 30 numeric features, a 0/1
    label first, no id column (every value distinct, as measurements are)."""
    import csv
    import random

    rng = random.Random(11)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["target"] + [f"feature_{i}" for i in range(30)])
        for _ in range(rows):
            label = rng.random() < 0.37
            values = [rng.gauss(1.0 if label else 0.0, 1.0) * (i + 1) for i in range(30)]
            writer.writerow([int(label)] + [f"{value:.4f}" for value in values])
    return path


# Each dataset, the label to give `data init`, and what `data init` must say of it.
DATASETS = {
    "mixed-with-id": (loans_csv, "defaulted", ["region: categorical, 3 values",
                                               "id column: loan_id"]),
    "numeric-no-id": (measurements_csv, "target", ["no id column"]),
}  # fmt: skip


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_a_fresh_bake_learns_another_dataset_and_retrains_on_it(baked, tmp_path, dataset):
    """`data init` on another dataset, then `run --local --data` on it: the gate decides on
    a real metric, and the project's own quick tier still passes with the new schema
    (its tests build the inputs each case needs from whatever [data] says)."""
    make_csv, label, expected = DATASETS[dataset]
    project = tmp_path / Path(baked("defaults")).name
    shutil.copytree(baked("defaults"), project)
    python = python_of(install_project(project, tmp_path / "env"))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    source = make_csv(tmp_path / f"{dataset}.csv")
    cli = [python, "-m", project.name.replace("-", "_")]
    said = run(*cli, "data", "init", source, "--label", label, cwd=project, env=environment)
    assert all(text in said for text in expected), said
    said = run(*cli, "run", "--local", "--data", source, cwd=project, env=environment)
    gate = next(line for line in said.splitlines() if "quality gate:" in line)
    value = float(gate.split(" = ")[1].split()[0])
    assert 0 <= value < 0.2 and gate.endswith(", compare with the live model"), gate
    assert "registered as version 1: Approved" in said and "SUCCEEDED:" in said
    output = run("make", f"PYTHON={python}", "PYTEST_WORKERS=0", "test", cwd=project,
                 env=environment)  # fmt: skip
    assert " passed" in output and "failed" not in output
