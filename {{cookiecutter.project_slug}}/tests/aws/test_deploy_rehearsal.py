"""Deploy rehearsal: the real CLI commands against moto in server mode on 127.0.0.1.

`deploy`, `upload-data`, `run`, `status`, `history` and `destroy` run unchanged; only
AWS_ENDPOINT_URL points boto3 at the emulator. What moto does NOT cover, so what
this rehearsal cannot show:
- its CloudFormation skips AWS::Glue::Job, AWS::S3::BucketPolicy,
  AWS::Scheduler::Schedule, AWS::SageMaker::ModelPackageGroup and
  AWS::CloudWatch::Alarm (cfn-lint and checkov check those statically, and
  test_lifecycle_templates.py what the alarms watch); it creates AWS::Events::Rule
  with its targets, but its EventBridge delivers to no Step Functions target and
  does not implement TestEventPattern: the approval rule's pattern and input are
  rehearsed through a queue given the same InputTransformer;
- its SageMaker has no DeleteModelPackage: destroy's deletion of the registry's
  versions is rehearsed with that one call answered as the API reference documents
  (test_destroy_rehearsal.py);
- it ignores DefinitionS3Location: the state machine is created without the
  uploaded definition, so the test checks the uploaded object instead;
- it skips AWS::IAM::OIDCProvider, and its change sets leave the stack's Outputs
  empty (`ci-role` then names the role from the template's fixed name);
- it does not execute the state machine here (local mode and the routing tests
  do), evaluate IAM policies, or take the minutes AWS takes.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import urllib.request

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from project.aws import session
from project.cli import main
from project.settings import load_settings
from project.settings.names import (
    approval_rule_name,
    drift_alarm_name,
    drift_check_name,
    model_package_group_name,
    new_data_rule_name,
    new_data_schedule_name,
)

from ..conftest import PROJECT_ROOT, clear_account_values, copy_project, replace_line

# moto warns about each resource type it skips (listed above).
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
ONE_ATTEMPT = Config(retries={"mode": "standard", "max_attempts": 1})


@pytest.fixture(scope="module")
def emulator():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The project set to moto's account and region, rendered once for the module."""
    folder = tmp_path_factory.mktemp("rehearsal-project")
    settings_path = copy_project(folder, "README.md", "statemachine", "infrastructure")
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    replace_line(settings_path, "region =", f'region = "{REGION}"')
    assert main(["--settings", str(settings_path), "render"]) == 0  # for the new region
    return folder


@pytest.fixture
def project(rendered, tmp_path, emulator, monkeypatch, capsys):
    """A copy of the rendered project that a test may edit, with clients on moto."""
    shutil.copytree(rendered, tmp_path, dirs_exist_ok=True)
    settings_path = tmp_path / "settings.toml"
    capsys.readouterr()  # the render's output belongs to no test
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "rehearsal")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "rehearsal")
    # moto answers 500 for the APIs it lacks (Service Quotas, which preflight asks);
    # retrying an emulator only waits (about 20 s over this file), so ask once.
    monkeypatch.setattr(session, "CLIENT_CONFIG", session.CLIENT_CONFIG.merge(ONE_ATTEMPT))
    yield settings_path
    # Every test starts from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{emulator}/moto-api/reset", method="POST"))


def clients(emulator):
    """Clients that look at the emulator the way a user would look at AWS."""
    return {
        service: boto3.client(service, region_name=REGION)
        for service in ("cloudformation", "s3", "stepfunctions", "iam", "lambda")
    }


SERVICES = {
    "sagemaker": "sagemaker.amazonaws.com",
    "stepfunctions": "states.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
}


def trust_policy(service):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def cli(settings_path, *arguments):
    return main(["--settings", str(settings_path), *arguments])


def test_deploy_creates_both_stacks_and_uploads_the_code(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    out = capsys.readouterr().out
    assert "[1/3] storage" in out and "[3/3] pipeline" in out
    settings = load_settings(project)
    aws = clients(emulator)
    for stack in (f"{settings.slug}-storage", f"{settings.slug}-pipeline"):
        status = aws["cloudformation"].describe_stacks(StackName=stack)["Stacks"][0]
        assert status["StackStatus"] == "CREATE_COMPLETE"
    keys = [
        item["Key"]
        for item in aws["s3"].list_objects_v2(Bucket=settings.artifact_bucket)["Contents"]
    ]
    assert sorted(re.sub(r"-[0-9a-f]{16}", "-<hash>", key) for key in keys) == [
        "code/definition-<hash>.asl.json",
        "code/glue_etl_job-<hash>.py",
        "code/lambda_evaluator-<hash>.zip",
    ]
    definition_key = next(key for key in keys if key.startswith("code/definition"))
    uploaded = aws["s3"].get_object(Bucket=settings.artifact_bucket, Key=definition_key)
    committed = (project.parent / "statemachine" / "definition.asl.json").read_bytes()
    assert uploaded["Body"].read() == committed
    function = aws["lambda"].get_function(FunctionName=f"{settings.slug}-evaluator")
    assert function["Configuration"]["Handler"] == "lambda_evaluator.handler"
    machines = aws["stepfunctions"].list_state_machines()["stateMachines"]
    assert [machine["name"] for machine in machines] == [f"{settings.slug}-retraining"]
    roles = {role["RoleName"] for role in aws["iam"].list_roles()["Roles"]}
    assert {f"{settings.slug}-{kind}-role" for kind in ("sagemaker", "glue", "lambda")} <= roles
    events = boto3.client("events", region_name=REGION)
    rule = events.describe_rule(Name=approval_rule_name(settings))
    assert json.loads(rule["EventPattern"])["detail"] == {
        "ModelPackageGroupName": [model_package_group_name(settings)],
        "ModelApprovalStatus": ["Approved"],
    }
    (target,) = events.list_targets_by_rule(Rule=approval_rule_name(settings))["Targets"]
    assert target["Arn"] == machines[0]["stateMachineArn"]
    assert target["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{settings.slug}-approval-role"


def test_new_data_under_the_raw_prefix_reaches_the_trigger_function(project, emulator):
    """retraining.on_new_data: the bucket sends its events to EventBridge, a rule matches
    objects created under data/raw/ and targets the trigger function, which may be
    invoked by that rule alone. (moto's EventBridge does not deliver to Lambda targets:
    the function itself is tested in steps/test_new_data_trigger.py.)"""
    from project.aws.cfn_template import load_template

    replace_line(project, "on_new_data =", "on_new_data = true")
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    aws = clients(emulator)
    # moto's CloudFormation does not apply a bucket's NotificationConfiguration, so
    # the template is read: S3 sends the bucket's events to EventBridge.
    storage = load_template(project.parent / "infrastructure" / "storage.yaml")
    bucket = storage["Resources"]["ArtifactBucket"]["Properties"]
    assert bucket["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    events = boto3.client("events", region_name=REGION)
    rule = events.describe_rule(Name=new_data_rule_name(settings))
    assert json.loads(rule["EventPattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [settings.artifact_bucket]},
                   "object": {"key": [{"prefix": "data/raw/"}]}},
    }  # fmt: skip
    (target,) = events.list_targets_by_rule(Rule=new_data_rule_name(settings))["Targets"]
    function = aws["lambda"].get_function(FunctionName=f"{settings.slug}-new-data")
    assert target["Arn"] == function["Configuration"]["FunctionArn"]
    assert function["Configuration"]["Handler"] == "new_data_trigger.handler"
    variables = function["Configuration"]["Environment"]["Variables"]
    assert variables["SCHEDULE_NAME"] == new_data_schedule_name(settings)
    # Lambda keeps environment values as strings; moto keeps the parameter's number.
    assert str(variables["QUIET_MINUTES"]) == str(settings.new_data_quiet_minutes)
    assert variables["SCHEDULER_ROLE_ARN"].endswith(f":role/{settings.slug}-scheduler-role")
    (statement,) = json.loads(
        aws["lambda"].get_policy(FunctionName=f"{settings.slug}-new-data")["Policy"]
    )["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]


def alarm_state_change(alarm_arn: str, state: str) -> dict:
    """As CloudWatch sends an alarm's state change to EventBridge (its documented
    event: source, detail-type, the alarm's ARN in resources, detail.state.value)."""
    return {
        "Source": "aws.cloudwatch",
        "DetailType": "CloudWatch Alarm State Change",
        "Resources": [alarm_arn],
        "Detail": json.dumps({"alarmName": alarm_arn.rsplit(":", 1)[1],
                              "state": {"value": state, "reason": "rehearsal"},
                              "previousState": {"value": "OK"}}),
    }  # fmt: skip


def test_drift_runs_a_scheduled_check_whose_alarm_starts_a_run(project, emulator):
    """The drift check's rule, function and permission, its alarm, and the rule that
    starts a run on that alarm, as deployed. moto delivers neither to Lambda nor to a
    state machine, and does not evaluate alarms: the alarm-to-run rule's target is
    swapped for a queue to show which events reach it and with what input; the
    function is tested in steps/test_drift_check.py."""
    replace_line(project, "on_drift =", "on_drift = true")
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    aws = clients(emulator)
    events = boto3.client("events", region_name=REGION)
    schedule = events.describe_rule(Name=drift_check_name(settings))
    assert schedule["ScheduleExpression"] == settings.drift_check_schedule
    (target,) = events.list_targets_by_rule(Rule=drift_check_name(settings))["Targets"]
    function = aws["lambda"].get_function(FunctionName=drift_check_name(settings))["Configuration"]
    assert target["Arn"] == function["FunctionArn"]
    assert function["Handler"] == "drift_check.handler"
    variables = function["Environment"]["Variables"]
    assert variables["ENDPOINT_NAME"] == f"{settings.slug}-endpoint"
    assert variables["METRIC_NAMESPACE"] == settings.slug
    assert float(variables["MAX_DISTANCE"]) == settings.drift_threshold
    (statement,) = json.loads(
        aws["lambda"].get_policy(FunctionName=drift_check_name(settings))["Policy"]
    )["Statement"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == schedule["Arn"]

    # moto's CloudFormation skips the alarm: test_lifecycle_templates.py checks that it
    # watches the metric the function publishes. Its ARN, as CloudWatch forms it:
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{drift_alarm_name(settings)}"
    (target,) = events.list_targets_by_rule(Rule=drift_alarm_name(settings))["Targets"]
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{settings.slug}-retraining"
    assert target["Arn"] == machine
    assert target["RoleArn"].endswith(f":role/{settings.slug}-drift-retraining-role")
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="drift-rehearsal")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.remove_targets(Rule=drift_alarm_name(settings), Ids=[target["Id"]])
    events.put_targets(Rule=drift_alarm_name(settings), Targets=[{
        "Id": "rehearsal", "Arn": queue_arn["Attributes"]["QueueArn"], "Input": target["Input"],
    }])  # fmt: skip
    unplug_scheduled_rules(events)
    events.put_events(Entries=[
        alarm_state_change(alarm, "OK"),
        alarm_state_change(alarm.replace("-drift", "-endpoint-5xx-errors"), "ALARM"),
        alarm_state_change(alarm, "ALARM"),
    ])  # fmt: skip
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    # Only the drift alarm going into ALARM reaches the target. (moto hands a queue the
    # whole event, not the target's constant Input, which EventBridge sends instead: an
    # empty input, so that the run names itself, as a scheduled run does.)
    assert [json.loads(message["Body"])["resources"] for message in received] == [[alarm]]
    assert json.loads(target["Input"]) == {}


def test_a_second_deploy_without_changes_is_a_no_op_that_says_so(project, capsys):
    assert cli(project, "deploy") == 0
    capsys.readouterr()
    assert cli(project, "deploy") == 0
    out = capsys.readouterr().out
    assert "nothing to deploy" in out
    assert "(unchanged)" in out and "creating" not in out and "updating" not in out


def test_a_changed_setting_updates_the_pipeline_stack(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    replace_line(project, "number_of_workers =", "number_of_workers = 5")
    capsys.readouterr()
    assert cli(project, "deploy") == 0
    out = capsys.readouterr().out
    assert "updating" in out and "deployed" in out
    stack = clients(emulator)["cloudformation"].describe_stacks(
        StackName=f"{load_settings(project).slug}-pipeline"
    )["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["GlueNumberOfWorkers"] == "5"


def test_run_starts_an_execution_named_like_the_run(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    assert cli(project, "upload-data", "--sample", "--rows", "50") == 0
    settings = load_settings(project)
    run_name = f"{settings.slug}-rehearsal-1"
    assert cli(project, "run", "--run-name", run_name) == 0
    assert "started arn:aws:states" in capsys.readouterr().out
    executions = clients(emulator)["stepfunctions"].list_executions(
        stateMachineArn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{settings.slug}-retraining"
    )["executions"]
    assert [execution["name"] for execution in executions] == [run_name]
    described = clients(emulator)["stepfunctions"].describe_execution(
        executionArn=executions[0]["executionArn"]
    )
    assert json.loads(described["input"]) == {"RunName": run_name}
    assert cli(project, "status") == 0
    assert f"{run_name}: RUNNING" in capsys.readouterr().out


def test_run_before_deploy_says_what_to_do(project, capsys):
    assert cli(project, "run") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "run 'deploy'" not in error and "deploy' first" in error


def test_run_without_raw_data_says_how_to_upload_it(project, capsys):
    assert cli(project, "deploy") == 0
    capsys.readouterr()
    assert cli(project, "run") == 2
    assert "upload-data" in capsys.readouterr().err


def test_upload_data_never_overwrites(project, tmp_path, capsys):
    assert cli(project, "deploy") == 0
    data = tmp_path / "customers.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli(project, "upload-data", str(data)) == 0
    capsys.readouterr()
    assert cli(project, "upload-data", str(data)) == 2
    assert "never overwritten" in capsys.readouterr().err


def test_credentials_of_another_account_are_refused_before_any_change(project, capsys):
    replace_line(project, "account_id =", 'account_id = "210987654321"')
    assert cli(project, "deploy") == 2
    error = capsys.readouterr().err
    assert f"credentials are for account {ACCOUNT}" in error and error.count("\n") == 1


def test_destroy_keeps_a_bucket_with_data_unless_forced(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    assert cli(project, "destroy", "--yes") == 0
    out = capsys.readouterr().out
    assert f"kept s3://{settings.artifact_bucket}" in out
    aws = clients(emulator)
    stacks = aws["cloudformation"].list_stacks(StackStatusFilter=["CREATE_COMPLETE"])
    # The storage stack stays while its bucket does (see test_destroy_rehearsal.py).
    assert [stack["StackName"] for stack in stacks["StackSummaries"]] == [
        f"{settings.slug}-storage"
    ]
    assert aws["s3"].list_objects_v2(Bucket=settings.artifact_bucket)["KeyCount"] == 3
    assert cli(project, "destroy", "--yes", "--force") == 0
    buckets = [bucket["Name"] for bucket in aws["s3"].list_buckets()["Buckets"]]
    assert settings.artifact_bucket not in buckets


def test_destroy_without_a_terminal_or_yes_removes_nothing(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    capsys.readouterr()
    assert cli(project, "destroy") == 2
    assert "--yes" in capsys.readouterr().err
    stacks = clients(emulator)["cloudformation"].describe_stacks()["Stacks"]
    assert len(stacks) == 2


def test_existing_roles_are_used_and_none_is_created(project, emulator, capsys):
    aws = clients(emulator)
    replace_line(project, "roles =", 'roles = "existing"')
    for kind, service in SERVICES.items():
        role = aws["iam"].create_role(  # as the platform team did, beforehand
            Path="/platform/",
            RoleName=f"{kind}-runner",
            AssumeRolePolicyDocument=json.dumps(trust_policy(service)),
        )
        replace_line(project, f"{kind}_role_arn =", f'{kind}_role_arn = "{role["Role"]["Arn"]}"')
    assert cli(project, "deploy") == 0
    created = {role["RoleName"] for role in aws["iam"].list_roles()["Roles"]} - {
        f"{kind}-runner" for kind in SERVICES
    }
    # EventBridge Scheduler, EventBridge for the approval rule and the drift check's
    # function need a role they may assume; the stack makes those alone.
    settings = load_settings(project)
    scheduler = {f"{settings.slug}-scheduler-role"} if settings.schedule_expression else set()
    drift = {f"{settings.slug}-drift-check-role"} if settings.drift_check_schedule else set()
    assert created == {f"{settings.slug}-approval-role", *scheduler, *drift}
    slug = load_settings(project).slug
    machine = aws["stepfunctions"].describe_state_machine(
        stateMachineArn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{slug}-retraining"
    )
    assert machine["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/platform/stepfunctions-runner"


@pytest.mark.skipif(
    not (PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml").is_file(),
    reason="this project was baked without CI",
)
@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_ci_role_trusts_only_this_repository(project, emulator, capsys, provider):
    iam = clients(emulator)["iam"]
    existing = None
    if provider == "gitlab":  # an account that already has the host's provider reuses it
        existing = iam.create_open_id_connect_provider(
            Url="https://gitlab.com", ClientIDList=["https://gitlab.com"], ThumbprintList=["0" * 40]
        )["OpenIDConnectProviderArn"]
    assert cli(project, "ci-role", "--repository", "acme/churn", "--provider", provider,
               "--environment-checked") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "AWS_DEPLOY_ROLE_ARN" in out
    assert (f"using {existing}" if existing else "creating it") in out
    settings = load_settings(project)
    branch = settings.deploy_branch
    role = iam.get_role(RoleName=f"{settings.slug}-ci-deploy-role")["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    if existing:
        assert statement["Principal"]["Federated"] == existing
    subject = {key: value for key, value in statement["Condition"]["StringEquals"].items()
               if key.endswith(":sub")}  # fmt: skip
    expected = {
        "github": {
            "token.actions.githubusercontent.com:sub": "repo:acme/churn:environment:production"
        },
        "gitlab": {"gitlab.com:sub": f"project_path:acme/churn:ref_type:branch:ref:{branch}"},
    }
    assert subject == expected[provider]


@pytest.mark.skipif(
    not (PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml").is_file(),
    reason="this project was baked without CI",
)
def test_after_ci_role_deploy_goes_through_the_execution_role_with_the_boundary(
    project, emulator, capsys
):
    """moto records RoleARN and PermissionsBoundary but enforces neither: that the
    execution role's policy suffices, and that IAM refuses a role without the boundary,
    only AWS shows (test_iam_policies.py checks both policies offline)."""
    assert cli(project, "ci-role", "--repository", "acme/churn", "--provider", "github",
               "--environment-checked") == 0  # fmt: skip
    capsys.readouterr()
    assert cli(project, "deploy") == 0
    slug = load_settings(project).slug
    assert f"as arn:aws:iam::{ACCOUNT}:role/{slug}-cfn-exec-role" in capsys.readouterr().out
    iam = clients(emulator)["iam"]
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/{slug}-permissions-boundary"
    role = iam.get_role(RoleName=f"{slug}-sagemaker-role")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


@pytest.mark.skipif(
    not (PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml").is_file(),
    reason="this project was baked without CI",
)
def test_stacks_bound_to_the_execution_role_are_not_deployed_without_it(project, emulator, capsys):
    """CloudFormation keeps using a stack's service role once it has one; deploying
    'as you' would then try to drop the boundary, which the role refuses."""
    assert cli(project, "ci-role", "--repository", "acme/churn", "--provider", "github",
               "--environment-checked") == 0  # fmt: skip
    assert cli(project, "deploy") == 0
    slug = load_settings(project).slug
    cloudformation = clients(emulator)["cloudformation"]
    cloudformation.delete_stack(StackName=f"{slug}-ci-role")
    capsys.readouterr()
    assert cli(project, "deploy") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"restore it with '{slug} ci-role'" in error


def test_iam_policies_prints_what_the_stack_created(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    capsys.readouterr()
    assert cli(project, "iam-policies") == 0
    printed = json.loads(capsys.readouterr().out)
    iam = clients(emulator)["iam"]
    assert {"sagemaker", "stepfunctions", "glue", "lambda"} <= set(printed)
    for documents in printed.values():
        name = documents["RoleArn"].rsplit("/", 1)[1]
        created = iam.get_role(RoleName=name)["Role"]
        assert created["AssumeRolePolicyDocument"] == documents["AssumeRolePolicyDocument"]
        for policy in documents["Policies"]:
            stored = iam.get_role_policy(RoleName=name, PolicyName=policy["PolicyName"])
            # moto's CloudFormation stores an inline policy as Python's repr of it.
            document = stored["PolicyDocument"]
            if isinstance(document, str):
                document = ast.literal_eval(document)
            assert document == policy["PolicyDocument"], name


def model_package_event(settings, status, group=None):
    """A "SageMaker Model Package State Change" event as SageMaker sends it (the
    example in "Events that Amazon SageMaker sends to Amazon EventBridge")."""
    group = group or model_package_group_name(settings)
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/2"
    return {
        "Source": "aws.sagemaker",
        "DetailType": "SageMaker Model Package State Change",
        "Resources": [arn],
        "Detail": json.dumps({
            "ModelPackageGroupName": group, "ModelPackageVersion": 2,
            "ModelPackageArn": arn, "ModelPackageStatus": "Completed",
            "ModelApprovalStatus": status,
        }),
    }  # fmt: skip


def unplug_scheduled_rules(events) -> None:
    """moto matches a scheduled rule (which has no event pattern) against every event
    put on the bus, and then fails on its Lambda target; EventBridge never sends events
    to a scheduled rule. Their targets are removed for a test that puts events."""
    for rule in events.list_rules()["Rules"]:
        if rule.get("ScheduleExpression"):
            targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            events.remove_targets(Rule=rule["Name"], Ids=[target["Id"] for target in targets])


def test_an_approval_in_the_registry_reaches_the_state_machine_as_its_input(
    project, emulator, capsys
):
    """moto's EventBridge matches the deployed rule's pattern and applies the target's
    InputTransformer, but cannot deliver to a state machine (it raises for the target):
    a queue given the same transformer replaces the target, to show what StartExecution
    would get. (Only AWS services may put events with an aws.* source; moto lets a test
    do so.)"""
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    name = approval_rule_name(settings)
    (target,) = events.list_targets_by_rule(Rule=name)["Targets"]
    queue = sqs.create_queue(QueueName="approval-rehearsal")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.remove_targets(Rule=name, Ids=[target["Id"]])
    events.put_targets(Rule=name, Targets=[{
        "Id": "rehearsal", "Arn": queue_arn["Attributes"]["QueueArn"],
        "InputTransformer": target["InputTransformer"],
    }])  # fmt: skip
    approved = model_package_event(settings, "Approved")
    unplug_scheduled_rules(events)
    events.put_events(Entries=[
        model_package_event(settings, "Rejected"),
        model_package_event(settings, "PendingManualApproval"),
        model_package_event(settings, "Approved", group=f"{settings.slug}-other"),
        approved,
    ])  # fmt: skip
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"]) for message in received] == [
        {"ApprovedModelPackageArn": json.loads(approved["Detail"])["ModelPackageArn"]}
    ]
