"""Median wall time of a local pipeline run, against its compute floor.

    python benchmarks/local_run.py [--sizes 1000,10000,100000,1000000] [--repeat 3]

For each size, in one process with Spark already started: the full `run --local`
(definition check, interpreter, ETL on Spark, xgboost, evaluator, gate, deploy),
and the floor, the ETL alone on Spark plus the training alone on the same data.
The ratio run/floor is what local mode adds around the real work. Spark's start-up
(paid once per process) is reported on its own.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import baked_defaults  # noqa: E402

MEASURE = """
import statistics, sys, tempfile, time
from pathlib import Path
from {package} import sample_data
from {package}.steps import glue_etl_job as etl_job
from {package}.local import training as local_training
from {package}.local.run import run_locally, spark_session
from {package}.local.services import LOCAL_BUCKET, Workspace
from {package}.settings import load_settings

sizes, repeat = [int(s) for s in sys.argv[1].split(",")], int(sys.argv[2])
root = Path.cwd()
settings = load_settings(root / "settings.toml")
started = time.perf_counter()
spark = spark_session()
spark.range(10).count()
print(f"spark start-up: {{time.perf_counter() - started:.1f}} s", flush=True)
raw = Workspace(root / ".local").raw_data
for rows in sizes:
    sample_data.generate(raw / "sample.csv", rows=rows)
    run_locally(settings, root, rows=rows, say=lambda line: None)  # warm-up
    runs, floors = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run_locally(settings, root, rows=rows, say=lambda line: None)
        runs.append(time.perf_counter() - started)
        assert result.execution.status in ("SUCCEEDED", "FAILED"), result.execution
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            started = time.perf_counter()
            etl_job.prepare(spark, str(raw), str(scratch / "train"), str(scratch / "validation"),
                            etl_job.Schema.from_json(settings.data.to_json()))
            local_training.train(scratch / "train", scratch / "validation",
                                 settings.hyperparameters, scratch / "model")
            floors.append(time.perf_counter() - started)
    run, floor = statistics.median(runs), statistics.median(floors)
    print(f"{{rows:>9,}} rows: run median {{run:6.2f}} s, floor median {{floor:6.2f}} s, "
          f"ratio {{run / floor:.2f}} ({{repeat}} runs, status {{result.execution.status}})",
          flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project, package, python = baked_defaults(Path(scratch))
        code = MEASURE.format(package=package)
        subprocess.run(
            [str(python), "-c", code, arguments.sizes, str(arguments.repeat)],
            cwd=project,
            check=True,
            stderr=subprocess.DEVNULL,
        )


if __name__ == "__main__":
    main()
