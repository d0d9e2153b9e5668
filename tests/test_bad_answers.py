"""Every bad answer is refused with one line naming the field and the fix, and the
bake leaves nothing on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from template_facts import EXISTING_ROLES, TEMPLATE_DIR, user_config

ARN = "arn:aws:iam::123456789012:role/"

# (answers, the field the error must name, words the error must contain)
BAD_ANSWERS = {
    "slug-uppercase": ({"project_slug": "Churn-Model"}, "project_slug", "try 'churn-model'"),
    "slug-space": ({"project_slug": "churn model"}, "project_slug", "lowercase"),
    "slug-too-long": ({"project_slug": "a" * 27}, "project_slug", "3 to 26"),
    "slug-too-short": ({"project_slug": "ab"}, "project_slug", "3 to 26"),
    "slug-leading-digit": ({"project_slug": "1churn"}, "project_slug", "starting with a letter"),
    "slug-double-hyphen": ({"project_slug": "churn--model"}, "project_slug", "single hyphens"),
    "slug-path": ({"project_slug": "../escape"}, "project_slug", "lowercase"),
    "package-hyphen": ({"package_name": "churn-model"}, "package_name", "try 'churn_model'"),
    "package-keyword": ({"package_name": "import"}, "package_name", "keyword"),
    "package-stdlib": ({"package_name": "json"}, "package_name", "shadow"),
    "package-dependency": ({"package_name": "sagemaker"}, "package_name", "shadow"),
    "region-typo": ({"aws_region": "us-est-1"}, "aws_region", "did you mean 'us-east-1'?"),
    "region-made-up": ({"aws_region": "mars-north-1"}, "aws_region", "not an AWS region"),
    "region-uppercase": ({"aws_region": "US-EAST-1"}, "aws_region", "not an AWS region"),
    "region-without-image": (
        {"aws_region": "ap-east-2"},
        "aws_region",
        "no SageMaker XGBoost 1.7-1 image; choose a region that has one, such as 'ap-east-1'",
    ),
    "account-short": ({"aws_account_id": "12345"}, "aws_account_id", "12 digits"),
    "account-letters": ({"aws_account_id": "12345678901a"}, "aws_account_id", "12 digits"),
    "bucket-short": ({"artifact_bucket": "ab"}, "artifact_bucket", "3 to 63"),
    "bucket-long": ({"artifact_bucket": "a" * 64}, "artifact_bucket", "3 to 63"),
    "bucket-uppercase": ({"artifact_bucket": "MyBucket"}, "artifact_bucket", "lowercase"),
    "bucket-underscore": ({"artifact_bucket": "my_bucket"}, "artifact_bucket", "lowercase"),
    "bucket-edge": ({"artifact_bucket": "bucket-"}, "artifact_bucket", "begin and end"),
    "bucket-dots": ({"artifact_bucket": "my..bucket"}, "artifact_bucket", "adjacent dots"),
    "bucket-ip": ({"artifact_bucket": "10.0.0.1"}, "artifact_bucket", "IP address"),
    "bucket-xn": ({"artifact_bucket": "xn--bucket"}, "artifact_bucket", "'xn--'"),
    "bucket-sthree": ({"artifact_bucket": "sthree-data"}, "artifact_bucket", "'sthree-'"),
    "bucket-demo": ({"artifact_bucket": "amzn-s3-demo-x"}, "artifact_bucket", "'amzn-s3-demo-'"),
    "bucket-s3alias": ({"artifact_bucket": "data-s3alias"}, "artifact_bucket", "'-s3alias'"),
    "bucket-ol": ({"artifact_bucket": "data--ol-s3"}, "artifact_bucket", "'--ol-s3'"),
    "bucket-mrap": ({"artifact_bucket": "data.mrap"}, "artifact_bucket", "'.mrap'"),
    "bucket-x-s3": ({"artifact_bucket": "data--x-s3"}, "artifact_bucket", "'--x-s3'"),
    "bucket-table": ({"artifact_bucket": "data--table-s3"}, "artifact_bucket", "'--table-s3'"),
    "arn-not-arn": (
        {**EXISTING_ROLES, "glue_role_arn": "platform-glue"},
        "glue_role_arn",
        "not an IAM role ARN",
    ),
    "arn-user": (
        {**EXISTING_ROLES, "glue_role_arn": "arn:aws:iam::123456789012:user/x"},
        "glue_role_arn",
        "not an IAM role ARN",
    ),
    "arn-account": (
        {**EXISTING_ROLES, "glue_role_arn": "arn:aws:iam::1234:role/x"},
        "glue_role_arn",
        "12-digit",
    ),
    "arn-partition": (
        {**EXISTING_ROLES, "glue_role_arn": "arn:aws-iso:iam::123456789012:role/x"},
        "glue_role_arn",
        "partition",
    ),
    "arn-name": ({**EXISTING_ROLES, "glue_role_arn": ARN + "bad name"}, "glue_role_arn", "name"),
    "arn-path-quote": ({**EXISTING_ROLES, "glue_role_arn": ARN + 'a"b/x'}, "glue_role_arn", "path"),
    "arn-other-account": (
        {**EXISTING_ROLES, "glue_role_arn": "arn:aws:iam::999999999999:role/x"},
        "glue_role_arn",
        "belongs to account 999999999999",
    ),
    "arn-other-partition": (
        {**EXISTING_ROLES, "aws_region": "cn-north-1"},
        "sagemaker_role_arn",
        "partition 'aws'",
    ),
    "arn-missing": (
        {**EXISTING_ROLES, "lambda_role_arn": ""},
        "lambda_role_arn",
        "give the role's ARN",
    ),
    "arn-with-create": (
        {"sagemaker_role_arn": ARN + "mine"},
        "sagemaker_role_arn",
        "set iam_roles to 'existing'",
    ),
    "training-instance-typo": (
        {"training_instance_type": "ml.m5.xlarg"},
        "training_instance_type",
        "did you mean",
    ),
    "training-instance-family": (
        {"training_instance_type": "ml.t3.medium"},
        "training_instance_type",
        "not offered",
    ),
    "training-instance-ec2": (
        {"training_instance_type": "m5.xlarge"},
        "training_instance_type",
        "ml.m5.xlarge",
    ),
    "endpoint-instance-size": (
        {"endpoint_instance_type": "ml.m5.medium"},
        "endpoint_instance_type",
        "only t2 and t3",
    ),
    "threshold-text": ({"metric_threshold": "ten percent"}, "metric_threshold", "not a number"),
    "threshold-nan": ({"metric_threshold": "nan"}, "metric_threshold", "finite"),
    "threshold-range": ({"metric_threshold": "1.5"}, "metric_threshold", "outside the range"),
    "direction-contradiction": (
        {"quality_metric": "validation:auc", "metric_direction": "lower-is-better"},
        "metric_direction",
        "set it to 'higher-is-better'",
    ),
    "direction-unknown": ({"metric_direction": "down"}, "metric_direction", "choose one of"),
    "workers-one": ({"glue_number_of_workers": "1"}, "glue_number_of_workers", "2 to 299"),
    "workers-text": ({"glue_number_of_workers": "two"}, "glue_number_of_workers", "whole number"),
    "workers-over-type-limit": (
        {"glue_worker_type": "G.2X", "glue_number_of_workers": "200"},
        "glue_number_of_workers",
        "maximum of 149",
    ),
    "schedule-word": ({"retraining_schedule": "daily"}, "retraining_schedule", "rate(1 day)"),
    "schedule-rate-plural": (
        {"retraining_schedule": "rate(1 days)"},
        "retraining_schedule",
        "'rate(1 day)'",
    ),
    "schedule-rate-unit": (
        {"retraining_schedule": "rate(2 weeks)"},
        "retraining_schedule",
        "minutes, hours or days",
    ),
    "schedule-cron-fields": (
        {"retraining_schedule": "cron(0 3 * * *)"},
        "retraining_schedule",
        "takes 6",
    ),
    "schedule-cron-question-mark": (
        {"retraining_schedule": "cron(0 3 * * MON *)"},
        "retraining_schedule",
        "'?'",
    ),
    "schedule-every-minute": (
        {"retraining_schedule": "rate(1 minute)"},
        "retraining_schedule",
        "at least 'rate(1 hour)'",
    ),
    "schedule-twice-an-hour": (
        {"retraining_schedule": "cron(0,30 * * * ? *)"},
        "retraining_schedule",
        "more than once an hour",
    ),
    "timezone-typo": (
        {"schedule_timezone": "Europe/Pariss"},
        "schedule_timezone",
        "did you mean 'Europe/Paris'?",
    ),
    "email": ({"author_email": "not-an-email"}, "author_email", "name@example.com"),
    "name-newline": ({"project_name": "Churn\nModel"}, "project_name", "one line"),
    "description-empty": ({"description": "   "}, "description", "is empty"),
    "package-uppercase": ({"package_name": "Churn"}, "package_name", "try 'churn'"),
}


def test_there_are_at_least_forty_distinct_bad_answers():
    assert len(BAD_ANSWERS) >= 40


@pytest.mark.parametrize("name", list(BAD_ANSWERS))
def test_a_bad_answer_is_refused_with_one_line_and_leaves_nothing(tmp_path, capfd, name):
    answers, field, words = BAD_ANSWERS[name]
    output = tmp_path / "output"
    output.mkdir()
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=answers,
            output_dir=str(output),
            config_file=str(user_config(tmp_path)),
        )
    errors = capfd.readouterr().err.splitlines()
    refusals = [line for line in errors if line.startswith("ERROR: ")]
    assert refusals, f"no ERROR line in {errors}"
    assert refusals[0].startswith(f"ERROR: {field} "), refusals
    assert words in refusals[0]
    assert list(output.iterdir()) == []


# cookiecutter itself refuses a bad choice given on the command line, but an edited
# answers file (a re-bake with --replay-file) reaches the hooks unchecked.
BAD_CHOICES = {
    "metric": ("quality_metric", "validation:eror", "did you mean 'validation:error'?"),
    "ci": ("ci_provider", "jenkins", "choose one of 'github', 'gitlab', 'none'"),
    "glue": ("glue_version", "2.0", "not a supported Glue version"),
    "licence": ("license", "GPL", "choose one of"),
    "roles": ("iam_roles", "borrow", "choose one of 'create', 'existing'"),
    "jinja": ("author_name", "{{ 7 * 7 }}", "which the template engine reads as code"),
}


@pytest.mark.parametrize("name", list(BAD_CHOICES))
def test_a_bad_answer_in_an_answers_file_is_refused(tmp_path, capfd, name):
    field, value, words = BAD_CHOICES[name]
    config = str(user_config(tmp_path))
    first = Path(
        cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path), config_file=config)
    )
    answers_file = first / ".cookiecutter.json"
    document = json.loads(answers_file.read_text(encoding="utf-8"))
    document["cookiecutter"][field] = value
    answers_file.write_text(json.dumps(document), encoding="utf-8")
    output = tmp_path / "rebake"
    output.mkdir()
    capfd.readouterr()
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR), replay=str(answers_file), output_dir=str(output), config_file=config
        )
    refusals = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert refusals[0].startswith(f"ERROR: {field} ")
    assert words in refusals[0]
    assert list(output.iterdir()) == []
