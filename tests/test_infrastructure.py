"""The CloudFormation stack of every baked project, checked offline.

cfn-lint validates it against CloudFormation's resource specification; the IAM
checks below hold the roles to least privilege: no wildcard action anywhere, and
a wildcard resource only for actions AWS offers no resource-level permission for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode
from project_env import run
from template_facts import CONFIGURATIONS

# Actions without resource-level permissions, which IAM accepts only on "*".
ACTIONS_WITHOUT_RESOURCES = {
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def stack_of(project: Path) -> Path:
    return project / "infrastructure" / "stack.yaml"


def statements(template: dict):
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield name, statement


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_cfn_lint_accepts_the_stack(baked, name):
    run(Path(sys.executable).parent / "cfn-lint", stack_of(baked(name)))


def test_no_iam_statement_has_a_wildcard_action(baked):
    template, matches = decode(str(stack_of(baked("defaults"))))
    assert not matches
    for role, statement in statements(template):
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{role}: {action}"


def test_wildcard_resources_only_where_iam_offers_nothing_narrower(baked):
    template, _ = decode(str(stack_of(baked("defaults"))))
    for role, statement in statements(template):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= ACTIONS_WITHOUT_RESOURCES, role


def test_the_states_role_may_pass_only_the_sagemaker_role_to_sagemaker(baked):
    template, _ = decode(str(stack_of(baked("defaults"))))
    passes = [s for _, s in statements(template) if "iam:PassRole" in as_list(s["Action"])]
    assert len(passes) == 1
    assert passes[0]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
