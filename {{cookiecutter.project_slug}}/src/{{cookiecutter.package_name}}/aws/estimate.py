"""`estimate`: what one retraining run and the live endpoint cost, from the settings.

Prices are on-demand list prices for us-east-1, recorded on the date below; other
regions and later price changes differ. Durations are stated assumptions (a typical
run on a modest dataset) next to the bound the settings impose (timeouts), so the
estimate says both what to expect and the worst case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..project_layout import DEFINITION_PATH
from ..settings import Settings

PRICES_AS_OF = "2025-06"
PRICES_REGION = "us-east-1"
PRICING_PAGES = "https://aws.amazon.com/glue/pricing/, https://aws.amazon.com/sagemaker/pricing/"
GLUE_PRICE_PER_DPU_HOUR = 0.44
GLUE_DPUS_PER_WORKER = {"G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8}
GLUE_MINIMUM_MINUTES = 1  # Glue 4.0 and 5.0 bill per second after a 1-minute minimum
GLUE_TIMEOUT_MINUTES = 120  # the job's Timeout in infrastructure/pipeline.yaml
STEP_FUNCTIONS_PRICE_PER_TRANSITION = 0.000025
# Price of the xlarge size per hour, by family; other sizes scale with their vCPUs.
TRAINING_PRICE_PER_XLARGE_HOUR = {
    "m4": 0.24, "m5": 0.23, "m6i": 0.23, "c4": 0.239, "c5": 0.204, "c6i": 0.204,
    "r5": 0.302, "r6i": 0.302, "g4dn": 0.736, "g5": 1.408, "p3": 1.9125,
}  # fmt: skip
HOSTING_PRICE_PER_XLARGE_HOUR = {
    **TRAINING_PRICE_PER_XLARGE_HOUR, "t2": 0.224, "t3": 0.2,
}  # fmt: skip
SIZE_FACTOR = {"medium": 0.25, "large": 0.5, "xlarge": 1.0}
# Assumed durations of a typical run on data of a few GB.
TYPICAL_GLUE_MINUTES = 10
TYPICAL_TRAINING_MINUTES = 10
SCHEDULE_RUNS_PER_30_DAYS = {"minute": 43200, "minutes": 43200, "hour": 720, "hours": 720,
                             "day": 30, "days": 30}  # fmt: skip


@dataclass(frozen=True)
class Line:
    what: str
    typical: float | None
    at_most: float | None
    detail: str


def hourly_price(instance_type: str, table: dict[str, float]) -> float | None:
    """The listed hourly price of an instance type, or None when the table lacks it."""
    _, family, size = instance_type.split(".")
    factor = SIZE_FACTOR.get(size) or float(size.removesuffix("xlarge"))
    per_xlarge = table.get(family)
    return None if per_xlarge is None else round(per_xlarge * factor, 4)


def run_lines(settings: Settings) -> list[Line]:
    dpus = GLUE_DPUS_PER_WORKER[settings.glue_worker_type] * settings.glue_number_of_workers
    glue_cost = dpus * GLUE_PRICE_PER_DPU_HOUR / 60
    lines = [
        Line(
            "Glue ETL",
            glue_cost * max(TYPICAL_GLUE_MINUTES, GLUE_MINIMUM_MINUTES),
            glue_cost * GLUE_TIMEOUT_MINUTES,
            f"{settings.glue_number_of_workers} x {settings.glue_worker_type} = {dpus} DPU; "
            f"typical {TYPICAL_GLUE_MINUTES} min, at most {GLUE_TIMEOUT_MINUTES} min",
        )
    ]
    price = hourly_price(settings.training_instance_type, TRAINING_PRICE_PER_XLARGE_HOUR)
    count = settings.training_instance_count
    max_minutes = settings.training_max_runtime_seconds / 60
    lines.append(
        Line(
            "Training",
            None if price is None else price * count * TYPICAL_TRAINING_MINUTES / 60,
            None if price is None else price * count * max_minutes / 60,
            f"{count} x {settings.training_instance_type}"
            + (" (not in the price table)" if price is None else f" at ${price}/h")
            + f"; typical {TYPICAL_TRAINING_MINUTES} min, at most {max_minutes:g} min",
        )
    )
    # A run passes through each state at most once (retries aside): the state count
    # of the committed definition bounds its transitions.
    definition = json.loads((settings.path.parent / DEFINITION_PATH).read_text(encoding="utf-8"))
    states = len(definition["States"])
    transitions = states * STEP_FUNCTIONS_PRICE_PER_TRANSITION
    lines.append(Line("Workflow", transitions, transitions, f"at most {states} state transitions"))
    return lines


def endpoint_cost_per_day(settings: Settings) -> float | None:
    price = hourly_price(settings.endpoint_instance_type, HOSTING_PRICE_PER_XLARGE_HOUR)
    return None if price is None else price * settings.endpoint_instance_count * 24


def runs_per_30_days(expression: str | None) -> float | None:
    """How often a rate(...) schedule runs; None for cron (count it yourself) or none."""
    if not expression or not expression.startswith("rate("):
        return None
    amount, unit = expression.removeprefix("rate(").removesuffix(")").split()
    return SCHEDULE_RUNS_PER_30_DAYS[unit] / int(amount)


def report(settings: Settings) -> list[str]:
    def money(value: float | None) -> str:
        if value is None:
            return "unknown"
        return "<$0.01" if 0 < value < 0.005 else f"${value:,.2f}"

    lines = run_lines(settings)
    out = [
        f"One retraining run of {settings.slug} ({PRICES_REGION} on-demand list prices "
        f"as of {PRICES_AS_OF}):"
    ]
    for line in lines:
        out.append(
            f"  {line.what:<10} typical {money(line.typical):>8}   "
            f"at most {money(line.at_most):>8}   {line.detail}"
        )
    typical = [line.typical for line in lines]
    worst = [line.at_most for line in lines]
    total_typical = None if None in typical else sum(typical)
    total_worst = None if None in worst else sum(worst)
    out.append(
        f"  {'Per run':<10} typical {money(total_typical):>8}   at most {money(total_worst):>8}"
    )
    per_day = endpoint_cost_per_day(settings)
    out.append(
        f"Endpoint: {settings.endpoint_instance_count} x {settings.endpoint_instance_type}, "
        f"always on once a model passes the gate: {money(per_day)} per day, "
        f"{money(None if per_day is None else per_day * 30)} per 30 days"
    )
    runs = runs_per_30_days(settings.schedule_expression)
    if runs is not None and total_typical is not None:
        out.append(
            f"Schedule {settings.schedule_expression}: {runs:g} runs per 30 days, "
            f"typically {money(runs * total_typical)}"
        )
    elif settings.schedule_expression:
        out.append(
            f"Schedule {settings.schedule_expression}: multiply the per-run cost by its runs"
        )
    if settings.region != PRICES_REGION or None in typical or per_day is None:
        out.append(f"Prices differ by region and instance; check {PRICING_PAGES}")
    return out
