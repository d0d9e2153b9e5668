"""Time and peak memory of the champion/challenger comparison (the evaluator Lambda's
CompareModels) on generated batch transform outputs of 1M and 10M validation rows.

    python benchmarks/comparison.py [--rows 1000000,10000000] [--repeat 3]

Each measurement runs in a process of its own (peak RSS from getrusage), with the
generated project's ``steps/lambda_evaluator.py`` loaded from the template as it is
deployed. The outputs are generated line by line by a stand-in S3 client, so the
memory measured is the comparison's own: it should not grow with the rows. Prints the
median time, peak memory and bytes per row for each size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
EVALUATOR = (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "src"
             / "{{cookiecutter.package_name}}" / "steps" / "lambda_evaluator.py")  # fmt: skip

MEASURE = """
import importlib.util, json, resource, sys, time
spec = importlib.util.spec_from_file_location("lambda_evaluator", sys.argv[1])
evaluator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluator)
rows = int(sys.argv[2])
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Outputs:
    def get_paginator(self, operation):
        return self

    def paginate(self, Bucket, Prefix):
        yield {"Contents": [{"Key": Prefix + "part-0.csv.out"}]}

    def get_object(self, Bucket, Key):
        shift = 0.01 if "new" in Key else 0.0

        class Body:
            def iter_lines(self):
                for k in range(rows):
                    label = k % 2
                    score = min(1.0, (k * 7919 % 1000) / 1000 + shift * label)
                    yield f"{label},{score:.6f}".encode()

        return {"Body": Body()}


start = time.perf_counter()
result = evaluator.handler({"Action": "CompareModels", "MetricName": "validation:auc",
                            "LowerIsBetter": False, "NewScoresUri": "s3://b/new/",
                            "LiveScoresUri": "s3://b/live/"}, None, s3_client=Outputs())
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": result["rows"], "seconds": seconds,
                  "peak_mb": peak / 1024, "grown_mb": (peak - baseline) / 1024}))
"""


def measure(rows: int) -> dict:
    answer = subprocess.run([sys.executable, "-c", MEASURE, str(EVALUATOR), str(rows)],
                            check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(answer.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    print(f"{'rows':>12}  {'median s':>9}  {'peak MB':>8}  {'grown MB':>8}  bytes/row")
    for rows in (int(value) for value in arguments.rows.split(",")):
        runs = [measure(rows) for _ in range(arguments.repeat)]
        seconds = statistics.median(run["seconds"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        grown = statistics.median(run["grown_mb"] for run in runs)
        print(f"{rows:>12,}  {seconds:>9.1f}  {peak:>8.1f}  {grown:>8.1f}  "
              f"{grown * 2**20 / rows:>9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
