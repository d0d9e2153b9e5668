"""#25 item 7: the schedule against the longest a run may take (its stages' limits)."""

from __future__ import annotations

import pytest
from project.aws.run_length import longest_run_minutes, schedule_minutes, schedule_warning
from project.cli import main
from project.settings import load_settings

from ..conftest import copy_project, replace_line


@pytest.mark.parametrize(
    ("expression", "minutes"),
    [("rate(1 hour)", 60), ("rate(90 minutes)", 90), ("rate(2 days)", 2880),
     ("cron(0 3 * * ? *)", None), (None, None)],
)  # fmt: skip
def test_schedules_are_read_in_minutes(expression, minutes):
    assert schedule_minutes(expression) == minutes


def test_an_hourly_schedule_is_shorter_than_a_run_and_settings_check_says_so(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "statemachine")
    replace_line(settings_path, "expression =", 'expression = "rate(1 hour)"')
    settings = load_settings(settings_path)
    stages = longest_run_minutes(settings)
    assert stages["glue.timeout_minutes"] == settings.glue_timeout_minutes
    warning = schedule_warning(settings)
    assert warning and f"up to {sum(stages.values()):.0f} min" in warning
    assert main(["--settings", str(settings_path), "settings", "check"]) == 0
    out = capsys.readouterr().out
    assert "all settings are valid" in out and "warning: schedule.expression rate(1 hour)" in out
    replace_line(settings_path, "expression =", 'expression = "rate(7 days)"')
    assert schedule_warning(load_settings(settings_path)) is None
