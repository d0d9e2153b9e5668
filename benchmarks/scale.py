"""Time and peak memory of each stage a run does locally, on generated data of 1M and
10M rows: the Glue job on local Spark, training with xgboost, and the comparison of two
models' batch transform outputs (the evaluator Lambda's CompareModels).

    python benchmarks/scale.py [--rows 1000000,10000000] [--stages etl,training,scoring,comparison]

Bakes the defaults and installs them (as benchmarks/project_suite.py does), writes the
raw CSV in files of at most a million rows (the project's sample generator, each file
with ids of its own), then runs each stage in a process of its own, one after the other:
- etl: ``steps/glue_etl_job.prepare`` on the project's local SparkSession (local[2]);
  peak memory is the JVM's (VmHWM) plus the Python driver's;
- training: ``local/training.train`` on the ETL's output (the project's hyperparameters);
- scoring: the local batch transform of the validation files with that model (the
  container's CSV parsing and prediction, one file at a time);
- comparison: CompareModels on generated outputs of the validation set's size.
Prints, per size and stage, the seconds, the peak memory, and the peak memory per row
above the stage's empty process. One run each: these take minutes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import baked_defaults  # noqa: E402

CHUNK_ROWS = 1_000_000

# Each stage's program: it prints one JSON line (seconds, peak and base RSS in MB, rows).
ETL = """
import json, resource, sys, time
from pathlib import Path
from {package}.local.run import spark_session
from {package}.settings import load_settings
from {package}.steps import glue_etl_job as job

settings = load_settings(Path(sys.argv[1]))
spark = spark_session()
jvm_pid = spark.sparkContext._jvm.ProcessHandle.current().pid()
def jvm_rss(field):
    for line in open(f"/proc/{{jvm_pid}}/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
base = jvm_rss("VmRSS") + resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
report = job.prepare(spark, sys.argv[2], sys.argv[3] + "/train", sys.argv[3] + "/validation",
                     job.Schema.from_json(settings.data.to_json()), sys.argv[3] + "/baseline")
seconds = time.perf_counter() - start
peak = jvm_rss("VmHWM") + resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "base_mb": base,
                  "rows": report.rows_read, "validation_rows": report.validation_rows}}))
"""

TRAINING = """
import json, resource, sys, time
from pathlib import Path
from {package}.local import training
from {package}.settings import load_settings

settings = load_settings(Path(sys.argv[1]))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
result = training.train(Path(sys.argv[3]) / "train", Path(sys.argv[3]) / "validation",
                        settings.hyperparameters, Path(sys.argv[3]) / "model")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "base_mb": base,
                  "rows": result.train_rows + result.validation_rows}}))
"""

SCORING = """
import json, resource, sys, time
from pathlib import Path
from {package}.local import batch_transform, training

model = training.load_model(Path(sys.argv[3]) / "model" / "model.tar.gz")
scored = Path(sys.argv[3]) / "scored"
scored.mkdir(exist_ok=True)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start, rows = time.perf_counter(), 0
for part in sorted((Path(sys.argv[3]) / "validation").glob("part-*")):
    rows += batch_transform.transform_file(model, part, scored / (part.name + ".out"),
                                           "$[1:]", "Input", "$[0,-1]")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "base_mb": base, "rows": rows}}))
"""

COMPARISON = """
import json, resource, sys, time
from {package}.steps import lambda_evaluator

rows = int(sys.argv[4])


class Outputs:
    def get_paginator(self, operation):
        return self

    def paginate(self, Bucket, Prefix):
        yield {{"Contents": [{{"Key": Prefix + "part-0.csv.out"}}]}}

    def get_object(self, Bucket, Key):
        shift = 0.01 if "new" in Key else 0.0

        class Body:
            def iter_lines(self):
                for k in range(rows):
                    score = min(1.0, (k * 7919 % 1000) / 1000 + shift * (k % 2))
                    yield f"{{k % 2}},{{score:.6f}}".encode()

        return {{"Body": Body()}}


base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
result = lambda_evaluator.handler({{"Action": "CompareModels", "MetricName": "validation:auc",
                                   "LowerIsBetter": False, "NewScoresUri": "s3://b/new/",
                                   "LiveScoresUri": "s3://b/live/"}}, None, s3_client=Outputs())
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "base_mb": base, "rows": result["rows"]}}))
"""

STAGES = {"etl": ETL, "training": TRAINING, "scoring": SCORING, "comparison": COMPARISON}


def write_raw(python: Path, project: Path, package: str, folder: Path, rows: int) -> int:
    """The raw CSV in files of at most CHUNK_ROWS rows, each generated with a seed and an
    id prefix of its own; returns the bytes written."""
    program = (
        f"import sys; from pathlib import Path; from {package}.sample_data import generate; "
        f"from {package}.settings import load_settings; "
        "generate(Path(sys.argv[2]), load_settings(Path(sys.argv[1])).data, rows=int(sys.argv[3]), "
        "seed=int(sys.argv[4]))"
    )
    settings_id = _id_column(project)
    folder.mkdir(parents=True)
    for chunk, start in enumerate(range(0, rows, CHUNK_ROWS)):
        count = min(CHUNK_ROWS, rows - start)
        generated = folder / f"chunk-{chunk}.tmp"
        subprocess.run([python, "-c", program, project / "settings.toml", generated, str(count),
                        str(chunk)], check=True)  # fmt: skip
        _with_unique_ids(generated, folder / f"part-{chunk:03d}.csv", settings_id, f"C{chunk}-")
        generated.unlink()
    return sum(path.stat().st_size for path in folder.iterdir())


def _id_column(project: Path) -> str:
    import tomllib

    return tomllib.loads((project / "settings.toml").read_text())["data"]["id_column"]


def _with_unique_ids(source: Path, target: Path, id_column: str, prefix: str) -> None:
    with source.open(newline="") as reading, target.open("w", newline="") as writing:
        rows, writer = csv.reader(reading), csv.writer(writing)
        header = next(rows)
        writer.writerow(header)
        if not id_column:
            writer.writerows(rows)
            return
        position = header.index(id_column)
        for row in rows:
            row[position] = prefix + row[position]
            writer.writerow(row)


def run_stage(python: Path, package: str, stage: str, *arguments: str) -> dict:
    environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
    program = STAGES[stage].format(package=package)
    answer = subprocess.run([python, "-c", program, *arguments], check=True,
                            capture_output=True, text=True, env=environment)  # fmt: skip
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,10000000")
    parser.add_argument("--stages", default="etl,training,scoring,comparison")
    arguments = parser.parse_args()
    stages = arguments.stages.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        project, package, python = baked_defaults(Path(scratch))
        print(f"{os.cpu_count()} cores; project at {project}", flush=True)
        print(f"{'rows':>12}  {'raw MB':>8}  {'stage':<10}  {'seconds':>8}  {'peak MB':>8}  "
              f"{'bytes/row':>9}", flush=True)  # fmt: skip
        for rows in (int(value) for value in arguments.rows.split(",")):
            work = Path(scratch) / f"rows-{rows}"
            raw_bytes = write_raw(python, project, package, work / "raw", rows)
            validation_rows = rows // 5
            for stage in stages:
                settings = str(project / "settings.toml")
                extra = [str(validation_rows)] if stage == "comparison" else []
                measured = run_stage(python, package, stage, settings, str(work / "raw"),
                                     str(work / "out"), *extra)  # fmt: skip
                if stage == "etl":
                    validation_rows = measured["validation_rows"]
                per_row = (measured["peak_mb"] - measured["base_mb"]) * 2**20 / measured["rows"]
                print(f"{rows:>12,}  {raw_bytes / 2**20:>8.0f}  {stage:<10}  "
                      f"{measured['seconds']:>8.1f}  {measured['peak_mb']:>8.0f}  "
                      f"{per_row:>9.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
