"""The project's settings, read from settings.toml and validated.

Every other module takes a ``Settings`` object; nothing else reads the file. The
values are checked by ``rules``, the same rules that checked the answers when the
project was baked, so an edit that the template would have refused is refused here
too, with one line that names the setting and the fix.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import data_schema, rules
from . import stages as stage_tables
from .errors import SettingsError
from .fields import (
    BOOLEAN,
    DISPLAY_NAMES,
    FIELDS,
    LIST,
    NUMBER,
    TABLE,
    TEXT,
    WHOLE_NUMBER,
    validate,
)
from .toml_file import SETTINGS_FILE_NAME, flatten

SETTINGS_PATH_VARIABLE = "RETRAIN_SETTINGS"


@dataclass(frozen=True)
class QualityGate:
    metric: str
    direction: str
    threshold: float

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower-is-better"

    min_improvement: float = 0.0
    # A tie keeps the live model unless this says otherwise: a model trained on a
    # sample must not replace one trained on everything for scoring the same.
    replace_on_tie: bool = False

    def passes(self, value: float) -> bool:
        """Whether a model whose metric is ``value`` may be deployed."""
        return value < self.threshold if self.lower_is_better else value > self.threshold


@dataclass(frozen=True)
class Settings:
    """Validated settings. Derived names are properties, computed in one place."""

    path: Path
    project_name: str
    slug: str
    region: str
    account_id: str
    artifact_bucket_setting: str
    iam_roles: str
    role_arn_settings: dict[str, str]
    quality_gate: QualityGate
    compare_with_live: bool
    scoring_instance_type: str
    scoring_instance_count: int
    scoring_timeout_minutes: int
    approval: str
    training_instance_type: str
    training_instance_count: int
    training_max_runtime_seconds: int
    training_volume_size_gb: int
    hyperparameters: dict[str, Any]
    endpoint_instance_type: str
    endpoint_instance_count: int
    rollout_strategy: str
    rollout_step_percent: int
    rollout_wait_seconds: int
    rollout_final_bake_seconds: int
    alarm_5xx_errors: int
    alarm_latency_ms: int
    glue_version: str
    glue_worker_type: str
    glue_number_of_workers: int
    glue_timeout_minutes: int
    glue_auto_scaling: bool
    schedule_expression: str | None
    schedule_timezone: str
    on_new_data: bool
    new_data_quiet_minutes: int
    train_on: str
    on_drift: bool
    capture_percent: int
    drift_threshold: float
    drift_check_schedule: str | None
    keep_captures_days: int
    keep_runs_days: int
    log_retention_days: int
    deploy_branch: str
    data: data_schema.DataSchema
    values: dict[str, Any] = field(repr=False, default_factory=dict)
    stages: stage_tables.Stages = field(default_factory=stage_tables.Stages)
    stage: str = stage_tables.DEFAULT_FIRST_STAGE  # the stage these settings are for
    # A later stage's settings keep the first stage's, from which every stage is derived.
    first_stage_settings: Settings | None = field(default=None, repr=False, compare=False)

    @property
    def is_first_stage(self) -> bool:
        return self.stage == self.stages.first

    def for_stage(self, name: str) -> Settings:
        """These settings as a later stage's account sees them: its account, region,
        bucket and roles; it trains nothing, so nothing starts a training run there."""
        first = self.first_stage_settings or self
        try:
            later = self.stages.find(name)
        except KeyError as error:
            raise SettingsError(
                f"{error.args[0]}; add [stages.{name}] to {self.path.name}"
            ) from None
        if later is None:
            return first
        return dataclasses.replace(
            first,
            first_stage_settings=first,
            stage=name,
            account_id=later.account_id,
            region=later.region,
            artifact_bucket_setting=later.artifact_bucket,
            role_arn_settings=dict(later.role_arns),
            endpoint_instance_type=later.endpoint_instance_type or first.endpoint_instance_type,
            endpoint_instance_count=later.endpoint_instance_count or first.endpoint_instance_count,
            schedule_expression=None,
            on_new_data=False,
            on_drift=False,
        )

    @property
    def partition(self) -> str:
        return rules.partition_of(self.region)

    @property
    def artifact_bucket(self) -> str:
        if self.artifact_bucket_setting:
            return self.artifact_bucket_setting
        return rules.derived_bucket_name(
            self.slug, self._account("aws.artifact_bucket"), self.region
        )

    def role_arn(self, role_field: str) -> str:
        """The ARN of one of rules.ROLE_FIELDS: as set, or derived for created roles."""
        if self.role_arn_settings[role_field]:
            return self.role_arn_settings[role_field]
        account = self._account(DISPLAY_NAMES[role_field])
        return rules.derived_role_arn(self.slug, role_field, account, self.region)

    def _account(self, needed_for: str) -> str:
        if not self.account_id:
            raise SettingsError(
                f"{needed_for} is derived from aws.account_id, which is empty; "
                f"run '{self.slug} settings fill' with AWS credentials, or set it in {self.path}"
            )
        return self.account_id


def find_settings_file(start: Path | None = None) -> Path:
    """$RETRAIN_SETTINGS, else settings.toml in the current folder or a parent."""
    if os.environ.get(SETTINGS_PATH_VARIABLE):
        return Path(os.environ[SETTINGS_PATH_VARIABLE])
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / SETTINGS_FILE_NAME
        if candidate.is_file():
            return candidate
    raise SettingsError(
        f"{SETTINGS_FILE_NAME} not found in {here} or its parents; run from the project "
        f"folder or set {SETTINGS_PATH_VARIABLE}"
    )


def read_document(path: Path) -> dict[str, Any]:
    import tomllib  # Python 3.11+; imported here so that the hooks load this package on 3.9+

    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise SettingsError(f"{path} does not exist; restore it from git or re-bake") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML ({error}); fix that line") from None
    except UnicodeDecodeError as error:
        raise SettingsError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate settings.toml; raise SettingsError with one line if it is wrong."""
    path = path or find_settings_file()
    document = read_document(path)
    problems = _unknown_keys(document) + _wrong_types(document)
    values = flatten(document)
    problems += [
        f"{row.location} is missing; add it back (see the template's settings.toml)"
        for row in FIELDS
        if row.name not in values
    ]
    problems += validate(values, DISPLAY_NAMES)
    problems += _hyperparameter_problems(values.get("hyperparameters"))
    data_table = document.get("data") if isinstance(document.get("data"), dict) else {}
    if not problems:  # the table as a whole, once each key has the right type
        problems += data_schema.problems_of(data_table)
    if not problems:
        problems += stage_tables.problems_of(document.get("stages"), values)
    if problems:
        raise SettingsError(f"{path.name}: {problems[0]}")
    as_they_are = {
        row.settings_attribute: values[row.name] for row in FIELDS if row.settings_attribute
    }
    return Settings(
        path=path,
        **as_they_are,
        role_arn_settings={name: values[name] for name in rules.ROLE_FIELDS},
        quality_gate=QualityGate(
            metric=values["quality_metric"],
            direction=values["metric_direction"],
            threshold=float(values["metric_threshold"]),
            min_improvement=float(values["min_improvement"]),
            replace_on_tie=values["replace_on_tie"],
        ),
        schedule_expression=_unless_none(values["retraining_schedule"]),
        drift_check_schedule=_unless_none(values["drift_check_schedule"]),
        data=data_schema.from_table(data_table),
        values=values,
        stages=(found := stage_tables.from_table(document.get("stages"), values["aws_region"])),
        stage=found.first,
    )


def _unless_none(schedule: str) -> str | None:
    return None if schedule == "none" else schedule


def _unknown_keys(document: dict[str, Any]) -> list[str]:
    known_tables = {row.table for row in FIELDS}
    problems = []
    for table, section in document.items():
        if table == "stages":  # its keys are stage names: stages.problems_of checks them
            continue
        if table not in known_tables:
            hint = _close(table, known_tables)
            problems.append(f"[{table}] is not a settings table{hint}")
            continue
        if not isinstance(section, dict):
            problems.append(f"{table} must be a table ([{table}])")
            continue
        keys = {row.key for row in FIELDS if row.table == table}
        for key in section:
            if key not in keys:
                problems.append(f"{table}.{key} is not a known setting{_close(key, keys)}")
    return problems


_TOML_TYPES = {
    TEXT: (str, "a quoted string"),
    NUMBER: ((int, float), "a number"),
    WHOLE_NUMBER: (int, "a whole number"),
    BOOLEAN: (bool, "true or false"),
    LIST: (list, 'a list, like ["a", "b"]'),
    TABLE: (dict, "a table"),
}


def _wrong_types(document: dict[str, Any]) -> list[str]:
    """Numbers must be TOML numbers and text TOML strings: '2' and 2 are not the same."""
    problems = []
    for row in FIELDS:
        section = document.get(row.table)
        if not isinstance(section, dict) or row.key not in section:
            continue
        value = section[row.key]
        expected, kind = _TOML_TYPES[row.kind]
        if (isinstance(value, bool) and row.kind != BOOLEAN) or not isinstance(value, expected):
            problems.append(f"{row.location} is {value!r}; it must be {kind}")
    return problems


def _hyperparameter_problems(hyperparameters: Any) -> list[str]:
    if not isinstance(hyperparameters, dict) or not hyperparameters:
        return ["training.hyperparameters is missing or empty; add objective and num_round"]
    problems = []
    for name, value in hyperparameters.items():
        if isinstance(value, dict | list | bool):
            problems.append(
                f"training.hyperparameters.{name} is {value!r}; use a number or a string"
            )
    if "objective" not in hyperparameters:
        problems.append("training.hyperparameters.objective is missing; XGBoost needs it")
    # Names, types and ranges as SageMaker's XGBoost container checks them (num_round
    # is required there); values already reported above are left out.
    scalars = {k: v for k, v in hyperparameters.items() if not isinstance(v, dict | list | bool)}
    return problems + rules.hyperparameter_problems(scalars)


def _close(word: str, candidates: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
