"""Following a run on AWS: history events as Step Functions returns them (a fake
client serves two polls of a real-shaped history), printed state by state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from project.aws.executions import event_details, execution_arn, new_run_name, watch
from project.settings import load_settings
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT

START = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


def event(number, kind, seconds, **details):
    key = {
        "TaskStateEntered": "stateEnteredEventDetails",
        "ChoiceStateEntered": "stateEnteredEventDetails",
        "TaskStateExited": "stateExitedEventDetails",
        "ChoiceStateExited": "stateExitedEventDetails",
        "TaskFailed": "taskFailedEventDetails",
    }[kind]
    return {"id": number, "type": kind, "timestamp": START + timedelta(seconds=seconds),
            key: details}  # fmt: skip


class FakeStepFunctions:
    """A run that is evaluated in the first poll and passes the gate in the second."""

    def __init__(self, metric: str):
        evaluation = json.dumps({"Evaluation": {"Metric": metric, "Value": 0.0412}})
        self.polls = [
            [
                event(1, "TaskStateEntered", 0, name=State.EVALUATE_MODEL),
                event(2, "TaskStateExited", 3, name=State.EVALUATE_MODEL, output=evaluation),
            ],
            [
                event(3, "ChoiceStateEntered", 4, name=State.QUALITY_GATE),
                event(4, "ChoiceStateExited", 4, name=State.QUALITY_GATE, output="{}"),
                event(5, "TaskStateEntered", 4, name=State.FIND_LIVE_MODEL),
            ],
        ]
        self.poll = 0

    def get_paginator(self, name):
        assert name == "get_execution_history"
        return self

    def paginate(self, **_):
        shown = [e for poll in self.polls[: self.poll + 1] for e in poll]
        return [{"events": shown}]

    def describe_execution(self, executionArn):
        self.poll += 1
        return {"status": "RUNNING" if self.poll < len(self.polls) else "SUCCEEDED"}


class FakeAws:
    def __init__(self, client):
        self._client = client

    def client(self, service):
        assert service == "stepfunctions"
        return self._client


def test_watch_prints_each_state_once_with_its_duration_and_the_gate():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    lines, sleeps = [], []
    fake = FakeStepFunctions(settings.quality_gate.metric)
    outcome = watch(settings, FakeAws(fake), "arn:run", say=lines.append, sleep=sleeps.append)
    assert outcome.status == "SUCCEEDED"
    assert lines[:2] == [f"  -> {State.EVALUATE_MODEL}", f"  ok {State.EVALUATE_MODEL} (3.0 s)"]
    assert sum(line.startswith("  ok") for line in lines) == 2
    # The decision is read from the state the run went to after the gate.
    then = ", compare with the live model"
    assert any("quality gate:" in line and "0.0412" in line and line.endswith(then)
               for line in lines)  # fmt: skip
    assert len(sleeps) == 1


def test_a_caught_task_failure_is_shown_once_with_its_error_never_as_ok():
    from project.workflow.progress import Progress

    lines = []
    progress = Progress(load_settings(PROJECT_ROOT / "settings.toml"), lines.append)
    for kind, seconds, details in (
        ("TaskStateEntered", 0, {"name": State.PREPARE_DATA}),
        ("TaskFailed", 8, {"error": "Glue.AWSGlueException", "cause": "job failed"}),
        ("TaskStateExited", 8, {"name": State.PREPARE_DATA}),
        ("FailStateEntered", 8, {"name": State.RETRAINING_FAILED}),
    ):
        progress.on_event(kind, details, START + timedelta(seconds=seconds))
    assert lines == [
        f"  -> {State.PREPARE_DATA}",
        f"  !! {State.PREPARE_DATA} failed (8.0 s): Glue.AWSGlueException: job failed",
        f"  -> {State.RETRAINING_FAILED}",
    ]


def test_event_details_parse_json_input_and_output():
    details = event_details(
        {"type": "TaskStateExited", "stateExitedEventDetails": {"name": "x", "output": '{"a": 1}'}}
    )
    assert details == {"name": "x", "output": {"a": 1}}


def test_run_names_are_valid_execution_and_sagemaker_names():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    name = new_run_name(settings)
    assert len(name) <= 63 and name.startswith(f"{settings.slug}-")
    assert execution_arn(settings, name).endswith(f":execution:{settings.slug}-retraining:{name}")


def test_status_skips_the_no_op_run_of_a_gate_approved_versions_own_event():
    """The run that registered and deployed a version is the one `status` shows, not the
    one its approval event started a moment later, which had nothing to do. Emulated:
    Step Functions' answers, by botocore's Stubber (checked against its model)."""
    import boto3
    from botocore.stub import Stubber
    from project.aws.executions import resolve, state_machine_arn

    settings = load_settings(PROJECT_ROOT / "settings.toml")
    client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    machine = state_machine_arn(settings)
    runs = [f"{machine.replace(':stateMachine:', ':execution:')}:{name}" for name in "ab"]

    def listed(arn):
        return {"executionArn": arn, "stateMachineArn": machine, "name": arn[-1],
                "status": "SUCCEEDED", "startDate": START}  # fmt: skip

    def described(arn, output):
        return {**listed(arn), "output": json.dumps(output)}

    with Stubber(client) as stub:
        stub.add_response("list_executions", {"executions": [listed(arn) for arn in runs]})
        no_op = {"NoOp": "the run that registered this version deploys it"}
        stub.add_response("describe_execution", described(runs[0], no_op))
        stub.add_response("describe_execution", described(runs[1], {"Run": {"Name": "b"}}))
        assert resolve(settings, FakeAws(client), None) == runs[1]


def test_an_approved_versions_config_not_found_is_expected_not_a_failure():
    """Deploying an approved version looks for its endpoint config first; a version
    never deployed has none, which is the expected answer (#26: `approve` printed a
    failed-state line on success)."""
    from project.workflow.progress import Progress

    lines = []
    progress = Progress(load_settings(PROJECT_ROOT / "settings.toml"), lines.append)
    cause = ('Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:1:'
             'endpoint-config/r". (Service: SageMaker, Status Code: 400)')  # fmt: skip
    for kind, seconds, details in (
        ("TaskStateEntered", 0, {"name": State.FIND_APPROVED_CONFIG}),
        ("TaskFailed", 1, {"error": "SageMaker.SageMakerException", "cause": cause}),
        ("TaskStateExited", 1, {"name": State.FIND_APPROVED_CONFIG}),
    ):
        progress.on_event(kind, details, START + timedelta(seconds=seconds))
    assert not any("!!" in line for line in lines), lines
    assert any("not deployed before" in line for line in lines)
