"""The cost estimate, computed from the settings and the dated price table."""

from __future__ import annotations

import pytest
from project.aws.estimate import (
    GLUE_PRICE_PER_DPU_HOUR,
    PRICES_AS_OF,
    hourly_price,
    report,
    run_lines,
    runs_per_30_days,
)
from project.cli import main
from project.settings import load_settings

from ..conftest import copy_project, replace_line


@pytest.mark.parametrize(
    ("instance_type", "price"),
    [("ml.m5.xlarge", 0.23), ("ml.m5.large", 0.115), ("ml.m5.4xlarge", 0.92),
     ("ml.t2.medium", 0.056), ("ml.inf2.xlarge", None)],
)  # fmt: skip
def test_sizes_scale_the_xlarge_price(instance_type, price):
    from project.aws.estimate import HOSTING_PRICE_PER_XLARGE_HOUR

    assert hourly_price(instance_type, HOSTING_PRICE_PER_XLARGE_HOUR) == price


def test_glue_cost_follows_workers_and_worker_type(settings_path):
    copy_project(settings_path.parent, "statemachine")
    replace_line(settings_path, "worker_type =", 'worker_type = "G.2X"')
    replace_line(settings_path, "number_of_workers =", "number_of_workers = 10")
    glue = run_lines(load_settings(settings_path))[0]
    # 10 workers x 2 DPU for the 120-minute timeout
    assert glue.at_most == pytest.approx(20 * GLUE_PRICE_PER_DPU_HOUR * 2)


def test_training_worst_case_is_bounded_by_max_runtime(settings_path):
    copy_project(settings_path.parent, "statemachine")
    text = settings_path.read_text(encoding="utf-8")
    start = text.index("[training]")
    end = text.index("\n", text.index("instance_type =", start))
    line = text[text.index("instance_type =", start) : end]
    settings_path.write_text(text.replace(line, 'instance_type = "ml.c5.2xlarge"', 1))
    replace_line(settings_path, "max_runtime_seconds =", "max_runtime_seconds = 7200")
    training = run_lines(load_settings(settings_path))[1]
    assert training.at_most == pytest.approx(0.408 * 2)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [("rate(7 days)", 30 / 7), ("rate(1 day)", 30), ("cron(0 3 * * ? *)", None), (None, None)],
)
def test_schedules_count_runs(expression, runs):
    assert runs_per_30_days(expression) == (pytest.approx(runs) if runs else None)


def test_the_report_states_the_price_date(settings_path, capsys):
    copy_project(settings_path.parent, "statemachine")
    assert main(["--settings", str(settings_path), "estimate"]) == 0
    out = capsys.readouterr().out
    assert f"as of {PRICES_AS_OF}" in out and "per day" in out
    assert out.splitlines() == report(load_settings(settings_path))
