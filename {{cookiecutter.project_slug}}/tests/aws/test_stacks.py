"""Stack states that need a person stop the deploy with one line (a fake
CloudFormation client stands in; the rehearsal covers the normal paths on moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from project.aws.errors import AwsError
from project.aws.stacks import Waiting, apply_template, delete_stack


class FakeCloudFormation:
    """Just enough of the client: a stack in a given status."""

    exceptions = type("Exceptions", (), {"ClientError": ClientError})

    def __init__(self, status: str | None):
        self.status = status
        self.change_sets: list[str] = []

    def describe_stacks(self, StackName):
        if self.status is None:
            raise ClientError(
                {"Error": {"Code": "ValidationError", "Message": "Stack does not exist"}},
                "DescribeStacks",
            )
        return {"Stacks": [{"StackStatus": self.status, "Outputs": []}]}

    def create_change_set(self, **request):
        self.change_sets.append(request["ChangeSetType"])

    def describe_change_set(self, **_):
        return {"Status": "FAILED", "StatusReason": "The template is invalid: bad thing"}

    def delete_change_set(self, **_):
        pass


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ROLLBACK_COMPLETE", "its first creation failed"),
        ("UPDATE_IN_PROGRESS", "is busy"),
        ("UPDATE_ROLLBACK_FAILED", "resolve it in the CloudFormation console"),
    ],
)
def test_unusable_stacks_are_refused_before_any_change(status, expected):
    cloudformation = FakeCloudFormation(status)
    with pytest.raises(AwsError, match=expected):
        apply_template(cloudformation, "demo-pipeline", "{}", {}, print)
    assert cloudformation.change_sets == []


@pytest.mark.parametrize(("status", "kind"), [(None, "CREATE"), ("REVIEW_IN_PROGRESS", "CREATE"),
                                              ("UPDATE_COMPLETE", "UPDATE")])  # fmt: skip
def test_a_refused_change_set_is_reported_with_its_reason(status, kind):
    cloudformation = FakeCloudFormation(status)
    no_wait = Waiting(poll_seconds=0, sleep=lambda _: None)
    with pytest.raises(AwsError, match="refused the change set for demo-pipeline: The template"):
        apply_template(cloudformation, "demo-pipeline", "{}", {}, print, no_wait)
    assert cloudformation.change_sets == [kind]


class LongHistory:
    """A stack with five pages of old events that is deleted over three polls; each poll
    adds one event. Counts the pages of events read."""

    exceptions = type("Exceptions", (), {"ClientError": ClientError})
    PAGE = 100  # what DescribeStackEvents returns per page

    def __init__(self):
        start = datetime(2026, 1, 1, tzinfo=UTC)
        # Newest first, as CloudFormation lists them.
        self.history = [
            {"EventId": f"old-{n}", "Timestamp": start + timedelta(seconds=n),
             "LogicalResourceId": "Thing", "ResourceStatus": "UPDATE_COMPLETE"}
            for n in reversed(range(5 * self.PAGE))
        ]  # fmt: skip
        self.polls = 0
        self.pages_read = 0

    def describe_stacks(self, StackName):
        if self.polls > 3:
            raise ClientError(
                {"Error": {"Code": "ValidationError", "Message": "Stack does not exist"}},
                "DescribeStacks",
            )
        return {"Stacks": [{"StackStatus": "DELETE_IN_PROGRESS", "StackId": "id-1"}]}

    def delete_stack(self, StackName):
        pass

    def get_paginator(self, operation):
        assert operation == "describe_stack_events"
        return self

    def paginate(self, StackName):
        self.polls += 1
        newest = self.history[0]["Timestamp"]
        self.history.insert(0, {"EventId": f"new-{self.polls}", "LogicalResourceId": "Thing",
                                "Timestamp": newest + timedelta(seconds=1),
                                "ResourceStatus": "DELETE_IN_PROGRESS"})  # fmt: skip
        for start in range(0, len(self.history), self.PAGE):
            self.pages_read += 1
            yield {"StackEvents": self.history[start : start + self.PAGE]}


def test_following_a_stack_reads_only_the_events_since_the_last_poll():
    cloudformation = LongHistory()
    said: list[str] = []
    no_wait = Waiting(poll_seconds=0, sleep=lambda _: None)
    assert delete_stack(cloudformation, "demo-pipeline", said.append, no_wait)
    # One page for the mark before deleting, then one page per poll, never the history.
    assert cloudformation.pages_read == cloudformation.polls
    followed = [line.split()[-1] for line in said if "Thing" in line]
    assert len(followed) == cloudformation.polls - 1 and "old" not in " ".join(said)
    assert said[0] == "demo-pipeline: deleting"
