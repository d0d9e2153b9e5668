"""Regenerate the template's snapshot of the state machine definition and graph.

A baked project commits its rendered definition (statemachine/definition.asl.json)
and shows its graph in the README. Hooks cannot run the Step Functions SDK (they
need nothing but the standard library), so the template carries both as Jinja
snapshots. This script makes them from the SDK itself: it bakes the template with
sentinel values, renders with the baked package, and turns each sentinel back into
the Jinja expression it stands for. Every baked configuration's own test suite then
proves that the snapshot equals what the SDK renders (its drift check).

    python scripts/snapshot_workflow.py           # rewrite the snapshots
    python scripts/snapshot_workflow.py --check   # exit 1 if they are out of date

It runs the baked package in the environment tests/project_env.py maintains.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from project_env import ensure_env, python_of  # noqa: E402

DEFINITION = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "statemachine" / "definition.asl.json"
GRAPH = TEMPLATE_DIR / "templates" / "workflow_graph.mmd"

SLUG = "zzslugzz"
METRIC = "validation:zzmetriczz"
THRESHOLD = "0.123457"  # prints the same with repr() and with '%g'
TRAINING_INSTANCE = "ml.zztrainzz.xlarge"
ENDPOINT_INSTANCE = "ml.zzendpointzz.large"

LOWER = "cookiecutter.metric_direction == 'lower-is-better'"
JINJA = {
    SLUG: "{{ cookiecutter.project_slug }}",
    METRIC: "{{ cookiecutter.quality_metric }}",
    '"eval_metric": "zzmetriczz"': (
        "\"eval_metric\": \"{{ cookiecutter.quality_metric | replace('validation:', '') }}\""
    ),
    TRAINING_INSTANCE: "{{ cookiecutter.training_instance_type }}",
    ENDPOINT_INSTANCE: "{{ cookiecutter.endpoint_instance_type }}",
    f'"NumericLessThan": {THRESHOLD}': (
        f"\"{{{{ 'NumericLessThan' if {LOWER} else 'NumericGreaterThan' }}}}\": "
        "{{ cookiecutter.metric_threshold | float }}"
    ),
    f"< {THRESHOLD}": (
        f"{{{{ '<' if {LOWER} else '>' }}}} {{{{ cookiecutter.metric_threshold | float }}}}"
    ),
    " below ": f" {{{{ 'below' if {LOWER} else 'above' }}}} ",
    '"LowerIsBetter": true': f"\"LowerIsBetter\": {{{{ 'true' if {LOWER} else 'false' }}}}",
    THRESHOLD: "{{ '%g' | format(cookiecutter.metric_threshold | float) }}",
    '"arn:aws:': '"arn:{{ partition }}:',
}
PARTITION = (
    "{%- set partition = 'aws-cn' if cookiecutter.aws_region.startswith('cn-') else "
    "('aws-us-gov' if cookiecutter.aws_region.startswith('us-gov-') else 'aws') -%}\n"
)

RENDER = f"""
import dataclasses, json, sys
from {{package}}.settings import QualityGate, load_settings
from {{package}}.workflow.definition import build_definition, render_definition
from {{package}}.workflow.graph import to_mermaid

settings = load_settings()
settings = dataclasses.replace(
    settings,
    quality_gate=QualityGate("{METRIC}", "lower-is-better", {THRESHOLD}),
    training_instance_type="{TRAINING_INSTANCE}",
    endpoint_instance_type="{ENDPOINT_INSTANCE}",
)
json.dump(
    {{{{"definition": render_definition(settings),
      "graph": to_mermaid(build_definition(settings).to_dict())}}}},
    sys.stdout,
)
"""


def render_with_sentinels() -> dict[str, str]:
    import json

    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                output_dir=scratch,
                extra_context={"project_slug": SLUG, "package_name": SLUG},
                default_config=True,
            )
        )
        python = python_of(ensure_env(project))
        result = subprocess.run(
            [str(python), "-c", RENDER.format(package=SLUG)],
            cwd=project,
            env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)


def to_jinja(text: str) -> str:
    for sentinel, expression in JINJA.items():
        text = text.replace(sentinel, expression)
    leftover = [s for s in (SLUG, "zzmetriczz", "zztrainzz", "zzendpointzz") if s in text]
    if leftover:
        raise SystemExit(f"sentinels left in the snapshot: {leftover}")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    rendered = render_with_sentinels()
    snapshots = {
        DEFINITION: PARTITION + to_jinja(rendered["definition"]),
        GRAPH: to_jinja(rendered["graph"]),
    }
    stale = [
        path for path, text in snapshots.items() if not path.is_file() or path.read_text() != text
    ]
    if arguments.check:
        for path in stale:
            print(f"{path.relative_to(TEMPLATE_DIR)} is out of date: run {Path(__file__).name}")
        return 1 if stale else 0
    for path, text in snapshots.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(TEMPLATE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
