"""`estimate --data-size`: each stage's time and cost at a size of raw CSV, from the rates
benchmarks/scale.py measured, and what stops the settings from running it (#24, #25)."""

from __future__ import annotations

import dataclasses

import pytest
from project.aws import scale_estimate
from project.aws.scale_estimate import (
    parse_size,
    report,
    stages,
    vcpus,
)
from project.cli import main
from project.settings import SettingsError, load_settings

from ..conftest import PROJECT_ROOT

GB = 10**9


# The settings the estimate reads, as the project is generated: the tests below hold
# whatever a bake chose for them (workers, instance types, the comparison).
GENERATED = {
    "glue_worker_type": "G.1X", "glue_number_of_workers": 2, "glue_timeout_minutes": 120,
    "training_instance_type": "ml.m5.xlarge", "training_instance_count": 1,
    "training_volume_size_gb": 30, "training_max_runtime_seconds": 3600,
    "scoring_instance_type": "ml.m5.large", "scoring_instance_count": 1,
    "scoring_timeout_minutes": 60, "compare_with_live": True,
}  # fmt: skip


@pytest.fixture(scope="module")
def settings():
    return dataclasses.replace(load_settings(PROJECT_ROOT / "settings.toml"), **GENERATED)


@pytest.mark.parametrize(("text", "size"), [("100GB", 100 * GB), ("1 TB", 10**12),
                                            ("1.5gb", 1.5 * GB), ("500MB", 5 * 10**8)])  # fmt: skip
def test_sizes_are_read_in_decimal_units_as_s3_counts_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["100", "ten GB", "1 PB", "-1GB"])
def test_a_size_that_is_not_one_is_refused_in_one_line(text):
    with pytest.raises(SettingsError, match="is not a size; write it like 100GB or 1TB"):
        parse_size(text)


@pytest.mark.parametrize(("instance", "cpus", "gib"), [
    ("ml.m5.large", 2, 8), ("ml.m5.xlarge", 4, 16), ("ml.m5.24xlarge", 96, 384),
    ("ml.r5.12xlarge", 48, 384), ("ml.c5.2xlarge", 8, 16),
])  # fmt: skip
def test_instance_sizes_follow_sagemakers_naming(instance, cpus, gib):
    assert vcpus(instance) == cpus and scale_estimate.memory_gib(instance) == gib


def test_the_training_memory_figure_is_local_trainings_measured_one():
    from project.local import training

    assert scale_estimate.BYTES_PER_VALUE == training.BYTES_PER_VALUE


def test_a_row_is_sized_from_the_projects_own_generated_sample(settings, tmp_path):
    from project.sample_data import generate

    sample = generate(tmp_path / "s.csv", settings.data, rows=2000).read_bytes()
    rows = sample.splitlines(keepends=True)[1:]
    assert scale_estimate.bytes_per_row(settings) == sum(map(len, rows)) / len(rows)


def test_one_gb_runs_on_the_default_settings(settings):
    found = stages(settings, GB, 78)
    assert [stage.what for stage in found] == ["Glue ETL", "Training", "Scoring", "Comparison"]
    assert not any(stage.blocker for stage in found)


def test_at_100_gb_the_defaults_are_stopped_by_what_would_fail_on_aws(settings):
    """Each limit a run would hit, named with its setting and the fix."""
    blockers = {stage.what: stage.blocker for stage in stages(settings, 100 * GB, 78)}
    assert "glue.timeout_minutes (120)" in blockers["Glue ETL"]
    assert "exceed the executors' free disk (44 GB)" in blockers["Glue ETL"]
    assert "ml.m5.xlarge has 16" in blockers["Training"]
    assert "1 x ml.r5.24xlarge" in blockers["Training"]  # 768 GiB holds ~514 GiB
    assert "training.volume_size_gb (30)" in blockers["Training"]
    assert "evaluator's 240 s timeout" in blockers["Comparison"]


def test_settings_scaled_for_100_gb_run_it(settings):
    """What runs at 100 GB on settings alone: more and larger Glue workers, a longer
    time limit, training spread over memory-optimized instances, no comparison."""
    scaled = dataclasses.replace(
        settings, glue_worker_type="G.2X", glue_number_of_workers=20, glue_timeout_minutes=240,
        training_instance_type="ml.r5.24xlarge", training_instance_count=2,
        training_volume_size_gb=200, training_max_runtime_seconds=4 * 3600,
        compare_with_live=False,
    )  # fmt: skip
    found = stages(scaled, 100 * GB, 78)
    assert [stage.what for stage in found] == ["Glue ETL", "Training"]
    assert not any(stage.blocker for stage in found), [stage.blocker for stage in found]


def test_more_workers_and_instances_shorten_their_stages(settings):
    alone = {stage.what: stage.hours for stage in stages(settings, 10 * GB, 78)}
    wider = dataclasses.replace(settings, glue_number_of_workers=9, training_instance_count=4)
    spread = {stage.what: stage.hours for stage in stages(wider, 10 * GB, 78)}
    assert spread["Glue ETL"] < alone["Glue ETL"] / 4 and spread["Training"] < alone["Training"]


def test_estimate_data_size_prints_each_stage_and_the_verdict(capsys):
    settings_path = str(PROJECT_ROOT / "settings.toml")
    assert main(["--settings", settings_path, "estimate", "--offline", "--data-size", "1TB"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("One run on 1TB of raw CSV: ~")
    assert [line.split()[0] for line in out[1:6]] == ["Glue", "Training", "Scoring",
                                                      "Comparison", "Per"]  # fmt: skip
    assert out[6] == "These settings cannot run it:"
    assert main(["--settings", settings_path, "estimate", "--offline", "--data-size", "1PB"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_report_states_its_assumptions(settings):
    text = "\n".join(report(settings, "10GB"))
    assert "bytes a row ([data]'s generated sample)" in text and "lower bounds" in text


# README's table "Data at scale": each size, the settings that run it.
README_SETTINGS = {
    "1 GB": {},
    "10 GB": {"training_instance_type": "ml.m5.12xlarge", "compare_with_live": False},
    "100 GB": {"glue_worker_type": "G.2X", "glue_number_of_workers": 20,
               "glue_timeout_minutes": 240, "training_instance_type": "ml.r5.24xlarge",
               "training_instance_count": 2, "training_volume_size_gb": 200,
               "training_max_runtime_seconds": 14400, "compare_with_live": False},
}  # fmt: skip


def test_the_readmes_scale_table_is_what_the_estimate_says(settings):
    """The table is for the generated project: the sample's schema (its row size is in
    the README) and the generated hyperparameters. Once [data] or those change, it is
    the README's example, and `estimate --data-size` gives your figures."""
    import re

    from project.aws.scale_estimate import _duration, _money

    readme = (PROJECT_ROOT / "README.md").read_text()
    stated = re.search(r"For the\nsample's schema \((\d+) bytes a row", readme)
    row_bytes = scale_estimate.bytes_per_row(settings)
    if not stated or round(row_bytes) != int(stated.group(1)) or (
        settings.hyperparameters.get("num_round") != 100
    ):  # fmt: skip
        pytest.skip("[data] or the rounds are no longer the generated project's")
    # 1 TB runs on no settings: its validation set fits no instance (replicated on each).
    blockers = {stage.what: stage.blocker for stage in stages(settings, 10**12, row_bytes)}
    assert "no instance type holds the validation set" in blockers["Training"]
    assert next(line for line in readme.splitlines() if line.startswith("| 1 TB |")).endswith(
        "| - |"
    )
    for size, changes in README_SETTINGS.items():
        found = stages(dataclasses.replace(settings, **changes), parse_size(size), row_bytes)
        assert not any(stage.blocker for stage in found), (size, found)
        hours = sum(stage.hours for stage in found)
        cost = sum(stage.cost for stage in found if stage.cost is not None)
        row = next(line for line in readme.splitlines() if line.startswith(f"| {size} |"))
        assert row.endswith(f"| {_duration(hours)}, {_money(cost)} |"), (row, hours, cost)


def test_settings_check_refuses_settings_that_cannot_run_the_data_size(capsys):
    """`settings check --data-size`: each stage that would fail on AWS at that size is
    one line naming the setting and the fix (training's names instance types that fit),
    and the exit code says so; a size the settings hold passes."""
    settings_path = str(PROJECT_ROOT / "settings.toml")
    assert main(["--settings", settings_path, "settings", "check", "--data-size", "1TB"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("error: at 1TB, ") for line in err)
    assert any(line.startswith("error: at 1TB, Training: ") for line in err)
    assert main(["--settings", settings_path, "settings", "check", "--data-size", "1MB"]) == 0
    assert "at 1MB of raw CSV these settings can run" in capsys.readouterr().out
