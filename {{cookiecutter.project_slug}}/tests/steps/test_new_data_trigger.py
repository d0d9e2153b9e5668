"""The new-data trigger (steps/new_data_trigger.py): the Lambda code, against moto's
EventBridge Scheduler (emulated), and the local scheduler's fidelity to botocore's
model of Scheduler (its error names), which this test reads instead of restating."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import botocore.session
import pytest
from moto import mock_aws
from project.local.scheduler import LocalScheduler
from project.steps import new_data_trigger

T0 = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)
ENVIRONMENT = {
    "SCHEDULE_NAME": "churn-new-data",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-retraining",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/churn-scheduler-role",
    "PROJECT_SLUG": "churn",
    "QUIET_MINUTES": "15",
}


def s3_event(key: str, detail_type: str = "Object Created") -> dict:
    """As EventBridge delivers S3's events (the fields S3's documentation shows)."""
    return {
        "source": "aws.s3",
        "detail-type": detail_type,
        "detail": {"bucket": {"name": "bucket"}, "object": {"key": key, "size": 10}},
    }


@mock_aws
def test_each_upload_moves_one_schedule_which_starts_one_named_run():
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    first = new_data_trigger.handler(s3_event("data/raw/a.csv"), scheduler_client=scheduler,
                                     now=T0, environment=ENVIRONMENT)  # fmt: skip
    later = T0 + timedelta(minutes=3)
    second = new_data_trigger.handler(s3_event("data/raw/b.csv"), scheduler_client=scheduler,
                                      now=later, environment=ENVIRONMENT)  # fmt: skip
    assert (first["Action"], second["Action"]) == ("created", "moved")
    (only,) = scheduler.list_schedules()["Schedules"]
    schedule = scheduler.get_schedule(Name=only["Name"])
    assert schedule["ScheduleExpression"] == "at(2026-12-04T09:18:00)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    target = schedule["Target"]
    assert target["Arn"] == "arn:aws:scheduler:::aws-sdk:sfn:startExecution"
    assert target["RoleArn"] == ENVIRONMENT["SCHEDULER_ROLE_ARN"]
    request = json.loads(target["Input"])
    assert request["StateMachineArn"] == ENVIRONMENT["STATE_MACHINE_ARN"]
    assert request["Name"] == "churn-<aws.scheduler.execution-id>"
    assert json.loads(request["Input"]) == {"RunName": request["Name"],
                                            "NewData": "s3://bucket/data/raw/b.csv"}  # fmt: skip


@pytest.mark.parametrize("event", [
    s3_event("data/raw/a.csv", detail_type="Object Deleted"),
    s3_event("runs/r/train/part-0.csv"),
    s3_event("data/raw/folder/"),
    {"source": "aws.s3"},
])  # fmt: skip
def test_other_events_set_nothing(event):
    class NoCalls:
        def __getattr__(self, name):
            raise AssertionError(f"called {name}")

    result = new_data_trigger.handler(event, scheduler_client=NoCalls(), now=T0,
                                      environment=ENVIRONMENT)  # fmt: skip
    assert result["Action"] == "ignored"


def test_two_first_uploads_at_once_both_end_with_the_one_schedule(tmp_path):
    """The race: both find no schedule; the second's create meets the first's
    (ConflictException) and updates it instead."""
    scheduler = LocalScheduler(tmp_path)
    original = scheduler.update_schedule
    calls = []

    def update_that_first_finds_nothing(**request):
        calls.append("update")
        if len(calls) == 1:
            new_data_trigger.set_the_start(  # the other invocation creates it meanwhile
                new_data_trigger.TriggerSettings.from_environment(ENVIRONMENT),
                "s3://bucket/data/raw/other.csv",
                scheduler,
                T0,
            )
            raise scheduler.exceptions.ResourceNotFoundException("not yet")
        return original(**request)

    scheduler.update_schedule = update_that_first_finds_nothing
    result = new_data_trigger.handler(
        s3_event("data/raw/a.csv"), scheduler_client=scheduler,
        now=T0 + timedelta(seconds=5), environment=ENVIRONMENT,
    )  # fmt: skip
    assert result["Action"] == "moved"
    schedule = scheduler.get_schedule(Name="churn-new-data")
    assert schedule["ScheduleExpression"] == "at(2026-12-04T09:15:05)"


def test_the_local_scheduler_raises_the_errors_scheduler_raises():
    """Each error the stand-in raises is one botocore's model lists for that call."""
    model = botocore.session.get_session().get_service_model("scheduler")
    raised = {"CreateSchedule": {"ConflictException", "ValidationException"},
              "UpdateSchedule": {"ResourceNotFoundException", "ValidationException"},
              "DeleteSchedule": {"ResourceNotFoundException"},
              "GetSchedule": {"ResourceNotFoundException"}}  # fmt: skip
    for operation, names in raised.items():
        modelled = {shape.name for shape in model.operation_model(operation).error_shapes}
        assert names <= modelled, operation
        assert all(hasattr(LocalScheduler.exceptions, name) for name in names)
    required = set(model.operation_model("CreateSchedule").input_shape.required_members)
    assert required == set(__import__("project.local.scheduler", fromlist=["x"]).REQUIRED)


def test_the_local_scheduler_behaves_as_the_api_reference_says(tmp_path):
    scheduler = LocalScheduler(tmp_path)
    request = new_data_trigger.schedule_request(
        new_data_trigger.TriggerSettings.from_environment(ENVIRONMENT),
        "s3://bucket/data/raw/a.csv",
        T0,
    )
    with pytest.raises(LocalScheduler.exceptions.ResourceNotFoundException):
        scheduler.update_schedule(**request)
    scheduler.create_schedule(**request)
    with pytest.raises(LocalScheduler.exceptions.ConflictException):
        scheduler.create_schedule(**request)
    assert scheduler.due(T0 - timedelta(seconds=1)) == [] and len(scheduler.due(T0)) == 1
    scheduler.delete_schedule(Name=request["Name"])
    with pytest.raises(LocalScheduler.exceptions.ResourceNotFoundException):
        scheduler.delete_schedule(Name=request["Name"])
    with pytest.raises(LocalScheduler.exceptions.ValidationException):
        scheduler.create_schedule(**{**request, "ScheduleExpression": "rate(5 minutes)"})
