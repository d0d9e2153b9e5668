"""What the template's tests know about the template: paths, defaults, the option
matrix and the exact file set each configuration must produce.

The matrix is built from cookiecutter.json itself. The full product of the choices
is over 1,500 projects, and each baked project's own suite runs Spark, so the matrix
covers every value instead: row k sets the k-th alternative of every choice prompt
at once (an option with fewer alternatives keeps its default), and the defaults are
a row of their own. Free-text answers that change what is generated (account,
region partition, own bucket, schedule, hostile text) ride along on those rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
HOOKS_DIR = TEMPLATE_DIR / "hooks"
sys.path.insert(0, str(HOOKS_DIR))  # the hooks' logic module, tested directly

# The questions and their defaults (cookiecutter's private keys, such as
# _copy_without_render, are settings of cookiecutter, not questions).
DEFAULTS = {
    name: value
    for name, value in json.loads(
        (TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8")
    ).items()
    if not name.startswith("_")
}

EXISTING_ROLES = {
    "iam_roles": "existing",
    "aws_account_id": "123456789012",
    "sagemaker_role_arn": "arn:aws:iam::123456789012:role/ml/platform-sagemaker",
    "stepfunctions_role_arn": "arn:aws:iam::123456789012:role/ml/platform-states",
    "glue_role_arn": "arn:aws:iam::123456789012:role/ml/platform-glue",
    "lambda_role_arn": "arn:aws:iam::123456789012:role/ml/platform-lambda",
}

# Answers a choice needs to make sense (existing roles need their ARNs).
_COMPANIONS = {("iam_roles", "existing"): EXISTING_ROLES}

# Free-text answers added to each covering row (row 1 holds the existing roles, so
# the other partitions go to rows 2 and 3, whose roles are created and derived),
# with the words that name them in test ids.
TEXT_LABELS = ["weekly-cron+release-branch", "aws-cn", "us-gov+own-bucket+hostile-text"]
TEXT_ANSWERS = [
    {"retraining_schedule": "cron(0 3 ? * MON *)", "deploy_branch": "release/prod"},
    {"aws_region": "cn-northwest-1", "aws_account_id": "012345678901"},
    {
        "aws_region": "us-gov-west-1",
        "artifact_bucket": "my.team-artifacts",
        "aws_account_id": "123456789012",
        "project_name": "Churn \"Model\" \\ $(touch /tmp/pwned) `id` ; rm -rf ~ 😀 'x'",
        "project_slug": "churn-model",
        "description": "Quotes \" ' \\n backslash \\ and $HOME && echo pwned | <b>",
        "author_name": 'O\'Brien "The Team" \\',
    },
]


def _alternatives(value) -> list:
    if isinstance(value, list):
        return value[1:]
    if isinstance(value, bool):
        return [not value]
    return []


def covering_configurations() -> dict[str, dict]:
    choices = {
        name: _alternatives(value) for name, value in DEFAULTS.items() if not name.startswith("_")
    }
    rows = max(len(alternatives) for alternatives in choices.values())
    configurations: dict[str, dict] = {"defaults": {}}
    for row in range(rows):
        answers: dict = {}
        for name, alternatives in choices.items():
            if row < len(alternatives):
                answers[name] = alternatives[row]
                answers.update(_COMPANIONS.get((name, alternatives[row]), {}))
        if row < len(TEXT_ANSWERS):
            answers.update(TEXT_ANSWERS[row])
        label = "+".join(
            str(answers[name]).replace("validation:", "")
            for name, alternatives in choices.items()
            if alternatives and name in answers
        )
        if row < len(TEXT_LABELS):
            label += "+" + TEXT_LABELS[row]
        configurations[label] = answers
    return configurations


CONFIGURATIONS = covering_configurations()


def configuration_with(**answers) -> str:
    """The name of the matrix row holding these answers."""
    for name, configuration in CONFIGURATIONS.items():
        if all(configuration.get(key) == value for key, value in answers.items()):
            return name
    raise LookupError(f"no configuration with {answers}")


def answers_of(name: str) -> dict:
    """Every answer of a matrix row, defaults (a choice's first value) included."""
    defaults = {k: (v[0] if isinstance(v, list) else v) for k, v in DEFAULTS.items()}
    return {**defaults, **CONFIGURATIONS[name]}


def configurations_where(**answers) -> list[str]:
    """The matrix rows whose answers (defaults included) have these values."""
    return [
        name
        for name in CONFIGURATIONS
        if all(answers_of(name)[key] == value for key, value in answers.items())
    ]


_COMMON_FILES = (
    ".cookiecutter.json",
    ".gitignore",
    "FIDELITY.md",
    "LICENSE",
    "Makefile",
    "README.md",
    "infrastructure/pipeline.yaml",
    "infrastructure/storage.yaml",
    "pyproject.toml",
    "requirements.lock",
    "settings.toml",
    "src/{package}/__init__.py",
    "src/{package}/__main__.py",
    "src/{package}/aws/__init__.py",
    "src/{package}/aws/artifacts.py",
    "src/{package}/aws/cfn_template.py",
    "src/{package}/aws/ci_role.py",
    "src/{package}/aws/commands.py",
    "src/{package}/aws/deploy.py",
    "src/{package}/aws/destroy.py",
    "src/{package}/aws/errors.py",
    "src/{package}/aws/estimate.py",
    "src/{package}/aws/preflight.py",
    "src/{package}/aws/executions.py",
    "src/{package}/aws/policies_from_stack.py",
    "src/{package}/aws/inventory.py",
    "src/{package}/aws/raw_data.py",
    "src/{package}/aws/run_length.py",
    "src/{package}/aws/scale_estimate.py",
    "src/{package}/aws/session.py",
    "src/{package}/aws/stacks.py",
    "src/{package}/aws/stop_runs.py",
    "src/{package}/steps/__init__.py",
    "src/{package}/steps/glue_etl_job.py",
    "src/{package}/steps/lambda_evaluator.py",
    "src/{package}/steps/new_data_trigger.py",
    "src/{package}/steps/drift_check.py",
    "src/{package}/cli.py",
    "src/{package}/dataset/__init__.py",
    "src/{package}/dataset/check.py",
    "src/{package}/dataset/infer.py",
    "src/{package}/dataset/init.py",
    "src/{package}/exit_codes.py",
    "src/{package}/local/__init__.py",
    "src/{package}/local/inference_request.py",
    "src/{package}/local/inputs.py",
    "src/{package}/local/interpreter.py",
    "src/{package}/local/interrupts.py",
    "src/{package}/local/registry.py",
    "src/{package}/local/accounts.py",
    "src/{package}/local/batch_transform.py",
    "src/{package}/local/capture.py",
    "src/{package}/local/distributed_training.py",
    "src/{package}/local/drift.py",
    "src/{package}/local/new_data.py",
    "src/{package}/local/scheduler.py",
    "src/{package}/local/trigger_commands.py",
    "src/{package}/models/__init__.py",
    "src/{package}/models/commands.py",
    "src/{package}/models/registry.py",
    "src/{package}/models/promote.py",
    "src/{package}/models/invoke.py",
    "src/{package}/models/drift.py",
    "src/{package}/models/drift_chart.py",
    "src/{package}/aws/prices.py",
    "src/{package}/local/run.py",
    "src/{package}/local/serve.py",
    "src/{package}/local/services.py",
    "src/{package}/local/spark_classes.py",
    "src/{package}/local/training.py",
    "src/{package}/project_layout.py",
    "src/{package}/sample_data.py",
    "src/{package}/settings/__init__.py",
    "src/{package}/settings/aws_account.py",
    "src/{package}/settings/data_schema.py",
    "src/{package}/settings/errors.py",
    "src/{package}/settings/fields.py",
    "src/{package}/settings/fill_in.py",
    "src/{package}/settings/model.py",
    "src/{package}/settings/names.py",
    "src/{package}/settings/rules.py",
    "src/{package}/settings/rules_aws_names.py",
    "src/{package}/settings/rules_aws_regions.py",
    "src/{package}/settings/rules_contradictions.py",
    "src/{package}/settings/rules_glue_and_logs.py",
    "src/{package}/settings/rules_instance_types.py",
    "src/{package}/settings/rules_plain_values.py",
    "src/{package}/settings/rules_quality_gate.py",
    "src/{package}/settings/rules_rollout.py",
    "src/{package}/settings/rules_schedules.py",
    "src/{package}/settings/rules_suggestions.py",
    "src/{package}/settings/rules_xgboost_hyperparameters.py",
    "src/{package}/settings/rules_training_data.py",
    "src/{package}/settings/stages.py",
    "src/{package}/settings/toml_file.py",
    "src/{package}/workflow/__init__.py",
    "src/{package}/workflow/asl_fields.py",
    "src/{package}/workflow/building_blocks.py",
    "src/{package}/workflow/champion_challenger.py",
    "src/{package}/workflow/deploy_and_wait.py",
    "src/{package}/workflow/error_names.py",
    "src/{package}/workflow/gate_and_registry.py",
    "src/{package}/workflow/definition.py",
    "src/{package}/workflow/display.py",
    "src/{package}/workflow/graph.py",
    "src/{package}/workflow/graph_svg.py",
    "src/{package}/workflow/prepare_and_train.py",
    "src/{package}/workflow/progress.py",
    "src/{package}/workflow/sdk.py",
    "src/{package}/workflow/state_names.py",
    "statemachine/definition.asl.json",
    "tests/__init__.py",
    "tests/aws/__init__.py",
    "tests/aws/test_artifacts.py",
    "tests/aws/test_aws_errors.py",
    "tests/aws/test_ci_role.py",
    "tests/aws/test_deploy_rehearsal.py",
    "tests/aws/test_destroy_rehearsal.py",
    "tests/aws/test_estimate.py",
    "tests/aws/test_executions.py",
    "tests/aws/test_iam_policies.py",
    "tests/aws/test_iam_condition_keys.py",
    "tests/aws/test_lifecycle_templates.py",
    "tests/aws/test_preflight.py",
    "tests/aws/test_promotion_rehearsal.py",
    "tests/aws/test_raw_data_check.py",
    "tests/aws/test_run_length.py",
    "tests/aws/test_scale_estimate.py",
    "tests/aws/test_stacks.py",
    "tests/aws/test_stop_runs.py",
    "tests/steps/__init__.py",
    "tests/steps/test_glue_etl_job.py",
    "tests/steps/test_lambda_evaluator.py",
    "tests/steps/test_new_data_trigger.py",
    "tests/steps/test_drift_check.py",
    "tests/conftest.py",
    "tests/dataset/__init__.py",
    "tests/dataset/test_infer.py",
    "tests/dataset/test_init.py",
    "tests/local/__init__.py",
    "tests/local/serving.py",
    "tests/local/test_endpoint.py",
    "tests/local/test_fault_injection.py",
    "tests/local/test_inputs.py",
    "tests/local/test_spark_classes.py",
    "tests/local/test_interpreter.py",
    "tests/local/test_interrupts.py",
    "tests/local/test_registry.py",
    "tests/local/test_promotion.py",
    "tests/local/test_duplicate_approval.py",
    "tests/local/test_registry_scenarios.py",
    "tests/local/test_batch_transform.py",
    "tests/local/test_new_data.py",
    "tests/local/test_distributed_training.py",
    "tests/local/test_drift.py",
    "tests/models/__init__.py",
    "tests/models/test_invoke.py",
    "tests/models/test_registry.py",
    "tests/models/test_drift.py",
    "tests/local/test_run.py",
    "tests/local/test_serve.py",
    "tests/local/test_serve_fuzz.py",
    "tests/local/test_training.py",
    "tests/project_alias.py",
    "tests/settings/__init__.py",
    "tests/settings/test_aws_account.py",
    "tests/settings/test_fields.py",
    "tests/settings/test_fill_in.py",
    "tests/settings/test_hyperparameter_rules.py",
    "tests/settings/test_rules.py",
    "tests/settings/test_settings.py",
    "tests/settings/test_toml_file.py",
    "tests/settings/test_stages.py",
    "tests/test_cli.py",
    "tests/test_test_groups.py",
    "tests/workflow/__init__.py",
    "tests/workflow/canned_tasks.py",
    "tests/workflow/test_definition.py",
    "tests/workflow/test_display.py",
    "tests/workflow/test_endpoint_routing.py",
    "tests/workflow/test_error_names.py",
    "tests/workflow/test_lost_answers.py",
    "tests/workflow/test_numbers_in_docs.py",
    "tests/workflow/test_registry_text_bounds.py",
    "tests/workflow/test_workflow_routing.py",
)


def expected_files(answers: dict, package: str) -> set[str]:
    """The exact set of files a bake with these answers must produce."""
    chosen = {**{k: (v[0] if isinstance(v, list) else v) for k, v in DEFAULTS.items()}, **answers}
    files = {path.format(package=package) for path in _COMMON_FILES}
    if chosen["ci_provider"] == "github":
        files.add(".github/workflows/ci.yml")
    if chosen["ci_provider"] == "gitlab":
        files.add(".gitlab-ci.yml")
    if chosen["ci_provider"] != "none":
        files.add("infrastructure/ci-deploy-role.yaml")
    if chosen["include_notebook"]:
        files.add("notebooks/walkthrough.ipynb")
        files.add("tests/test_notebook.py")
    return files


def files_in(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def user_config(folder: Path) -> Path:
    """A cookiecutter user config that keeps clones and replays inside ``folder``."""
    config = folder / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{folder / "cookiecutters"}"\nreplay_dir: "{folder / "replay"}"\n',
        encoding="utf-8",
    )
    return config
