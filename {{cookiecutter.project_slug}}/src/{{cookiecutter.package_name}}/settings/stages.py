"""Stages: the accounts a model version goes through ([stages] in settings.toml).

The project's own account ([aws]) trains, registers and deploys: it is the first
stage. Each ``[stages.NAME]`` table is a later account (production, say) that trains
nothing: it deploys only the versions ``promote --to NAME`` sends it, with the same
stack, definition and guarded rollout. Without such tables the project is the one
account it always was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import rules
from .rules_suggestions import did_you_mean

FIRST_STAGE_KEY = "first"
# The GitHub environment of the first stage's deploy job; a later stage's environment
# is named after the stage, so no later stage may take this name.
RESERVED_STAGE_NAME = "production"
DEFAULT_FIRST_STAGE = "dev"
# A stage's own endpoint (the first stage's is [endpoint]): a production endpoint is
# often bigger, and canary or linear rollouts need two instances or more.
ENDPOINT_KEYS = {"endpoint_instance_type": str, "endpoint_instance_count": int}
STAGE_KEYS = ("account_id", "region", "artifact_bucket", *rules.ROLE_FIELDS, *ENDPOINT_KEYS)


@dataclass(frozen=True)
class Stage:
    name: str
    account_id: str
    region: str
    artifact_bucket: str = ""  # "": <slug>-<account_id>-<region>, as for the first stage
    role_arns: dict[str, str] = field(default_factory=dict)  # empty values: created roles
    endpoint_instance_type: str = ""  # "": the first stage's ([endpoint])
    endpoint_instance_count: int = 0  # 0: the first stage's


@dataclass(frozen=True)
class Stages:
    first: str = DEFAULT_FIRST_STAGE
    later: tuple[Stage, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.first, *(stage.name for stage in self.later))

    def find(self, name: str) -> Stage | None:
        """A later stage by name; None for the first one. Unknown names are refused."""
        if name == self.first:
            return None
        for stage in self.later:
            if stage.name == name:
                return stage
        known = ", ".join(self.names)
        raise KeyError(f"'{name}' is not a stage of settings.toml (stages: {known})")


def problems_of(table: Any, values: dict[str, Any]) -> list[str]:
    """Every problem of the [stages] table, one line each, naming the key; ``values``
    are the other settings, by field name (the first stage's)."""
    if table is None:
        return []
    if not isinstance(table, dict):
        return ["stages must be a table ([stages])"]
    problems = []
    first = table.get(FIRST_STAGE_KEY, DEFAULT_FIRST_STAGE)  # checked as a field
    for name, stage in table.items():
        if name == FIRST_STAGE_KEY:
            continue
        if not isinstance(stage, dict):
            problems.append(f"stages.{name} must be a table ([stages.{name}]) with account_id")
            continue
        problems += _stage_problems(name, stage, first, values)
    accounts = [(name, stage.get("account_id")) for name, stage in table.items()
                if isinstance(stage, dict) and stage.get("account_id")]  # fmt: skip
    for index, (name, account) in enumerate(accounts):
        earlier = next((other for other, seen in accounts[:index] if seen == account), None)
        if earlier:  # IAM role names are global: both stages' stacks would make the same roles
            problems.append(f"stages.{name}.account_id is stages.{earlier}'s too; each stage "
                            "is an account of its own")  # fmt: skip
    return problems


def _stage_problems(name: str, stage: dict[str, Any], first: str,
                    values: dict[str, Any]) -> list[str]:  # fmt: skip
    from .fields import BY_NAME  # the [endpoint] rows' rules check a stage's endpoint too

    iam_roles, region = values["iam_roles"], values["aws_region"]
    account_id = values["aws_account_id"]
    where = f"stages.{name}"
    if problem := rules.stage_name(name):
        return [f"[{where}]: {problem}"]
    if name == RESERVED_STAGE_NAME:
        return [f"[{where}]: '{name}' is the first stage's CI environment (its deploy job's); "
                "name the stage otherwise, such as 'prod'"]  # fmt: skip
    if name == first:
        return [f"[{where}] is the first stage (stages.first), whose account is [aws]; "
                "rename one of them"]  # fmt: skip
    problems = [f"{where}.{key} is not a stage setting{did_you_mean(key, STAGE_KEYS)}"
                for key in stage if key not in STAGE_KEYS]  # fmt: skip
    problems += [f"{where}.{key} is {value!r}; it must be " + _KINDS[_type_of(key)]
                 for key, value in stage.items()
                 if isinstance(value, bool) or not isinstance(value, _type_of(key))]  # fmt: skip
    if problems:
        return problems
    stage_region = stage.get("region") or region
    checks = [
        ("account_id", stage.get("account_id", ""), rules.aws_account_id),
        ("region", stage_region, rules.aws_region),
        ("artifact_bucket", stage.get("artifact_bucket", ""), rules.bucket_name),
        *((role, stage.get(role, ""), rules.role_arn) for role in rules.ROLE_FIELDS),
        *((key, str(stage[key]), BY_NAME[key].rule) for key in ENDPOINT_KEYS if key in stage),
    ]
    problems = [f"{where}.{key} {problem}" for key, value, rule in checks
                if (problem := rule(value))]  # fmt: skip
    if problems:
        return problems
    if not stage.get("account_id"):
        return [f"{where}.account_id is missing: the 12 digits of that stage's AWS account"]
    if rules.partition_of(stage_region) != rules.partition_of(region):
        return [f"{where}.region '{stage_region}' is in another partition than aws.region "
                f"'{region}'; a model can only be promoted within one partition"]  # fmt: skip
    if stage["account_id"] == account_id:
        # IAM role names are global: the stage's stacks would create the first stage's
        # roles (<slug>-approval-role, <slug>-ci-deploy-role, ...) a second time.
        return [f"{where}.account_id is the first stage's (aws.account_id); a stage is "
                "another account: give that account's id"]  # fmt: skip
    instances = stage.get("endpoint_instance_count", values["endpoint_instance_count"])
    strategy = values["rollout_strategy"]
    if strategy in ("canary", "linear") and instances == 1:
        return [f"{where}.endpoint_instance_count is 1, and rollout.strategy '{strategy}' "
                "shifts traffic by instances: give that stage 2 or more"]  # fmt: skip
    if iam_roles == "existing":
        missing = [role for role in rules.ROLE_FIELDS if not stage.get(role)]
        if missing:
            return [f"{where}.{missing[0]} is missing: with iam.roles = \"existing\" each "
                    "stage names its own roles"]  # fmt: skip
    return []


_KINDS = {str: "a quoted string", int: "a whole number"}


def _type_of(key: str) -> type:
    return ENDPOINT_KEYS.get(key, str)


def from_table(table: Any, region: str) -> Stages:
    """The stages of a [stages] table that problems_of found no fault with."""
    if not table:
        return Stages()
    later = tuple(
        Stage(
            name=name,
            account_id=stage["account_id"],
            region=stage.get("region") or region,
            artifact_bucket=stage.get("artifact_bucket", ""),
            role_arns={role: stage.get(role, "") for role in rules.ROLE_FIELDS},
            endpoint_instance_type=stage.get("endpoint_instance_type", ""),
            endpoint_instance_count=stage.get("endpoint_instance_count", 0),
        )
        for name, stage in table.items()
        if name != FIRST_STAGE_KEY
    )
    return Stages(first=table.get(FIRST_STAGE_KEY, DEFAULT_FIRST_STAGE), later=later)
