"""Loading settings.toml: the baked file is valid, and each bad edit gets one clear line."""

from __future__ import annotations

import pytest
from project.settings import SettingsError, find_settings_file, load_settings

from ..conftest import PROJECT_ROOT, clear_account_values, replace_line


def test_the_baked_settings_file_is_valid():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    assert settings.region
    assert settings.quality_gate.metric.startswith("validation:")
    assert settings.hyperparameters["objective"] == "binary:logistic"


def test_the_settings_file_is_found_from_a_subfolder(settings_path, monkeypatch):
    subfolder = settings_path.parent / "notebooks"
    subfolder.mkdir()
    monkeypatch.chdir(subfolder)
    assert find_settings_file() == settings_path


@pytest.mark.parametrize(
    ("line_start", "new_line", "message"),
    [
        ("region =", 'region = "us-est-1"', "aws.region 'us-est-1' is not an AWS region; did you"),
        ("account_id =", 'account_id = "12"', "aws.account_id '12' is not an AWS account id"),
        ("artifact_bucket =", 'artifact_bucket = "Bad_Bucket"', "aws.artifact_bucket"),
        (
            "threshold =",
            'threshold = "0.1"',
            "quality_gate.threshold is '0.1'; it must be a number",
        ),
        ("direction =", 'direction = "sideways"', "quality_gate.direction 'sideways'"),
        ("number_of_workers =", "number_of_workers = 1", "glue.number_of_workers '1'"),
        ("expression =", 'expression = "rate(1 days)"', "schedule.expression"),
        ("expression =", 'expression = "rate(5 minutes)"', "schedule.expression 'rate(5 minutes)'"),
        ("timezone =", 'timezone = "Mars/Olympus"', "schedule.timezone 'Mars/Olympus' is not"),
        ("keep_runs_days =", "keep_runs_days = 3651", "storage.keep_runs_days '3651' must be"),
        ("keep_runs_days =", 'keep_runs_days = "90"', "storage.keep_runs_days is '90'; it must"),
        ("retention_days =", "retention_days = 10", "logs.retention_days '10' is not a retention"),
        ("train_on =", 'train_on = "yesterday"', "retraining.train_on 'yesterday' is not a"),
        ("max_runtime_seconds =", "max_runtime_seconds = 5", "training.max_runtime_seconds '5'"),
        ("max_depth =", "max_dept = 5", "hyperparameters.max_dept is not a hyperparameter"),
    ],
)
def test_a_bad_edit_is_refused_with_one_line_naming_the_setting(
    settings_path, line_start, new_line, message
):
    replace_line(settings_path, line_start, new_line)
    with pytest.raises(SettingsError) as caught:
        load_settings(settings_path)
    text = str(caught.value)
    assert text.startswith("settings.toml: ")
    assert message in text
    assert "\n" not in text


def test_a_misspelt_key_is_refused_with_a_suggestion(settings_path):
    replace_line(settings_path, "threshold =", "treshold = 0.1")
    with pytest.raises(
        SettingsError,
        match=r"quality_gate\.treshold is not a known setting; did you mean 'threshold'",
    ):
        load_settings(settings_path)


def test_a_corrupt_file_is_reported_not_parsed(settings_path):
    settings_path.write_text("[aws\nregion = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="is not valid TOML"):
        load_settings(settings_path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "settings.toml")


def test_derived_names_need_the_account(settings_path):
    clear_account_values(settings_path)
    settings = load_settings(settings_path)
    with pytest.raises(SettingsError, match=r"aws\.account_id, which is empty"):
        _ = settings.artifact_bucket


def test_derived_names_follow_the_account_and_region(settings_path):
    clear_account_values(settings_path)
    replace_line(settings_path, "region =", 'region = "cn-north-1"')
    replace_line(settings_path, "account_id =", 'account_id = "012345678901"')
    settings = load_settings(settings_path)
    assert settings.artifact_bucket == f"{settings.slug}-012345678901-cn-north-1"
    assert settings.role_arn("glue_role_arn") == (
        f"arn:aws-cn:iam::012345678901:role/{settings.slug}-glue-role"
    )


@pytest.mark.parametrize(
    ("direction", "value", "passes"),
    [("lower-is-better", 0.05, True), ("lower-is-better", 0.2, False),
     ("higher-is-better", 0.2, True), ("higher-is-better", 0.05, False)],
)  # fmt: skip
def test_the_quality_gate_compares_in_the_configured_direction(direction, value, passes):
    from project.settings import QualityGate

    gate = QualityGate(metric="validation:error", direction=direction, threshold=0.1)
    assert gate.passes(value) is passes


@pytest.mark.parametrize(
    ("line", "new", "expected"),
    [("capture_percent =", "capture_percent = 0", "drift.capture_percent is 0"),
     ("check_schedule =", 'check_schedule = "none"', 'drift.check_schedule is "none"')],
)  # fmt: skip
def test_retraining_on_drift_needs_captured_requests_and_a_check(
    settings_path, line, new, expected
):
    replace_line(settings_path, "on_drift =", "on_drift = true")
    load_settings(settings_path)  # fine with both
    replace_line(settings_path, line, new)
    with pytest.raises(SettingsError, match=f"retraining.on_drift is true but {expected}"):
        load_settings(settings_path)
    replace_line(settings_path, "on_drift =", "on_drift = false")
    load_settings(settings_path)  # fine without drift retraining
