"""Validation rules for the project's settings, in one place.

The template's hooks load this very file to check the answers of a bake, and the
project's settings module uses it to check ``settings.toml`` after a user edits it,
so a value is judged the same way wherever it comes from. (fields.py says which rule
checks which setting; the answers only a bake needs have their rules in the template.)

The rules themselves live in the ``rules_*`` modules beside this one, one concern each;
this module gathers their public names, so that ``rules.aws_region`` and the like are
found here wherever they are defined:

- ``rules_suggestions``: the "did you mean ...?" hints of the messages;
- ``rules_plain_values``: free text, column names, choices, numbers, git branches;
- ``rules_aws_regions``: regions, partitions, where the XGBoost image exists;
- ``rules_aws_names``: the slug, account id, bucket, role ARNs, a run's names;
- ``rules_instance_types``: SageMaker instance types and families;
- ``rules_schedules``: schedule expressions and time zones;
- ``rules_quality_gate``: the gate's metrics, directions and approval modes;
- ``rules_rollout``: blue/green rollouts and their time limit;
- ``rules_glue_and_logs``: Glue versions and workers, log retention;
- ``rules_training_data``: which raw data a run trains on;
- ``rules_xgboost_hyperparameters``: ``[training.hyperparameters]`` as the container checks it;
- ``rules_contradictions``: settings that are each fine alone but cannot hold together.

They need nothing but the standard library and run on Python 3.10+ (the hooks run
under whatever Python the user's cookiecutter or copier runs on).
Each rule returns ``None`` for a good value, or the rest of a one-line message
that follows the field's name: ``'us-est-1' is not an AWS region; did you mean ...``.
"""

from __future__ import annotations

from .rules_aws_names import (
    IAM_ROLE_MODES,
    ROLE_FIELDS,
    SLUG_MAX_LENGTH,
    aws_account_id,
    bucket_name,
    derived_bucket_name,
    derived_role_arn,
    project_slug,
    role_arn,
    run_name,
)
from .rules_aws_regions import (
    PARTITION_REGIONS,
    REGION_PARTITION,
    REGIONS_WITHOUT_XGBOOST_IMAGE,
    XGBOOST_VERSION,
    aws_region,
    partition_of,
)
from .rules_contradictions import contradictions
from .rules_glue_and_logs import (
    GLUE_MAX_WORKERS,
    GLUE_VERSIONS,
    LOG_RETENTION_DAYS,
    log_retention_days,
)
from .rules_instance_types import (
    HOSTING_FAMILIES,
    TRAINING_FAMILIES,
    TRANSFORM_FAMILIES,
    instance_type,
)
from .rules_plain_values import (
    Rule,
    choice,
    column_name,
    free_text,
    git_branch_name,
    non_negative_number,
    number,
    share,
    stage_name,
    whole_number,
)
from .rules_quality_gate import (
    APPROVAL_MODES,
    DIRECTIONS,
    METRIC_DIRECTIONS,
    METRIC_RANGES,
    quality_metric,
)
from .rules_rollout import (
    ENDPOINT_CHECK_INTERVAL_SECONDS,
    ENDPOINT_PROVISIONING_CHECKS,
    ROLLOUT_MAX_SECONDS,
    ROLLOUT_STRATEGIES,
    rollout_seconds,
)
from .rules_schedules import MIN_SCHEDULE_MINUTES, schedule_expression, schedule_timezone
from .rules_training_data import (
    MAX_WINDOW_DAYS,
    TRAIN_ON_ALL,
    TRAIN_ON_LATEST,
    train_on,
    window_days,
)
from .rules_xgboost_hyperparameters import (
    BINARY_OBJECTIVES,
    XGBOOST_EVAL_METRICS,
    XGBOOST_HYPERPARAMETER_ALIASES,
    XGBOOST_HYPERPARAMETERS,
    hyperparameter_problems,
)

__all__ = [
    "APPROVAL_MODES",
    "BINARY_OBJECTIVES",
    "DIRECTIONS",
    "ENDPOINT_CHECK_INTERVAL_SECONDS",
    "ENDPOINT_PROVISIONING_CHECKS",
    "GLUE_MAX_WORKERS",
    "GLUE_VERSIONS",
    "HOSTING_FAMILIES",
    "IAM_ROLE_MODES",
    "LOG_RETENTION_DAYS",
    "MAX_WINDOW_DAYS",
    "METRIC_DIRECTIONS",
    "METRIC_RANGES",
    "MIN_SCHEDULE_MINUTES",
    "PARTITION_REGIONS",
    "REGIONS_WITHOUT_XGBOOST_IMAGE",
    "REGION_PARTITION",
    "ROLE_FIELDS",
    "ROLLOUT_MAX_SECONDS",
    "ROLLOUT_STRATEGIES",
    "SLUG_MAX_LENGTH",
    "TRAINING_FAMILIES",
    "TRAIN_ON_ALL",
    "TRAIN_ON_LATEST",
    "TRANSFORM_FAMILIES",
    "XGBOOST_EVAL_METRICS",
    "XGBOOST_HYPERPARAMETERS",
    "XGBOOST_HYPERPARAMETER_ALIASES",
    "XGBOOST_VERSION",
    "Rule",
    "aws_account_id",
    "aws_region",
    "bucket_name",
    "choice",
    "column_name",
    "contradictions",
    "derived_bucket_name",
    "derived_role_arn",
    "free_text",
    "git_branch_name",
    "hyperparameter_problems",
    "instance_type",
    "log_retention_days",
    "non_negative_number",
    "number",
    "partition_of",
    "project_slug",
    "quality_metric",
    "role_arn",
    "rollout_seconds",
    "run_name",
    "schedule_expression",
    "schedule_timezone",
    "share",
    "stage_name",
    "train_on",
    "whole_number",
    "window_days",
]
