"""Deriving the account, bucket and role ARNs that a bake could not know."""

from __future__ import annotations

from project.settings.fill_in import plan_fill_in

BASE = {
    "project_slug": "churn",
    "aws_region": "us-gov-west-1",
    "aws_account_id": "",
    "artifact_bucket": "",
    "iam_roles": "create",
    "sagemaker_role_arn": "",
    "stepfunctions_role_arn": "",
    "glue_role_arn": "",
    "lambda_role_arn": "",
}


def test_nothing_is_derived_without_an_account():
    assert plan_fill_in(BASE, None) == {}


def test_everything_empty_is_derived_in_the_region_partition():
    updates = plan_fill_in(BASE, "123456789012")
    assert updates["aws_account_id"] == "123456789012"
    assert updates["artifact_bucket"] == "churn-123456789012-us-gov-west-1"
    assert updates["sagemaker_role_arn"] == (
        "arn:aws-us-gov:iam::123456789012:role/churn-sagemaker-role"
    )
    assert len(updates) == 6


def test_values_a_user_set_are_never_replaced():
    values = dict(BASE, artifact_bucket="team-bucket", aws_account_id="111111111111")
    updates = plan_fill_in(values, "999999999999")
    assert "artifact_bucket" not in updates
    assert "aws_account_id" not in updates
    assert updates["glue_role_arn"].startswith("arn:aws-us-gov:iam::111111111111:")


def test_existing_roles_are_not_derived():
    updates = plan_fill_in(dict(BASE, iam_roles="existing"), "123456789012")
    assert set(updates) == {"aws_account_id", "artifact_bucket"}
