"""How long a run may take at most, from the settings' time limits, against how often
the schedule starts one: a run that starts while another runs fails at the Glue job
(one run at a time), so a schedule shorter than a run loses runs once the data grows.
"""

from __future__ import annotations

from ..settings import Settings
from . import estimate

MINUTES_PER_UNIT = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


def longest_run_minutes(settings: Settings) -> dict[str, float]:
    """Each stage's time limit in minutes (the stages that wait on AWS)."""
    stages = {
        "glue.timeout_minutes": settings.glue_timeout_minutes,
        "training.max_runtime_seconds": settings.training_max_runtime_seconds / 60,
    }
    if settings.compare_with_live:
        stages["quality_gate.scoring_timeout_minutes"] = settings.scoring_timeout_minutes
    shifting = estimate.rollout_steps(settings) * settings.rollout_wait_seconds
    rollout = estimate.MAX_PROVISIONING_MINUTES * 60 + shifting
    stages["the endpoint's rollout"] = (rollout + settings.rollout_final_bake_seconds) / 60
    return stages


def schedule_minutes(expression: str | None) -> float | None:
    """The interval of a rate(...) expression; None for cron(...) or none."""
    if not expression or not expression.startswith("rate("):
        return None
    amount, unit = expression.removeprefix("rate(").removesuffix(")").split()
    return int(amount) * MINUTES_PER_UNIT[unit]


def schedule_warning(settings: Settings) -> str | None:
    """A warning when the schedule may start a run before the last one can end."""
    interval = schedule_minutes(settings.schedule_expression)
    stages = longest_run_minutes(settings)
    longest = sum(stages.values())
    if interval is None or interval >= longest:
        return None
    return (
        f"schedule.expression {settings.schedule_expression} starts a run every "
        f"{interval:g} min, but a run may take up to {longest:.0f} min ("
        + " + ".join(f"{name} {minutes:.0f}" for name, minutes in stages.items())
        + "): a run started while another runs fails at the Glue job. Fine while runs "
        "are short; lengthen the schedule as the data grows"
    )
