"""Numbers that FIDELITY.md and the README give about the workflow are the definition's.

A ledger that says "at most 90 checks" while the definition makes 110 misleads the
reader it exists for; so each number the docs state about the committed definition is
read back from it here (the docs' wording is matched, the values are not restated).
"""

from __future__ import annotations

import json
import re

import pytest
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT

DEFINITION = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())
STATES = DEFINITION["States"]
DOCS = {
    name: (PROJECT_ROOT / name).read_text(encoding="utf-8") for name in ("FIDELITY.md", "README.md")
}


def max_endpoint_checks() -> int:
    rules = STATES[State.ENDPOINT_STATUS]["Choices"]
    return next(r["NumericGreaterThanEquals"] for r in rules if "NumericGreaterThanEquals" in r)


def counted(kind: str) -> int:
    return {
        "checks": max_endpoint_checks(),
        "states": len(STATES),
        "Task states": sum(s["Type"] == "Task" for s in STATES.values()),
    }[kind]


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_counts_of_checks_and_states_are_the_definitions(doc):
    for match in re.finditer(r"(\d[\d,]*) (checks|Task states|states)\b", DOCS[doc]):
        assert int(match[1].replace(",", "")) == counted(match[2]), match[0]


def test_the_check_interval_and_provisioning_time_are_the_definitions():
    interval = STATES[State.WAIT_FOR_ENDPOINT]["Seconds"]
    text = DOCS["FIDELITY.md"]
    assert f"every {interval} s" in text
    minutes = re.search(r"for (\d+) minutes of provisioning", text)
    rollout = STATES[State.UPDATE_ENDPOINT]["Parameters"]["DeploymentConfig"]
    bakes = rollout["BlueGreenUpdatePolicy"]["TerminationWaitInSeconds"]
    assert minutes and int(minutes[1]) * 60 <= (max_endpoint_checks() * interval) - bakes
    assert (
        f"At most {max_endpoint_checks()} checks" in STATES[State.START_ENDPOINT_CHECKS]["Comment"]
    )


def test_the_retry_time_the_ledger_states_is_the_definitions():
    stated = int(re.search(r"retry the generic name for at most (\d+) s", DOCS["FIDELITY.md"])[1])
    longest = max(
        sum(r["IntervalSeconds"] * r["BackoffRate"] ** i for i in range(r["MaxAttempts"]))
        for s in STATES.values() if ":sagemaker:" in s.get("Resource", "")
        for r in s["Retry"]
    )  # fmt: skip
    assert longest == stated
