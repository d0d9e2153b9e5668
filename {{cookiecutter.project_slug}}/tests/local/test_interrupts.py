"""A KeyboardInterrupt that Python would swallow in a finalizer still ends the run."""

from __future__ import annotations

import sys
import time
import weakref

import pytest
from project.local.interrupts import interrupts_never_swallowed


class _JavaObjectStandIn:
    """Released through a weakref callback, as py4j releases its Java objects."""


def _release_with_ctrl_c_inside_the_callback() -> None:
    def callback(_reference):
        raise KeyboardInterrupt  # the signal landed while the callback ran

    released = _JavaObjectStandIn()
    reference = weakref.ref(released, callback)
    del released
    assert reference() is None


def test_a_ctrl_c_that_lands_in_a_finalizer_is_delivered_again():
    with pytest.raises(KeyboardInterrupt), interrupts_never_swallowed():
        _release_with_ctrl_c_inside_the_callback()
        for _ in range(200):  # the run's next ordinary lines
            time.sleep(0.005)
    assert sys.unraisablehook is not None


def test_other_unraisable_errors_still_reach_the_previous_hook(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    with interrupts_never_swallowed():
        released = _JavaObjectStandIn()
        reference = weakref.ref(released, lambda _reference: 1 / 0)
        del released
        assert reference() is None
    assert [type(entry.exc_value) for entry in seen] == [ZeroDivisionError]
    assert sys.unraisablehook == seen.append  # restored after the run
