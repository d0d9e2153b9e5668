"""The bake's questions, in the order they are asked, for both generators.

Most questions are settings: the rows of the generated package's ``settings/fields.py``
that carry a question, with that row's text, default, choices and rule. The rest are
answers only a bake needs (the package name, description, author, CI provider,
notebook and licence): their rules live here, out of the baked project.

``scripts/generate_questions.py`` writes cookiecutter.json and copier.yml from this
module (``--check`` fails when either is out of date), and ``bake_logic`` checks
answers with these rules. Standard library only; Python 3.9+ (as the hooks).
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, NamedTuple

Rule = Callable[[str], "str | None"]

CI_PROVIDERS = (
    ("github", "GitHub Actions (OIDC to AWS)"),
    ("gitlab", "GitLab CI (OIDC to AWS)"),
    ("none", "none"),
)
LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary")

_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*$")
# Import names the generated project depends on: a package of the same name would
# shadow them.
# fmt: off
_RESERVED_PACKAGES = {
    "boto3", "botocore", "sagemaker", "stepfunctions", "setuptools", "pkg_resources",
    "moto", "pytest", "tests", "test", "xgboost", "pyspark", "awsglue", "numpy",
    "pandas", "src",
}
# fmt: on
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def package_name(value: str) -> str | None:
    if not _PACKAGE.match(value) or len(value) > 40:
        suggestion = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
        hint = f"; try '{suggestion}'" if suggestion and _PACKAGE.match(suggestion) else ""
        return (
            f"'{value}' is not a Python import name: use 1 to 40 lowercase letters, "
            f"digits and underscores, starting with a letter{hint}"
        )
    if keyword.iskeyword(value):
        return f"'{value}' is a Python keyword; choose another name"
    if value in _RESERVED_PACKAGES or _is_standard_library(value):
        return f"'{value}' would shadow the module of the same name; choose another name"
    return None


def _is_standard_library(name: str) -> bool:
    names = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if names is not None:
        return name in names
    import importlib.util
    import sysconfig

    spec = importlib.util.find_spec(name)  # Python 3.9: where the module would come from
    origin = (spec.origin or "") if spec else ""
    stdlib = sysconfig.get_paths()["stdlib"]
    return origin in ("built-in", "frozen") or (
        origin.startswith(stdlib) and "site-packages" not in origin
    )


def email(value: str) -> str | None:
    if _EMAIL.match(value):
        return None
    return f"'{value}' is not an email address; write it as name@example.com"


# NamedTuples, not dataclasses: importing dataclasses (and the inspect module it
# loads) was a fifth of each bake hook's time (benchmarks/bake.py).
class Question(NamedTuple):
    name: str
    text: str
    default: str | bool | None  # None: computed from earlier answers (see COMPUTED_DEFAULTS)
    rule: Rule | None
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the choice means)
    is_yes_no: bool = False


class BakeOnly(NamedTuple):
    """A question whose answer shapes the files but is no setting of the project."""

    question: Question
    after: str  # asked right after this question


def bake_only_questions(rules: ModuleType) -> tuple[BakeOnly, ...]:
    """``rules``: the generated package's settings/rules.py (for its shared helpers)."""
    return (
        BakeOnly(Question("package_name", "Python import name of the project's package",
                          None, package_name), after="project_slug"),
        BakeOnly(Question("description", "One-line description",
                          "Retrains and redeploys a churn model on AWS: Glue ETL, SageMaker "
                          "XGBoost, a quality gate, Step Functions.", rules.free_text(200)),
                 after="package_name"),
        BakeOnly(Question("author_name", "Author or team name", "Your Name",
                          rules.free_text(100)), after="description"),
        BakeOnly(Question("author_email", "Author or team email", "you@example.com", email),
                 after="author_name"),
        BakeOnly(Question("ci_provider", "CI/CD provider", "github",
                          rules.choice(tuple(value for value, _ in CI_PROVIDERS), "a CI provider"),
                          choices=CI_PROVIDERS), after="schedule_timezone"),
        BakeOnly(Question("include_notebook", "Include the walkthrough notebook?", True, None,
                          is_yes_no=True), after="deploy_branch"),
        BakeOnly(Question("license", "Licence", "MIT",
                          rules.choice(LICENSES, "a licence this template ships"),
                          choices=tuple((name, name) for name in LICENSES)),
                 after="include_notebook"),
    )  # fmt: skip


def all_questions(shared: Any) -> list[Question]:
    """Every question, in the order asked: the asked settings in fields.py's order,
    each answer only a bake needs right after the question it follows."""
    asked = [
        Question(row.name, row.question, row.default, row.rule, row.choices)
        for row in shared.fields.FIELDS
        if row.question
    ]
    pending = list(bake_only_questions(shared.rules))
    ordered: list[Question] = []
    for question in asked:
        ordered.append(question)
        _insert_followers(ordered, pending)
    if pending:
        raise ValueError(f"bake-only questions follow unknown ones: {pending}")
    return ordered


def _insert_followers(ordered: list[Question], pending: list[BakeOnly]) -> None:
    placed = True
    while placed:
        placed = False
        for follower in list(pending):
            if follower.after == ordered[-1].name:
                ordered.append(follower.question)
                pending.remove(follower)
                placed = True


def bake_rules(shared: Any) -> Mapping[str, Rule]:
    """The rules of the answers that are not settings (the settings' rules are in fields.py)."""
    return {
        row.question.name: row.question.rule
        for row in bake_only_questions(shared.rules)
        if row.question.rule is not None
    }


# Defaults computed from earlier answers: Jinja, in each generator's dialect.
COMPUTED_DEFAULTS: dict[str, dict[str, str]] = {
    "project_slug": {
        "cookiecutter": "{{ cookiecutter.project_name | slugify(max_length=26, "
        "word_boundary=True) }}",
        "copier": "{{ project_name | lower | regex_replace('[^a-z0-9]+', '-') | "
        "regex_replace('^-+|-+$', '') | truncate(26, True, '') | regex_replace('-+$', '') }}",
    },
    "package_name": {
        "cookiecutter": "{{ cookiecutter.project_slug | replace('-', '_') }}",
        "copier": "{{ project_slug | replace('-', '_') }}",
    },
    "metric_direction": {
        "cookiecutter": "{{ 'higher-is-better' if cookiecutter.quality_metric in "
        "['validation:auc', 'validation:aucpr'] else 'lower-is-better' }}",
        "copier": "{{ 'higher-is-better' if quality_metric in "
        "['validation:auc', 'validation:aucpr'] else 'lower-is-better' }}",
    },
    "metric_threshold": {
        "cookiecutter": "{{ '0.8' if cookiecutter.quality_metric in ['validation:auc', "
        "'validation:aucpr'] else ('0.5' if cookiecutter.quality_metric == "
        "'validation:logloss' else '0.1') }}",
        "copier": "{{ '0.8' if quality_metric in ['validation:auc', 'validation:aucpr'] "
        "else ('0.5' if quality_metric == 'validation:logloss' else '0.1') }}",
    },
}


def _matches(name: str, pattern: str, message: str, optional: bool = False) -> str:
    """A copier validator: the answer must match ``pattern`` (a Python regex)."""
    literal = pattern.replace("\\", "\\\\")  # inside a single-quoted Jinja string
    empty_is_fine = f"{name} and " if optional else ""
    return (
        f"{{% if {empty_is_fine}not ({name} | string | regex_search('{literal}')) %}}"
        f"'{{{{ {name} }}}}' {message}{{% endif %}}"
    )


def copier_validators(rules: ModuleType) -> dict[str, str]:
    """copier checks answers as they are typed, in Jinja: these catch the common
    mistakes there and then. The post-copy task applies every rule afterwards
    (hooks/copier_post_copy.py), so these need not be complete, only never stricter."""
    regions = ", ".join(f"'{region}'" for region in rules.REGION_PARTITION)
    without_image = ", ".join(f"'{region}'" for region in rules.REGIONS_WITHOUT_XGBOOST_IMAGE)
    instance_type = r"^ml\.[a-z][a-z0-9]*\.(medium|large|xlarge|[1-9][0-9]*xlarge)$"
    validators = {
        "project_slug": (
            "{% if not (project_slug | regex_search('^[a-z][a-z0-9]*(-[a-z0-9]+)*$')) or "
            f"project_slug | length < 3 or project_slug | length > {rules.SLUG_MAX_LENGTH} %}}"
            f"'{{{{ project_slug }}}}' must be 3 to {rules.SLUG_MAX_LENGTH} lowercase letters, "
            "digits and single hyphens, starting with a letter{% endif %}"
        ),
        "package_name": (
            "{% if not (package_name | regex_search('^[a-z][a-z0-9_]*$')) or package_name | "
            "length > 40 %}'{{ package_name }}' is not a Python import name: use 1 to 40 "
            "lowercase letters, digits and underscores, starting with a letter{% endif %}"
        ),
        "author_email": _matches(
            "author_email", r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            "is not an email address; write it as name@example.com",
        ),
        "aws_region": (
            f"{{% if aws_region not in [{regions}] %}}'{{{{ aws_region }}}}' is not an AWS "
            f"region{{% elif aws_region in [{without_image}] %}}'{{{{ aws_region }}}}' has no "
            f"SageMaker XGBoost {rules.XGBOOST_VERSION} image; choose a region that has "
            "one{% endif %}"
        ),
        "aws_account_id": _matches(
            "aws_account_id", "^[0-9]{12}$",
            "is not an AWS account id: write its 12 digits (leading zeros included), or "
            "leave it empty to look it up", optional=True,
        ),
        "artifact_bucket": _matches(
            "artifact_bucket", "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            "is not a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, "
            "beginning and ending with a letter or a digit", optional=True,
        ),
        "metric_threshold": _matches(
            "metric_threshold", r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$",
            "is not a number; write it like 0.1",
        ),
        "training_instance_type": _matches(
            "training_instance_type", instance_type,
            "is not a SageMaker instance type (such as 'ml.m5.xlarge')",
        ),
        "endpoint_instance_type": _matches(
            "endpoint_instance_type", instance_type,
            "is not a SageMaker instance type (such as 'ml.m5.xlarge')",
        ),
        "glue_number_of_workers": (
            "{% if not (glue_number_of_workers | string | regex_search('^[0-9]+$')) or "
            "(glue_number_of_workers | int) < 2 or (glue_number_of_workers | int) > "
            f"{max(rules.GLUE_MAX_WORKERS.values())} %}}'{{{{ glue_number_of_workers }}}}' "
            f"must be a whole number from 2 to {max(rules.GLUE_MAX_WORKERS.values())}{{% endif %}}"
        ),
        "retraining_schedule": (
            "{% if retraining_schedule != 'none' and not (retraining_schedule | regex_search("
            "'^(rate\\\\([0-9]+ (minute|minutes|hour|hours|day|days)\\\\)|cron\\\\([^()]*\\\\))$'"
            ")) %}'{{ retraining_schedule }}' is not a schedule; write 'none', 'rate(1 day)' "
            "or 'cron(0 3 ? * MON *)'{% endif %}"
        ),
        # The shape only: the post-copy check looks the name up in Python's database.
        "schedule_timezone": _matches(
            "schedule_timezone", "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
            "is not an IANA time zone name such as 'UTC' or 'Europe/Paris'",
        ),
        "deploy_branch": (
            "{% if not (deploy_branch | regex_search('^[A-Za-z0-9._/-]{1,200}$')) or "
            "deploy_branch | regex_search('(^-|[.]$|[.][.]|//|^/|/$|(^|/)[.]|[.]lock(/|$))') %}"
            "'{{ deploy_branch }}' is not a valid git branch name; write it as git would, "
            "like 'main' or 'release/prod'{% endif %}"
        ),
    }  # fmt: skip
    for role_field in rules.ROLE_FIELDS:
        validators[role_field] = _matches(
            role_field, "^arn:[a-z-]+:iam::[0-9]{12}:role/",
            "is not an IAM role ARN; write it as "
            "arn:aws:iam::123456789012:role/optional/path/RoleName", optional=True,
        )  # fmt: skip
    return validators
