"""`estimate`: what one retraining run and the live endpoint cost, from the settings.

Prices are on-demand list prices. When AWS credentials allow it they are read from the
AWS Price List API for the project's region (aws/prices.py); any price it cannot give
(no credentials, access denied, no network, a product it does not list) comes from the
table below, recorded for us-east-1 on the date below. Each line of the report says
which source its prices came from. Durations are stated assumptions (a typical run on
a modest dataset) next to the bound the settings impose (timeouts), so the estimate
says both what to expect and the worst case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date

from ..project_layout import definition_path
from ..settings import Settings
from ..workflow.state_names import State
from . import prices as price_list

PRICES_AS_OF = "2025-06"
PRICES_REGION = "us-east-1"
PRICING_PAGES = "https://aws.amazon.com/glue/pricing/, https://aws.amazon.com/sagemaker/pricing/"
GLUE_PRICE_PER_DPU_HOUR = 0.44
GLUE_DPUS_PER_WORKER = {"G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8}
GLUE_MINIMUM_MINUTES = 1  # Glue 4.0 and 5.0 bill per second after a 1-minute minimum
STEP_FUNCTIONS_PRICE_PER_TRANSITION = 0.000025
LAMBDA_PRICE_PER_GB_SECOND = 0.0000166667  # x86_64
LAMBDA_PRICE_PER_REQUEST = 0.0000002
ALARM_PRICE_PER_MONTH = 0.10  # a standard-resolution metric alarm
# Price of the xlarge size per hour, by family; other sizes scale with their vCPUs.
TRAINING_PRICE_PER_XLARGE_HOUR = {
    "m4": 0.24, "m5": 0.23, "m6i": 0.23, "c4": 0.239, "c5": 0.204, "c6i": 0.204,
    "r5": 0.302, "r6i": 0.302, "g4dn": 0.736, "g5": 1.408, "p3": 1.9125,
}  # fmt: skip
HOSTING_PRICE_PER_XLARGE_HOUR = {
    **TRAINING_PRICE_PER_XLARGE_HOUR, "t2": 0.224, "t3": 0.2,
}  # fmt: skip
# Batch transform instances are listed at the hosting prices.
SCORING_PRICE_PER_XLARGE_HOUR = HOSTING_PRICE_PER_XLARGE_HOUR
SIZE_FACTOR = {"medium": 0.25, "large": 0.5, "xlarge": 1.0}
# Assumed durations of a typical run on data of a few GB.
TYPICAL_GLUE_MINUTES = 10
TYPICAL_TRAINING_MINUTES = 10
# A batch transform job: about 5 minutes to start its instance, a few more to score a
# validation set of a few hundred MB. Each of the two is stopped by its state's
# TimeoutSeconds (quality_gate.scoring_timeout_minutes) at the latest.
TYPICAL_SCORING_MINUTES = 8
SCORING_JOBS = 2  # the live model and the new one
# The evaluator Lambda (MemorySize and Timeout in infrastructure/pipeline.yaml): it
# reads a metric in about a second, and two prediction files in a few.
EVALUATOR_MEMORY_GB = 0.5  # MemorySize of the evaluator in pipeline.yaml
EVALUATOR_TIMEOUT_SECONDS = 240  # its Timeout there
TYPICAL_EVALUATOR_SECONDS = 3
# A blue/green update runs the new fleet beside the old one from its start until the
# last bake ends: provisioning (typically ~10 min, at most the run's 45 minutes of
# endpoint checks), then rollout.wait_seconds per traffic step and final_bake_seconds.
TYPICAL_PROVISIONING_MINUTES = 10
MAX_PROVISIONING_MINUTES = 45
ROLLBACK_ALARMS = 2  # 5xx errors and model latency (settings/names.py)
FREE_ALARMS = 10  # CloudWatch's free tier: 10 alarm metrics per account
SCHEDULE_RUNS_PER_30_DAYS = {"minute": 43200, "minutes": 43200, "hour": 720, "hours": 720,
                             "day": 30, "days": 30}  # fmt: skip
# Drift (steps/drift_check.py): the check's function (MemorySize and Timeout in
# pipeline.yaml) streams a day of captures in seconds; each captured request is one
# JSON line of about this envelope (metadata and the answer) plus its CSV row.
DRIFT_CHECK_MEMORY_GB = 0.5
DRIFT_CHECK_TIMEOUT_SECONDS = 900
TYPICAL_DRIFT_CHECK_SECONDS = 20
CAPTURE_ENVELOPE_BYTES = 400
CAPTURE_BYTES_PER_FEATURE = 10  # a number as CSV text, with its comma
S3_PRICE_PER_GB_MONTH = 0.023  # S3 Standard, first 50 TB, us-east-1
NONCURRENT_DAYS = 30  # storage.yaml's NoncurrentVersionExpiration
MILLION = 1_000_000
API = "Price List API"
TABLE = "table"


@dataclass(frozen=True)
class Price:
    value: float | None  # USD per unit; None when neither source has it
    source: str  # API or TABLE


@dataclass(frozen=True)
class UnitPrices:
    """The unit prices an estimate uses, each with its source."""

    glue_dpu_hour: Price
    training_hour: Price
    hosting_hour: Price
    scoring_hour: Price
    lambda_gb_second: Price
    lambda_request: Price
    alarm_month: Price
    transition: Price  # Step Functions: always the table's
    region: str  # whose prices the API's are
    problem: str | None = None  # why some or all came from the table

    def sources(self) -> set[str]:
        return {getattr(self, f.name).source for f in fields(self) if f.type == "Price"}


def table_prices(settings: Settings, problem: str | None = None) -> UnitPrices:
    def table(value: float | None) -> Price:
        return Price(value, TABLE)

    return UnitPrices(
        glue_dpu_hour=table(GLUE_PRICE_PER_DPU_HOUR),
        training_hour=table(
            hourly_price(settings.training_instance_type, TRAINING_PRICE_PER_XLARGE_HOUR)
        ),
        hosting_hour=table(
            hourly_price(settings.endpoint_instance_type, HOSTING_PRICE_PER_XLARGE_HOUR)
        ),
        scoring_hour=table(
            hourly_price(settings.scoring_instance_type, SCORING_PRICE_PER_XLARGE_HOUR)
        ),
        lambda_gb_second=table(LAMBDA_PRICE_PER_GB_SECOND),
        lambda_request=table(LAMBDA_PRICE_PER_REQUEST),
        alarm_month=table(ALARM_PRICE_PER_MONTH),
        transition=table(STEP_FUNCTIONS_PRICE_PER_TRANSITION),
        region=PRICES_REGION,
        problem=problem,
    )


def current_prices(settings: Settings, client=None) -> UnitPrices:
    """The Price List API's prices for the project's region where it gives them, the
    table's elsewhere. ``client``: a boto3 ``pricing`` client (default: from the
    usual credential chain, when it finds credentials)."""
    if settings.partition != "aws":
        return table_prices(settings, f"prices are not looked up for {settings.partition}")
    if client is None:
        import boto3  # only when prices are looked up

        session = boto3.session.Session()
        if session.get_credentials() is None:
            return table_prices(settings, "no AWS credentials")
        client = session.client(
            "pricing",
            region_name=price_list.api_region(settings.region),
            config=price_list.PRICING_CLIENT_CONFIG,
        )
    api = price_list.PriceList(client, settings.region)
    fallback = table_prices(settings)
    looked_up = {
        "training_hour": lambda: api.sagemaker_hourly(settings.training_instance_type, "training"),
        "hosting_hour": lambda: api.sagemaker_hourly(settings.endpoint_instance_type, "hosting"),
        "scoring_hour": lambda: api.sagemaker_hourly(
            settings.scoring_instance_type, "batch transform"
        ),
        "glue_dpu_hour": api.glue_dpu_hour,
        "lambda_gb_second": api.lambda_gb_second,
        "lambda_request": api.lambda_request,
        "alarm_month": api.alarm_month,
    }
    found: dict[str, Price] = {}
    problems = []
    for name, lookup in looked_up.items():
        value = lookup()
        if value is None:
            problems.append(api.problem)
            continue
        found[name] = Price(value, API)
    distinct = list(dict.fromkeys(problem for problem in problems if problem))
    return replace(
        fallback,
        **found,
        region=settings.region if found else PRICES_REGION,
        problem="; ".join(distinct) or None,
    )


@dataclass(frozen=True)
class Line:
    what: str
    typical: float | None
    at_most: float | None
    detail: str
    sources: frozenset[str] = field(default_factory=frozenset)  # of its prices


def hourly_price(instance_type: str, table: dict[str, float]) -> float | None:
    """The listed hourly price of an instance type, or None when the table lacks it."""
    _, family, size = instance_type.split(".")
    factor = SIZE_FACTOR.get(size) or float(size.removesuffix("xlarge"))
    per_xlarge = table.get(family)
    return None if per_xlarge is None else round(per_xlarge * factor, 4)


def _times(price: Price, *factors: float) -> float | None:
    if price.value is None:
        return None
    result = price.value
    for factor in factors:
        result *= factor
    return result


def _hours_line(what: str, price: Price, count: float, typical_hours: float,
                max_hours: float, detail: str) -> Line:  # fmt: skip
    """A line of ``count`` units (instances, DPUs) priced by the hour."""
    return Line(what, _times(price, count, typical_hours), _times(price, count, max_hours),
                detail, frozenset({price.source}))  # fmt: skip


def _at(price: Price, unit: str) -> str:
    return " (no price found)" if price.value is None else f" at ${price.value:g}/{unit}"


def run_lines(settings: Settings, prices: UnitPrices | None = None) -> list[Line]:
    prices = prices or table_prices(settings)
    dpus = GLUE_DPUS_PER_WORKER[settings.glue_worker_type] * settings.glue_number_of_workers
    glue = prices.glue_dpu_hour
    lines = [
        _hours_line(
            "Glue ETL", glue, dpus,
            max(TYPICAL_GLUE_MINUTES, GLUE_MINIMUM_MINUTES) / 60,
            settings.glue_timeout_minutes / 60,
            f"{settings.glue_number_of_workers} x {settings.glue_worker_type} = {dpus} DPU"
            f"{_at(glue, 'DPU-h')}; typical {TYPICAL_GLUE_MINUTES} min, "
            f"at most {settings.glue_timeout_minutes} min",
        )
    ]  # fmt: skip
    training = prices.training_hour
    count = settings.training_instance_count
    max_minutes = settings.training_max_runtime_seconds / 60
    lines.append(
        _hours_line(
            "Training", training, count, TYPICAL_TRAINING_MINUTES / 60, max_minutes / 60,
            f"{count} x {settings.training_instance_type}{_at(training, 'h')}; "
            f"typical {TYPICAL_TRAINING_MINUTES} min, at most {max_minutes:g} min",
        )
    )  # fmt: skip
    if settings.compare_with_live:
        scoring = prices.scoring_hour
        instances, limit = settings.scoring_instance_count, settings.scoring_timeout_minutes
        lines.append(
            _hours_line(
                "Scoring", scoring, SCORING_JOBS * instances,
                TYPICAL_SCORING_MINUTES / 60, limit / 60,
                f"{SCORING_JOBS} batch transform jobs (live and new model) x {instances} "
                f"{settings.scoring_instance_type}{_at(scoring, 'h')}; typical "
                f"{TYPICAL_SCORING_MINUTES} min, at most {limit} min each; "
                "none while no model is live",
            )
        )  # fmt: skip
    lines += [_evaluator_line(settings, prices), _rollout_line(settings, prices),
              _workflow_line(settings, prices)]  # fmt: skip
    return lines


def _evaluator_line(settings: Settings, prices: UnitPrices) -> Line:
    """The evaluator's invocations: one, and one more to compare with the live model."""
    invocations = 2 if settings.compare_with_live else 1
    gb_second, request = prices.lambda_gb_second, prices.lambda_request

    def evaluator(seconds: float) -> float | None:
        compute = _times(gb_second, invocations, EVALUATOR_MEMORY_GB, seconds)
        requests = _times(request, invocations)
        return None if compute is None or requests is None else compute + requests

    return Line(
        "Evaluator",
        evaluator(TYPICAL_EVALUATOR_SECONDS),
        evaluator(EVALUATOR_TIMEOUT_SECONDS),
        f"{invocations} Lambda invocation{'s' if invocations > 1 else ''} of "
        f"{EVALUATOR_MEMORY_GB * 1024:g} MB; typical {TYPICAL_EVALUATOR_SECONDS} s, "
        f"at most {EVALUATOR_TIMEOUT_SECONDS} s each",
        frozenset({gb_second.source, request.source}),
    )


def _rollout_line(settings: Settings, prices: UnitPrices) -> Line:
    """The blue/green second fleet while a run updates a live endpoint."""
    hosting = prices.hosting_hour
    endpoints = settings.endpoint_instance_count
    shifting = rollout_steps(settings) * settings.rollout_wait_seconds
    bake = settings.rollout_final_bake_seconds
    typical_hours = (TYPICAL_PROVISIONING_MINUTES * 60 + shifting + bake) / 3600
    max_hours = (MAX_PROVISIONING_MINUTES * 60 + shifting + bake) / 3600
    return _hours_line(
        "Rollout",
        hosting,
        endpoints,
        typical_hours,
        max_hours,
        f"blue/green ({settings.rollout_strategy}): a second fleet of {endpoints} x "
        f"{settings.endpoint_instance_type} for ~{TYPICAL_PROVISIONING_MINUTES} min to start, "
        f"{shifting:g} s of traffic shifting and a {bake:g} s bake; only when a run "
        "updates a live endpoint",
    )


def _workflow_line(settings: Settings, prices: UnitPrices) -> Line:
    """Step Functions' state transitions, the endpoint wait loop's included."""
    # A run passes through each state about once (retries aside), except the endpoint
    # wait loop: four states per check, up to the definition's bound on checks.
    definition = json.loads((settings.path.parent / definition_path()).read_text(encoding="utf-8"))
    states = len(definition["States"])
    most = states + WAIT_LOOP_STATES * _endpoint_max_checks(definition)
    return Line(
        "Workflow",
        _times(prices.transition, states),
        _times(prices.transition, most),
        f"about {states} state transitions, at most {most} (the endpoint wait loop)",
        frozenset({prices.transition.source}),
    )


# Count endpoint checks, Wait for the endpoint, Check for endpoint, Endpoint status.
WAIT_LOOP_STATES = 4


def _endpoint_max_checks(definition: dict) -> int:
    """The bound on endpoint checks, read from the committed definition's Choice."""
    for rule in definition["States"][State.ENDPOINT_STATUS]["Choices"]:
        if rule.get("Variable") == "$.EndpointChecks.Checks":
            return int(rule["NumericGreaterThanEquals"])
    raise ValueError("the definition has no bound on endpoint checks")


def rollout_steps(settings: Settings) -> int:
    """The traffic shifts of a blue/green update (as _rollout_seconds in
    workflow/definition.py counts them)."""
    if settings.rollout_strategy in ("all-at-once", "canary"):
        return {"all-at-once": 1, "canary": 2}[settings.rollout_strategy]
    return -(-100 // settings.rollout_step_percent)


def endpoint_cost_per_day(settings: Settings, prices: UnitPrices | None = None) -> float | None:
    prices = prices or table_prices(settings)
    return _times(prices.hosting_hour, settings.endpoint_instance_count, 24)


def runs_per_30_days(expression: str | None) -> float | None:
    """How often a rate(...) schedule runs; None for cron (count it yourself) or none."""
    if not expression or not expression.startswith("rate("):
        return None
    amount, unit = expression.removeprefix("rate(").removesuffix(")").split()
    return SCHEDULE_RUNS_PER_30_DAYS[unit] / int(amount)


def source_label(source: str, prices: UnitPrices) -> str:
    """Where a line's price came from, said on the line."""
    if source == API:
        return f"{API}, {prices.region}"
    return f"table, {PRICES_REGION} as of {PRICES_AS_OF}"


def report(settings: Settings, prices: UnitPrices | None = None) -> list[str]:
    """The estimate, one line of text each. ``prices``: by default, current_prices."""

    def money(value: float | None) -> str:
        if value is None:
            return "unknown"
        return "<$0.01" if 0 < value < 0.005 else f"${value:,.2f}"

    def sources(used: frozenset[str]) -> str:
        return "[" + "; ".join(source_label(s, prices) for s in sorted(used)) + "]"

    prices = prices or current_prices(settings)
    lines = run_lines(settings, prices)
    out = [f"One retraining run of {settings.slug} (on-demand list prices; each line's source):"]
    for line in lines:
        out.append(
            f"  {line.what:<10} typical {money(line.typical):>8}   "
            f"at most {money(line.at_most):>8}   {line.detail} {sources(line.sources)}"
        )
    typical = [line.typical for line in lines]
    worst = [line.at_most for line in lines]
    total_typical = None if None in typical else sum(typical)
    total_worst = None if None in worst else sum(worst)
    out.append(
        f"  {'Per run':<10} typical {money(total_typical):>8}   at most {money(total_worst):>8}"
    )
    per_day = endpoint_cost_per_day(settings, prices)
    out.append(
        f"Endpoint: {settings.endpoint_instance_count} x {settings.endpoint_instance_type}, "
        f"always on once a model passes the gate: {money(per_day)} per day, "
        f"{money(None if per_day is None else per_day * 30)} per 30 days "
        f"{sources(frozenset({prices.hosting_hour.source}))}"
    )
    alarms = _times(prices.alarm_month, ROLLBACK_ALARMS)
    out.append(
        f"Alarms: {ROLLBACK_ALARMS} standard CloudWatch alarms that roll a rollout back "
        f"(5xx errors, model latency): {money(alarms)} per 30 days (free within an "
        f"account's first {FREE_ALARMS}) {sources(frozenset({prices.alarm_month.source}))}"
    )
    out += drift_lines(settings, prices, money, sources)
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
    from .run_length import schedule_warning  # it reads this module's limits

    warning = schedule_warning(settings)
    out += [f"Warning: {warning}"] if warning else []
    out.append(prices_line(settings, prices))
    if TABLE in prices.sources() and (
        settings.region != PRICES_REGION or None in typical or per_day is None
    ):
        out.append(f"Table prices differ by region and instance; check {PRICING_PAGES}")
    return out


def capture_gb_per_million_requests(settings: Settings) -> float:
    """The data capture written per million requests (one row each), at the settings'
    sampling share: the JSON envelope plus the row as CSV text."""
    row = CAPTURE_ENVELOPE_BYTES + CAPTURE_BYTES_PER_FEATURE * len(settings.data.features)
    return MILLION * settings.capture_percent / 100 * row / 1e9


def drift_lines(settings: Settings, prices: UnitPrices, money, sources) -> list[str]:
    """Capture storage per million requests, and the scheduled check's cost."""
    out = []
    if settings.capture_percent:
        gb = capture_gb_per_million_requests(settings)
        kept = (f"kept {settings.keep_captures_days} days, and {NONCURRENT_DAYS} more as "
                "old versions (the bucket is versioned)" if settings.keep_captures_days
                else "kept until deleted")  # fmt: skip
        out.append(
            f"Data capture: {settings.capture_percent}% of requests, about {gb:.2f} GB per "
            f"million requests (~{CAPTURE_ENVELOPE_BYTES} bytes of JSON per captured row plus "
            f"the row), {kept}: {money(gb * S3_PRICE_PER_GB_MONTH)} a month for each million "
            f"requests a month [table, S3 Standard {PRICES_REGION} as of {PRICES_AS_OF}]"
        )
    if settings.drift_check_schedule:
        per_check = _times(prices.lambda_gb_second, DRIFT_CHECK_MEMORY_GB,
                           TYPICAL_DRIFT_CHECK_SECONDS)  # fmt: skip
        worst = _times(prices.lambda_gb_second, DRIFT_CHECK_MEMORY_GB,
                       DRIFT_CHECK_TIMEOUT_SECONDS)  # fmt: skip
        checks = runs_per_30_days(settings.drift_check_schedule)
        count = f"{checks:g} checks per 30 days" if checks is not None else "count its checks"
        monthly = None if checks is None or per_check is None else checks * per_check
        out.append(
            f"Drift check {settings.drift_check_schedule}: {count}, each typically "
            f"{money(per_check)} ({TYPICAL_DRIFT_CHECK_SECONDS} s), at most {money(worst)} "
            f"({DRIFT_CHECK_TIMEOUT_SECONDS} s): {money(monthly)} per 30 days, and its alarm "
            f"{money(prices.alarm_month.value)} per 30 days "
            f"{sources(frozenset({prices.lambda_gb_second.source, prices.alarm_month.source}))}"
        )
        if settings.on_drift:
            out.append(
                f"Retraining on drift: each check that finds drift starts a run (up to {count}); "
                "on unchanged raw data the new model ties and the same drift is found again"
            )
    return out


def prices_line(settings: Settings, prices: UnitPrices) -> str:
    """Which sources the estimate used, and why the table when it was."""
    if API in prices.sources():
        looked_up = f"Prices: AWS {API} for {settings.region} on {date.today().isoformat()}"
        if prices.problem:
            return (
                f"{looked_up}, except lines marked table ({PRICES_REGION} on-demand as of "
                f"{PRICES_AS_OF}): {prices.problem}"
            )
        return f"{looked_up} (Step Functions from the table as of {PRICES_AS_OF})"
    reason = f": {prices.problem}" if prices.problem else ""
    return f"Prices: the table ({PRICES_REGION} on-demand as of {PRICES_AS_OF}){reason}"
