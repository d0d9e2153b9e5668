"""Settings that are each fine alone but cannot hold together: roles against the
account and region, the gate's direction and threshold against its metric, Glue's
workers against the worker type, a rollout against the endpoint's instances and
SageMaker's time limit, retraining on drift against the capture and the check.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .rules_aws_names import ROLE_ARN_PATTERN, ROLE_FIELDS, derived_role_arn, role_arn
from .rules_aws_regions import REGION_PARTITION, partition_of
from .rules_glue_and_logs import GLUE_MAX_WORKERS
from .rules_plain_values import number
from .rules_quality_gate import DIRECTIONS, METRIC_DIRECTIONS, METRIC_RANGES
from .rules_rollout import ROLLOUT_MAX_SECONDS, ROLLOUT_STRATEGIES, rollout_seconds

# How a message names a field: the answer's name at bake time, the TOML key later.
Namer = Callable[[str], str]


def contradictions(values: Mapping[str, str], name: Namer) -> list[str]:
    """Answers that are each fine alone but cannot hold together."""
    return [
        *_role_problems(values, name),
        *_quality_gate_problems(values, name),
        *_glue_problems(values, name),
        *_rollout_instance_problems(values, name),
        *_rollout_time_problems(values, name),
        *_drift_problems(values, name),
    ]


def _role_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    problems = []
    mode = values.get("iam_roles")
    given = [field for field in ROLE_FIELDS if values.get(field)]
    region = values.get("aws_region", "")
    account = values.get("aws_account_id", "")
    slug = values.get("project_slug", "")
    for field in given if mode == "create" else ():
        # Once the account is known the ARNs of created roles are filled in; any
        # other ARN means the user meant to bring their own role.
        created = (
            derived_role_arn(slug, field, account, region)
            if account and region in REGION_PARTITION
            else None
        )
        if values[field] != created:
            problems.append(
                f"{name(field)} is set but {name('iam_roles')} is 'create'; "
                f"set {name('iam_roles')} to 'existing' or leave the ARN empty"
            )
            break
    if mode == "existing":
        for field in ROLE_FIELDS:
            if not values.get(field):
                problems.append(
                    f"{name(field)} is empty but {name('iam_roles')} is 'existing'; "
                    "give the role's ARN, or set it to 'create'"
                )
    for field in given:
        match = ROLE_ARN_PATTERN.match(values[field])
        if not match or role_arn(values[field]):
            continue  # already reported as malformed
        if region in REGION_PARTITION and match["partition"] != partition_of(region):
            problems.append(
                f"{name(field)} is in partition '{match['partition']}' but "
                f"{name('aws_region')} '{region}' is in '{partition_of(region)}'; "
                "use a role of the region's partition"
            )
        if account and match["account"] != account:
            problems.append(
                f"{name(field)} belongs to account {match['account']} but "
                f"{name('aws_account_id')} is {account}; use roles of that account"
            )
    return problems


def _quality_gate_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    problems = []
    metric, direction = values.get("quality_metric"), values.get("metric_direction")
    expected = METRIC_DIRECTIONS.get(metric or "")
    if expected and direction in DIRECTIONS and direction != expected:
        problems.append(
            f"{name('metric_direction')} is '{direction}' but {metric} is {expected}; "
            f"set it to '{expected}'"
        )
    threshold = values.get("metric_threshold")
    if expected and threshold is not None and number(str(threshold)) is None:
        low, high = METRIC_RANGES[metric]
        if not low <= float(threshold) <= high:
            problems.append(
                f"{name('metric_threshold')} {threshold} is outside the range of {metric} "
                f"({low} to {high}); choose a value in it"
            )
    return problems


def _glue_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    worker_type = values.get("glue_worker_type")
    workers = values.get("glue_number_of_workers")
    if (
        worker_type in GLUE_MAX_WORKERS
        and str(workers).isdigit()
        and int(str(workers)) > GLUE_MAX_WORKERS[worker_type]
    ):
        return [
            f"{name('glue_number_of_workers')} {workers} exceeds Glue's maximum of "
            f"{GLUE_MAX_WORKERS[worker_type]} for {worker_type}; lower it"
        ]
    return []


def _rollout_instance_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    strategy, instances = values.get("rollout_strategy"), values.get("endpoint_instance_count")
    if strategy in ("canary", "linear") and str(instances) == "1":
        # SageMaker shifts traffic by instances: a canary or a linear step is at most
        # half of the variant's instances (TrafficRoutingConfig), none of one instance.
        return [
            f"{name('rollout_strategy')} '{strategy}' shifts traffic by instances and needs "
            f"{name('endpoint_instance_count')} 2 or more; raise it or use 'all-at-once'"
        ]
    return []


def _rollout_time_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    """A rollout longer than SageMaker allows a blue/green update: AWS would stop it."""
    keys = ("rollout_step_percent", "rollout_wait_seconds", "rollout_final_bake_seconds")
    numbers = [values.get(key) for key in keys]
    if values.get("rollout_strategy") not in ROLLOUT_STRATEGIES or not all(
        str(number).isdigit() for number in numbers
    ):
        return []  # the fields' own rules report what is wrong with them
    step, wait, bake = (int(str(number)) for number in numbers)
    total = rollout_seconds(values["rollout_strategy"], step, wait, bake)
    if total <= ROLLOUT_MAX_SECONDS:
        return []
    return [
        f"{name('rollout_wait_seconds')} and {name('rollout_final_bake_seconds')} make a "
        f"rollout of up to {total} s (45 minutes of provisioning included), more than "
        f"SageMaker's {ROLLOUT_MAX_SECONDS} s for a blue/green update; shorten the waits "
        f"or use fewer steps ({name('rollout_step_percent')})"
    ]


def _drift_problems(values: Mapping[str, str], name: Namer) -> list[str]:
    """Retraining on drift needs requests to check and, on AWS, a check."""
    if str(values.get("on_drift")).lower() != "true":
        return []
    if str(values.get("capture_percent", "")) == "0":
        return [
            f"{name('on_drift')} is true but {name('capture_percent')} is 0, so nothing is "
            "captured to find drift in; capture a share of requests or turn it off"
        ]
    if values.get("drift_check_schedule") == "none":
        return [
            f'{name("on_drift")} is true but {name("drift_check_schedule")} is "none", so '
            "nothing checks the endpoint on AWS; give it a schedule such as rate(1 day)"
        ]
    return []
