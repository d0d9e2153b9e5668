"""The state machine: built offline from settings, committed, and well-formed."""

from __future__ import annotations

import dataclasses
import json
import re
import socket

import pytest
from project.cli import main
from project.project_layout import DEFINITION_PATH
from project.settings import QualityGate, load_settings
from project.settings.names import rollback_alarm_names
from project.workflow.definition import build_definition, render_definition
from project.workflow.graph import GRAPH_BEGIN, to_mermaid
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT

SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


@pytest.fixture(scope="module")
def settings():
    return load_settings(PROJECT_ROOT / "settings.toml")


@pytest.fixture(scope="module")
def definition(settings):
    return json.loads(render_definition(settings))


def test_the_definition_builds_without_any_network_call(settings, monkeypatch):
    attempts = []

    def refuse(sock, address):
        attempts.append(address)
        raise OSError(f"network call to {address} while building the definition")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    build_definition(settings).to_dict()
    assert attempts == []


def test_the_committed_definition_matches_the_settings(capsys):
    """The drift check: the committed ASL and README graph are what the code renders."""
    code = main(["--settings", str(PROJECT_ROOT / "settings.toml"), "render", "--check"])
    assert code == 0, capsys.readouterr().err


def test_render_check_reports_drift(tmp_path, capsys):
    (tmp_path / "settings.toml").write_bytes((PROJECT_ROOT / "settings.toml").read_bytes())
    (tmp_path / DEFINITION_PATH).parent.mkdir()
    (tmp_path / DEFINITION_PATH).write_text("{}", encoding="utf-8")
    assert main(["--settings", str(tmp_path / "settings.toml"), "render", "--check"]) == 1
    assert "render' and commit" in capsys.readouterr().err
    assert main(["--settings", str(tmp_path / "settings.toml"), "render"]) == 0
    assert main(["--settings", str(tmp_path / "settings.toml"), "render", "--check"]) == 0


def test_every_state_name_is_a_named_constant(definition):
    assert set(definition["States"]) == {state.value for state in State}


def test_every_task_has_retry_catch_and_timeout(definition):
    tasks = {name: s for name, s in definition["States"].items() if s["Type"] == "Task"}
    assert len(tasks) == 19
    for name, state in tasks.items():
        assert state["TimeoutSeconds"] > 0, name
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name
        if name != State.CHECK_FOR_ENDPOINT:  # a missing endpoint must route at once
            assert state["Retry"][0]["MaxAttempts"] >= 2, name


def test_run_names_generated_for_the_longest_slug_are_valid_for_sagemaker(settings):
    longest = "a" * 26
    sample = f"{longest}-{'0' * 8}-{'0' * 4}-{'0' * 4}-{'0' * 4}-{'0' * 12}"
    assert SAGEMAKER_NAME.match(sample) and len(sample) == 63
    generate = json.loads(render_definition(dataclasses.replace(settings, slug=longest)))
    name = generate["States"][State.GENERATE_NAME]["Parameters"]["Name.$"]
    assert name == "States.Format('{}-{}', '" + longest + "', States.UUID())"


def test_the_gate_reads_the_metric_by_name_in_the_configured_direction(settings):
    for direction, operator in (
        ("lower-is-better", "NumericLessThan"),
        ("higher-is-better", "NumericGreaterThan"),
    ):
        gate = QualityGate("validation:auc", direction, 0.75)
        rendered = json.loads(render_definition(dataclasses.replace(settings, quality_gate=gate)))
        rule = rendered["States"][State.QUALITY_GATE]["Choices"][0]
        assert rule == {
            "Variable": "$.Evaluation.Value",
            operator: 0.75,
            "Next": State.FIND_LIVE_MODEL,
        }
        payload = rendered["States"][State.EVALUATE_MODEL]["Parameters"]["Payload"]
        assert payload["MetricName"] == "validation:auc"


def test_the_training_disk_is_the_settings(settings):
    rendered = json.loads(
        render_definition(dataclasses.replace(settings, training_volume_size_gb=200))
    )
    resources = rendered["States"][State.TRAIN_MODEL]["Parameters"]["ResourceConfig"]
    assert resources["VolumeSizeInGB"] == 200


def test_integration_arns_use_the_region_partition(settings):
    china = json.loads(render_definition(dataclasses.replace(settings, region="cn-north-1")))
    resources = [s["Resource"] for s in china["States"].values() if s["Type"] == "Task"]
    assert resources and all(r.startswith("arn:aws-cn:states:::") for r in resources)


def test_account_specific_values_stay_placeholders(definition):
    text = json.dumps(definition)
    for placeholder in ("${ArtifactBucket}", "${SageMakerRoleArn}", "${TrainingImageUri}"):
        assert placeholder in text
    assert not re.search(r"\d{12}", text), "no account id may be baked into the definition"


def test_the_graph_shows_every_state_and_edge(definition):
    mermaid = to_mermaid(definition)
    for state in State:
        assert f'"{state.value}"' in mermaid.replace("#quot;", '"')
    assert mermaid.count("-.->") == sum(
        len(s.get("Catch", [])) for s in definition["States"].values()
    )


def test_the_readme_embeds_the_graph():
    assert GRAPH_BEGIN in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("asked", "expected"),
    [(None, "{gate}"), ("{other}", "{other},{gate}"), ("{gate},{other}", "{other},{gate}")],
)
def test_training_is_asked_for_the_gates_metric_last(settings, asked, expected):
    """The XGBoost container passes eval_metric to xgboost only when set (FIDELITY.md)."""
    gate = settings.quality_gate.metric.split(":", 1)[1]
    other = "logloss" if gate != "logloss" else "error"
    hyperparameters = dict(settings.hyperparameters)
    hyperparameters.pop("eval_metric", None)
    if asked:
        hyperparameters["eval_metric"] = asked.format(gate=gate, other=other)
    changed = dataclasses.replace(settings, hyperparameters=hyperparameters)
    rendered = json.loads(render_definition(changed))
    sent = rendered["States"][State.TRAIN_MODEL]["Parameters"]["HyperParameters"]
    assert sent["eval_metric"] == expected.format(gate=gate, other=other)


def test_every_endpoint_failure_state_says_why(definition):
    errors = {
        State.ENDPOINT_FAILED: "EndpointFailed",
        State.ENDPOINT_KEPT_OLD_MODEL: "EndpointUpdateFailed",
        State.ENDPOINT_SERVES_ANOTHER_CONFIG: "EndpointUpdateFailed",
        State.ENDPOINT_NOT_READY: "EndpointNotReady",
    }
    for name, error in errors.items():
        state = definition["States"][name]  # sets the reason, then ends the run with it
        assert state["Type"] == "Pass" and state["Parameters"]["Error"] == error
        assert state["Parameters"]["Reason.$"].startswith("States.Format(")
    final = definition["States"][State.DEPLOYMENT_FAILED]
    assert (final["ErrorPath"], final["CausePath"]) == ("$.Decision.Error", "$.Decision.Reason")


@pytest.mark.parametrize(
    ("strategy", "instances", "routing"),
    [
        ("all-at-once", 1, {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 120}),
        ("canary", 2, {"Type": "CANARY", "WaitIntervalInSeconds": 120,
                       "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 50}}),
        ("linear", 4, {"Type": "LINEAR", "WaitIntervalInSeconds": 120,
                       "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 50}}),
    ],
)  # fmt: skip
def test_updates_shift_traffic_as_set_and_roll_back_on_the_stacks_alarms(
    settings, strategy, instances, routing
):
    changed = dataclasses.replace(settings, rollout_strategy=strategy, rollout_wait_seconds=120,
                                  endpoint_instance_count=instances)  # fmt: skip
    update = json.loads(render_definition(changed))["States"][State.UPDATE_ENDPOINT]
    config = update["Parameters"]["DeploymentConfig"]
    assert config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] == routing
    assert 600 <= config["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] <= 28800
    alarms = [a["AlarmName"] for a in config["AutoRollbackConfiguration"]["Alarms"]]
    assert alarms == list(rollback_alarm_names(settings))


def test_every_version_records_what_produced_it(definition):
    register = definition["States"][State.REGISTER_MODEL]["Parameters"]
    metadata = register["CustomerMetadataProperties"]
    for key in (
        "RunName.$",
        "Execution.$",
        "TrainingJob.$",
        "MetricValue.$",
        "TrainUri.$",
        "ValidationUri.$",
        "RawDataUri",
        "NewModelScore.$",
        "LiveModelScore.$",
    ):
        assert key in metadata, key  # fmt: skip
    assert (metadata["GlueScript"], metadata["EvaluatorCode"]) == (
        "${GlueScriptKey}", "${EvaluatorCodeKey}",
    )  # fmt: skip
    assert register["ModelApprovalStatus.$"] == "$.Decision.Status"


def test_manual_approval_registers_passing_models_as_pending(settings):
    manual = json.loads(render_definition(dataclasses.replace(settings, approval="manual")))
    assert manual["States"][State.ACCEPT_MODEL]["Parameters"]["Status"] == "PendingManualApproval"
    automatic = json.loads(render_definition(settings))
    assert automatic["States"][State.ACCEPT_MODEL]["Parameters"]["Status"] == "Approved"


def test_without_compare_with_live_nothing_is_scored(settings):
    states = json.loads(render_definition(dataclasses.replace(settings, compare_with_live=False)))
    assert State.SCORE_LIVE_MODEL not in states["States"]
    assert states["States"][State.QUALITY_GATE]["Choices"][0]["Next"] == State.NO_LIVE_MODEL


def test_both_models_are_scored_on_this_runs_validation_data(definition):
    for name in (State.SCORE_LIVE_MODEL, State.SCORE_NEW_MODEL):
        parameters = definition["States"][name]["Parameters"]
        source = parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri.$"]
        assert source == "$.Run.ValidationUri", name
        assert parameters["DataProcessing"] == {
            "InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]",
        }  # fmt: skip


def test_models_are_kept_outside_the_expiring_run_prefix(definition):
    """storage.yaml expires runs/; an endpoint reads its model again on every new
    instance, so the model must live where nothing expires it."""
    plan = definition["States"][State.PLAN_LOCATIONS]["Parameters"]
    assert "/models/" in plan["ModelOutputUri.$"] and "/runs/" not in plan["ModelOutputUri.$"]
    training = definition["States"][State.TRAIN_MODEL]["Parameters"]
    assert training["OutputDataConfig"]["S3OutputPath.$"] == "$['Run']['ModelOutputUri']"
    from project.aws.cfn_template import load_template

    bucket = load_template(PROJECT_ROOT / "infrastructure" / "storage.yaml")["Resources"][
        "ArtifactBucket"]["Properties"]  # fmt: skip
    prefixes = [rule["Fn::If"][1].get("Prefix") if "Fn::If" in rule else rule.get("Prefix")
                for rule in bucket["LifecycleConfiguration"]["Rules"]]  # fmt: skip
    assert "runs/" in prefixes and not any((p or "").startswith("models") for p in prefixes)
    assert None in prefixes  # the rule without a prefix expires no current object
    (tidy,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if "Fn::If" not in r]
    assert "ExpirationInDays" not in tidy


def test_the_endpoint_captures_the_settings_share_of_requests_as_sagemaker_models_it(settings):
    """DataCaptureConfig as botocore's model of CreateEndpointConfig shapes it (member
    names, CaptureMode's values, the sampling range), read from the model, not restated."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.shape_for("DataCaptureConfig")
    rendered = json.loads(render_definition(dataclasses.replace(settings, capture_percent=35)))
    parameters = rendered["States"][State.CREATE_ENDPOINT_CONFIG]["Parameters"]
    capture = parameters["DataCaptureConfig"]
    assert set(capture) <= set(shape.members) and set(shape.required_members) <= set(capture)
    assert capture["InitialSamplingPercentage"] == 35
    sampling = shape.members["InitialSamplingPercentage"].metadata
    assert sampling["min"] <= 35 <= sampling["max"]
    modes = shape.members["CaptureOptions"].member.members["CaptureMode"].enum
    assert {option["CaptureMode"] for option in capture["CaptureOptions"]} == {"Input", "Output"}
    assert {"Input", "Output"} <= set(modes)
    assert capture["DestinationS3Uri"] == "s3://${ArtifactBucket}/capture"
    assert capture["CaptureContentTypeHeader"] == {"CsvContentTypes": ["text/csv"]}

    none = json.loads(render_definition(dataclasses.replace(settings, capture_percent=0)))
    assert "DataCaptureConfig" not in none["States"][State.CREATE_ENDPOINT_CONFIG]["Parameters"]


@pytest.mark.parametrize(("instances", "distribution"), [(1, "FullyReplicated"),
                                                         (3, "ShardedByS3Key")])  # fmt: skip
def test_each_training_instance_gets_its_share_of_the_files(settings, instances, distribution):
    """#24: replicated channels made every instance train on all the data, N times the
    cost. Sharded, the Glue job writes files in a multiple of the instances (--hosts)."""
    changed = dataclasses.replace(settings, training_instance_count=instances)
    states = json.loads(render_definition(changed))["States"]
    training = states[State.TRAIN_MODEL]["Parameters"]
    assert training["ResourceConfig"]["InstanceCount"] == instances
    # Validation whole on each: the gate reads the metric over all its rows.
    channels = [channel["DataSource"]["S3DataSource"]["S3DataDistributionType"]
                for channel in training["InputDataConfig"]]  # fmt: skip
    assert channels == [distribution, "FullyReplicated"]
    assert states[State.PREPARE_DATA]["Parameters"]["Arguments"]["--hosts"] == str(instances)


def test_training_reads_its_channels_in_file_mode(definition):
    """Of SageMaker's input modes (read from botocore's model), the XGBoost 1.7-1
    container accepts File and Pipe only (algorithm_mode/channel_validation.py: FastFile
    would fail its channel check), and for CSV its Pipe mode stacks every row into a
    float64 numpy array before building the DMatrix (data_utils.py,
    _get_csv_dmatrix_pipe_mode), while File mode has xgboost parse the files into the
    DMatrix directly: File needs the least memory, which is what bounds training."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    modes = model.shape_for("TrainingInputMode").enum
    assert {"File", "Pipe", "FastFile"} <= set(modes)
    training = definition["States"][State.TRAIN_MODEL]["Parameters"]
    assert training["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    channels = training["InputDataConfig"]
    assert {channel["ChannelName"] for channel in channels} == {"train", "validation"}
    assert all(channel.get("InputMode", "File") == "File" for channel in channels)
