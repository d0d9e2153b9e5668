"""Stack states that need a person stop the deploy with one line (a fake
CloudFormation client stands in; the rehearsal covers the normal paths on moto)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ..aws_errors import AwsError
from ..stacks import Waiting, apply_template


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
