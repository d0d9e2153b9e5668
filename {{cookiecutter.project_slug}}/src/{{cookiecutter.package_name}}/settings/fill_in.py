"""Fill in the settings a user left empty: account, artifact bucket, role ARNs.

The same code runs right after a bake (from the template's post-generation hook)
and later from ``settings fill``. It only ever writes values that are empty, and
reports every value it wrote. Standard library only; Python 3.10+.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import rules
from . import toml_file as settings_file


def plan_fill_in(values: Mapping[str, object], account_id: str | None) -> dict[str, str]:
    """The empty fields that can be derived now, with their derived values.

    ``values`` holds the current settings by field; ``account_id`` the looked-up
    account (None when unknown). A value already set is never replaced.
    """
    slug, region = str(values["project_slug"]), str(values["aws_region"])
    account = str(values.get("aws_account_id") or account_id or "")
    if not account:
        return {}
    updates = {}
    if not values.get("aws_account_id"):
        updates["aws_account_id"] = account
    if not values.get("artifact_bucket"):
        updates["artifact_bucket"] = rules.derived_bucket_name(slug, account, region)
    if values.get("iam_roles") == "create":
        for field in rules.ROLE_FIELDS:
            if not values.get(field):
                updates[field] = rules.derived_role_arn(slug, field, account, region)
    return updates


def fill_in_file(
    path: Path, values: Mapping[str, object], account_id: str | None
) -> dict[str, str]:
    """Write the planned fill-ins into the settings file at path; return them.

    Only the values of the keys filled in change; comments and everything else stay.
    """
    updates = plan_fill_in(values, account_id)
    if updates:
        text = path.read_text(encoding="utf-8")
        path.write_text(settings_file.set_string_values(text, updates), encoding="utf-8")
    return updates
