"""What bounds storage and logs, and how a scheduled run is named, read from the
stacks' templates as CloudFormation reads them (moto skips Schedule and does not
apply lifecycle rules, so these are checked here, resolved for given settings)."""

from __future__ import annotations

import json

import pytest
from project.aws.cfn_template import Resolver, load_template, pseudo_parameters
from project.aws.deploy import code_writer_arns, pipeline_parameters, storage_parameters
from project.project_layout import PIPELINE_TEMPLATE, STORAGE_TEMPLATE
from project.settings import load_settings, rules

from ..conftest import PROJECT_ROOT, clear_account_values, replace_line

ACCOUNT = "123456789012"
STATE_MACHINE_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:demo-retraining"
# What GetCallerIdentity returns for a person signed in through IAM Identity Center
# ("{partition}" is the settings' partition, filled in by each test).
DEPLOYER = "arn:{partition}:sts::" + ACCOUNT + ":assumed-role/AWSReservedSSO_Admin_0a1b/jane@x.org"


@pytest.fixture
def settings(settings_path):
    clear_account_values(settings_path)  # derived from another account in some bakes
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    return load_settings(settings_path)


def resolved(path, parameters):
    template = load_template(PROJECT_ROOT / path)
    defaults = {name: str(spec["Default"]) for name, spec in template["Parameters"].items()
                if "Default" in spec}  # fmt: skip
    resolver = Resolver(
        template,
        {**defaults, **parameters, **pseudo_parameters("aws", "us-east-1", ACCOUNT)},
        references={"StateMachine": STATE_MACHINE_ARN, "SchedulerRole.Arn": "arn:role",
                    "ArtifactBucket": "bucket", "ArtifactBucket.Arn": "arn:aws:s3:::bucket"},
    )  # fmt: skip
    return template, resolver


def bucket_rules(settings):
    deployer = DEPLOYER.format(partition=settings.partition)
    template, resolver = resolved(STORAGE_TEMPLATE, storage_parameters(settings, deployer))
    bucket = template["Resources"]["ArtifactBucket"]["Properties"]
    return resolver.resolve(bucket["LifecycleConfiguration"])["Rules"]


def test_the_bucket_bounds_versions_uploads_and_run_data(settings):
    by_id = {rule["Id"]: rule for rule in bucket_rules(settings)}
    tidy = by_id["tidy-versions-and-uploads"]
    assert tidy["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] > 0
    assert tidy["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    assert tidy["ExpiredObjectDeleteMarker"] is True and "Prefix" not in tidy
    runs = by_id["expire-run-data"]
    assert (runs["Prefix"], runs["ExpirationInDays"]) == ("runs/", str(settings.keep_runs_days))


def test_keep_runs_days_zero_keeps_run_data(settings_path):
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    replace_line(settings_path, "keep_runs_days =", "keep_runs_days = 0")
    assert [rule["Id"] for rule in bucket_rules(load_settings(settings_path))] == [
        "tidy-versions-and-uploads"
    ]


def test_the_bucket_policy_outlives_the_stack_like_the_bucket():
    resources = load_template(PROJECT_ROOT / STORAGE_TEMPLATE)["Resources"]
    for name in ("ArtifactBucket", "ArtifactBucketPolicy"):
        assert resources[name]["DeletionPolicy"] == "Retain", name


def test_every_log_group_of_the_stack_expires_as_the_settings_say(settings):
    parameters = pipeline_parameters(settings, {}, "image")
    template, resolver = resolved(PIPELINE_TEMPLATE, parameters)
    allowed = template["Parameters"]["LogRetentionDays"]["AllowedValues"]
    assert tuple(allowed) == rules.LOG_RETENTION_DAYS
    groups = {
        resolver.resolve(resource["Properties"]["LogGroupName"]):
            resolver.resolve(resource["Properties"]["RetentionInDays"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Logs::LogGroup"
    }  # fmt: skip
    slug = settings.slug
    assert set(groups) == {
        f"/aws/lambda/{slug}-evaluator",
        f"/aws/vendedlogs/states/{slug}-retraining",
        f"/aws/sagemaker/Endpoints/{slug}-endpoint",
    }
    assert set(groups.values()) == {str(settings.log_retention_days)}


def test_a_scheduled_run_is_named_like_any_run(settings):
    parameters = {**pipeline_parameters(settings, {}, "image"), "ScheduleTimezone": "Europe/Paris"}
    template, resolver = resolved(PIPELINE_TEMPLATE, parameters)
    schedule = resolver.resolve(template["Resources"]["RetrainingSchedule"]["Properties"])
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:sfn:startExecution"
    # What Scheduler sends, with an invocation id of the form AWS documents.
    request = json.loads(
        schedule["Target"]["Input"].replace("<aws.scheduler.execution-id>", "d32c5kddcf5bb8c3")
    )
    assert request["StateMachineArn"] == STATE_MACHINE_ARN
    assert json.loads(request["Input"]) == {"RunName": request["Name"]}
    assert request["Name"] == f"{settings.slug}-d32c5kddcf5bb8c3"
    assert rules.run_name(request["Name"], settings.slug) is None


@pytest.mark.parametrize(
    ("deployer", "as_principal"),
    [
        (DEPLOYER, ["arn:{partition}:iam::" + ACCOUNT + ":role/AWSReservedSSO_Admin_0a1b",
                    "arn:{partition}:iam::" + ACCOUNT + ":role/*/AWSReservedSSO_Admin_0a1b"]),
        ("arn:{partition}:iam::" + ACCOUNT + ":user/alice",
         ["arn:{partition}:iam::" + ACCOUNT + ":user/alice"]),
    ],
)  # fmt: skip
def test_only_the_ci_role_and_the_deployer_may_write_under_code(settings, deployer, as_principal):
    """The Glue job and the evaluator run what is under code/: a bucket policy denies
    writing there to every principal but these (aws:PrincipalArn is a role's ARN, path
    included, for an assumed role's session)."""
    deployer = deployer.format(partition=settings.partition)
    as_principal = [arn.format(partition=settings.partition) for arn in as_principal]
    ci_role = f"arn:{settings.partition}:iam::{ACCOUNT}:role/{settings.slug}-ci-deploy-role"
    assert code_writer_arns(settings, deployer) == [ci_role, *as_principal]
    template, resolver = resolved(STORAGE_TEMPLATE, storage_parameters(settings, deployer))
    policy = resolver.resolve(template["Resources"]["ArtifactBucketPolicy"]["Properties"])
    (statement,) = [s for s in policy["PolicyDocument"]["Statement"]
                    if s["Sid"] == "OnlyTheDeployerWritesCode"]  # fmt: skip
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert {"s3:PutObject", "s3:DeleteObject"} <= set(statement["Action"])
    assert statement["Resource"].endswith(":s3:::bucket/code/*")
    writers = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert (writers.split(",") if isinstance(writers, str) else writers) == [ci_role, *as_principal]
