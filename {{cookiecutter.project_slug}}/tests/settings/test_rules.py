"""The validation rules shared by the template's hooks and settings.toml."""

from __future__ import annotations

import pytest
from project.settings import fields, rules


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (rules.aws_region, "us-east-1"),
        (rules.aws_region, "cn-northwest-1"),
        (rules.aws_region, "us-gov-west-1"),
        (rules.aws_account_id, "012345678901"),
        (rules.aws_account_id, ""),
        (rules.bucket_name, "my.bucket-1"),
        (rules.bucket_name, "abc"),
        (rules.role_arn, "arn:aws:iam::123456789012:role/service-role/My_Role+=,.@-"),
        (rules.role_arn, "arn:aws-cn:iam::123456789012:role/r"),
        (rules.schedule_expression, "none"),
        (rules.schedule_expression, "rate(1 day)"),
        (rules.schedule_expression, "rate(12 hours)"),
        (rules.schedule_expression, "cron(0 3 ? * MON *)"),
        (rules.schedule_expression, "cron(15 10 1 * ? *)"),
        (rules.schedule_expression, "rate(60 minutes)"),
        (rules.schedule_expression, "rate(1 hour)"),
        (rules.schedule_expression, "cron(5 * * * ? *)"),  # hourly, at :05
        (rules.schedule_timezone, "UTC"),
        (rules.schedule_timezone, "Europe/Paris"),
        (rules.schedule_timezone, "America/Argentina/Buenos_Aires"),
        (rules.log_retention_days, "90"),
        (rules.log_retention_days, "3653"),
        (rules.number, "0.1"),
        (rules.number, "1e-3"),
        (rules.instance_type(rules.TRAINING_FAMILIES), "ml.m5.xlarge"),
        (rules.instance_type(rules.HOSTING_FAMILIES), "ml.t3.medium"),
        (rules.project_slug, "churn-model-2"),
        (rules.train_on, "all"),
        (rules.train_on, "latest"),
        (rules.train_on, "30 days"),
        (rules.train_on, "1 day"),
    ],
)
def test_good_values_pass(rule, value):
    assert rule(value) is None


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (rules.aws_region, "us-est-1", "did you mean 'us-east-1'?"),
        (rules.aws_account_id, "12345", "12 digits"),
        (rules.bucket_name, "ab", "3 to 63"),
        (rules.bucket_name, "My_Bucket", "lowercase"),
        (rules.bucket_name, "-bucket", "begin and end"),
        (rules.bucket_name, "a..b", "adjacent dots"),
        (rules.bucket_name, "192.168.5.4", "IP address"),
        (rules.bucket_name, "xn--bucket", "prefix"),
        (rules.bucket_name, "sthree-bucket", "prefix"),
        (rules.bucket_name, "amzn-s3-demo-bucket", "prefix"),
        (rules.bucket_name, "bucket-s3alias", "suffix"),
        (rules.bucket_name, "bucket--ol-s3", "suffix"),
        (rules.bucket_name, "bucket.mrap", "suffix"),
        (rules.bucket_name, "bucket--x-s3", "suffix"),
        (rules.bucket_name, "bucket--table-s3", "suffix"),
        (rules.role_arn, "arn:aws:iam::123:role/r", "12-digit"),
        (rules.role_arn, "arn:aws:iam::123456789012:user/r", "not an IAM role ARN"),
        (rules.role_arn, "arn:aws-iso:iam::123456789012:role/r", "partition"),
        (rules.role_arn, "arn:aws:iam::123456789012:role/bad name", "role name"),
        (rules.schedule_expression, "rate(1 days)", "rate(1 day)"),
        (rules.schedule_expression, "rate(5 weeks)", "minutes, hours or days"),
        (rules.schedule_expression, "cron(0 3 * * *)", "takes 6"),
        (rules.schedule_expression, "cron(0 3 * * MON *)", "exactly one"),
        (rules.schedule_expression, "daily", "not a schedule"),
        (rules.schedule_expression, "rate(1 minute)", "at least 'rate(1 hour)'"),
        (rules.schedule_expression, "rate(59 minutes)", "more often than once an hour"),
        (rules.schedule_expression, "cron(0/15 * * * ? *)", "more than once an hour"),
        (rules.schedule_expression, "cron(0,30 3 ? * MON *)", "more than once an hour"),
        (rules.schedule_expression, "cron(* 3 ? * MON *)", "give one minute"),
        (rules.schedule_timezone, "Europe/Pariss", "did you mean 'Europe/Paris'?"),
        (rules.schedule_timezone, "CEST", "not an IANA time zone"),
        (rules.schedule_timezone, "../zoneinfo/UTC", "not an IANA time zone"),
        (rules.log_retention_days, "45", "choose one of 1, 3, 5"),
        (rules.number, "abc", "not a number"),
        (rules.number, "nan", "finite"),
        (rules.instance_type(rules.TRAINING_FAMILIES), "ml.m5.xlarg", "did you mean"),
        (rules.instance_type(rules.TRAINING_FAMILIES), "ml.t3.medium", "not offered"),
        (rules.instance_type(rules.HOSTING_FAMILIES), "ml.m5.medium", "only t2 and t3"),
        (rules.project_slug, "My Project", "try 'my-project'"),
        (rules.train_on, "newest", 'write "all" (every upload), "latest"'),
        (rules.train_on, "30", '"30 days"'),
        (rules.train_on, "0 days", "outside 1 to 3650 days"),
        (rules.train_on, "2 weeks", "not a choice of training data"),
    ],
)
def test_bad_values_are_refused_with_the_fix(rule, value, expected):
    problem = rule(value)
    assert problem is not None
    assert expected in problem
    assert "\n" not in problem


def test_validate_names_each_field_as_the_user_knows_it():
    problems = fields.validate({"aws_region": "mars-1"}, {"aws_region": "aws.region"})
    assert problems == ["aws.region 'mars-1' is not an AWS region"]


def test_contradicting_answers_are_refused():
    arn = "arn:aws-cn:iam::111111111111:role/r"
    problems = fields.validate(
        {
            "iam_roles": "existing",
            "sagemaker_role_arn": arn,
            "aws_region": "us-east-1",
            "aws_account_id": "222222222222",
            "quality_metric": "validation:auc",
            "metric_direction": "lower-is-better",
            "metric_threshold": "1.5",
            "glue_worker_type": "G.2X",
            "glue_number_of_workers": "200",
        }
    )
    text = "\n".join(problems)
    assert "stepfunctions_role_arn is empty but iam_roles is 'existing'" in text
    assert "partition 'aws-cn'" in text
    assert "belongs to account 111111111111" in text
    assert "set it to 'higher-is-better'" in text
    assert "outside the range" in text
    assert "maximum of 149" in text


def test_every_region_maps_to_its_partition():
    assert rules.partition_of("us-east-1") == "aws"
    assert rules.partition_of("cn-north-1") == "aws-cn"
    assert rules.partition_of("us-gov-east-1") == "aws-us-gov"


def test_created_roles_may_only_carry_the_arns_the_stack_creates():
    values = {
        "project_slug": "churn",
        "aws_region": "us-east-1",
        "aws_account_id": "123456789012",
        "iam_roles": "create",
    }
    created = rules.derived_role_arn("churn", "glue_role_arn", "123456789012", "us-east-1")
    assert fields.validate(dict(values, glue_role_arn=created)) == []
    other = "arn:aws:iam::123456789012:role/platform-glue"
    assert fields.validate(dict(values, glue_role_arn=other)) == [
        "glue_role_arn is set but iam_roles is 'create'; "
        "set iam_roles to 'existing' or leave the ARN empty"
    ]


def _sdk_xgboost_regions(scope: str) -> set[str]:
    """The regions of the installed sagemaker SDK's XGBoost image data (read, not imported:
    importing the SDK takes seconds)."""
    import importlib.util
    import json
    from pathlib import Path

    (package_dir,) = importlib.util.find_spec("sagemaker").submodule_search_locations
    data = json.loads(Path(package_dir, "image_uri_config", "xgboost.json").read_text())
    return set(data[scope]["versions"][rules.XGBOOST_VERSION]["registries"])


def test_regions_without_the_xgboost_image_are_those_of_the_sdks_image_data():
    with_image = _sdk_xgboost_regions("training") & _sdk_xgboost_regions("inference")
    assert set(rules.REGIONS_WITHOUT_XGBOOST_IMAGE) == set(rules.REGION_PARTITION) - with_image


@pytest.mark.parametrize(
    ("region", "suggested"),
    [
        ("ap-east-2", "ap-east-1"),
        ("ap-southeast-7", "ap-southeast-1"),
        ("mx-central-1", "us-east-1"),
    ],
)
def test_a_region_without_the_training_image_is_refused_with_one_that_has_it(region, suggested):
    problems = fields.validate({"aws_region": region}, {"aws_region": "aws.region"})
    assert problems == [
        f"aws.region '{region}' has no SageMaker XGBoost 1.7-1 image; choose a region "
        f"that has one, such as '{suggested}'"
    ]


@pytest.mark.parametrize(("strategy", "instances", "refused"), [
    ("canary", "1", True), ("linear", "1", True), ("all-at-once", "1", False),
    ("canary", "2", False), ("linear", "4", False),
])  # fmt: skip
def test_canary_and_linear_rollouts_need_more_than_one_instance(strategy, instances, refused):
    """A canary is at most half of the variant's instances (TrafficRoutingConfig)."""
    problems = fields.validate({"rollout_strategy": strategy, "endpoint_instance_count": instances})
    assert any("needs endpoint_instance_count 2 or more" in p for p in problems) == refused


@pytest.mark.parametrize(("field", "value"), [
    ("approval", "auto"), ("rollout_strategy", "blue-green"), ("rollout_step_percent", "60"),
    ("rollout_wait_seconds", "3601"), ("min_improvement", "-0.1"),
    ("scoring_instance_type", "ml.t2.medium"),
])  # fmt: skip
def test_registry_and_rollout_values_aws_refuses_are_refused(field, value):
    assert fields.validate({field: value})


def _sagemaker_shape_max(shape: str) -> int:
    """A limit of SageMaker's API, from botocore's service model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.shape_for(shape).metadata["max"]


def test_the_rollout_bound_is_sagemakers():
    assert _sagemaker_shape_max("MaximumExecutionTimeoutInSeconds") == rules.ROLLOUT_MAX_SECONDS


@pytest.mark.parametrize(
    ("strategy", "step", "wait", "bake", "refused"),
    [
        ("linear", "10", "3600", "0", True),  # 10 steps of an hour: 10 h, past 8 h
        ("canary", "10", "3600", "3600", False),  # 45 min + 2 h + 1 h
        ("all-at-once", "100", "3600", "3600", False),
        ("linear", "10", "2000", "3600", False),  # 45 min + 20000 s + 3600 s = 26300 s
        ("linear", "10", "2300", "3600", True),  # 29300 s
    ],
)
def test_a_rollout_longer_than_sagemaker_allows_is_refused(strategy, step, wait, bake, refused):
    problems = fields.validate({
        "rollout_strategy": strategy, "rollout_step_percent": step, "rollout_wait_seconds": wait,
        "rollout_final_bake_seconds": bake, "endpoint_instance_count": "2",
    })  # fmt: skip
    assert any("blue/green update" in p for p in problems) == refused, problems
