"""Names the project gives or is given on AWS: its slug (the prefix of every resource
name), the account id, the S3 bucket, IAM role ARNs and a run's SageMaker names.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import ipaddress
import re

from .rules_aws_regions import PARTITION_REGIONS, partition_of

IAM_ROLE_MODES = ("create", "existing")
ROLE_FIELDS = (
    "sagemaker_role_arn",
    "stepfunctions_role_arn",
    "glue_role_arn",
    "lambda_role_arn",
)

# Generated names append up to 37 characters to the slug (a run's SageMaker names
# are "<slug>-<uuid>", the bucket "<slug>-<account>-<region>"), and S3, IAM and
# SageMaker cap names at 63-64 characters: 26 keeps every derived name legal.
SLUG_MAX_LENGTH = 26
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# An IAM role's ARN, in parts: rules_contradictions.py compares its partition and
# account with the region's and the account's.
ROLE_ARN_PATTERN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>[^:]*):role(?P<path>/(?:[^/]+/)*)(?P<name>[^/]*)$"
)
_ROLE_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
# IAM allows any printable ASCII in a path; quotes and backslashes are refused here
# because the ARN is written into TOML, JSON and YAML files unescaped.
_ROLE_PATH = re.compile(r"^/([\x21\x23-\x5b\x5d-\x7e]*/)?$")
_BUCKET_CHARS = re.compile(r"^[a-z0-9.-]+$")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


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
    match = ROLE_ARN_PATTERN.match(value)
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
