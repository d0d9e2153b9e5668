"""Check a team's defaults file with the bake's own rules, naming the file.

    python scripts/check_team_defaults.py examples/team-defaults/cookiecutter.yaml

Takes a cookiecutter user config (its default_context) or a copier data file. Each
value is checked as a bake would check that answer, together with the template's
defaults for the rest; a key that is no question of the template is refused too.
Exit 0 when every value passes, 1 otherwise (one line per problem: FILE: problem).
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE_DIR / "hooks"))

import bake_logic  # noqa: E402  (importable only once the line above has run)
import questions  # noqa: E402

# Answers a bake computes from others; for a check, the template's own.
_COMPUTED = {
    "project_slug": "customer-churn-retraining",
    "package_name": "customer_churn_retraining",
}


def team_values(path: Path) -> dict:
    import yaml  # cookiecutter and copier both depend on PyYAML

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(document.get("default_context", document))


def problems_of(path: Path) -> list[str]:
    shared = bake_logic.load_shared_modules(TEMPLATE_DIR)
    asked = {question.name: question for question in questions.all_questions(shared)}
    values = team_values(path)
    unknown = [f"{name} is not a question of the template" for name in values if name not in asked]
    # cookiecutter keeps a default only when it is of the question's type (a choice must
    # be one of its strings): otherwise it warns, and drops it and every key after it.
    unknown += [
        f"{name} is {value!r}; write it as "
        + ("true or false" if asked[name].is_yes_no else f'a quoted string, "{value}"')
        for name, value in values.items()
        if name in asked and not isinstance(value, bool if asked[name].is_yes_no else str)
    ]
    answers = {
        name: question.default if question.default is not None else _COMPUTED.get(name)
        for name, question in asked.items()
    }
    metric = values.get("quality_metric", answers["quality_metric"])
    higher = metric in ("validation:auc", "validation:aucpr")
    answers["metric_direction"] = "higher-is-better" if higher else "lower-is-better"
    answers["metric_threshold"] = "0.8" if higher else "0.1"
    answers.update(values)
    checked = {name: value for name, value in answers.items() if value is not None}
    return [f"{path}: {problem}" for problem in unknown + bake_logic.check_answers(checked, shared)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    problems = problems_of(Path(argv[0]))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{argv[0]}: every value passes the bake's rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
