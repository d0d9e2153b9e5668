"""Let a project baked with cookiecutter take template updates with copier.

    python scripts/adopt_copier.py PROJECT --version v1.2.0 [--template gh:org/retrain-template]

Writes PROJECT/.copier-answers.yml from the answers cookiecutter kept in
PROJECT/.cookiecutter.json, recording the template version the project was baked
from (``--version``: the tag you baked, e.g. the ``--checkout`` you used). After a
commit, ``copier update --trust`` in the project applies every template change made
since that version, three-way merged with the project's own changes.
Refuses to overwrite an existing .copier-answers.yml.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml  # copier depends on PyYAML


def copier_answers(cookiecutter_answers: dict, template: str, version: str) -> dict:
    answers = {key: value for key, value in cookiecutter_answers.items() if not key.startswith("_")}
    return {"_commit": version, "_src_path": template, **answers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument(
        "--version", required=True, help="the template tag the project was baked from"
    )
    parser.add_argument("--template", help="template location (default: the one cookiecutter used)")
    arguments = parser.parse_args(argv)
    source = arguments.project / ".cookiecutter.json"
    target = arguments.project / ".copier-answers.yml"
    if not source.is_file():
        print(
            f"error: {source} not found; is this a project baked by cookiecutter?", file=sys.stderr
        )
        return 2
    if target.exists():
        print(f"error: {target} exists already; nothing was changed", file=sys.stderr)
        return 2
    kept = json.loads(source.read_text(encoding="utf-8"))["cookiecutter"]
    template = arguments.template or kept.get("_template")
    if not template:
        print(
            "error: the answers do not say where the template is; pass --template", file=sys.stderr
        )
        return 2
    answers = copier_answers(kept, template, arguments.version)
    header = "# Changes here will be overwritten by Copier; do not edit by hand.\n"
    target.write_text(header + yaml.safe_dump(answers, sort_keys=True), encoding="utf-8")
    print(f"wrote {target}; commit it, then run 'copier update --trust' in {arguments.project}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
