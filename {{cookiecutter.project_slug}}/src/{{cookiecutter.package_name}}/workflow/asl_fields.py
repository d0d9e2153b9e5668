"""ASL fields that the Step Functions Data Science SDK (2.3.0, 2022) predates.

The SDK validates each state's fields against ``allowed_fields()``; these
subclasses add ``ResultSelector`` to Task states and ``ErrorPath``/``CausePath``
to Fail states, both part of the Amazon States Language since 2022-2023, and an
``IsPresent`` choice rule. Everything else comes from the SDK unchanged.
"""

from __future__ import annotations

from enum import Enum

from .sdk import Fail, LambdaStep, Rule, Task


class ExtraField(Enum):
    ResultSelector = "result_selector"
    ErrorPath = "error_path"
    CausePath = "cause_path"


class TaskWithResultSelector(Task):
    """A Task (e.g. an AWS SDK integration) whose raw result is reshaped."""

    def allowed_fields(self):
        return [*super().allowed_fields(), ExtraField.ResultSelector]


class LambdaStepWithResultSelector(LambdaStep):
    """A Lambda invoke that keeps only the fields of the Payload the workflow needs."""

    def allowed_fields(self):
        return [*super().allowed_fields(), ExtraField.ResultSelector]


class FailWithPaths(Fail):
    """A Fail state whose Error and Cause are computed from the state's input."""

    def allowed_fields(self):
        return [*super().allowed_fields(), ExtraField.ErrorPath, ExtraField.CausePath]


def is_present(variable: str) -> Rule:
    """A choice rule that holds when ``variable`` exists in the state's input."""
    return Rule(variable, "IsPresent", True)
