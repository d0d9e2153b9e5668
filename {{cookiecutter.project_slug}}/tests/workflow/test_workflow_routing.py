"""Routing: the committed definition, run by a real ASL interpreter.

Emulated: moto's Step Functions runs the definition with its ASL interpreter
(LocalStack's). It cannot run the Glue/SageMaker `.sync` integrations or a Lambda
without Docker, so every Task state is replaced by a Pass state returning a canned
result, except the Tasks a case makes fail: those become an AWS SDK call that moto
runs and that fails (S3 GetObject on a bucket that does not exist). Choice, Pass,
Catch, ResultPath, intrinsic functions and Fail are moto's, unchanged.
"""

from __future__ import annotations

import json
import re
import time

import boto3
import pytest
from moto import mock_aws
from project.workflow.state_names import State

from .canned_tasks import FAILING, PASSING, canned_definition

# moto accepts any credentials; these keep boto3 from looking for real ones.
FAKE_CLIENT = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}


def run(definition: dict, execution_input: dict) -> tuple[str, list[str], dict]:
    """Run on moto's interpreter; the status, the states entered, the description."""
    text = json.dumps(definition)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", **FAKE_CLIENT)
        machine = client.create_state_machine(
            name="routing", definition=text, roleArn="arn:aws:iam::123456789012:role/states"
        )
        arn = machine["stateMachineArn"]
        execution = client.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
        deadline = time.monotonic() + 30
        while True:
            description = client.describe_execution(executionArn=execution["executionArn"])
            if description["status"] != "RUNNING":
                break
            assert time.monotonic() < deadline, "execution did not finish"
            time.sleep(0.02)
        events = client.get_execution_history(executionArn=execution["executionArn"])["events"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    return description["status"], entered, description


def test_a_model_better_than_the_threshold_is_deployed():
    status, entered, _ = run(canned_definition(PASSING), {})
    assert status == "SUCCEEDED"
    assert State.UPDATE_ENDPOINT in entered
    assert entered[-2:] == [State.ENDPOINT_STATUS, State.DEPLOYED]


def test_a_model_worse_than_the_threshold_is_registered_rejected_with_the_reason():
    status, entered, description = run(canned_definition(FAILING), {})
    assert status == "FAILED"
    assert entered[-5:] == [
        State.QUALITY_GATE, State.REJECT_BELOW_THRESHOLD, State.REGISTER_MODEL,
        State.APPROVAL_STATUS, State.MODEL_REJECTED,
    ]  # fmt: skip
    assert State.CREATE_ENDPOINT_CONFIG not in entered
    assert State.SCORE_LIVE_MODEL not in entered  # no scoring is paid for a failed threshold
    assert description["error"] == "QualityGateFailed"
    assert f"= {FAILING}" in description["cause"]


def test_a_model_that_does_not_beat_the_live_one_is_rejected_and_not_deployed():
    status, entered, description = run(canned_definition(PASSING, beats_live=False), {})
    assert status == "FAILED" and description["error"] == "NotBetterThanLiveModel"
    assert entered.index(State.SCORE_LIVE_MODEL) < entered.index(State.SCORE_NEW_MODEL)
    assert State.REJECT_NOT_BETTER in entered and State.CREATE_ENDPOINT_CONFIG not in entered
    assert "canned; the endpoint keeps its current model" in description["cause"]


def test_the_first_run_has_no_live_model_and_passes_on_the_threshold_alone():
    status, entered, _ = run(canned_definition(endpoint_exists=False, beats_live=False), {})
    assert status == "SUCCEEDED"
    assert State.NO_LIVE_MODEL in entered and State.SCORE_LIVE_MODEL not in entered


def test_the_first_run_creates_the_endpoint():
    status, entered, _ = run(canned_definition(endpoint_exists=False), {})
    assert status == "SUCCEEDED"
    assert State.CREATE_ENDPOINT in entered and State.UPDATE_ENDPOINT not in entered


def test_later_runs_update_the_endpoint():
    status, entered, _ = run(canned_definition(endpoint_exists=True), {})
    assert status == "SUCCEEDED"
    assert State.UPDATE_ENDPOINT in entered and State.CREATE_ENDPOINT not in entered


@pytest.mark.parametrize("failing", [State.PREPARE_DATA, State.TRAIN_MODEL, State.EVALUATE_MODEL])
def test_a_task_error_reaches_the_failure_state_with_its_cause(failing):
    status, entered, description = run(canned_definition(failing={failing}), {})
    assert status == "FAILED"
    assert entered[-2:] == [failing, State.RETRAINING_FAILED]
    assert description["error"] and description["error"] != "QualityGateFailed"
    assert State.REGISTER_MODEL not in entered


def test_a_run_without_a_name_gets_a_sagemaker_valid_one():
    _, entered, description = run(canned_definition(), {})
    name = json.loads(description["output"])["Run"]["Name"]
    assert entered[:2] == [State.NAME_THE_RUN, State.GENERATE_NAME]
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", name)
    assert f"/runs/{name}/train/" in json.loads(description["output"])["Run"]["TrainUri"]


def test_only_the_endpoint_sagemaker_cannot_find_leads_to_create():
    """moto's SageMaker answers DescribeEndpoint for a missing endpoint, as AWS does,
    with "Could not find endpoint": the run creates it, then sees it serve."""
    status, entered, _ = run(canned_definition(endpoint_exists=False), {})
    assert status == "SUCCEEDED"
    assert entered.index(State.IS_ENDPOINT_MISSING) < entered.index(State.CREATE_ENDPOINT)
    assert entered[-1] == State.DEPLOYED


def test_a_caller_may_name_the_run():
    _, entered, description = run(canned_definition(), {"RunName": "my-backfill-1"})
    assert entered[:2] == [State.NAME_THE_RUN, State.USE_GIVEN_NAME]
    assert json.loads(description["output"])["Run"]["Name"] == "my-backfill-1"


@pytest.mark.parametrize(
    "environment",
    [{"RETRAIN_FEATURE_LAYOUT": "sha256:0123456789abcdef"}, {}],
    ids=["other-features", "no-layout-recorded"],
)
def test_a_live_model_trained_on_other_features_is_not_compared(environment):
    """Scoring it on this run's validation data would fail (more columns) or score it
    wrongly (fewer or reordered): the threshold alone decides, and the run says why."""
    definition = canned_definition(PASSING, beats_live=False, live_environment=environment)
    status, entered, description = run(definition, {})
    assert status == "SUCCEEDED" and State.NOT_COMPARABLE in entered
    assert State.SCORE_LIVE_MODEL not in entered and entered[-1] == State.DEPLOYED
    assert "features" in json.loads(description["output"])["Comparison"]["Summary"]


def test_a_live_model_with_the_same_features_is_compared():
    status, entered, _ = run(canned_definition(PASSING, beats_live=False), {})
    assert State.SCORE_LIVE_MODEL in entered and State.NOT_COMPARABLE not in entered
    assert status == "FAILED"
