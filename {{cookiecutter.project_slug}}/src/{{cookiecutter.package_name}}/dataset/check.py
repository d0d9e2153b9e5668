"""`data check`: how a CSV fits settings.toml's [data] table, by the Glue job's own rules.

It runs the job's reading and row checks (steps/glue_etl_job.py) on local Spark,
so what it reports is exactly what a run would keep and drop: the header's missing
and unexpected columns, and for each reason (a column and what is wrong with it) how
many rows would be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings


@dataclass(frozen=True)
class CheckResult:
    fits: bool
    lines: list[str]


def check(settings: Settings, source: Path, spark_session) -> CheckResult:
    from ..steps import glue_etl_job as etl_job

    if not source.is_file():
        raise FileNotFoundError(2, "no such file", str(source))
    schema = etl_job.Schema.from_json(settings.data.to_json())
    try:
        spark, uri = spark_session(), str(source.resolve())
        counted = etl_job.tally(etl_job.read_raw(spark, uri, schema), schema)
        etl_job.refuse_not_utf8(spark, uri, schema, counted)
    except etl_job.SourceError as error:
        return CheckResult(False, [str(error)])
    rows, reasons = counted.rows_read, counted.dropped_by_reason
    if rows == 0:
        return CheckResult(False, [f"{source} has no rows (an empty file, or a header alone): "
                                   "a run would have nothing to train on"])  # fmt: skip
    dropped = sum(reasons.values())
    lines = [f"{source}: {rows} rows, {rows - dropped} fit [data], {dropped} would be dropped"]
    lines += [f"  {count:>8} {reason}" for reason, count in reasons.items()]
    if rows - dropped == 0:
        lines.append(
            "no row fits [data]: the reasons above say which column; fix the file, or edit "
            "[data] (`data init` writes it from a file)"
        )
    return CheckResult(rows - dropped > 0 and rows > 0, lines)
