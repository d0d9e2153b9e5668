"""`make test` keeps each xdist_group on one worker, so that the Spark tests start one
JVM per group and share its module fixtures. Checked with the pytest and pytest-xdist
installed: pytest 9.2 with pytest-xdist 3.8 stopped the grouping without a word
(pytest-xdist#1386), and every Spark test then ran on both workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow  # a pytest of its own, two workers: seconds

GROUPED = """
    import os
    import pytest

    pytestmark = pytest.mark.xdist_group("jvm")


    @pytest.mark.parametrize("case", range(8))
    def test_case(case):
        with open(os.path.join(os.path.dirname(__file__), f"worker-{case}"), "w") as out:
            out.write(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_loadgroup_runs_a_group_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent(GROUPED))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not this project's settings
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
               "-p", "no:cacheprovider", str(tmp_path)]  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    workers = {(tmp_path / f"worker-{case}").read_text() for case in range(8)}
    assert len(workers) == 1, f"the group ran on {sorted(workers)}"
