"""Median time of a default bake (hooks included, no AWS credentials), next to the
floor: cookiecutter baking the smallest possible template, in the same run.

    python benchmarks/bake.py [--repeat 15] [--ccds PATH --ccds-template DIR]

Each bake is a fresh `python -m cookiecutter --no-input` process, as a user runs it.
With --ccds (the `ccds` command of cookiecutter-data-science, installed elsewhere) and
--ccds-template (a checkout of its repository: ccds otherwise clones it from GitHub), its
default bake is timed in the same rounds, for comparison with a well-known template.
Run it with the AWS CLI on the PATH: the hooks may ask it for the account.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]


def smallest_template(folder: Path) -> Path:
    template = folder / "smallest"
    (template / "{{cookiecutter.name}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(json.dumps({"name": "x"}))
    (template / "{{cookiecutter.name}}" / "README").write_text("{{ cookiecutter.name }}\n")
    return template


def time_bake(template: Path, folder: Path, environment: dict) -> float:
    output = Path(tempfile.mkdtemp(dir=folder))
    config = folder / "config.yaml"
    config.write_text(f'replay_dir: "{folder / "replay"}"\n')
    command = [
        sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config),
        "--output-dir", str(output), str(template),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    return time.perf_counter() - started


def time_ccds(ccds: str, template: str, folder: Path, environment: dict) -> float:
    output = Path(tempfile.mkdtemp(dir=folder))
    started = time.perf_counter()
    subprocess.run([ccds, "--no-input", "--output-dir", str(output), template], check=True,
                   capture_output=True, env=environment)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--ccds", help="the ccds command of cookiecutter-data-science")
    parser.add_argument("--ccds-template", help="a checkout of cookiecutter-data-science")
    arguments = parser.parse_args()
    # No credentials anywhere: the account lookup takes its "none found" path.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update(
        AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_EC2_METADATA_DISABLED="true",
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        floor_template = smallest_template(folder)
        template_times, floor_times, ccds_times = [], [], []
        for _ in range(arguments.repeat):  # interleaved, so all see the same machine
            template_times.append(time_bake(TEMPLATE_DIR, folder, environment))
            floor_times.append(time_bake(floor_template, folder, environment))
            if arguments.ccds:
                ccds_times.append(
                    time_ccds(arguments.ccds, arguments.ccds_template, folder, environment)
                )
    template_median = statistics.median(template_times)
    floor_median = statistics.median(floor_times)
    print(f"default bake of retrain-template: median {template_median * 1000:.0f} ms")
    print(f"smallest template (floor):        median {floor_median * 1000:.0f} ms")
    print(f"difference: {(template_median - floor_median) * 1000:.0f} ms, ratio "
          f"{template_median / floor_median:.2f} ({arguments.repeat} runs each)")  # fmt: skip
    if ccds_times:
        ccds_median = statistics.median(ccds_times)
        print(f"cookiecutter-data-science (ccds): median {ccds_median * 1000:.0f} ms")


if __name__ == "__main__":
    main()
