"""`preflight`: each check against botocore's Stubber, which refuses a request or an
answer that does not fit the service's model (moto has no ListServiceQuotas or
SimulatePrincipalPolicy).

Quota names are SageMaker's ("ml.m5.large for endpoint usage"). The quota codes of
ml.m5.large are those a public ListServiceQuotas snapshot lists (L-611FA074 training,
L-236AE59F transform, L-614B09FD endpoint); another type gets a placeholder code.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from project.aws import commands
from project.aws import deploy as deploy_module
from project.aws.estimate import report as estimate_report
from project.aws.estimate import table_prices
from project.aws.preflight import (
    FAILED,
    OK,
    UNKNOWN,
    Answer,
    check_glue,
    check_image,
    created_role_kinds,
    definition_actions,
    healthy_answers,
    instance_needs,
    load,
    no_such_stack,
    preflight,
    quota,
    role_name,
    role_plans,
    simulation,
    stubbed_session,
)
from project.cli import main
from project.settings import load_settings
from project.settings.names import pipeline_stack_name, storage_stack_name

from ..conftest import clear_account_values, copy_project, replace_line

ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
KNOWN_CODES = {
    "ml.m5.large for training job usage": "L-611FA074",
    "ml.m5.large for transform job usage": "L-236AE59F",
    "ml.m5.large for endpoint usage": "L-614B09FD",
}
CREATED = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def settings_file(tmp_path):
    path = copy_project(tmp_path, "statemachine", "infrastructure")
    clear_account_values(path)
    replace_line(path, "account_id =", f'account_id = "{ACCOUNT}"')
    replace_line(path, "region =", f'region = "{REGION}"')
    return path


def use_existing_roles(path):
    replace_line(path, "roles =", 'roles = "existing"')
    for kind in ("sagemaker", "stepfunctions", "glue", "lambda"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/platform/{kind}-runner"
        replace_line(path, f"{kind}_role_arn =", f'{kind}_role_arn = "{arn}"')


def code_of(name: str) -> str:
    return KNOWN_CODES.get(name, "L-0000TEST")


def replaced(answers, service, method, *new, index=0):
    """``answers`` with its index-th answer to service.method replaced by ``new``."""
    positions = [i for i, a in enumerate(answers) if (a.service, a.method) == (service, method)]
    at = positions[index]
    return [*answers[:at], *new, *answers[at + 1 :]]


def before_stacks(answers, *new):
    """``new`` queued for CloudFormation before the stacks' DescribeStacks."""
    at = next(i for i, a in enumerate(answers) if a.method == "describe_stacks")
    return [*answers[:at], *new, *answers[at:]]


def run(settings, answers):
    aws, stubbers = stubbed_session(settings)
    load(stubbers, answers)
    checks = preflight(settings, aws)
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
    return checks


def lines_about(checks, words):
    return [check.line() for check in checks if words in check.text]


def quotas_answer(settings, values):
    """ListServiceQuotas naming each needed quota with ``values[usage]`` (default: enough),
    among other SageMaker quotas."""
    listed = [quota("Number of instances across all training jobs", 4, "L-00C91CB5")]
    for need in instance_needs(settings):
        name = need.quota_name
        listed.append(quota(name, values.get(need.usage, need.count), code_of(name)))
    return Answer(
        "service-quotas",
        "list_service_quotas",
        {"Quotas": listed},
        params={"ServiceCode": "sagemaker"},
    )


def role(name, tags=(), trust=None):
    """A Role as GetRole returns it (its trust policy URL-encoded, as IAM sends it)."""
    document = trust or {"Version": "2012-10-17", "Statement": []}
    found = {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROAEXAMPLEID1234567",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": quote(json.dumps(document)),
    }
    if tags:
        found["Tags"] = [{"Key": key, "Value": value} for key, value in tags]
    return {"Role": found}


def stack(name, status):
    return {
        "Stacks": [
            {
                "StackName": name,
                "StackStatus": status,
                "CreationTime": CREATED,
                "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/1",
            }
        ]
    }


# --- the instance table ------------------------------------------------------------------


def test_quota_names_are_sagemakers_and_the_endpoint_counts_both_fleets(settings_file):
    settings = load_settings(settings_file)
    needs = {need.usage: need for need in instance_needs(settings)}
    assert needs["training job"].quota_name == (
        f"{settings.training_instance_type} for training job usage"
    )
    assert needs["training job"].count == settings.training_instance_count
    assert needs["endpoint"].quota_name == f"{settings.endpoint_instance_type} for endpoint usage"
    assert needs["endpoint"].count == 2 * settings.endpoint_instance_count
    if settings.compare_with_live:
        assert needs["transform job"].quota_name == (
            f"{settings.scoring_instance_type} for transform job usage"
        )
        assert needs["transform job"].count == 1
    replace_line(settings_file, "compare_with_live =", "compare_with_live = false")
    without = load_settings(settings_file)
    assert "transform job" not in {need.usage for need in instance_needs(without)}


def test_the_estimate_prices_the_instances_preflight_checks(settings_file):
    settings = load_settings(settings_file)
    estimate = "\n".join(estimate_report(settings, table_prices(settings)))
    for need in instance_needs(settings):
        assert need.instance_type in estimate


# --- every check passing -----------------------------------------------------------------


def test_a_healthy_account_passes_every_check(settings_file):
    settings = load_settings(settings_file)
    checks = run(settings, healthy_answers(settings))
    assert [check.status for check in checks] == [OK] * len(checks)
    assert all(check.line().startswith("ok  ") for check in checks)
    text = "\n".join(check.line() for check in checks)
    assert f"account {ACCOUNT}" in text and "does not exist yet" in text
    assert "not deployed yet" in text and "no AWS API says which Glue versions" in text
    assert len(lines_about(checks, "quota '")) == len(instance_needs(settings))


def test_the_cli_exits_0_when_every_check_passes(settings_file, monkeypatch, capsys):
    settings = load_settings(settings_file)
    aws, stubbers = stubbed_session(settings)
    load(stubbers, healthy_answers(settings))
    monkeypatch.setattr(commands, "AwsSession", lambda _settings: aws)
    assert main(["--settings", str(settings_file), "preflight"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(line.startswith("ok  ") for line in out[:-1])
    assert out[-1].startswith("all ") and out[-1].endswith(" checks passed")


@pytest.mark.parametrize("roles", ["create", "existing"])
def test_the_local_rehearsal_runs_every_check_on_stubs(settings_file, roles, capsys):
    if roles == "existing":
        use_existing_roles(settings_file)
    assert main(["--settings", str(settings_file), "preflight", "--local"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rehearsal: botocore's Stubber answers as a healthy account")
    checked = out.splitlines()[1:-1]
    assert checked and all(line.startswith("ok  ") for line in checked)
    assert sum("may call the" in line for line in checked) == (4 if roles == "existing" else 0)


def test_the_rehearsal_needs_no_account_id(settings_file, capsys):
    clear_account_values(settings_file)
    assert main(["--settings", str(settings_file), "preflight", "--local"]) == 0


# --- quotas ------------------------------------------------------------------------------


def test_a_quota_of_0_for_the_endpoint_instance_fails_naming_the_quota(
    settings_file, monkeypatch, capsys
):
    settings = load_settings(settings_file)
    # Two pages, as ListServiceQuotas pages its answer; the endpoint's quota on the second.
    needed = quotas_answer(settings, {"endpoint": 0.0}).response["Quotas"]
    first, second = needed[:-1], needed[-1:]
    answers = replaced(
        healthy_answers(settings),
        "service-quotas",
        "list_service_quotas",
        Answer(
            "service-quotas",
            "list_service_quotas",
            {"Quotas": first, "NextToken": "page-2"},
            params={"ServiceCode": "sagemaker"},
        ),
        Answer(
            "service-quotas",
            "list_service_quotas",
            {"Quotas": second},
            params={"ServiceCode": "sagemaker", "NextToken": "page-2"},
        ),
    )
    aws, stubbers = stubbed_session(settings)
    load(stubbers, answers)
    monkeypatch.setattr(commands, "AwsSession", lambda _settings: aws)
    assert main(["--settings", str(settings_file), "preflight"]) == 2
    out = capsys.readouterr().out
    name = f"{settings.endpoint_instance_type} for endpoint usage"
    (line,) = [line for line in out.splitlines() if line.startswith("!!")]
    assert line == (
        f"!!  quota '{name}' is 0 in {REGION}; a blue/green endpoint update "
        f"(2 x {settings.endpoint_instance_count}: both fleets run) needs "
        f"{2 * settings.endpoint_instance_count} : request an increase in the Service Quotas "
        f"console (quota code {code_of(name)})"
    )
    assert "1 of " in out.splitlines()[-1]


def test_a_quota_aws_does_not_list_is_unknown_not_ok(settings_file):
    settings = load_settings(settings_file)
    listed = quotas_answer(settings, {})
    listed.response["Quotas"] = [
        q for q in listed.response["Quotas"] if "for training job usage" not in q["QuotaName"]
    ]
    checks = run(
        settings,
        replaced(healthy_answers(settings), "service-quotas", "list_service_quotas", listed),
    )
    (check,) = lines_about(checks, "for training job usage")
    assert check.startswith("!!") and "is not listed" in check
    assert "look it up in the Service Quotas console" in check
    assert [c.status for c in checks].count(UNKNOWN) == 1


def test_access_denied_on_one_check_is_its_own_line_and_the_others_run(settings_file):
    settings = load_settings(settings_file)
    denied = Answer(
        "service-quotas",
        "list_service_quotas",
        error=(
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ci is not authorized "
            "to perform: servicequotas:ListServiceQuotas",
            400,
        ),
    )
    checks = run(
        settings,
        replaced(healthy_answers(settings), "service-quotas", "list_service_quotas", denied),
    )
    (line,) = [check.line() for check in checks if not check.passed]
    assert line.startswith(
        "!!  SageMaker quotas: not checked : access denied on servicequotas:ListServiceQuotas"
    )
    assert sum(check.passed for check in checks) == len(checks) - 1


def test_without_credentials_each_aws_check_says_so_and_the_offline_ones_pass(settings_file):
    from project.aws.session import AwsSession

    settings = load_settings(settings_file)
    checks = preflight(settings, AwsSession(settings))  # conftest hides every credential
    unknown = [check for check in checks if check.status == UNKNOWN]
    # credentials, quotas, role names, bucket, stacks; the image, Glue and created roles pass
    assert len(unknown) == 5
    assert all("no usable AWS credentials" in check.fix for check in unknown)
    assert {check.status for check in checks} == {OK, UNKNOWN}


# --- the image and Glue ------------------------------------------------------------------


def test_the_xgboost_image_comes_from_the_sdks_table(settings_file):
    check = check_image(load_settings(settings_file))
    assert check.status == OK and f".dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:" in (
        check.text
    )


def test_a_region_the_sdks_image_table_lacks_fails(settings_file):
    from project.settings import rules
    from sagemaker import image_uris

    def listed(region):
        try:
            image_uris.retrieve("xgboost", region=region, version="1.7-1")
        except ValueError:
            return False
        return True

    missing = [region for region in rules.REGION_PARTITION if not listed(region)]
    if not missing:
        pytest.skip("the installed SageMaker SDK lists the image in every region")
    # `settings check` refuses such a region too (the same table): set it past the rules.
    check = check_image(dataclasses.replace(load_settings(settings_file), region=missing[0]))
    assert check.status == FAILED and "lists none in" in check.text
    assert check.line().startswith("!!") and "aws.region" in check.fix


def test_glue_in_the_region_is_said_and_its_versions_are_not_claimed(settings_file, monkeypatch):
    import botocore.session

    settings = load_settings(settings_file)
    assert check_glue(settings).status == OK
    monkeypatch.setattr(botocore.session.Session, "get_available_regions", lambda *a, **k: [])
    check = check_glue(settings)
    assert check.status == UNKNOWN and "does not list glue" in check.text
    assert "no AWS API says which Glue versions a region offers" in check.text


# --- roles -------------------------------------------------------------------------------


def test_the_step_functions_role_is_checked_for_every_task_of_the_definition(settings_file):
    use_existing_roles(settings_file)
    settings = load_settings(settings_file)
    plan = next(plan for plan in role_plans(settings) if plan.kind == "stepfunctions")
    checked = {requirement.action for requirement in plan.requirements}
    called = definition_actions(settings)
    assert {
        "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:StopTrainingJob",
        "sagemaker:DescribeEndpoint",
        "lambda:InvokeFunction",
        "glue:StartJobRun",
        "glue:GetJobRun",
        "glue:GetJobRuns",
        "glue:BatchStopJobRun",
    } <= called
    assert called <= checked
    assert plan.role_arn == f"arn:aws:iam::{ACCOUNT}:role/platform/stepfunctions-runner"
    # The policy's conditions are met in the simulation (PassRole to SageMaker only).
    assert ("iam:PassedToService", "sagemaker.amazonaws.com", "string") in plan.context


def test_a_step_functions_role_lacking_an_action_fails_naming_it(settings_file):
    use_existing_roles(settings_file)
    settings = load_settings(settings_file)
    answers = healthy_answers(settings)
    plans = role_plans(settings)
    index = [plan.kind for plan in plans].index("stepfunctions")
    refused = simulation(plans[index], denied=["sagemaker:CreateModelPackage"])
    answers = replaced(
        answers,
        "iam",
        "simulate_principal_policy",
        Answer("iam", "simulate_principal_policy", refused, params=plans[index].request()),
        index=index,
    )
    checks = run(settings, answers)
    failed = [check for check in checks if check.status == FAILED]
    (line,) = [check.line() for check in failed]
    assert line == (
        f"!!  role arn:aws:iam::{ACCOUNT}:role/platform/stepfunctions-runner (stepfunctions) "
        "may not call sagemaker:CreateModelPackage : add them (see "
        f"'{settings.slug} iam-policies --role stepfunctions')"
    )
    assert len(lines_about(checks, "may call the")) == 3


def test_an_action_allowed_on_another_resource_only_is_not_enough(settings_file):
    """Each action is judged on its own statement's resources."""
    use_existing_roles(settings_file)
    settings = load_settings(settings_file)
    plans = role_plans(settings)
    index = [plan.kind for plan in plans].index("glue")
    answer = simulation(plans[index])
    for result in answer["EvaluationResults"]:
        if result["EvalActionName"] == "s3:PutObject":  # allowed under code/ only, say
            result["EvalDecision"] = "implicitDeny"
            for specific in result["ResourceSpecificResults"]:
                if "/code/" not in specific["EvalResourceName"]:
                    specific["EvalResourceDecision"] = "implicitDeny"
    checks = run(
        settings,
        replaced(
            healthy_answers(settings),
            "iam",
            "simulate_principal_policy",
            Answer("iam", "simulate_principal_policy", answer, params=plans[index].request()),
            index=index,
        ),
    )
    (line,) = [check.line() for check in checks if not check.passed]
    assert "(glue) may not call s3:PutObject :" in line


def test_a_role_that_does_not_exist_fails_and_the_other_roles_are_still_checked(settings_file):
    use_existing_roles(settings_file)
    settings = load_settings(settings_file)
    plans = role_plans(settings)
    missing = Answer(
        "iam",
        "simulate_principal_policy",
        params=plans[0].request(),
        error=("NoSuchEntity", f"The role with name {plans[0].kind}-runner cannot be found.", 404),
    )
    checks = run(
        settings, replaced(healthy_answers(settings), "iam", "simulate_principal_policy", missing)
    )
    (line,) = [check.line() for check in checks if not check.passed]
    assert f"({plans[0].kind}) does not exist in this account : fix iam." in line
    assert len(lines_about(checks, "may call the")) == 3


def test_an_error_page_is_said_on_one_line(settings_file):
    settings = load_settings(settings_file)
    page = "<!doctype html>\n<title>500 Internal Server Error</title>\n" + "x" * 500
    broken = Answer("service-quotas", "list_service_quotas", error=("500", page, 500))
    # (A stubbed error is not retried: one answer is the whole exchange.)
    checks = run(
        settings,
        replaced(healthy_answers(settings), "service-quotas", "list_service_quotas", broken),
    )
    (check,) = [check for check in checks if not check.passed]
    assert "\n" not in check.line() and check.line().endswith("...")


def test_created_roles_are_not_simulated(settings_file):
    settings = load_settings(settings_file)
    assert settings.iam_roles == "create"
    checks = run(settings, healthy_answers(settings))  # holds no SimulatePrincipalPolicy
    assert lines_about(checks, "IAM roles:") == [
        'ok  IAM roles: the pipeline stack creates them (iam.roles = "create")'
    ]


def test_a_role_of_the_project_in_another_region_fails_saying_so(settings_file):
    settings = load_settings(settings_file)
    name = role_name(settings, "sagemaker")
    stack_id = (
        f"arn:aws:cloudformation:{OTHER_REGION}:{ACCOUNT}:stack/"
        f"{pipeline_stack_name(settings)}/0b1c2d3e"
    )
    tagged = Answer(
        "iam",
        "get_role",
        role(name, [("aws:cloudformation:stack-id", stack_id)]),
        params={"RoleName": name},
    )
    checks = run(settings, replaced(healthy_answers(settings), "iam", "get_role", tagged))
    (line,) = [check.line() for check in checks if not check.passed]
    assert line == (
        f"!!  the project is deployed in region {OTHER_REGION} of this account (found: {name}) "
        ": IAM role names are account-wide, so deploy each project to one region per "
        "account or give the second region's copy another project slug (project.slug)"
    )


def test_an_untagged_role_of_another_region_is_found_by_its_trust_policy(settings_file):
    """CloudFormation does not tag IAM roles with aws:cloudformation:*: the approval role's
    trust policy names its rule, in the region of the stack that made it."""
    settings = load_settings(settings_file)
    name = role_name(settings, "approval")
    rule = f"arn:aws:events:{OTHER_REGION}:{ACCOUNT}:rule/{settings.slug}-model-approved"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnEquals": {"aws:SourceArn": rule}},
            }
        ],
    }
    answers = replaced(
        healthy_answers(settings),
        "iam",
        "get_role",
        Answer("iam", "get_role", role(name, trust=trust), params={"RoleName": name}),
        index=len(created_role_kinds(settings)) - 1,
    )
    answers = before_stacks(
        answers,
        Answer(
            "cloudformation",
            "list_stack_resources",
            params={"StackName": pipeline_stack_name(settings)},
            error=no_such_stack(pipeline_stack_name(settings)),
        ),
    )
    checks = run(settings, answers)
    (line,) = [check.line() for check in checks if not check.passed]
    assert line.startswith(f"!!  the project is deployed in region {OTHER_REGION} of this account")


def test_roles_this_regions_pipeline_stack_made_pass(settings_file):
    settings = load_settings(settings_file)
    kinds = created_role_kinds(settings)
    answers = [a for a in healthy_answers(settings) if a.method != "get_role"]
    at = next(i for i, a in enumerate(answers) if a.service == "s3")
    gets = [
        Answer(
            "iam",
            "get_role",
            role(role_name(settings, kind)),
            params={"RoleName": role_name(settings, kind)},
        )
        for kind in kinds
    ]
    answers = [*answers[:at], *gets, *answers[at:]]
    summaries = [
        {
            "LogicalResourceId": f"Role{i}",
            "PhysicalResourceId": role_name(settings, kind),
            "ResourceType": "AWS::IAM::Role",
            "LastUpdatedTimestamp": CREATED,
            "ResourceStatus": "CREATE_COMPLETE",
        }
        for i, kind in enumerate(kinds)
    ]
    answers = before_stacks(
        answers,
        Answer(
            "cloudformation",
            "list_stack_resources",
            {"StackResourceSummaries": summaries},
            params={"StackName": pipeline_stack_name(settings)},
        ),
    )
    checks = run(settings, answers)
    assert all(check.passed for check in checks), [c.line() for c in checks if not c.passed]


# --- bucket and stacks -------------------------------------------------------------------


def test_a_bucket_of_another_account_fails(settings_file):
    settings = load_settings(settings_file)
    forbidden = Answer(
        "s3",
        "head_bucket",
        error=("403", "Forbidden", 403),
        params={"Bucket": settings.artifact_bucket, "ExpectedBucketOwner": ACCOUNT},
    )
    checks = run(settings, replaced(healthy_answers(settings), "s3", "head_bucket", forbidden))
    (line,) = [check.line() for check in checks if not check.passed]
    assert line == (
        f"!!  bucket {settings.artifact_bucket} is owned by another account or not readable : "
        "choose another aws.artifact_bucket in settings.toml"
    )


def test_a_bucket_of_the_account_passes(settings_file):
    settings = load_settings(settings_file)
    found = Answer(
        "s3",
        "head_bucket",
        {},
        params={"Bucket": settings.artifact_bucket, "ExpectedBucketOwner": ACCOUNT},
    )
    checks = run(settings, replaced(healthy_answers(settings), "s3", "head_bucket", found))
    assert lines_about(checks, "bucket") == [
        f"ok  bucket {settings.artifact_bucket} exists and belongs to account {ACCOUNT}"
    ]


def test_a_rollback_complete_stack_fails_saying_to_delete_it(settings_file):
    settings = load_settings(settings_file)
    name = pipeline_stack_name(settings)
    answers = replaced(
        healthy_answers(settings),
        "cloudformation",
        "describe_stacks",
        Answer(
            "cloudformation",
            "describe_stacks",
            stack(name, "ROLLBACK_COMPLETE"),
            params={"StackName": name},
        ),
        index=1,
    )
    checks = run(settings, answers)
    (line,) = [check.line() for check in checks if not check.passed]
    assert line.startswith(f"!!  stack {name} is in ROLLBACK_COMPLETE")
    assert "delete it (it cannot be updated) and deploy again" in line


@pytest.mark.parametrize(
    ("status", "passed", "said"),
    [
        ("UPDATE_ROLLBACK_FAILED", False, "resolve it in the CloudFormation console"),
        ("DELETE_FAILED", False, "resolve it in the CloudFormation console"),
        ("UPDATE_IN_PROGRESS", False, "is busy (UPDATE_IN_PROGRESS) : wait until it finishes"),
        ("UPDATE_ROLLBACK_COMPLETE", True, "UPDATE_ROLLBACK_COMPLETE"),
        ("CREATE_COMPLETE", True, "CREATE_COMPLETE"),
    ],
)
def test_stack_states_that_deploy_cannot_update_from_fail(settings_file, status, passed, said):
    settings = load_settings(settings_file)
    name = storage_stack_name(settings)
    answers = replaced(
        healthy_answers(settings),
        "cloudformation",
        "describe_stacks",
        Answer(
            "cloudformation", "describe_stacks", stack(name, status), params={"StackName": name}
        ),
    )
    (line,) = lines_about(run(settings, answers), f"stack {name}")
    assert line.startswith("ok  " if passed else "!!  ") and said in line


# --- deploy runs it first ----------------------------------------------------------------


@pytest.fixture
def deploys(monkeypatch):
    """deploy's own work, replaced by a record of its calls."""
    calls = []
    monkeypatch.setattr(deploy_module, "deploy", lambda settings, aws: calls.append(settings))
    return calls


def session_for(monkeypatch, settings, answers):
    aws, stubbers = stubbed_session(settings)
    load(stubbers, answers)
    monkeypatch.setattr(commands, "AwsSession", lambda _settings: aws)
    return stubbers


def test_deploy_refuses_when_a_check_fails(settings_file, monkeypatch, deploys, capsys):
    settings = load_settings(settings_file)
    name = storage_stack_name(settings)
    answers = replaced(
        healthy_answers(settings),
        "cloudformation",
        "describe_stacks",
        Answer(
            "cloudformation",
            "describe_stacks",
            stack(name, "ROLLBACK_COMPLETE"),
            params={"StackName": name},
        ),
    )
    stubbers = session_for(monkeypatch, settings, answers)
    assert main(["--settings", str(settings_file), "deploy"]) == 2
    assert deploys == []
    captured = capsys.readouterr()
    assert f"!!  stack {name} is in ROLLBACK_COMPLETE" in captured.out
    assert captured.err.count("\n") == 1 and "--skip-preflight" in captured.err
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()  # GetCallerIdentity was asked once


def test_deploy_goes_on_when_every_check_passes_or_could_not_be_made(
    settings_file, monkeypatch, deploys, capsys
):
    settings = load_settings(settings_file)
    denied = Answer(
        "service-quotas",
        "list_service_quotas",
        error=(
            "AccessDeniedException",
            "not authorized to perform: servicequotas:ListServiceQuotas",
            400,
        ),
    )
    answers = replaced(healthy_answers(settings), "service-quotas", "list_service_quotas", denied)
    session_for(monkeypatch, settings, answers)
    assert main(["--settings", str(settings_file), "deploy"]) == 0
    assert len(deploys) == 1
    out = capsys.readouterr().out
    assert "!!  SageMaker quotas: not checked" in out and "1 could not be checked" in out


def test_skip_preflight_deploys_without_asking(settings_file, monkeypatch, deploys):
    settings = load_settings(settings_file)
    stubbers = session_for(monkeypatch, settings, [])  # any request would be unanswered
    assert main(["--settings", str(settings_file), "deploy", "--skip-preflight"]) == 0
    assert len(deploys) == 1
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
