"""`estimate --data-size`: how long each stage of a run takes, and what it costs, at a
given size of raw CSV, and whether the settings can run it at all.

The rates are measured, not guessed: the template's benchmarks/scale.py ran the Glue
job on local Spark, training with xgboost and the comparison on 1M and 10M generated
rows (2 cores); they are scaled here to the vCPUs the settings give each stage. Each
line says its assumptions. What the rates cannot see (S3 transfer, Glue's and
SageMaker's start-up beyond the fixed minutes below, skew) makes real runs slower:
read the times as lower bounds, and check the first real run's.
"""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings, SettingsError
from .estimate import (
    EVALUATOR_MEMORY_GB,
    EVALUATOR_TIMEOUT_SECONDS,
    GLUE_DPUS_PER_WORKER,
    SCORING_JOBS,
    UnitPrices,
    table_prices,
)

# Measured by benchmarks/scale.py at 10M rows of the default schema (776 MB of CSV) on
# 2 cores: the ETL took 365 s, training 56 s (100 rounds; its split between parsing and
# the rounds is an assumption), the comparison 10.6 s for 2M validation rows; at 1M rows,
# the local batch transform scored 200k validation rows in 1.9 s.
ETL_BYTES_PER_CORE_SECOND = 1.06e6  # the Glue job on local Spark: raw CSV read, per core
TRAINING_SECONDS_PER_ROW_ROUND = 1.1e-7  # xgboost hist, per training row and round, per core
PARSE_SECONDS_PER_ROW = 1.5e-6  # reading a row of the ETL's CSV into the float32 table, per core
# Parse and predict a validation row, per core: local mode's batch transform, whose
# parsing is Python's (the container's is not), so this errs long.
SCORING_SECONDS_PER_ROW = 9.5e-6
COMPARISON_SECONDS_PER_ROW = 5.3e-6  # CompareModels, per validation row, one local core
# What training holds per value of the channels (the float32 table, the DMatrix and its
# histogram index): local/training.py's measured figure, which installs without xgboost
# cannot import (a test keeps the two equal).
BYTES_PER_VALUE = 18
# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
LAMBDA_MB_PER_VCPU = 1769
# Fixed start-up: Glue's workers, and SageMaker's instances and container (typical).
GLUE_START_MINUTES = 1
SAGEMAKER_START_MINUTES = 4
VALIDATION_SHARE = 0.2  # the Glue job's split (VALIDATION_PERCENT)
# A Glue worker's vCPUs and the disk Spark may spill to (AWS Glue's worker types).
GLUE_WORKER_VCPUS = {"G.1X": 4, "G.2X": 8, "G.4X": 16, "G.8X": 32}
GLUE_WORKER_FREE_DISK_GB = {"G.1X": 44, "G.2X": 78, "G.4X": 200, "G.8X": 400}
# An instance's memory per vCPU (GiB), by family (SageMaker's instance types).
GIB_PER_VCPU = {
    "m4": 4, "m5": 4, "m5d": 4, "m6i": 4, "m7i": 4, "c4": 1.875, "c5": 2, "c5n": 2.625,
    "c6i": 2, "c7i": 2, "r5": 8, "r5d": 8, "r6i": 8, "r7i": 8, "g4dn": 4, "g5": 4, "g6": 4,
    "p3": 7.625, "t2": 4, "t3": 2,
}  # fmt: skip
# What the training instance's memory may hold of the data (the rest: OS, container).
USABLE_MEMORY_SHARE = 0.8
# Instance types offered when the chosen one cannot hold the data, smallest first.
LARGER_TRAINING_TYPES = ("ml.m5.4xlarge", "ml.m5.12xlarge", "ml.m5.24xlarge",
                         "ml.r5.12xlarge", "ml.r5.24xlarge")  # fmt: skip

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(MB|GB|TB)\s*$", re.IGNORECASE)
_UNITS = {"MB": 10**6, "GB": 10**9, "TB": 10**12}


def parse_size(text: str) -> int:
    """Bytes of "100GB", "1.5 TB", "500MB" (decimal units, as S3 counts them)."""
    match = _SIZE.match(text)
    if not match:
        raise SettingsError(f"--data-size '{text}' is not a size; write it like 100GB or 1TB")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


# Sizes whose vCPUs break the rule below.
IRREGULAR_VCPUS = {"ml.c4.8xlarge": 36}


def vcpus(instance_type: str) -> int:
    """vCPUs of ml.<family>.<size>: large 2, xlarge 4, Nxlarge 4N (medium: 2, burstable)."""
    if instance_type in IRREGULAR_VCPUS:
        return IRREGULAR_VCPUS[instance_type]
    size = instance_type.rsplit(".", 1)[1]
    if size in ("medium", "large"):
        return 2
    return 4 * int(size.removesuffix("xlarge") or 1)


def memory_gib(instance_type: str) -> float | None:
    family = instance_type.split(".")[1]
    per_vcpu = GIB_PER_VCPU.get(family)
    return None if per_vcpu is None else per_vcpu * vcpus(instance_type)


def bytes_per_row(settings: Settings) -> float:
    """A raw row's size in the project's own schema: the mean of its generated sample."""
    from ..sample_data import generate

    with tempfile.TemporaryDirectory() as folder:
        sample = generate(Path(folder) / "sample.csv", settings.data, rows=2000)
        lines = sample.read_bytes().splitlines(keepends=True)
    return sum(len(line) for line in lines[1:]) / (len(lines) - 1)


@dataclass(frozen=True)
class Stage:
    what: str
    hours: float
    cost: float | None
    detail: str
    blocker: str | None = None  # why the settings cannot run it, and the fix


def stages(settings: Settings, raw_bytes: int, row_bytes: float,
           prices: UnitPrices | None = None) -> list[Stage]:  # fmt: skip
    prices = prices or table_prices(settings)
    rows = raw_bytes / row_bytes
    validation = rows * VALIDATION_SHARE
    found = [_etl(settings, raw_bytes, prices), _training(settings, rows, prices)]
    if settings.compare_with_live:
        found += [_scoring(settings, validation, prices), _comparison(validation)]
    return found


def _etl(settings: Settings, raw_bytes: int, prices: UnitPrices) -> Stage:
    worker = settings.glue_worker_type
    executors = max(1, settings.glue_number_of_workers - 1)  # one worker is the driver
    cores = executors * GLUE_WORKER_VCPUS[worker]
    hours = GLUE_START_MINUTES / 60 + raw_bytes / (ETL_BYTES_PER_CORE_SECOND * cores) / 3600
    dpus = GLUE_DPUS_PER_WORKER[worker] * settings.glue_number_of_workers
    price = prices.glue_dpu_hour.value
    cost = None if price is None else price * dpus * hours
    blockers = []
    if hours * 60 > settings.glue_timeout_minutes:
        blockers.append(f"longer than glue.timeout_minutes ({settings.glue_timeout_minutes}): "
                        "raise it, or add workers")  # fmt: skip
    spill = raw_bytes / 10**9  # the cached, cleaned rows: about the raw size
    disk = executors * GLUE_WORKER_FREE_DISK_GB[worker]
    if spill > disk:
        blockers.append(f"the cleaned rows (~{spill:,.0f} GB) exceed the executors' free disk "
                        f"({disk} GB): add workers or a larger worker type")  # fmt: skip
    rate = ETL_BYTES_PER_CORE_SECOND / 1e6
    detail = (f"{settings.glue_number_of_workers} x {worker}, {cores} executor cores at "
              f"{rate:g} MB/s each + {GLUE_START_MINUTES} min start")  # fmt: skip
    return Stage("Glue ETL", hours, cost, detail, "; ".join(blockers) or None)


def training_memory_problem(settings: Settings, rows: float) -> str | None:
    """Why the training instances cannot hold ``rows`` raw rows, with the fix; or None."""
    instance, count = settings.training_instance_type, settings.training_instance_count
    columns = len(settings.data.feature_layout) + 1
    held_rows = rows * (1 - VALIDATION_SHARE) / count + rows * VALIDATION_SHARE
    needed_gib = held_rows * columns * BYTES_PER_VALUE / 2**30
    memory = memory_gib(instance)
    if memory is None or needed_gib <= memory * USABLE_MEMORY_SHARE:
        return None
    return (f"each instance must hold ~{needed_gib:,.0f} GiB and {instance} has {memory:g}: "
            f"{fitting_instances(rows, columns)}")  # fmt: skip


def _training(settings: Settings, rows: float, prices: UnitPrices) -> Stage:
    instance, count = settings.training_instance_type, settings.training_instance_count
    cores = vcpus(instance) * count
    rounds = int(settings.hyperparameters.get("num_round", 100))
    columns = len(settings.data.feature_layout) + 1
    train_rows = rows * (1 - VALIDATION_SHARE)
    # The container parses CSV with dmlc-core's reader, on max(vCPUs / 2 - 4, 1) threads;
    # the rounds use every vCPU.
    parse_threads = max(vcpus(instance) // 2 - 4, 1)
    parsing = rows / count * PARSE_SECONDS_PER_ROW / parse_threads
    rounds_seconds = train_rows * rounds * TRAINING_SECONDS_PER_ROW_ROUND / cores
    hours = (SAGEMAKER_START_MINUTES + (parsing + rounds_seconds) / 60) / 60
    price = prices.training_hour.value
    cost = None if price is None else price * count * hours
    # Each instance holds its share of the training rows and the whole validation set.
    held_rows = train_rows / count + rows * VALIDATION_SHARE
    needed_gib = held_rows * columns * BYTES_PER_VALUE / 2**30
    memory_problem = training_memory_problem(settings, rows)
    blockers = [memory_problem] if memory_problem else []
    if hours * 3600 > settings.training_max_runtime_seconds:
        blockers.append(f"longer than training.max_runtime_seconds "
                        f"({settings.training_max_runtime_seconds}): raise it")  # fmt: skip
    data_gb = held_rows * columns * 8 / 10**9  # CSV of the encoded rows: ~8 bytes a value
    if data_gb > settings.training_volume_size_gb:
        volume = settings.training_volume_size_gb
        blockers.append(f"each instance's ~{data_gb:,.0f} GB of files exceed "
                        f"training.volume_size_gb ({volume})")  # fmt: skip
    detail = (f"{count} x {instance} ({cores} vCPU), {rounds} rounds, ~{needed_gib:,.1f} GiB "
              f"of data per instance ({BYTES_PER_VALUE} bytes a value)")  # fmt: skip
    return Stage("Training", hours, cost, detail, "; ".join(blockers) or None)


def fitting_instances(rows: float, columns: int) -> str:
    """The smallest count of each larger instance type that holds the data: the count's
    share of the training rows, and all the validation rows (replicated)."""
    per_row = columns * BYTES_PER_VALUE / 2**30
    train, validation = rows * (1 - VALIDATION_SHARE) * per_row, rows * VALIDATION_SHARE * per_row
    options = []
    for instance in LARGER_TRAINING_TYPES:
        room = memory_gib(instance) * USABLE_MEMORY_SHARE - validation
        if room > 0:
            options.append(f"{math.ceil(train / room)} x {instance}")
    if not options:
        return "no instance type holds the validation set: train on a sample"
    return "training.instance_count and instance_type such as " + ", ".join(options)


def _scoring(settings: Settings, validation: float, prices: UnitPrices) -> Stage:
    instance, count = settings.scoring_instance_type, settings.scoring_instance_count
    cores = vcpus(instance) * count
    job_hours = SAGEMAKER_START_MINUTES / 60 + validation * SCORING_SECONDS_PER_ROW / cores / 3600
    price = prices.scoring_hour.value
    cost = None if price is None else price * count * job_hours * SCORING_JOBS
    blocker = None
    if job_hours * 60 > settings.scoring_timeout_minutes:
        blocker = (f"each job is longer than quality_gate.scoring_timeout_minutes "
                   f"({settings.scoring_timeout_minutes}): raise it, or the instances")  # fmt: skip
    detail = (f"{SCORING_JOBS} batch transforms, one after the other, of {_count(validation)} "
              f"rows on {count} x {instance}")  # fmt: skip
    return Stage("Scoring", job_hours * SCORING_JOBS, cost, detail, blocker)


def _comparison(validation: float) -> Stage:
    cpu_share = EVALUATOR_MEMORY_GB * 1024 / LAMBDA_MB_PER_VCPU
    seconds = validation * COMPARISON_SECONDS_PER_ROW / cpu_share
    blocker = None
    if seconds > EVALUATOR_TIMEOUT_SECONDS:
        limit = EVALUATOR_TIMEOUT_SECONDS * cpu_share / COMPARISON_SECONDS_PER_ROW
        blocker = (f"longer than the evaluator's {EVALUATOR_TIMEOUT_SECONDS} s timeout (it "
                   f"holds ~{limit / 1e6:,.0f}M validation rows): set "
                   "quality_gate.compare_with_live = false")  # fmt: skip
    detail = (f"the evaluator Lambda ({EVALUATOR_MEMORY_GB * 1024:g} MB = {cpu_share:.2f} "
              "vCPU) streams both models' scores")  # fmt: skip
    return Stage("Comparison", seconds / 3600, None, detail, blocker)


def blockers(settings: Settings, size_text: str) -> list[str]:
    """What stops these settings from running on ``size_text`` of raw CSV, one line per
    stage, each with its fix (`settings check --data-size`)."""
    found = stages(settings, parse_size(size_text), bytes_per_row(settings))
    return [f"{stage.what}: {stage.blocker}" for stage in found if stage.blocker]


def report(settings: Settings, size_text: str, prices: UnitPrices | None = None) -> list[str]:
    raw_bytes = parse_size(size_text)
    row_bytes = bytes_per_row(settings)
    found = stages(settings, raw_bytes, row_bytes, prices)
    rows = raw_bytes / row_bytes
    out = [f"One run on {size_text.strip()} of raw CSV: ~{_count(rows)} rows at "
           f"{row_bytes:.0f} bytes a row ([data]'s generated sample), "
           f"{VALIDATION_SHARE:.0%} for validation; rates measured on local Spark and "
           "xgboost, scaled to each stage's vCPUs (lower bounds: no S3 transfer, no "
           "skew):"]  # fmt: skip
    for stage in found:
        out.append(f"  {stage.what:<10} {_duration(stage.hours):>8}  {_money(stage.cost):>10}  "
                   f"{stage.detail}")  # fmt: skip
    total_hours = sum(stage.hours for stage in found)
    total_cost = sum(stage.cost for stage in found if stage.cost is not None)
    out.append(f"  {'Per run':<10} {_duration(total_hours):>8}  {_money(total_cost):>10}")
    blockers = [f"  {stage.what}: {stage.blocker}" for stage in found if stage.blocker]
    if blockers:
        out.append("These settings cannot run it:")
        out += blockers
    else:
        out.append("These settings can run it.")
    return out


def _money(value: float | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def _count(rows: float) -> str:
    for size, unit in ((1e9, "billion"), (1e6, "million")):
        if rows >= size:
            return f"{rows / size:,.1f} {unit}"
    return f"{rows:,.0f}"


def _duration(hours: float) -> str:
    return f"{hours * 60:.0f} min" if hours < 2 else f"{hours:.1f} h"
