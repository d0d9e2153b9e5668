"""Median wall time of the AWS commands against moto in server mode on 127.0.0.1.

    python benchmarks/deploy_rehearsal.py [--repeat 5]

Bakes the defaults, then in the baked project's environment, per repetition on a
freshly reset emulator: a first `deploy` (both stacks created, code uploaded), a
second `deploy` with nothing changed (the no-op), `run` (start an execution) and
`destroy --yes --force`. The emulator answers in milliseconds, so the numbers are
the commands' own overhead (imports, SDK rendering check, change sets, polling),
not AWS's provisioning time, which is minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import install_project, python_of  # noqa: E402

MEASURE = """
import contextlib, io, logging, os, statistics, sys, time, urllib.request
from moto.server import ThreadedMotoServer
from {package}.cli import main
from {package}.settings import load_settings

repeat = int(sys.argv[1])
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
os.environ.update(AWS_ENDPOINT_URL=f"http://{{host}}:{{port}}", AWS_ACCESS_KEY_ID="bench",
                  AWS_SECRET_ACCESS_KEY="bench")
times = {{"deploy (create)": [], "deploy (no change)": [], "run": [], "destroy": []}}
commands = {{"deploy (create)": ["deploy"], "deploy (no change)": ["deploy"],
            "run": ["run"], "destroy": ["destroy", "--yes", "--force"]}}
for _ in range(repeat):
    urllib.request.urlopen(urllib.request.Request(f"http://{{host}}:{{port}}/moto-api/reset",
                                                  method="POST"))
    with contextlib.redirect_stdout(io.StringIO()):
        for name, arguments in commands.items():
            if name == "run":
                assert main(["upload-data", "--sample", "--rows", "100"]) == 0
            started = time.perf_counter()
            code = main(arguments)
            times[name].append(time.perf_counter() - started)
            assert code == 0, (name, code)
for name, values in times.items():
    print(f"{{name:<20}} median {{statistics.median(values):6.2f}} s  ({{repeat}} runs)")
server.stop()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                output_dir=scratch,
                default_config=True,
                extra_context={"aws_account_id": "123456789012", "aws_region": "us-east-1"},
            )
        )
        package = next(path.name for path in (project / "src").iterdir() if path.is_dir())
        python = python_of(install_project(project, Path(scratch) / "env"))
        subprocess.run(
            [str(python), "-W", "ignore", "-c", MEASURE.format(package=package),
             str(arguments.repeat)],
            cwd=project,
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
