"""The Glue ETL job: raw customer CSV in, XGBoost-ready train/validation CSV out.

AWS Glue runs this file as the job script (it is uploaded on its own, so it imports
nothing from this package). The transforms are plain PySpark functions at module
level: local mode and the tests run them on a local SparkSession; ``awsglue`` is
imported only in the Glue entry point at the bottom, since it exists only on Glue.

Output layout is what SageMaker's built-in XGBoost reads: CSV, no header, the label
(1 = churned) in column 0, numeric features after it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

# TODO: adapt to your data. The raw CSV has a header with these columns.
RAW_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.StringType()),
        T.StructField("state", T.StringType()),
        T.StructField("account_length", T.IntegerType()),
        T.StructField("international_plan", T.StringType()),
        T.StructField("voice_mail_plan", T.StringType()),
        T.StructField("number_vmail_messages", T.IntegerType()),
        T.StructField("total_day_minutes", T.DoubleType()),
        T.StructField("total_day_calls", T.IntegerType()),
        T.StructField("total_eve_minutes", T.DoubleType()),
        T.StructField("total_night_minutes", T.DoubleType()),
        T.StructField("total_intl_minutes", T.DoubleType()),
        T.StructField("customer_service_calls", T.IntegerType()),
        T.StructField("churn", T.StringType()),
    ]
)
LABEL = "churn"
YES_NO_COLUMNS = ("international_plan", "voice_mail_plan")
NUMERIC_COLUMNS = (
    "account_length",
    "number_vmail_messages",
    "total_day_minutes",
    "total_day_calls",
    "total_eve_minutes",
    "total_night_minutes",
    "total_intl_minutes",
    "customer_service_calls",
)
FEATURES = (*YES_NO_COLUMNS, *NUMERIC_COLUMNS)
VALIDATION_PERCENT = 20
SPLIT_SEED = 42
_CORRUPT = "_corrupt_record"


class SourceError(ValueError):
    """The raw data is missing, empty, or holds no usable row."""


@dataclass(frozen=True)
class PreparationReport:
    rows_read: int
    rows_dropped: int
    train_rows: int
    validation_rows: int
    dropped_by_reason: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        reasons = "; ".join(f"{count} {reason}" for reason, count in self.dropped_by_reason.items())
        return (
            f"read {self.rows_read} rows, dropped {self.rows_dropped}"
            + (f" ({reasons})" if reasons else "")
            + f", wrote {self.train_rows} train and {self.validation_rows} validation rows"
        )


def read_raw(spark: SparkSession, source_uri: str) -> DataFrame:
    """The raw rows, columns bound by their header names (in any order).

    Spark's CSV reader binds a given schema to columns by position and skips the
    header unchecked, so a file with swapped or renamed columns would train on the
    wrong features. The header is checked by name here, and ``enforceSchema=false``
    makes Spark check every file's header against it. Rows that do not fit the schema
    are kept aside in _corrupt_record, not dropped silently.
    """
    header = spark.read.option("header", True).csv(source_uri).columns
    expected = [column.name for column in RAW_SCHEMA.fields]
    if header:
        _check_columns(source_uri, header, expected)
    by_name = {column.name: column for column in RAW_SCHEMA.fields}
    in_file_order = [by_name[name] for name in header] if header else RAW_SCHEMA.fields
    schema = T.StructType([*in_file_order, T.StructField(_CORRUPT, T.StringType())])
    return (
        spark.read.option("header", True)
        .option("enforceSchema", False)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .schema(schema)
        .csv(source_uri)
        .select(*expected, _CORRUPT)
    )


def _check_columns(source_uri: str, header: list[str], expected: list[str]) -> None:
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = [
        f"{label} {', '.join(names)}"
        for label, names in (("missing", missing), ("unexpected", unexpected),
                             ("repeated", repeated))
        if names
    ]  # fmt: skip
    if problems:
        raise SourceError(
            f"the header of {source_uri} does not match RAW_SCHEMA in glue_etl_job.py: "
            + "; ".join(problems)
        )


LABEL_VALUES = ("true", "false", "yes", "no", "1", "0")


def drop_reason(raw: DataFrame):
    """Why a row is dropped (the first problem found), or null for a well-formed row."""
    yes_no = {column: F.lower(F.trim(F.col(column))) for column in YES_NO_COLUMNS}
    label = F.lower(F.trim(F.col(LABEL)))
    checks = [(F.col(_CORRUPT).isNotNull(), "unparseable (wrong field count or type)")]
    checks.append((~label.isin(*LABEL_VALUES) | label.isNull(), f"{LABEL} not a known label"))
    for column in NUMERIC_COLUMNS:
        checks.append((F.col(column).isNull(), f"{column} missing"))
        checks.append((F.col(column) < 0, f"{column} negative"))
    for column, expression in yes_no.items():
        checks.append((~expression.isin("yes", "no") | expression.isNull(), f"{column} not yes/no"))
    reason = F.lit(None).cast("string")
    for condition, text in reversed(checks):
        reason = F.when(condition, F.lit(text)).otherwise(reason)
    return reason


def dropped_by_reason(raw: DataFrame) -> dict[str, int]:
    counted = raw.select(drop_reason(raw).alias("reason")).groupBy("reason").count().collect()
    return {row["reason"]: row["count"] for row in sorted(counted, key=lambda r: -r["count"])
            if row["reason"] is not None}  # fmt: skip


def clean(raw: DataFrame) -> DataFrame:
    """Keep well-formed rows: parseable, complete, non-negative, with a known label."""
    yes_no = {column: F.lower(F.trim(F.col(column))) for column in YES_NO_COLUMNS}
    label = F.lower(F.trim(F.col(LABEL)))
    return raw.where(drop_reason(raw).isNull()).select(
        F.col("customer_id"),
        label.isin("true", "yes", "1").cast("int").alias(LABEL),
        *[(expression == "yes").cast("int").alias(column) for column, expression in yes_no.items()],
        *[F.col(column).cast("double").alias(column) for column in NUMERIC_COLUMNS],
    )


def to_xgboost_layout(cleaned: DataFrame) -> DataFrame:
    """Label first, then the features, nothing else."""
    return cleaned.select(LABEL, *FEATURES)


def split(cleaned: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Train/validation by a hash of the customer id: the same customer always lands
    in the same set, whatever the partitioning or the row order."""
    bucket = F.abs(F.xxhash64(F.col("customer_id"), F.lit(SPLIT_SEED))) % 100
    in_validation = bucket < VALIDATION_PERCENT
    return cleaned.where(~in_validation), cleaned.where(in_validation)


# SageMaker's XGBoost container reads every file of a training channel, and sniffs
# the CSV delimiter from whichever it lists first: Hadoop's empty _SUCCESS marker
# there fails training. This Hadoop committer setting stops the marker.
NO_SUCCESS_MARKER = ("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")


def write_csv(frame: DataFrame, uri: str) -> None:
    """Data files only (part-*.csv), no header: what a training channel may hold."""
    frame.sparkSession.sparkContext._jsc.hadoopConfiguration().set(*NO_SUCCESS_MARKER)
    frame.write.mode("overwrite").option("header", False).csv(uri)


def prepare(spark: SparkSession, source_uri: str, train_uri: str, validation_uri: str):
    """The whole job. Raises SourceError when there is nothing to train on."""
    try:
        raw = read_raw(spark, source_uri).cache()
        rows_read = raw.count()
    except SourceError:
        raise
    except Exception as error:  # Spark reports a missing path as AnalysisException
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            raise SourceError(f"no raw data at {source_uri}") from error
        if "CSV header does not conform to the schema" in str(error):
            raise SourceError(
                f"the files at {source_uri} have different headers; give them one header "
                "that matches RAW_SCHEMA in glue_etl_job.py"
            ) from None
        raise
    if rows_read == 0:
        raise SourceError(f"the raw data at {source_uri} has no rows")
    cleaned = clean(raw).cache()
    kept = cleaned.count()
    if kept == 0:
        reasons = "; ".join(f"{n} {reason}" for reason, n in dropped_by_reason(raw).items())
        raise SourceError(
            f"none of the {rows_read} rows at {source_uri} is well-formed ({reasons})"
        )
    train, validation = split(cleaned)
    train_rows, validation_rows = train.count(), validation.count()
    if not train_rows or not validation_rows:
        raise SourceError(
            f"the {kept} usable rows at {source_uri} left {train_rows} for training and "
            f"{validation_rows} for validation; give more rows (a hundred or more)"
        )
    write_csv(to_xgboost_layout(train), train_uri)
    write_csv(to_xgboost_layout(validation), validation_uri)
    report = PreparationReport(
        rows_read=rows_read,
        rows_dropped=rows_read - kept,
        train_rows=train_rows,
        validation_rows=validation_rows,
        dropped_by_reason=dropped_by_reason(raw) if kept < rows_read else {},
    )
    raw.unpersist()
    cleaned.unpersist()
    return report


def run_on_glue(argv: list[str]) -> None:
    """The entry point on AWS Glue: arguments come from the state machine."""
    from awsglue.context import GlueContext  # only on Glue
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    options = ["JOB_NAME", "source_uri", "train_uri", "validation_uri"]
    arguments = getResolvedOptions(argv, options)
    glue = GlueContext(SparkContext.getOrCreate())
    job = Job(glue)
    job.init(arguments["JOB_NAME"], arguments)
    report = prepare(
        glue.spark_session,
        arguments["source_uri"],
        arguments["train_uri"],
        arguments["validation_uri"],
    )
    print(report)
    job.commit()


if __name__ == "__main__":
    run_on_glue(sys.argv)
