"""Progress on a terminal updates the running state in place; elsewhere, plain lines."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from project.settings import load_settings
from project.workflow.display import PlainDisplay, TerminalDisplay, display_for
from project.workflow.progress import Progress
from project.workflow.state_names import State
from rich.console import Console

from ..project_alias import PROJECT_ROOT

START = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = (
    ("TaskStateEntered", 0, {"name": State.PREPARE_DATA}),
    ("TaskStateExited", 5, {"name": State.PREPARE_DATA}),
    ("TaskStateEntered", 5, {"name": State.TRAIN_MODEL}),
    ("TaskStateExited", 9, {"name": State.TRAIN_MODEL}),
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def show(display) -> None:
    progress = Progress(load_settings(PROJECT_ROOT / "settings.toml"), display)
    with display:
        for kind, seconds, details in EVENTS:
            progress.on_event(kind, details, START + timedelta(seconds=seconds))


def test_on_a_terminal_the_running_state_is_replaced_by_its_result():
    screen = io.StringIO()
    show(TerminalDisplay(Console(file=screen, force_terminal=True, width=100)))
    written = screen.getvalue()
    assert "\x1b[2K" in written  # the running line is erased and redrawn in place
    kept = [line.strip() for line in ANSI.sub("", written).splitlines() if "ok " in line]
    assert kept == [f"ok {State.PREPARE_DATA} (5.0 s)", f"ok {State.TRAIN_MODEL} (4.0 s)"]
    assert "->" not in written  # no line per state entered: the spinner stands for it


def test_elsewhere_each_line_is_printed_as_it_comes_without_control_codes():
    lines = []
    show(PlainDisplay(lines.append))
    assert lines == [
        f"  -> {State.PREPARE_DATA}",
        f"  ok {State.PREPARE_DATA} (5.0 s)",
        f"  -> {State.TRAIN_MODEL}",
        f"  ok {State.TRAIN_MODEL} (4.0 s)",
    ]


def test_the_display_follows_whether_the_output_is_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(display_for(io.StringIO()), PlainDisplay)
    terminal = Terminal()
    display = display_for(terminal)
    assert isinstance(display, TerminalDisplay)
    with display:
        display.say("to the stream given")
    assert "to the stream given" in terminal.getvalue()
