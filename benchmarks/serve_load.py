"""Latency of the local endpoint (`serve`) under concurrent clients: p50, p99, errors.

    python benchmarks/serve_load.py [--clients 4,20] [--requests 200]

Bakes the defaults, trains a small model as local mode does, serves it with `serve`'s
server on an ephemeral port of 127.0.0.1 (in the project's environment, a process of its
own) and, for each number of clients, has that many threads of this process each send
``--requests`` POST /invocations (one CSV row, a new connection each, as simple clients
do) at once. Connection errors (a reset, a refused connection) are counted, not retried.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import baked_defaults  # noqa: E402

SERVE = """
import sys, threading
from pathlib import Path
import numpy as np
from {package}.local.serve import make_server
from {package}.local.training import train

folder = Path.cwd() / "model-data"
rng = np.random.default_rng(7)
for channel in ("train", "validation"):
    table = rng.random((500, 10))
    (folder / channel).mkdir(parents=True)
    np.savetxt(folder / channel / "part-0.csv",
               np.column_stack([(table[:, 0] > 0.5).astype(float), table]), delimiter=",")
hyperparameters = {{"objective": "binary:logistic", "num_round": "50"}}
archive = train(folder / "train", folder / "validation", hyperparameters,
                folder / "model").model_archive
server = make_server(archive, port=0)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()  # serve until the benchmark closes stdin
"""


def load(port: int, clients: int, requests: int) -> str:
    """``clients`` threads of this process, each sending ``requests`` requests."""
    body = ",".join(["0.5"] * 10).encode()
    latencies, errors = [], []

    def client() -> None:
        for _ in range(requests):
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("POST", "/invocations", body, {"Content-Type": "text/csv"})
                answer = connection.getresponse()
                answer.read()
                connection.close()
            except OSError as error:
                errors.append(type(error).__name__)
                continue
            if answer.status != 200:
                errors.append(answer.status)
                continue
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98]
    return (
        f"{clients:>3} clients x {requests} requests: p50 {statistics.median(latencies) * 1000:.1f}"
        f" ms, p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, {len(errors)} "
        f"errors, {len(latencies) / elapsed:.0f} requests/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="4,20")
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project, package, python = baked_defaults(Path(scratch))
        server = subprocess.Popen(
            [str(python), "-c", SERVE.format(package=package)], cwd=project,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            port = int(server.stdout.readline())
            for clients in (int(count) for count in arguments.clients.split(",")):
                print(load(port, clients, arguments.requests), flush=True)
        finally:
            server.stdin.close()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
