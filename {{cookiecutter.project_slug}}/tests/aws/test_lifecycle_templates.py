"""What bounds storage and logs, how a scheduled run is named, what rolls an endpoint
update back and what an approval in the registry starts, read from the stacks'
templates as CloudFormation reads them (moto skips Schedule, CloudWatch alarms and
model package groups, and does not apply lifecycle rules, so these are checked here,
resolved for given settings)."""

from __future__ import annotations

import json
import re

import pytest
from project.aws.cfn_template import Resolver, load_template, pseudo_parameters
from project.aws.deploy import code_writer_arns, pipeline_parameters, storage_parameters
from project.project_layout import DEFINITION_PATH, PIPELINE_TEMPLATE, STORAGE_TEMPLATE
from project.settings import load_settings, rules
from project.settings.names import (
    approval_rule_name,
    drift_alarm_name,
    endpoint_name,
    model_package_group_name,
    rollback_alarm_names,
)

from ..conftest import PROJECT_ROOT, clear_account_values, dicts_in, replace_line

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
                    "ApprovalRuleRole.Arn": "arn:approval-role",
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
    rules_kept = [rule["Id"] for rule in bucket_rules(load_settings(settings_path))]
    assert rules_kept == ["tidy-versions-and-uploads", "expire-captured-requests"]


def test_captured_requests_expire_as_the_settings_say_and_zero_keeps_them(settings_path):
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    replace_line(settings_path, "keep_captures_days =", "keep_captures_days = 7")
    by_id = {rule["Id"]: rule for rule in bucket_rules(load_settings(settings_path))}
    captures = by_id["expire-captured-requests"]
    assert (captures["Prefix"], captures["ExpirationInDays"]) == ("capture/", "7")
    replace_line(settings_path, "keep_captures_days =", "keep_captures_days = 0")
    by_id = {rule["Id"]: rule for rule in bucket_rules(load_settings(settings_path))}
    assert "expire-captured-requests" not in by_id


def test_the_bucket_policy_outlives_the_stack_like_the_bucket():
    resources = load_template(PROJECT_ROOT / STORAGE_TEMPLATE)["Resources"]
    for name in ("ArtifactBucket", "ArtifactBucketPolicy"):
        assert resources[name]["DeletionPolicy"] == "Retain", name


@pytest.mark.parametrize("triggers_on", ["false", "true"])
def test_every_log_group_of_the_stack_expires_as_the_settings_say(settings, triggers_on):
    drift_check = "rate(1 day)" if triggers_on == "true" else "none"
    parameters = {**pipeline_parameters(settings, {}, "image"), "OnNewData": triggers_on,
                  "DriftCheckSchedule": drift_check}  # fmt: skip
    template, resolver = resolved(PIPELINE_TEMPLATE, parameters)
    allowed = template["Parameters"]["LogRetentionDays"]["AllowedValues"]
    assert tuple(allowed) == rules.LOG_RETENTION_DAYS
    groups = {
        resolver.resolve(resource["Properties"]["LogGroupName"]):
            resolver.resolve(resource["Properties"]["RetentionInDays"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Logs::LogGroup"
        and ("Condition" not in resource or resolver.condition(resource["Condition"]))
    }  # fmt: skip
    slug = settings.slug
    assert set(groups) == {
        f"/aws/lambda/{slug}-evaluator",
        f"/aws/vendedlogs/states/{slug}-retraining",
        f"/aws/sagemaker/Endpoints/{slug}-endpoint",
    } | ({f"/aws/lambda/{slug}-new-data", f"/aws/lambda/{slug}-drift-check"}
         if triggers_on == "true" else set())  # fmt: skip
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


# What SageMaker sends when a version's status changes: the example of "Events that
# Amazon SageMaker sends to Amazon EventBridge" (Model package state change), with
# this project's group and an approval.
def model_package_event(group: str, status: str) -> dict:
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/{group}/2"
    return {
        "version": "0",
        "id": "844e2571-85d4-695f-b930-0153b71dcb42",
        "detail-type": "SageMaker Model Package State Change",
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "time": "2021-02-24T17:00:14Z",
        "region": "us-east-1",
        "resources": [arn],
        "detail": {
            "ModelPackageGroupName": group,
            "ModelPackageVersion": 2,
            "ModelPackageArn": arn,
            "ModelPackageStatus": "Completed",
            "ModelApprovalStatus": status,
        },
    }


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge's matching for the pattern's form used here: every field named
    must hold one of the listed values (nested objects match field by field)."""
    return all(
        matches(expected, event.get(key, {}))
        if isinstance(expected, dict)
        else event.get(key) in expected
        for key, expected in pattern.items()
    )


def transform(transformer: dict, event: dict) -> dict:
    """EventBridge's InputTransformer for dot-notation paths and string values, as its
    documented examples show: inside quotes a variable becomes the value as it is
    ("state": "<state>" gives "state": "RUNNING"), outside quotes the value as JSON."""
    text = transformer["InputTemplate"]
    for name, path in transformer["InputPathsMap"].items():
        value = event
        for key in path.removeprefix("$.").split("."):
            value = value[key]
        text = text.replace(f'"<{name}>"', json.dumps(value)).replace(
            f"<{name}>", json.dumps(value)
        )
    return json.loads(text)


def test_an_approval_in_the_registry_starts_a_deploy_of_that_version(settings):
    template, resolver = resolved(PIPELINE_TEMPLATE, pipeline_parameters(settings, {}, "image"))
    rule = resolver.resolve(template["Resources"]["ModelApprovedRule"]["Properties"])
    assert rule["Name"] == approval_rule_name(settings) and rule["State"] == "ENABLED"
    group = model_package_group_name(settings)
    pattern = rule["EventPattern"]
    assert matches(pattern, model_package_event(group, "Approved"))
    for other in (model_package_event(group, "Rejected"),
                  model_package_event(group, "PendingManualApproval"),
                  model_package_event(f"{group}-other", "Approved")):  # fmt: skip
        assert not matches(pattern, other)
    (target,) = rule["Targets"]
    assert target["Arn"] == STATE_MACHINE_ARN and target["RoleArn"] == "arn:approval-role"
    event = model_package_event(group, "Approved")
    # The definition's first Choice deploys the version named by this field.
    assert transform(target["InputTransformer"], event) == {
        "ApprovedModelPackageArn": event["detail"]["ModelPackageArn"]
    }
    registry = resolver.resolve(template["Resources"]["ModelRegistry"]["Properties"])
    assert registry["ModelPackageGroupName"] == group


def test_eventbridge_may_assume_the_approval_role_for_this_rule_only(settings):
    template, resolver = resolved(PIPELINE_TEMPLATE, pipeline_parameters(settings, {}, "image"))
    role = resolver.resolve(template["Resources"]["ApprovalRuleRole"]["Properties"])
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{approval_rule_name(settings)}"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": rule_arn},
    }
    (policy,) = role["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert (statement["Action"], statement["Resource"]) == (
        "states:StartExecution",
        STATE_MACHINE_ARN,
    )
    assert "Condition" not in template["Resources"]["ApprovalRuleRole"]  # even with existing roles


def test_the_rollback_alarms_watch_the_endpoint_as_the_settings_say(settings):
    template, resolver = resolved(PIPELINE_TEMPLATE, pipeline_parameters(settings, {}, "image"))
    alarms = {
        properties["AlarmName"]: properties
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        for properties in [resolver.resolve(resource["Properties"])]
    }
    errors, latency = rollback_alarm_names(settings)
    assert set(alarms) - {drift_alarm_name(settings)} == {errors, latency}
    for alarm in (alarms[errors], alarms[latency]):
        assert alarm["Namespace"] == "AWS/SageMaker"
        assert alarm["Dimensions"] == [
            {"Name": "EndpointName", "Value": endpoint_name(settings)},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]
        assert (alarm["Period"], alarm["EvaluationPeriods"]) == (60, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
    assert (alarms[errors]["MetricName"], alarms[errors]["Statistic"]) == (
        "Invocation5XXErrors", "Sum")  # fmt: skip
    assert alarms[errors]["Threshold"] == str(settings.alarm_5xx_errors)
    # SageMaker reports ModelLatency in microseconds; the setting is in milliseconds.
    assert (alarms[latency]["MetricName"], alarms[latency]["Statistic"]) == (
        "ModelLatency", "Average")  # fmt: skip
    assert alarms[latency]["Threshold"] == str(settings.alarm_latency_ms * 1000)


def test_the_definition_names_the_stacks_alarms_variant_and_substitutions(settings):
    """The committed definition rolls back on the stack's alarms, deploys the variant
    they watch, and uses no placeholder the stack does not substitute."""
    text = (PROJECT_ROOT / DEFINITION_PATH).read_text(encoding="utf-8")
    configs = [
        node["AutoRollbackConfiguration"]
        for node in dicts_in(json.loads(text))
        if "AutoRollbackConfiguration" in node
    ]
    assert configs, "the definition updates the endpoint without auto-rollback"
    names = {alarm["AlarmName"] for config in configs for alarm in config["Alarms"]}
    assert names == set(rollback_alarm_names(settings))
    assert '"VariantName": "AllTraffic"' in text
    keys = {"GlueScriptKey": "code/g.py", "EvaluatorCodeKey": "code/e.zip"}
    template, resolver = resolved(PIPELINE_TEMPLATE, pipeline_parameters(settings, keys, "image"))
    machine = template["Resources"]["StateMachine"]["Properties"]
    substituted = set(machine["DefinitionSubstitutions"])
    used = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))
    assert used <= substituted
    assert {name: resolver.resolve(machine["DefinitionSubstitutions"][name])
            for name in keys} == keys  # fmt: skip


def test_the_drift_alarm_watches_what_the_check_publishes_and_starts_runs_on_alarm(settings):
    """The alarm's metric is the one steps/drift_check.py publishes, in the namespace and
    for the endpoint the function's environment names; the retraining rule listens to
    that alarm's ARN going into ALARM. (moto's CloudFormation skips alarms.)"""
    from project.steps import drift_check

    parameters = {**pipeline_parameters(settings, {}, "image"), "OnDrift": "true",
                  "DriftCheckSchedule": "rate(1 day)"}  # fmt: skip
    template, resolver = resolved(PIPELINE_TEMPLATE, parameters)
    resources = template["Resources"]
    alarm = resolver.resolve(resources["DriftAlarm"]["Properties"])
    variables = resolver.resolve(
        resources["DriftCheckFunction"]["Properties"]["Environment"]["Variables"]
    )
    assert alarm["AlarmName"] == drift_alarm_name(settings)
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        variables["METRIC_NAMESPACE"],
        drift_check.METRIC_NAME,
    )
    assert alarm["Dimensions"] == [{"Name": "EndpointName", "Value": variables["ENDPOINT_NAME"]}]
    assert variables["ENDPOINT_NAME"] == endpoint_name(settings)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["TreatMissingData"] == "notBreaching"  # back to OK: each finding is one ALARM
    pattern = resolver.resolve(resources["DriftRule"]["Properties"]["EventPattern"])
    # The resolver's pseudo parameters: partition aws, region us-east-1 (resolved above).
    assert pattern["resources"] == [f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:"
                                    f"{alarm['AlarmName']}"]  # fmt: skip
    assert pattern["detail"] == {"state": {"value": ["ALARM"]}}
    for name in ("DriftRule", "DriftRuleRole"):
        assert resolver.condition(resources[name]["Condition"])
    parameters["OnDrift"] = "false"
    _, resolver = resolved(PIPELINE_TEMPLATE, parameters)
    assert not resolver.condition(resources["DriftRule"]["Condition"])
    assert resolver.condition(resources["DriftAlarm"]["Condition"])


def test_the_glue_job_takes_its_time_limit_and_auto_scaling_from_the_settings(settings_path):
    """One setting, glue.timeout_minutes, is the job's Timeout (and the run's wait, see
    test_estimate.py); glue.auto_scaling is Glue's --enable-auto-scaling job parameter."""
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", f'account_id = "{ACCOUNT}"')
    replace_line(settings_path, "timeout_minutes =", "timeout_minutes = 480")
    replace_line(settings_path, "auto_scaling =", "auto_scaling = true")
    settings = load_settings(settings_path)
    template, resolver = resolved(PIPELINE_TEMPLATE, pipeline_parameters(settings, {}, "image"))
    job = template["Resources"]["EtlJob"]["Properties"]
    assert str(resolver.resolve(job["Timeout"])) == "480"
    assert resolver.resolve(job["DefaultArguments"]) == {"--enable-auto-scaling": "true"}
    limits = template["Parameters"]["GlueTimeoutMinutes"]
    assert (limits["MinValue"], limits["MaxValue"]) == (1, 2880)
