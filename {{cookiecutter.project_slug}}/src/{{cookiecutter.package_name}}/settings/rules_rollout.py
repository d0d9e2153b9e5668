"""How a new model reaches the endpoint: SageMaker's blue/green rollout strategies and
the longest rollout SageMaker allows.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

# SageMaker's blue/green traffic routing types (TrafficRoutingConfig.Type), as settings.
ROLLOUT_STRATEGIES = ("all-at-once", "canary", "linear")
# SageMaker's upper bound of a blue/green update, BlueGreenUpdatePolicy's
# MaximumExecutionTimeoutInSeconds (botocore's model: 600 to 28800; a test reads it).
ROLLOUT_MAX_SECONDS = 28800
# The run checks a deploying endpoint every 30 s, and allows 90 checks (45 minutes)
# for provisioning before the rollout's own waits (workflow/definition.py).
ENDPOINT_CHECK_INTERVAL_SECONDS = 30
ENDPOINT_PROVISIONING_CHECKS = 90


def rollout_seconds(strategy: str, step_percent: int, wait_seconds: int,
                    final_bake_seconds: int) -> int:  # fmt: skip
    """An upper bound of a rollout: provisioning, each traffic step's bake, the last bake."""
    steps = {"all-at-once": 1, "canary": 2}.get(strategy, -(-100 // max(step_percent, 1)))
    provisioning = ENDPOINT_PROVISIONING_CHECKS * ENDPOINT_CHECK_INTERVAL_SECONDS
    return provisioning + steps * wait_seconds + final_bake_seconds
