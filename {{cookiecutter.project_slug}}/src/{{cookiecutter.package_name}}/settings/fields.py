"""Every setting of settings.toml, one row each: the table the rest is derived from.

A row says where the setting lives in settings.toml, its TOML type, the rule that
checks its value, the ``Settings`` attribute that carries it, and, for the settings
a bake asks for, the question's text and default. From it come the checks of
settings.toml (unknown keys, types, values), the in-place edits of ``settings fill``,
and the questions a bake asks (the template generates its question files from it).

Adding a setting: a row here, its line in settings.toml, and the code that reads it
(an attribute of ``Settings`` named as the row's ``attribute``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from . import rules

TEXT, NUMBER, WHOLE_NUMBER, BOOLEAN, LIST, TABLE = (
    "text",
    "number",
    "whole number",
    "boolean",
    "list",
    "table",
)
_SAME_AS_NAME = "="


# A NamedTuple, not a dataclass: the bake's hooks load this module, and importing
# dataclasses (with inspect) was a fifth of each hook's time.
class Field(NamedTuple):
    name: str  # as the bake asks it and as messages of the bake name it
    location: str  # table.key in settings.toml
    kind: str  # TEXT, NUMBER, WHOLE_NUMBER, BOOLEAN, LIST or TABLE: the TOML type it must have
    rule: rules.Rule | None  # None: checked as a whole by its own code (a table, a list)
    # The Settings attribute that carries the value as it is; None when the value
    # is one part of a richer attribute (the quality gate, the role ARNs).
    attribute: str | None = _SAME_AS_NAME
    question: str | None = None  # asked at bake time with this text; else not asked
    default: str | None = None  # the answer a bake takes when none is given
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the choice means)

    @property
    def table(self) -> str:
        return self.location.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.location.split(".", 1)[1]

    @property
    def settings_attribute(self) -> str | None:
        return self.name if self.attribute == _SAME_AS_NAME else self.attribute


def _choices(values) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


_ROLE_QUESTION = "{} role ARN (only with existing roles; else leave empty)"

FIELDS: tuple[Field, ...] = (
    Field("project_name", "project.name", TEXT, rules.free_text(80),
          question="Project name (human-readable)", default="Customer Churn Retraining"),
    Field("project_slug", "project.slug", TEXT, rules.project_slug, attribute="slug",
          question="Repository folder name (lowercase, hyphens; prefixes AWS resource names)"),
    Field("aws_region", "aws.region", TEXT, rules.aws_region, attribute="region",
          question="AWS region to deploy to", default="us-east-1"),
    Field("aws_account_id", "aws.account_id", TEXT, rules.aws_account_id, attribute="account_id",
          question="AWS account id (12 digits; leave empty to look it up from your credentials)",
          default=""),
    Field("artifact_bucket", "aws.artifact_bucket", TEXT, rules.bucket_name,
          attribute="artifact_bucket_setting",
          question="S3 bucket for data and models (leave empty for <slug>-<account>-<region>)",
          default=""),
    Field("iam_roles", "iam.roles", TEXT,
          rules.choice(rules.IAM_ROLE_MODES, "a way to get IAM roles"),
          question="IAM roles", default="create",
          choices=(("create", "create: the project's stack creates least-privilege roles"),
                   ("existing", "existing: I will give the ARNs of roles my platform team owns"))),
    Field("sagemaker_role_arn", "iam.sagemaker_role_arn", TEXT, rules.role_arn, attribute=None,
          question=_ROLE_QUESTION.format("SageMaker execution"), default=""),
    Field("stepfunctions_role_arn", "iam.stepfunctions_role_arn", TEXT, rules.role_arn,
          attribute=None, question=_ROLE_QUESTION.format("Step Functions execution"), default=""),
    Field("glue_role_arn", "iam.glue_role_arn", TEXT, rules.role_arn, attribute=None,
          question=_ROLE_QUESTION.format("Glue job"), default=""),
    Field("lambda_role_arn", "iam.lambda_role_arn", TEXT, rules.role_arn, attribute=None,
          question=_ROLE_QUESTION.format("Lambda evaluator"), default=""),
    Field("quality_metric", "quality_gate.metric", TEXT, rules.quality_metric, attribute=None,
          question="Metric the quality gate checks", default="validation:error",
          choices=_choices(rules.METRIC_DIRECTIONS)),
    Field("metric_direction", "quality_gate.direction", TEXT,
          rules.choice(rules.DIRECTIONS, "a direction"), attribute=None,
          question="Is a lower or higher value of that metric better? "
                   "(lower-is-better / higher-is-better)"),
    Field("metric_threshold", "quality_gate.threshold", NUMBER, rules.number, attribute=None,
          question="Threshold a new model must beat to be deployed"),
    Field("compare_with_live", "quality_gate.compare_with_live", BOOLEAN, None),
    Field("min_improvement", "quality_gate.min_improvement", NUMBER,
          rules.non_negative_number, attribute=None),
    Field("replace_on_tie", "quality_gate.replace_on_tie", BOOLEAN, None, attribute=None),
    Field("scoring_instance_type", "quality_gate.scoring_instance_type", TEXT,
          rules.instance_type(rules.TRANSFORM_FAMILIES)),
    Field("scoring_instance_count", "quality_gate.scoring_instance_count", WHOLE_NUMBER,
          rules.whole_number(1, 100)),
    Field("scoring_timeout_minutes", "quality_gate.scoring_timeout_minutes", WHOLE_NUMBER,
          rules.whole_number(10, 2880)),
    Field("approval", "registry.approval", TEXT,
          rules.choice(rules.APPROVAL_MODES, "an approval mode")),
    Field("training_instance_type", "training.instance_type", TEXT,
          rules.instance_type(rules.TRAINING_FAMILIES),
          question="SageMaker training instance type", default="ml.m5.xlarge"),
    Field("training_instance_count", "training.instance_count", WHOLE_NUMBER,
          rules.whole_number(1, 20)),
    Field("training_max_runtime_seconds", "training.max_runtime_seconds", WHOLE_NUMBER,
          rules.whole_number(60, 5 * 24 * 3600)),
    Field("training_volume_size_gb", "training.volume_size_gb", WHOLE_NUMBER,
          rules.whole_number(1, 16384)),  # an EBS volume: 1 GB to 16 TiB
    Field("hyperparameters", "training.hyperparameters", TABLE, None),
    Field("endpoint_instance_type", "endpoint.instance_type", TEXT,
          rules.instance_type(rules.HOSTING_FAMILIES),
          question="SageMaker endpoint instance type", default="ml.m5.large"),
    Field("endpoint_instance_count", "endpoint.instance_count", WHOLE_NUMBER,
          rules.whole_number(1, 20)),
    Field("rollout_strategy", "rollout.strategy", TEXT,
          rules.choice(rules.ROLLOUT_STRATEGIES, "a rollout strategy")),
    Field("rollout_step_percent", "rollout.step_percent", WHOLE_NUMBER,
          rules.whole_number(10, 50)),  # canary: at most 50%; a linear step: 10-50%
    Field("rollout_wait_seconds", "rollout.wait_seconds", WHOLE_NUMBER,
          rules.whole_number(0, 3600)),  # WaitIntervalInSeconds
    Field("rollout_final_bake_seconds", "rollout.final_bake_seconds", WHOLE_NUMBER,
          rules.whole_number(0, 3600)),  # TerminationWaitInSeconds
    Field("alarm_5xx_errors", "rollout.alarm_5xx_errors", WHOLE_NUMBER,
          rules.whole_number(1, 1_000_000)),
    Field("alarm_latency_ms", "rollout.alarm_latency_ms", WHOLE_NUMBER,
          rules.whole_number(1, 3_600_000)),
    Field("glue_version", "glue.version", TEXT,
          rules.choice(rules.GLUE_VERSIONS, "a supported Glue version"),
          question="AWS Glue version", default=rules.GLUE_VERSIONS[0],
          choices=_choices(rules.GLUE_VERSIONS)),
    Field("glue_worker_type", "glue.worker_type", TEXT,
          rules.choice(tuple(rules.GLUE_MAX_WORKERS), "a Glue worker type for Spark jobs"),
          question="Glue worker type", default="G.1X", choices=_choices(rules.GLUE_MAX_WORKERS)),
    Field("glue_number_of_workers", "glue.number_of_workers", WHOLE_NUMBER,
          rules.whole_number(2, max(rules.GLUE_MAX_WORKERS.values())),
          question="Number of Glue workers", default="2"),
    # Glue's job Timeout: 1 to 2,880 minutes (48 hours) for a Spark job.
    Field("glue_timeout_minutes", "glue.timeout_minutes", WHOLE_NUMBER,
          rules.whole_number(1, 2880)),
    Field("glue_auto_scaling", "glue.auto_scaling", BOOLEAN, None),
    Field("retraining_schedule", "schedule.expression", TEXT, rules.schedule_expression,
          attribute=None,
          question="Retraining schedule: none, or an EventBridge rate(...) / cron(...) expression",
          default="none"),
    Field("schedule_timezone", "schedule.timezone", TEXT, rules.schedule_timezone,
          question="Time zone the schedule runs in (an IANA name such as UTC or Europe/Paris)",
          default="UTC"),
    Field("on_new_data", "retraining.on_new_data", BOOLEAN, None),
    Field("new_data_quiet_minutes", "retraining.new_data_quiet_minutes", WHOLE_NUMBER,
          rules.whole_number(1, 1440)),
    Field("train_on", "retraining.train_on", TEXT, rules.train_on),
    Field("on_drift", "retraining.on_drift", BOOLEAN, None),
    Field("capture_percent", "drift.capture_percent", WHOLE_NUMBER, rules.whole_number(0, 100)),
    Field("drift_threshold", "drift.max_distance", NUMBER, rules.share),
    Field("drift_check_schedule", "drift.check_schedule", TEXT, rules.schedule_expression,
          attribute=None),
    Field("keep_captures_days", "drift.keep_captures_days", WHOLE_NUMBER,
          rules.whole_number(0, 3650)),  # 0: kept forever
    Field("keep_runs_days", "storage.keep_runs_days", WHOLE_NUMBER,
          rules.whole_number(0, 3650)),  # 0: kept forever
    Field("log_retention_days", "logs.retention_days", WHOLE_NUMBER, rules.log_retention_days),
    # The dataset (data_schema.py checks the table as a whole; `data init` writes it).
    Field("data_label", "data.label", TEXT, rules.column_name(), attribute=None),
    Field("data_positive", "data.positive", LIST, None, attribute=None),
    Field("data_negative", "data.negative", LIST, None, attribute=None),
    Field("data_id_column", "data.id_column", TEXT, rules.column_name(optional=True),
          attribute=None),
    Field("data_ignore", "data.ignore", LIST, None, attribute=None),
    Field("data_features", "data.features", TABLE, None, attribute=None),
    Field("deploy_branch", "ci.deploy_branch", TEXT, rules.git_branch_name,
          question="Branch that CI deploys from (the deploy role trusts only it)",
          default="main"),
    # The later stages' tables ([stages.NAME]) are checked by settings/stages.py.
    Field("first_stage", "stages.first", TEXT, rules.stage_name, attribute=None),
)  # fmt: skip

BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}
DISPLAY_NAMES: dict[str, str] = {field.name: field.location for field in FIELDS}


def validate(
    values: Mapping[str, object], display_names: Mapping[str, str] | None = None
) -> list[str]:
    """Every problem found in ``values`` (keyed by field), as one line each.

    ``display_names`` maps a field to the name a user sees it under (``aws.region``
    in settings.toml); by default the field's own name, as the bake asks it.
    """

    def name(field: str) -> str:
        return (display_names or {}).get(field, field)

    texts = {
        field.name: str(values[field.name])
        for field in FIELDS
        if field.rule is not None and values.get(field.name) is not None
    }
    problems = []
    for field, text in texts.items():
        problem = BY_NAME[field].rule(text)
        if problem:
            problems.append(f"{name(field)} {problem}")
    # Contradictions read the fields without a rule of their own too (the switches).
    every_text = {
        field.name: str(values[field.name])
        for field in FIELDS
        if values.get(field.name) is not None
    }
    return problems + rules.contradictions({**every_text, **texts}, name)
