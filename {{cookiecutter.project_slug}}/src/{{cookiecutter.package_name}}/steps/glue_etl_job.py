"""The Glue ETL job: a raw CSV in, XGBoost-ready train/validation CSV out.

AWS Glue runs this file as the job script (it is uploaded on its own, so it imports
nothing from this package). The dataset's schema (label, id column, each feature's
kind) comes from settings.toml's [data] table as the job argument ``--schema`` (JSON),
so the same script serves any dataset. The transforms are plain PySpark functions at
module level: local mode and the tests run them on a local SparkSession; ``awsglue``
is imported only in the Glue entry point at the bottom, since it exists only on Glue.

Output layout is what SageMaker's built-in XGBoost reads: CSV, no header, the label
(1 = the positive class) in column 0, the encoded features after it: a number for a
numeric feature, 1/0 for a boolean one, one 1/0 column per category of a categorical.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

VALIDATION_PERCENT = 20
SPLIT_SEED = 42
_CORRUPT = "_corrupt_record"
BOOLEAN_TRUE = ("yes", "true", "1")
BOOLEAN_FALSE = ("no", "false", "0")


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # "numeric", "boolean" or "categorical"
    categories: tuple[str, ...] = ()

    def encoded_names(self) -> list[str]:
        if self.kind == "categorical":
            return [f"{self.name}={category}" for category in self.categories]
        return [self.name]


@dataclass(frozen=True)
class Schema:
    """The [data] table of settings.toml, as the job argument --schema carries it."""

    label: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    id_column: str  # "" when the data has none: the split hashes the whole row
    features: tuple[Feature, ...]
    ignore: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, text: str) -> Schema:
        document = json.loads(text)
        return cls(
            label=document["label"],
            positive=tuple(document["positive"]),
            negative=tuple(document["negative"]),
            id_column=document.get("id_column", ""),
            features=tuple(
                Feature(item["name"], item["kind"], tuple(item.get("categories", ())))
                for item in document["features"]
            ),
            ignore=tuple(document.get("ignore", ())),
        )

    @property
    def columns(self) -> list[str]:
        """Every column the raw header must have, in the schema's order."""
        identity = [self.id_column] if self.id_column else []
        features = [feature.name for feature in self.features]
        return [*identity, self.label, *features, *self.ignore]

    @property
    def encoded_features(self) -> list[str]:
        return [name for feature in self.features for name in feature.encoded_names()]


class SourceError(ValueError):
    """The raw data is missing, empty, or holds no usable row."""


@dataclass(frozen=True)
class PreparationReport:
    rows_read: int
    rows_dropped: int
    train_rows: int
    validation_rows: int
    dropped_by_reason: dict[str, int] = field(default_factory=dict)
    rows_without_id: int = 0  # kept, split by their whole row instead of the id

    def __str__(self) -> str:
        reasons = "; ".join(f"{count} {reason}" for reason, count in self.dropped_by_reason.items())
        without_id = (f"; {self.rows_without_id} rows had no id and were split by their whole "
                      "row" if self.rows_without_id else "")  # fmt: skip
        return (
            f"read {self.rows_read} rows, dropped {self.rows_dropped}"
            + (f" ({reasons})" if reasons else "")
            + f", wrote {self.train_rows} train and {self.validation_rows} validation rows"
            + without_id
        )


def read_raw(spark: SparkSession, source_uri: str, schema: Schema) -> DataFrame:
    """The raw rows, columns bound by their header names (in any order), as text.

    Spark's CSV reader binds a given schema to columns by position and skips the
    header unchecked, so a file with swapped or renamed columns would train on the
    wrong features. The header is checked by name here, and ``enforceSchema=false``
    makes Spark check every file's header against it. Every column is read as text
    and parsed by ``drop_reason``, so that a bad value is counted against its column;
    rows of the wrong length are kept aside in _corrupt_record, not dropped silently.
    """
    header = _csv_reader(spark).csv(source_uri).columns
    expected = schema.columns
    if header:
        _check_columns(source_uri, _as_written(spark, source_uri, header), expected)
    in_file_order = header or expected
    text_schema = T.StructType(
        [T.StructField(name, T.StringType()) for name in in_file_order]
        + [T.StructField(_CORRUPT, T.StringType())]
    )
    return (
        _csv_reader(spark)
        .option("enforceSchema", False)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .schema(text_schema)
        .csv(source_uri)
        .select(*[by_name(name) for name in expected], _CORRUPT)
    )


# What Spark's CSV reader (UTF-8) puts, without a word, for a byte that is not UTF-8.
_NOT_UTF8 = "\ufffd"


def count_rows(spark: SparkSession, source_uri: str, schema: Schema, raw: DataFrame) -> int:
    """The raw rows, refused when any is not UTF-8: Spark would read a latin-1 'côte' as
    'c\ufffdte', another category, and the model would learn from the mangled value."""
    columns = [by_name(name) for name in schema.columns]
    mangled = F.greatest(*[F.instr(F.coalesce(c, F.lit("")), _NOT_UTF8) for c in columns]) > 0
    rows, not_utf8 = raw.agg(F.count(F.lit(1)), F.sum(mangled.cast("int"))).first()
    if not_utf8:
        first = (
            read_raw(spark, source_uri, schema)
            .where(mangled)
            .select(F.input_file_name().alias("file"), *columns)
            .first()
        )
        shown = ",".join("" if value is None else value for value in list(first)[1:])[:80]
        raise SourceError(
            f"{not_utf8} of the {rows} rows at {source_uri} are not UTF-8, the first in "
            f"{first['file'] or source_uri} ({shown!r}): save the files as UTF-8 (for example "
            "iconv -f latin1 -t utf-8 old.csv > new.csv)"
        )
    return rows


def _csv_reader(spark: SparkSession):
    """CSV as RFC 4180 writes it (and Python's csv module, which `data init` reads with):
    a header line, and a quote inside a quoted field doubled ("15"" monitor")."""
    return spark.read.option("header", True).option("quote", '"').option("escape", '"')


def _quoted(name: str) -> str:
    """A column's name as Spark SQL reads it exactly: a dot in it is part of the name
    (Sepal.Length), not a field of a struct."""
    return "`" + name.replace("`", "``") + "`"


def by_name(name: str):
    """A column by its exact name (see _quoted)."""
    return F.col(_quoted(name))


def _as_written(spark: SparkSession, source_uri: str, header: list[str]) -> list[str]:
    """The header's names as the file writes them: Spark renames a repeated name (a, a
    become a1, a2), which would be reported as two unexpected columns and a missing one."""
    first = spark.read.text(source_uri).first()
    if first is None:
        return header
    written = next(csv.reader([first[0].lstrip("\ufeff")]), [])
    return written if len(written) == len(header) else header


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
            f"the header of {source_uri} does not match settings.toml's [data] table: "
            + "; ".join(problems)
            + " (`data init` writes the table from a file, `data check` compares one)"
        )


def _text(name: str):
    return F.lower(F.trim(by_name(name)))


def _number(name: str):
    """The value as a finite double, or null. SQL's try_cast (Spark 3.2+, so Glue 4.0 and
    5.0) gives null for a non-number, whether or not Spark runs in ANSI mode."""
    value = F.expr(f"try_cast(trim({_quoted(name)}) AS DOUBLE)")
    return F.when(F.isnan(value) | value.isin(float("inf"), float("-inf")), None).otherwise(value)


def drop_reason(raw: DataFrame, schema: Schema):
    """Why a row is dropped (the first problem found), or null for a well-formed row."""
    label = _text(schema.label)
    known = [value.lower() for value in (*schema.positive, *schema.negative)]
    checks = [
        (F.col(_CORRUPT).isNotNull(), "unparseable (wrong number of fields)"),
        (label.isNull() | (label == ""), f"{schema.label} missing"),
        (~label.isin(*known), f"{schema.label} not one of the labels in [data]"),
    ]
    for feature in schema.features:
        value = _text(feature.name)
        checks.append((value.isNull() | (value == ""), f"{feature.name} missing"))
        if feature.kind == "numeric":
            checks.append((_number(feature.name).isNull(), f"{feature.name} not a number"))
        elif feature.kind == "boolean":
            allowed = (*BOOLEAN_TRUE, *BOOLEAN_FALSE)
            checks.append((~value.isin(*allowed), f"{feature.name} not yes/no, true/false or 1/0"))
        else:
            categories = [category.lower() for category in feature.categories]
            checks.append(
                (~value.isin(*categories), f"{feature.name} not one of its categories in [data]")
            )
    reason = F.lit(None).cast("string")
    for condition, text in reversed(checks):
        reason = F.when(condition, F.lit(text)).otherwise(reason)
    return reason


def dropped_by_reason(raw: DataFrame, schema: Schema) -> dict[str, int]:
    reasons = raw.select(drop_reason(raw, schema).alias("reason"))
    counted = reasons.groupBy("reason").count().collect()
    return {row["reason"]: row["count"] for row in sorted(counted, key=lambda r: -r["count"])
            if row["reason"] is not None}  # fmt: skip


def clean(raw: DataFrame, schema: Schema) -> DataFrame:
    """Well-formed rows, encoded: the label as 1/0 first, then the features as numbers."""
    positive = [value.lower() for value in schema.positive]
    encoded = [_text(schema.label).isin(*positive).cast("int").alias("label")]
    for feature in schema.features:
        if feature.kind == "numeric":
            encoded.append(_number(feature.name).alias(feature.name))
        elif feature.kind == "boolean":
            encoded.append(_text(feature.name).isin(*BOOLEAN_TRUE).cast("int").alias(feature.name))
        else:
            encoded += [
                (_text(feature.name) == category.lower()).cast("int").alias(name)
                for category, name in zip(feature.categories, feature.encoded_names(), strict=True)
            ]
    return raw.where(drop_reason(raw, schema).isNull()).select(
        _split_key(schema).alias("_split_key"), _missing_id(schema).alias("_missing_id"), *encoded
    )


def _missing_id(schema: Schema):
    """Whether a row has no id (null, or empty once trimmed)."""
    if not schema.id_column:
        return F.lit(False)
    ident = by_name(schema.id_column)
    return ident.isNull() | (F.trim(ident) == "")


def _split_key(schema: Schema):
    """What decides a row's set: its id, or the whole raw row when it has none. (Every
    row without an id would otherwise share one hash bucket, and so one set.)"""
    whole_row = F.concat_ws(
        "\u001f", *[F.coalesce(by_name(name), F.lit("")) for name in schema.columns]
    )
    if not schema.id_column:
        return whole_row
    # Marked, so that no row's text can pass for another row's id.
    marked = F.concat(F.lit("\u001e"), whole_row)
    return F.when(_missing_id(schema), marked).otherwise(by_name(schema.id_column))


def to_xgboost_layout(cleaned: DataFrame) -> DataFrame:
    """Label first, then the features, nothing else."""
    return cleaned.drop("_split_key", "_missing_id")


def _in_validation():
    bucket = F.abs(F.xxhash64(F.col("_split_key"), F.lit(SPLIT_SEED))) % 100
    return bucket < VALIDATION_PERCENT


def split(cleaned: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Train/validation by a hash of the id (or of the whole row): the same entity
    always lands in the same set, whatever the partitioning or the row order."""
    return cleaned.where(~_in_validation()), cleaned.where(_in_validation())


def _split_counts(cleaned: DataFrame) -> tuple[int, int, int]:
    """The rows of each set, and the rows without an id, counted in one pass."""
    groups = cleaned.groupBy(_in_validation().alias("v"), F.col("_missing_id").alias("m"))
    counts = {(row["v"], row["m"]): row["count"] for row in groups.count().collect()}
    train = sum(n for (validation, _), n in counts.items() if not validation)
    without_id = sum(n for (_, missing), n in counts.items() if missing)
    return train, sum(counts.values()) - train, without_id


# SageMaker's XGBoost container reads every file of a training channel, and sniffs
# the CSV delimiter from whichever it lists first: Hadoop's empty _SUCCESS marker
# there fails training. This Hadoop committer setting stops the marker.
NO_SUCCESS_MARKER = ("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")


def write_csv(frame: DataFrame, uri: str) -> None:
    """Data files only (part-*.csv), no header: what a training channel may hold."""
    frame.sparkSession.sparkContext._jsc.hadoopConfiguration().set(*NO_SUCCESS_MARKER)
    frame.write.mode("overwrite").option("header", False).csv(uri)


# The data-quality baseline of the training features, in SageMaker Model Monitor's
# file formats (statistics.json, constraints.json): the drift check compares what the
# endpoint receives with it. Model Monitor materializes each distribution in 10
# buckets and flags a feature whose distribution distance exceeds 0.1 by default.
BASELINE_BUCKETS = 10
DEFAULT_DRIFT_THRESHOLD = 0.1


def baseline_statistics(features: DataFrame) -> dict:
    """statistics.json of ``features`` (numeric columns): counts, mean, std, min, max,
    and a 10-bucket histogram between min and max, in two passes over the data."""
    names = features.columns
    summary = features.agg(
        F.count(F.lit(1)).alias("_rows"),
        *[expression(F.col(f"`{name}`")).alias(f"{label}:{index}")
          for index, name in enumerate(names)
          for label, expression in (("present", F.count), ("sum", F.sum), ("mean", F.avg),
                                    ("std", F.stddev_pop), ("min", F.min), ("max", F.max))],
    ).first()  # fmt: skip
    counts = _bucket_counts(features, [(summary[f"min:{i}"], summary[f"max:{i}"])
                                       for i in range(len(names))])  # fmt: skip
    return {
        "version": 0,
        "dataset": {"item_count": summary["_rows"]},
        "features": [
            _numerical_statistics(name, summary, index, counts[index])
            for index, name in enumerate(names)
        ],
    }


def _bucket_counts(features: DataFrame, ranges: list[tuple]) -> list[list[int]]:
    """Per column, how many values fall in each of the 10 equal buckets of its range."""
    expressions = []
    for index, (low, high) in enumerate(ranges):
        column = F.col(f"`{features.columns[index]}`")
        bucket = _bucket_of(column, low, high)
        expressions += [
            F.sum(F.when(column.isNotNull() & (bucket == k), 1).otherwise(0)).alias(f"b{index}:{k}")
            for k in range(BASELINE_BUCKETS)
        ]
    row = features.agg(*expressions).first()
    return [
        [int(row[f"b{index}:{k}"] or 0) for k in range(BASELINE_BUCKETS)]
        for index in range(len(ranges))
    ]


def _bucket_of(column, low, high):
    if low is None or not high > low:  # no value, or one value: all in the first bucket
        return F.lit(0)
    width = (high - low) / BASELINE_BUCKETS
    return F.least(F.floor((column - F.lit(low)) / F.lit(width)), F.lit(BASELINE_BUCKETS - 1))


def _numerical_statistics(name: str, summary, index: int, counts: list[int]) -> dict:
    low, high = summary[f"min:{index}"], summary[f"max:{index}"]
    present = summary[f"present:{index}"]
    width = ((high - low) / BASELINE_BUCKETS) if present else 0.0
    integral = present and all(float(v).is_integer() for v in (low, high))
    return {
        "name": name,
        "inferred_type": "Integral" if integral else "Fractional",
        "numerical_statistics": {
            "common": {"num_present": present, "num_missing": summary["_rows"] - present},
            "mean": summary[f"mean:{index}"], "sum": summary[f"sum:{index}"],
            "std_dev": summary[f"std:{index}"], "min": low, "max": high,
            "distribution": {"kll": {"buckets": [
                {"lower_bound": low + k * width, "upper_bound": low + (k + 1) * width,
                 "count": counts[k]} for k in range(BASELINE_BUCKETS)
            ] if present else []}},
        },
    }  # fmt: skip


def suggested_constraints(statistics: dict, threshold: float = DEFAULT_DRIFT_THRESHOLD) -> dict:
    """constraints.json for ``statistics``: each feature's type, completeness and sign,
    and the distribution comparison the drift check applies."""
    features = []
    for feature in statistics["features"]:
        numbers = feature["numerical_statistics"]
        rows = numbers["common"]["num_present"] + numbers["common"]["num_missing"]
        features.append({
            "name": feature["name"],
            "inferred_type": feature["inferred_type"],
            "completeness": numbers["common"]["num_present"] / rows if rows else 0.0,
            "num_constraints": {"is_non_negative": (numbers["min"] or 0) >= 0},
        })  # fmt: skip
    return {
        "version": 0,
        "features": features,
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "distribution_constraints": {
                "perform_comparison": "Enabled",
                "comparison_threshold": threshold,
                "comparison_method": "Simple",
            },
        },
    }


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """One object (or local file) at ``uri``, through Hadoop's file system: s3:// on Glue."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    stream = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def write_baseline(spark: SparkSession, train_layout: DataFrame, baseline_uri: str) -> None:
    """statistics.json and constraints.json of the training features (not the label)."""
    statistics = baseline_statistics(train_layout.drop(train_layout.columns[0]))
    prefix = baseline_uri.rstrip("/")
    write_text(spark, f"{prefix}/statistics.json", json.dumps(statistics, indent=1))
    write_text(spark, f"{prefix}/constraints.json",
               json.dumps(suggested_constraints(statistics), indent=1))  # fmt: skip


def prepare(
    spark: SparkSession, source_uri: str, train_uri: str, validation_uri: str, schema: Schema,
    baseline_uri: str | None = None,
):  # fmt: skip
    """The whole job. Raises SourceError when there is nothing to train on."""
    try:
        raw = read_raw(spark, source_uri, schema).cache()
        rows_read = count_rows(spark, source_uri, schema, raw)
    except SourceError:
        raise
    except Exception as error:  # Spark reports a missing path as AnalysisException
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            raise SourceError(f"no raw data at {source_uri}") from error
        if "CSV header does not conform to the schema" in str(error):
            raise SourceError(
                f"the files at {source_uri} have different headers; give them one header "
                "that matches settings.toml's [data] table"
            ) from None
        raise
    if rows_read == 0:
        raise SourceError(f"the raw data at {source_uri} has no rows")
    cleaned = clean(raw, schema).cache()
    kept = cleaned.count()
    if kept == 0:
        reasons = "; ".join(f"{n} {reason}" for reason, n in dropped_by_reason(raw, schema).items())
        raise SourceError(
            f"none of the {rows_read} rows at {source_uri} is well-formed ({reasons})"
        )
    train, validation = split(cleaned)
    train_rows, validation_rows, rows_without_id = _split_counts(cleaned)
    if not train_rows or not validation_rows:
        raise SourceError(
            f"the {kept} usable rows at {source_uri} left {train_rows} for training and "
            f"{validation_rows} for validation; give more rows (a hundred or more)"
        )
    write_csv(to_xgboost_layout(train), train_uri)
    write_csv(to_xgboost_layout(validation), validation_uri)
    if baseline_uri:
        write_baseline(spark, to_xgboost_layout(train), baseline_uri)
    report = PreparationReport(
        rows_read=rows_read,
        rows_dropped=rows_read - kept,
        train_rows=train_rows,
        validation_rows=validation_rows,
        dropped_by_reason=dropped_by_reason(raw, schema) if kept < rows_read else {},
        rows_without_id=rows_without_id,
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

    options = ["JOB_NAME", "source_uri", "train_uri", "validation_uri", "baseline_uri", "schema"]
    arguments = getResolvedOptions(argv, options)
    glue = GlueContext(SparkContext.getOrCreate())
    job = Job(glue)
    job.init(arguments["JOB_NAME"], arguments)
    report = prepare(
        glue.spark_session,
        arguments["source_uri"],
        arguments["train_uri"],
        arguments["validation_uri"],
        Schema.from_json(arguments["schema"]),
        arguments["baseline_uri"],
    )
    print(report)
    job.commit()


if __name__ == "__main__":
    run_on_glue(sys.argv)
