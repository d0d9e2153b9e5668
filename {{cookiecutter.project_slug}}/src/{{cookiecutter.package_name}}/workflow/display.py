"""Where a run's progress lines go.

On a terminal, the state that is running shows on one line that updates in place (a
spinner, rich's Live display) and each finished state stays as one line above it.
Anywhere else (a pipe, a CI log, a notebook) every line is printed as it comes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol, TextIO, runtime_checkable


@runtime_checkable
class Display(Protocol):
    def say(self, line: str) -> None: ...

    def running(self, state: str) -> None: ...


class PlainDisplay:
    """Each line as it comes, the running state included: for logs and notebooks."""

    def __init__(self, say: Callable[[str], None] = print):
        self.say = say

    def running(self, state: str) -> None:
        self.say(f"  -> {state}")

    def __enter__(self) -> PlainDisplay:
        return self

    def __exit__(self, *exception: object) -> None:
        return None


class TerminalDisplay:
    """The running state on a line that updates in place; finished lines above it."""

    def __init__(self, console: Any = None):
        from rich.console import Console
        from rich.live import Live

        self.console = console or Console(highlight=False)
        # transient: the spinner line is erased when the display closes.
        self._live = Live(console=self.console, transient=True, refresh_per_second=8)

    def say(self, line: str) -> None:
        self._live.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def running(self, state: str) -> None:
        from rich.spinner import Spinner

        self._live.update(Spinner("dots", text=f" {state}"), refresh=True)

    def __enter__(self) -> TerminalDisplay:
        self._live.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self._live.stop()


def display_for(stream: TextIO = sys.stdout) -> PlainDisplay | TerminalDisplay:
    """A terminal display when ``stream`` is a terminal, plain lines otherwise."""
    if stream.isatty():
        from rich.console import Console

        return TerminalDisplay(Console(file=stream, highlight=False))
    return PlainDisplay(lambda line: print(line, file=stream, flush=True))
