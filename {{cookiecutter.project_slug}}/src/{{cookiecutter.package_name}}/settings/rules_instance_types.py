"""SageMaker instance types, and the instance families each use offers.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import re

from .rules_plain_values import Rule
from .rules_suggestions import did_you_mean

# Instance families that SageMaker offers for training and for real-time hosting and
# that can run the CPU build of the XGBoost container (GPU families run it too).
# fmt: off
TRAINING_FAMILIES = (
    "m5", "m4", "m5d", "m6i", "m7i", "c5", "c4", "c5n", "c6i", "c7i",
    "r5", "r5d", "r6i", "r7i", "g4dn", "g5", "g6", "p3",
)
HOSTING_FAMILIES = (
    "m5", "t2", "t3", "m4", "m5d", "m6i", "m7i", "c5", "c4", "c5d", "c6i", "c7i",
    "r5", "r5d", "r6i", "r7i", "g4dn", "g5", "g6", "inf1", "inf2",
)
# Families that batch transform offers (it has no burstable t2/t3), for scoring models.
TRANSFORM_FAMILIES = (
    "m5", "m4", "m6i", "m7i", "c5", "c4", "c6i", "c7i", "r5", "r6i", "g4dn", "g5", "p3",
)
# fmt: on
_INSTANCE_TYPE = re.compile(r"^ml\.([a-z][a-z0-9]*)\.(medium|large|xlarge|[1-9][0-9]*xlarge)$")


def instance_type(families) -> Rule:
    def rule(value: str) -> str | None:
        match = _INSTANCE_TYPE.match(value)
        examples = [f"ml.{family}.xlarge" for family in families]
        if not match:
            return (
                f"'{value}' is not a SageMaker instance type (such as 'ml.m5.xlarge')"
                f"{did_you_mean(value, examples)}"
            )
        family, size = match.groups()
        if family not in families:
            listed = ", ".join(families)
            return f"'{value}' is not offered for this use; choose a family among {listed}"
        if size == "medium" and family not in ("t2", "t3"):
            return f"'{value}' does not exist; only t2 and t3 come in 'medium'"
        return None

    return rule
