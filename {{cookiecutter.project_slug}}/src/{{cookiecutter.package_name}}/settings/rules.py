"""Validation rules for the project's settings, in one place.

The template's hooks load this very file to check the answers of a bake, and the
project's settings module uses it to check ``settings.toml`` after a user edits it,
so a value is judged the same way wherever it comes from. (fields.py says which rule
checks which setting; the answers only a bake needs have their rules in the template.)

It needs nothing but the standard library and runs on Python 3.10+ (the hooks run
under whatever Python the user's cookiecutter or copier runs on).
Each rule returns ``None`` for a good value, or the rest of a one-line message
that follows the field's name: ``'us-est-1' is not an AWS region; did you mean ...``.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from typing import Optional

# Regions by ARN partition, most used first: a suggestion for a typo prefers them.
# fmt: off
PARTITION_REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "us-east-1", "us-east-2", "us-west-2", "us-west-1", "eu-west-1", "eu-central-1",
        "ap-southeast-1", "ap-northeast-1", "ap-southeast-2", "eu-west-2", "ap-south-1",
        "ca-central-1", "sa-east-1", "eu-north-1", "eu-west-3", "ap-northeast-2",
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-3", "ap-south-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
        "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-west-1", "us-gov-east-1"),
}
# fmt: on

REGION_PARTITION = {
    region: partition for partition, regions in PARTITION_REGIONS.items() for region in regions
}

# The version of SageMaker's built-in XGBoost that the training job and the endpoint
# run, and the regions above where the sagemaker SDK (2.257, its
# image_uri_config/xgboost.json) has no image of it, for training or for inference:
# `deploy` could not name the image there. tests/settings/test_rules.py keeps this list
# equal to the SDK's data; it is spelt out here because the bake's hooks cannot import
# the SDK.
XGBOOST_VERSION = "1.7-1"
REGIONS_WITHOUT_XGBOOST_IMAGE = (
    "ap-east-2", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "mx-central-1",
)  # fmt: skip

# Metrics that SageMaker's built-in XGBoost and the xgboost library both report
# for a binary classifier, with the direction in which each one improves.
METRIC_DIRECTIONS = {
    "validation:error": "lower-is-better",
    "validation:logloss": "lower-is-better",
    "validation:auc": "higher-is-better",
    "validation:aucpr": "higher-is-better",
}
# The range a threshold of each metric can take (logloss is unbounded above).
METRIC_RANGES = {
    "validation:error": (0.0, 1.0),
    "validation:logloss": (0.0, math.inf),
    "validation:auc": (0.0, 1.0),
    "validation:aucpr": (0.0, 1.0),
}
DIRECTIONS = ("lower-is-better", "higher-is-better")
# "automatic": the gate's decision approves (or rejects) a version; "manual": a
# version that passes waits as PendingManualApproval until someone approves it.
APPROVAL_MODES = ("automatic", "manual")
# SageMaker's blue/green traffic routing types (TrafficRoutingConfig.Type), as settings.
ROLLOUT_STRATEGIES = ("all-at-once", "canary", "linear")
# SageMaker's upper bound of a blue/green update, BlueGreenUpdatePolicy's
# MaximumExecutionTimeoutInSeconds (botocore's model: 600 to 28800; a test reads it).
ROLLOUT_MAX_SECONDS = 28800
# The run checks a deploying endpoint every 30 s, and allows 90 checks (45 minutes)
# for provisioning before the rollout's own waits (workflow/definition.py).
ENDPOINT_CHECK_INTERVAL_SECONDS = 30
ENDPOINT_PROVISIONING_CHECKS = 90


def rollout_seconds(strategy: str, step_percent: int, wait_seconds: int,
                    final_bake_seconds: int) -> int:  # fmt: skip
    """An upper bound of a rollout: provisioning, each traffic step's bake, the last bake."""
    steps = {"all-at-once": 1, "canary": 2}.get(strategy, -(-100 // max(step_percent, 1)))
    provisioning = ENDPOINT_PROVISIONING_CHECKS * ENDPOINT_CHECK_INTERVAL_SECONDS
    return provisioning + steps * wait_seconds + final_bake_seconds


IAM_ROLE_MODES = ("create", "existing")
ROLE_FIELDS = (
    "sagemaker_role_arn",
    "stepfunctions_role_arn",
    "glue_role_arn",
    "lambda_role_arn",
)
GLUE_VERSIONS = ("5.0", "4.0")
# Glue's documented upper bound on NumberOfWorkers per worker type.
GLUE_MAX_WORKERS = {"G.1X": 299, "G.2X": 149, "G.4X": 149, "G.8X": 149}
# The shortest interval between scheduled runs: a run must be able to finish first.
MIN_SCHEDULE_MINUTES = 60
# The retention periods CloudWatch Logs accepts (PutRetentionPolicy, RetentionInDays).
# fmt: off
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
# fmt: on

# Instance families that SageMaker offers for training and for real-time hosting and
# that can run the CPU build of the XGBoost container (GPU families run it too).
# fmt: off
TRAINING_FAMILIES = (
    "m5", "m4", "m5d", "m6i", "m7i", "c5", "c4", "c5n", "c6i", "c7i",
    "r5", "r5d", "r6i", "r7i", "g4dn", "g5", "g6", "p3",
)
HOSTING_FAMILIES = (
    "m5", "t2", "t3", "m4", "m5d", "m6i", "m7i", "c5", "c4", "c5d", "c6i", "c7i",
    "r5", "r5d", "r6i", "r7i", "g4dn", "g5", "g6", "inf1", "inf2",
)
# Families that batch transform offers (it has no burstable t2/t3), for scoring models.
TRANSFORM_FAMILIES = (
    "m5", "m4", "m6i", "m7i", "c5", "c4", "c6i", "c7i", "r5", "r6i", "g4dn", "g5", "p3",
)
# fmt: on
_INSTANCE_TYPE = re.compile(r"^ml\.([a-z][a-z0-9]*)\.(medium|large|xlarge|[1-9][0-9]*xlarge)$")

# Generated names append up to 37 characters to the slug (a run's SageMaker names
# are "<slug>-<uuid>", the bucket "<slug>-<account>-<region>"), and S3, IAM and
# SageMaker cap names at 63-64 characters: 26 keeps every derived name legal.
SLUG_MAX_LENGTH = 26
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_ROLE_ARN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>[^:]*):role(?P<path>/(?:[^/]+/)*)(?P<name>[^/]*)$"
)
_ROLE_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
# IAM allows any printable ASCII in a path; quotes and backslashes are refused here
# because the ARN is written into TOML, JSON and YAML files unescaped.
_ROLE_PATH = re.compile(r"^/([\x21\x23-\x5b\x5d-\x7e]*/)?$")
_BUCKET_CHARS = re.compile(r"^[a-z0-9.-]+$")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

Rule = Callable[[str], Optional[str]]  # noqa: UP045 ("str | None" fails on 3.9, in the hooks)


def _edit_distance(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, start=1):
        current = [row]
        for column, second_char in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (first_char != second_char),
                )
            )
        previous = current
    return previous[-1]


def _did_you_mean(value: str, candidates) -> str:
    """'; did you mean X?' for the closest candidate (earlier ones win ties), or ''."""
    ranked = sorted(
        enumerate(candidates), key=lambda item: (_edit_distance(value, item[1]), item[0])
    )
    if not ranked:
        return ""
    best = ranked[0][1]
    if _edit_distance(value, best) > max(2, len(value) // 3):
        return ""
    return f"; did you mean '{best}'?"


def _one_of(value: str, choices, what: str) -> str | None:
    if value in choices:
        return None
    listed = ", ".join(f"'{choice}'" for choice in choices)
    return f"'{value}' is not {what}; choose one of {listed}"


def free_text(max_length: int) -> Rule:
    """A one-line, human-written answer such as a name or a description."""

    def rule(value: str) -> str | None:
        if not value.strip():
            return "is empty; write a few words"
        if len(value) > max_length:
            return f"is {len(value)} characters long; shorten it to {max_length} at most"
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            return "contains a line break or control character; write it on one line"
        return None

    return rule


def column_name(optional: bool = False) -> Rule:
    """A column of the raw CSV's header, by name."""

    def rule(value: str) -> str | None:
        if not value:
            return None if optional else "is empty; give a column name of your CSV's header"
        if len(value) > 200 or any(ord(char) < 32 for char in value):
            return f"{value[:40]!r} is not a column name (one line, 200 characters at most)"
        return None

    return rule


def project_slug(value: str) -> str | None:
    if not 3 <= len(value) <= SLUG_MAX_LENGTH:
        return (
            f"'{value}' must be 3 to {SLUG_MAX_LENGTH} characters long "
            "(it prefixes bucket, role and job names); shorten it"
        )
    if not _SLUG.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        hint = f"; try '{suggestion}'" if suggestion and _SLUG.match(suggestion) else ""
        return (
            f"'{value}' must be lowercase letters, digits and single hyphens, "
            f"starting with a letter{hint}"
        )
    return None


def aws_region(value: str) -> str | None:
    if value not in REGION_PARTITION:
        return f"'{value}' is not an AWS region{_did_you_mean(value, REGION_PARTITION)}"
    if value in REGIONS_WITHOUT_XGBOOST_IMAGE:
        return (
            f"'{value}' has no SageMaker XGBoost {XGBOOST_VERSION} image; choose a region "
            f"that has one, such as '{_region_with_image_near(value)}'"
        )
    return None


def _region_with_image_near(region: str) -> str:
    """The most used region with the image whose name shares the most leading parts
    with ``region`` ('ap-east-2' -> 'ap-east-1'): a suggestion, not a latency promise."""
    candidates = [
        other
        for other in PARTITION_REGIONS[REGION_PARTITION[region]]
        if other not in REGIONS_WITHOUT_XGBOOST_IMAGE
    ]
    parts = region.split("-")
    for shared in (2, 1):
        near = [other for other in candidates if other.split("-")[:shared] == parts[:shared]]
        if near:
            return near[0]
    return candidates[0]


def partition_of(region: str) -> str:
    """The ARN partition of a region: 'aws', 'aws-cn' or 'aws-us-gov'."""
    return REGION_PARTITION[region]


def derived_bucket_name(slug: str, account_id: str, region: str) -> str:
    """A globally unique name: S3 bucket names are shared by every account."""
    return f"{slug}-{account_id}-{region}"


def derived_role_arn(slug: str, role_field: str, account_id: str, region: str) -> str:
    """The ARN of a role that the project's stack creates (iam.roles = "create")."""
    kind = role_field.removesuffix("_role_arn")
    return f"arn:{partition_of(region)}:iam::{account_id}:role/{slug}-{kind}-role"


def aws_account_id(value: str) -> str | None:
    if value == "" or _ACCOUNT_ID.match(value):
        return None
    return (
        f"'{value}' is not an AWS account id: write its 12 digits (leading zeros "
        "included), or leave it empty to look it up"
    )


def bucket_name(value: str) -> str | None:
    """S3 naming rules for general-purpose buckets."""
    if value == "":
        return None
    if not 3 <= len(value) <= 63:
        return f"'{value}' is {len(value)} characters long; a bucket name has 3 to 63"
    if not _BUCKET_CHARS.match(value):
        return f"'{value}' may only hold lowercase letters, digits, dots and hyphens"
    if not (value[0].isalnum() and value[-1].isalnum()):
        return f"'{value}' must begin and end with a letter or a digit"
    if ".." in value:
        return f"'{value}' must not contain two adjacent dots"
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        pass
    else:
        return f"'{value}' looks like an IP address, which S3 refuses as a bucket name"
    for prefix in _BUCKET_PREFIXES:
        if value.startswith(prefix):
            return f"'{value}' starts with '{prefix}', a prefix S3 reserves; rename it"
    for suffix in _BUCKET_SUFFIXES:
        if value.endswith(suffix):
            return f"'{value}' ends with '{suffix}', a suffix S3 reserves; rename it"
    return None


def role_arn(value: str) -> str | None:
    if value == "":
        return None
    match = _ROLE_ARN.match(value)
    form = "arn:aws:iam::123456789012:role/optional/path/RoleName"
    if not match:
        return f"'{value}' is not an IAM role ARN; write it as {form}"
    if match["partition"] not in PARTITION_REGIONS:
        return f"'{value}' names partition '{match['partition']}'; use aws, aws-cn or aws-us-gov"
    if not _ACCOUNT_ID.match(match["account"]):
        return f"'{value}' must hold a 12-digit account id, as in {form}"
    if not _ROLE_PATH.match(match["path"]) or len(match["path"]) > 512:
        return (
            f"'{value}' has an invalid role path; a path is '/' or '/segments/' of "
            "printable ASCII without quotes or backslashes"
        )
    if not _ROLE_NAME.match(match["name"]):
        return f"'{value}' has an invalid role name; use 1 to 64 letters, digits or +=,.@_-"
    return None


def instance_type(families) -> Rule:
    def rule(value: str) -> str | None:
        match = _INSTANCE_TYPE.match(value)
        examples = [f"ml.{family}.xlarge" for family in families]
        if not match:
            return (
                f"'{value}' is not a SageMaker instance type (such as 'ml.m5.xlarge')"
                f"{_did_you_mean(value, examples)}"
            )
        family, size = match.groups()
        if family not in families:
            listed = ", ".join(families)
            return f"'{value}' is not offered for this use; choose a family among {listed}"
        if size == "medium" and family not in ("t2", "t3"):
            return f"'{value}' does not exist; only t2 and t3 come in 'medium'"
        return None

    return rule


_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def run_name(value: str, slug: str) -> str | None:
    """A name for a run: SageMaker uses it for the training job, model and config, and
    the project's IAM policies allow those only under '<slug>-*'."""
    if not _SAGEMAKER_NAME.match(value):
        return (
            f"'{value}' is not a valid SageMaker name: 1 to 63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    if not value.startswith(f"{slug}-") or value == f"{slug}-":
        return (
            f"'{value}' must start with '{slug}-' (the project's IAM policies allow its "
            f"SageMaker jobs and models only under that prefix), e.g. '{slug}-{value}'"
        )
    return None


def choice(choices, what: str) -> Rule:
    return lambda value: _one_of(value, choices, what)


def quality_metric(value: str) -> str | None:
    if value in METRIC_DIRECTIONS:
        return None
    close = _did_you_mean(value, METRIC_DIRECTIONS)
    if close:
        return f"'{value}' is not a metric the quality gate supports{close}"
    return _one_of(value, tuple(METRIC_DIRECTIONS), "a metric the quality gate supports")


def number(value: str) -> str | None:
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return f"'{value}' is not a number; write it like 0.1"
    if not math.isfinite(parsed):
        return f"'{value}' is not a finite number; write it like 0.1"
    return None


def non_negative_number(value: str) -> str | None:
    problem = number(value)
    if problem is None and float(value) < 0:
        return f"'{value}' must be 0 or more"
    return problem


def share(value: str) -> str | None:
    """A share above 0 and at most 1, such as a distance threshold."""
    problem = number(value)
    if problem is None and not 0 < float(value) <= 1:
        return f"'{value}' must be above 0 and at most 1"
    return problem


def whole_number(low: int, high: int) -> Rule:
    def rule(value: str) -> str | None:
        text = str(value)
        if not re.match(r"^[0-9]+$", text) or not low <= int(text) <= high:
            return f"'{value}' must be a whole number from {low} to {high}"
        return None

    return rule


_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>[a-z]+)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/#L W-]+$")


def schedule_expression(value: str) -> str | None:
    """'none', or an EventBridge rate(...) or cron(...) expression."""
    if value == "none":
        return None
    rate = _RATE.match(value)
    if rate:
        amount, unit = int(rate["value"]), rate["unit"]
        singular = unit.rstrip("s")
        if singular not in ("minute", "hour", "day"):
            return f"'{value}' has unit '{unit}'; use minutes, hours or days"
        if amount < 1:
            return f"'{value}' must repeat at least every 1 {singular}"
        expected = singular if amount == 1 else singular + "s"
        if unit != expected:
            return f"'{value}' should read 'rate({amount} {expected})'"
        return _runs_more_than_hourly(value, singular, amount, "")
    cron = _CRON.match(value)
    if cron:
        fields = cron["fields"].split()
        if len(fields) != 6:
            return (
                f"'{value}' has {len(fields)} fields; EventBridge cron takes 6: "
                "minutes hours day-of-month month day-of-week year, e.g. 'cron(0 3 ? * MON *)'"
            )
        if not all(_CRON_FIELD.match(field) for field in fields):
            return f"'{value}' holds characters that cron does not allow"
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            return (
                f"'{value}' must have '?' in exactly one of day-of-month and day-of-week, "
                "e.g. 'cron(0 3 ? * MON *)'"
            )
        return _runs_more_than_hourly(value, "cron", 0, fields[0])
    return f"'{value}' is not a schedule; write 'none', 'rate(1 day)' or 'cron(0 3 ? * MON *)'"


def _runs_more_than_hourly(value: str, unit: str, amount: int, minutes_field: str) -> str | None:
    """A schedule must leave a run time to finish: at most one start an hour.

    A run takes about 15 to 40 minutes (Glue start-up, training, endpoint update);
    a start while one is running fails at the Glue job (MaxConcurrentRuns 1) or at
    the endpoint update, so a shorter schedule only produces failed runs."""
    if unit == "minute" and amount < MIN_SCHEDULE_MINUTES:
        return (
            f"'{value}' starts runs more often than once an hour, before the last one can "
            "finish; use at least 'rate(1 hour)'"
        )
    if minutes_field and not re.match(r"^[0-9]{1,2}$", minutes_field):
        return (
            f"'{value}' fires more than once an hour (minutes field '{minutes_field}'), "
            "before the last run can finish; give one minute, e.g. 'cron(0 3 ? * MON *)'"
        )
    return None


@functools.cache
def _time_zones() -> frozenset[str]:
    """The IANA names of the time zone database, or none where Python has no database."""
    try:
        import zoneinfo
    except ImportError:  # pragma: no cover - Python < 3.9
        return frozenset()
    return frozenset(zoneinfo.available_timezones())


_TIME_ZONE_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


# Files of the time zone database that available_timezones() does not list as zones.
_NOT_ZONES = frozenset({"posixrules"})


def _loads_as_a_zone(value: str) -> bool:
    """Whether the database has a zone of this name: one file read, where listing every
    name (as the hint below does) walks the whole database, most of a bake hook's time."""
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(value)
    except Exception:  # ImportError, ValueError (a path), ZoneInfoNotFoundError, ...
        return False
    return value not in _NOT_ZONES and bool(_TIME_ZONE_SHAPE.match(value))


def schedule_timezone(value: str) -> str | None:
    """An IANA time zone name, which EventBridge Scheduler takes for the schedule."""
    if _loads_as_a_zone(value):
        return None
    known = _time_zones()
    if value in known or (not known and _TIME_ZONE_SHAPE.match(value)):
        return None  # without a database (Windows without tzdata) only the shape is checked
    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"'{value}' is not an IANA time zone name such as 'UTC' or 'Europe/Paris'{hint}"


def log_retention_days(value: str) -> str | None:
    """One of the retention periods CloudWatch Logs accepts."""
    if str(value) not in {str(days) for days in LOG_RETENTION_DAYS}:
        allowed = ", ".join(str(days) for days in LOG_RETENTION_DAYS)
        return f"'{value}' is not a retention CloudWatch Logs accepts; choose one of {allowed}"
    return None


# Branch names: git's own rules (git check-ref-format) narrowed to characters that
# need no quoting in YAML, TOML, a shell or an OIDC subject claim that IAM compares.
_BRANCH = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


def git_branch_name(value: str) -> str | None:
    """A branch that CI deploys from: refs/heads/<value> must be a valid git ref."""
    if not _BRANCH.match(value):
        return (
            f"'{value}' is not a branch name this template accepts; use letters, digits "
            "and . _ / - (such as 'main' or 'release/prod')"
        )
    parts = value.split("/")
    if (
        value.startswith("-")
        or value.endswith(".")
        or ".." in value
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    ):
        return (
            f"'{value}' is not a valid git branch name (no leading '-', empty or '.'-leading "
            "parts, '..', or a '.lock' or '.' ending); write it as git would, like 'main'"
        )
    return None


def contradictions(values: Mapping[str, str], name: Callable[[str], str]) -> list[str]:
    """Answers that are each fine alone but cannot hold together."""
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
        match = _ROLE_ARN.match(values[field])
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
    worker_type = values.get("glue_worker_type")
    workers = values.get("glue_number_of_workers")
    if (
        worker_type in GLUE_MAX_WORKERS
        and str(workers).isdigit()
        and int(str(workers)) > GLUE_MAX_WORKERS[worker_type]
    ):
        problems.append(
            f"{name('glue_number_of_workers')} {workers} exceeds Glue's maximum of "
            f"{GLUE_MAX_WORKERS[worker_type]} for {worker_type}; lower it"
        )
    strategy, instances = values.get("rollout_strategy"), values.get("endpoint_instance_count")
    if strategy in ("canary", "linear") and str(instances) == "1":
        # SageMaker shifts traffic by instances: a canary or a linear step is at most
        # half of the variant's instances (TrafficRoutingConfig), none of one instance.
        problems.append(
            f"{name('rollout_strategy')} '{strategy}' shifts traffic by instances and needs "
            f"{name('endpoint_instance_count')} 2 or more; raise it or use 'all-at-once'"
        )
    problems += _rollout_time_problems(values, name)
    return problems


def _rollout_time_problems(values: Mapping[str, str], name: Callable[[str], str]) -> list[str]:
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


# SageMaker XGBoost 1.7-1's hyperparameters: name -> (kind, allowed). Copied from the
# container's algorithm_mode/hyperparameter_validation.py at tag v1.7-1
# (aws/sagemaker-xgboost-container), which refuses a training job whose hyperparameters
# it cannot parse or that fall outside these ranges, and any name it does not know.
# Kinds: "int" and "float" with an Interval (low, low_open, high, high_open), None for
# unbounded; "choice" and "choices" (a comma-separated list) with their values; "text"
# for a value the container parses as a Python literal (constraints).
# fmt: off
_HIGH = None
XGBOOST_HYPERPARAMETERS: dict[str, tuple[str, object]] = {
    "num_round": ("int", (1, False, _HIGH, False)),
    "csv_weights": ("int", (0, False, 1, False)),
    "early_stopping_rounds": ("int", (1, False, _HIGH, False)),
    "booster": ("choice", ("gbtree", "gblinear", "dart")),
    "verbosity": ("int", (0, False, 3, False)),
    "nthread": ("int", (1, False, _HIGH, False)),
    "eta": ("float", (0, False, 1, False)),
    "gamma": ("float", (0, False, _HIGH, False)),
    "max_depth": ("int", (0, False, _HIGH, False)),
    "min_child_weight": ("float", (0, False, _HIGH, False)),
    "max_delta_step": ("float", (0, False, _HIGH, False)),
    "subsample": ("float", (0, True, 1, False)),
    "colsample_bytree": ("float", (0, True, 1, False)),
    "colsample_bylevel": ("float", (0, True, 1, False)),
    "colsample_bynode": ("float", (0, True, 1, False)),
    "lambda": ("float", (0, False, _HIGH, False)),
    "alpha": ("float", (0, False, _HIGH, False)),
    "tree_method": ("choice", ("auto", "exact", "approx", "hist", "gpu_hist")),
    "sketch_eps": ("float", (0, True, 1, True)),
    "scale_pos_weight": ("float", (0, True, _HIGH, False)),
    "updater": ("choices", ("grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker",
                            "sync", "refresh", "prune", "shotgun", "coord_descent")),
    "dsplit": ("choice", ("row", "col")),
    "refresh_leaf": ("int", (0, False, 1, False)),
    "process_type": ("choice", ("default", "update")),
    "grow_policy": ("choice", ("depthwise", "lossguide")),
    "max_leaves": ("int", (0, False, _HIGH, False)),
    "max_bin": ("int", (0, False, _HIGH, False)),
    "predictor": ("choice", ("auto", "cpu_predictor", "gpu_predictor")),
    "monotone_constraints": ("text", None),
    "interaction_constraints": ("text", None),
    "sample_type": ("choice", ("uniform", "weighted")),
    "normalize_type": ("choice", ("tree", "forest")),
    "rate_drop": ("float", (0, False, 1, False)),
    "one_drop": ("int", (0, False, 1, False)),
    "skip_drop": ("float", (0, False, 1, False)),
    "lambda_bias": ("float", (0, False, 1, False)),
    "tweedie_variance_power": ("float", (1, True, 2, True)),
    "objective": ("choice", (
        "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
        "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map",
        "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror",
        "reg:squaredlogerror", "reg:tweedie", "survival:aft", "survival:cox",
        "aft_loss_distribution",
    )),
    "num_class": ("int", (2, False, _HIGH, False)),
    "base_score": ("float", (0, False, _HIGH, False)),
    "_kfold": ("int", (2, False, _HIGH, False)),
    "_num_cv_round": ("int", (1, False, _HIGH, False)),
    "_tuning_objective_metric": ("text", None),
    "eval_metric": ("metrics", None),
    "seed": ("int", (-(2**31), True, 2**31 - 1, True)),
    "num_parallel_tree": ("int", (1, False, _HIGH, False)),
    "save_model_on_termination": ("choice", ("true", "false")),
    "aft_loss_distribution": ("choice", ("normal", "logistic", "extreme")),
    "aft_loss_distribution_scale": ("float", (0, False, _HIGH, False)),
    "deterministic_histogram": ("choice", ("true", "false")),
    "sampling_method": ("choice", ("uniform", "gradient_based")),
    "prob_buffer_row": ("int", (1.0, True, _HIGH, False)),
    "use_dask_gpu_training": ("choice", ("true", "false")),
}
# The container's declare_alias calls: the alias is validated as the name it stands for.
XGBOOST_HYPERPARAMETER_ALIASES = {
    "learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha",
}
# eval_metric names the container accepts (constants/xgb_constants.py, XGB_MAXIMIZE_METRICS
# and XGB_MINIMIZE_METRICS), and those that may carry a threshold ("error@0.3").
XGBOOST_EVAL_METRICS = (
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map",
    "ndcg", "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro",
    "recall_micro",
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe",
    "mse", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
)
_METRICS_WITH_THRESHOLD = ("error", "ndcg", "map")
# fmt: on


def _interval_text(interval: tuple) -> str:
    low, low_open, high, high_open = interval
    left = "(-inf" if low is None else f"{'(' if low_open else '['}{low}"
    right = "+inf)" if high is None else f"{high}{')' if high_open else ']'}"
    return f"{left}, {right}"


def _in_interval(value: float, interval: tuple) -> bool:
    low, low_open, high, high_open = interval
    return not (
        (low is not None and (value <= low if low_open else value < low))
        or (high is not None and (value >= high if high_open else value > high))
    )


def _hyperparameter_value(kind: str, allowed, text: str) -> str | None:
    """The rest of a message if ``text`` is not a value of this kind, else None."""
    if kind in ("int", "float"):
        try:
            # The container parses with int() or float(): '5.0' is not an integer.
            value = int(text) if kind == "int" else float(text)
        except ValueError:
            example = "100" if kind == "int" else "0.2"
            what = "a whole number" if kind == "int" else "a number"
            return f"is '{text}', not {what}; write it like {example}"
        if not math.isfinite(value) or not _in_interval(value, allowed):
            return f"is {text}, outside {_interval_text(allowed)}; choose a value in it"
        return None
    if kind == "choice":
        if text in allowed:
            return None
        hint = _did_you_mean(text, allowed) or "; choose one of " + ", ".join(allowed)
        return f"is '{text}'{hint}"
    if kind == "choices":
        for item in text.split(","):
            if item not in allowed:
                hint = _did_you_mean(item, allowed) or "; choose among " + ", ".join(allowed)
                return f"lists '{item}'{hint}"
        return None
    if kind == "metrics":
        for metric in text.split(","):
            problem = _eval_metric(metric)
            if problem:
                return problem
    return None


def _eval_metric(metric: str) -> str | None:
    name, at, threshold = metric.partition("@")
    if at:
        if name.strip() not in _METRICS_WITH_THRESHOLD:
            return f"'{metric}' has a threshold, which only error, ndcg and map take"
        try:
            float(threshold)
        except ValueError:
            return f"'{metric}' needs a number after '@', like '{name.strip()}@0.5'"
        return None
    if metric in XGBOOST_EVAL_METRICS:
        return None
    hint = _did_you_mean(metric, XGBOOST_EVAL_METRICS)
    if metric.startswith(("validation:", "train:")):
        hint = f"; name the metric without its channel, like '{metric.split(':', 1)[1]}'"
    return f"'{metric}' is not a metric SageMaker XGBoost 1.7-1 reports{hint}"


# The project trains a binary classifier ([data]'s label has two classes; `data init`
# refuses more) and reads its predictions as the probability of the positive class (the
# gate's metrics, the champion/challenger comparison, `invoke`).
BINARY_OBJECTIVES = ("binary:logistic", "reg:logistic")


def _binary_classifier_problems(texts: Mapping[str, str]) -> list[str]:
    """Hyperparameters the container accepts but that contradict a binary label: the
    training job would fail (num_class with a binary objective: an XGBoostError) or
    the model would predict something the gate does not score."""
    problems = []
    objective = texts.get("objective", "")
    if objective and objective not in BINARY_OBJECTIVES:
        problems.append(
            f"training.hyperparameters.objective {objective} does not predict the "
            "probability of the [data] label's positive class, which this project trains "
            "and scores; use binary:logistic"
        )
    if "num_class" in texts and not objective.startswith("multi:"):
        problems.append(
            "training.hyperparameters.num_class is for multi:softmax and multi:softprob, and "
            "the [data] label has two classes; remove it"
        )
    return problems


def hyperparameter_problems(hyperparameters: Mapping[str, object]) -> list[str]:
    """Each problem of ``[training.hyperparameters]`` as SageMaker XGBoost 1.7-1 would find
    it when the training job starts, as one line naming the key."""
    problems = []
    texts = {}
    for key, value in hyperparameters.items():
        name = XGBOOST_HYPERPARAMETER_ALIASES.get(key, key)
        where = f"training.hyperparameters.{key}"
        if name not in XGBOOST_HYPERPARAMETERS:
            hint = _did_you_mean(key, [*XGBOOST_HYPERPARAMETERS, *XGBOOST_HYPERPARAMETER_ALIASES])
            problems.append(
                f"{where} is not a hyperparameter of SageMaker XGBoost {XGBOOST_VERSION}"
                f"{hint or '; remove it'}"
            )
            continue
        texts[name] = str(value)
        problem = _hyperparameter_value(*XGBOOST_HYPERPARAMETERS[name], texts[name])
        if problem:
            problems.append(f"{where} {problem}")
    if "num_round" not in texts:
        problems.append("training.hyperparameters.num_round is missing; XGBoost needs it")
    objective = texts.get("objective", "")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in texts:
        problems.append(
            f"training.hyperparameters.num_class is missing; objective {objective} needs it"
        )
    problems += _binary_classifier_problems(texts)
    metrics = texts.get("eval_metric", "").split(",")
    if "auc" in metrics and objective and not objective.startswith(("binary:", "rank:")):
        problems.append(
            "training.hyperparameters.eval_metric 'auc' applies to binary: and rank: "
            f"objectives only, not {objective}"
        )
    if "aft-nloglik" in metrics and objective and objective != "survival:aft":
        problems.append(
            "training.hyperparameters.eval_metric 'aft-nloglik' needs objective survival:aft"
        )
    return problems
