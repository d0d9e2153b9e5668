"""A Ctrl-C during a local run always stops it.

Python raises KeyboardInterrupt in whatever code the main thread runs when the
signal arrives. When that is a garbage-collection callback (py4j releases Java
objects from weakref callbacks, often), Python cannot raise it to the caller: it
prints "Exception ignored in ..." and the run goes on as if no key was pressed.
For the length of a run, such an interrupt is delivered again, so that it ends the
run as any other Ctrl-C does. It is delivered a moment later from a helper thread:
one raised inside the hook that reports it would be swallowed in the same way.
"""

from __future__ import annotations

import _thread
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

REDELIVERY_DELAY_SECONDS = 0.05  # long enough for the hook to have returned


@contextmanager
def interrupts_never_swallowed() -> Iterator[None]:
    previous = sys.unraisablehook

    def deliver_again(unraisable) -> None:
        if issubclass(unraisable.exc_type, KeyboardInterrupt):
            again = threading.Timer(REDELIVERY_DELAY_SECONDS, _thread.interrupt_main)
            again.daemon = True
            again.start()
            return
        previous(unraisable)

    sys.unraisablehook = deliver_again
    try:
        yield
    finally:
        sys.unraisablehook = previous
