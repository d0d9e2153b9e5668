"""Median wall time of a baked project's test tiers, as `make test` runs them.

    python benchmarks/project_suite.py [--repeat 3] [--slow]

Bakes the defaults, installs the project (into an environment reusing the tests'
shared one), then times `make test` (the quick tier, spread over this machine's
cores) --repeat times, after one warm-up run that fills the OS file cache. With
--slow it times `make test-slow` too. The goal for the quick tier is 60 s or less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import baked_defaults  # noqa: E402


def timed(command: list[str], cwd: Path) -> float:
    # Without PYTHONDONTWRITEBYTECODE, as a user's shell runs it: the warm-up writes the
    # bytecode and pytest's rewritten test modules that a user's second `make test` reads.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key != "PYTHONDONTWRITEBYTECODE"
    }
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=environment, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow", action="store_true", help="time `make test-slow` too")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project, _, python = baked_defaults(Path(scratch))
        print(f"{os.cpu_count()} cores; project at {project}", flush=True)
        for target in ["test", "test-slow"] if arguments.slow else ["test"]:
            command = ["make", "-s", target, f"PYTHON={python}"]
            timed(command, project)  # warm-up
            times = [timed(command, project) for _ in range(arguments.repeat)]
            print(f"make {target}: median {statistics.median(times):.1f} s "
                  f"(runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
