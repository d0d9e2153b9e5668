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
import math
import re
import sys
import time
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
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
    inputs: str = ""  # which raw files were read (retraining.train_on)

    def __str__(self) -> str:
        reasons = "; ".join(f"{count} {reason}" for reason, count in self.dropped_by_reason.items())
        without_id = (f"; {self.rows_without_id} rows had no id and were split by their whole "
                      "row" if self.rows_without_id else "")  # fmt: skip
        return (
            f"read {self.rows_read} rows, dropped {self.rows_dropped}"
            + (f" ({reasons})" if reasons else "")
            + f", wrote {self.train_rows} train and {self.validation_rows} validation rows"
            + without_id
            + (f"; input: {self.inputs}" if self.inputs else "")
        )


# Which raw files a run reads: settings.toml's retraining.train_on, parsed again here
# (the job is uploaded alone) as settings/rules_training_data.py reads it.
TRAIN_ON_ALL, TRAIN_ON_LATEST = "all", "latest"
_WINDOW = re.compile(r"(\d+) days?")
SECONDS_PER_DAY = 86_400
INPUTS_FILE = "training_inputs.json"  # beside the baseline: what the model was trained from


@dataclass(frozen=True)
class RawFile:
    uri: str
    upload: str  # the file, or the folder, directly under the raw prefix that holds it
    size: int
    modified: float  # seconds since the epoch: S3's LastModified, a local file's mtime


def list_raw_files(spark: SparkSession, source_uri: str) -> list[RawFile]:
    """Every data file under ``source_uri`` (or the file it names), through Hadoop's file
    system (S3 on Glue, local files locally). Names starting with _ or . are skipped,
    as Spark's reader skips them."""
    jvm, configuration = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(source_uri)
    system = root.getFileSystem(configuration)
    if not system.exists(root):
        return []
    prefix = system.getFileStatus(root).getPath().toString().rstrip("/") + "/"
    found, listing = [], system.listFiles(root, True)
    while listing.hasNext():
        status = listing.next()
        uri = status.getPath().toString()
        relative = uri[len(prefix) :] if uri.startswith(prefix) else uri.rsplit("/", 1)[-1]
        if any(part.startswith(("_", ".")) for part in relative.split("/")):
            continue
        found.append(RawFile(uri, relative.split("/", 1)[0], status.getLen(),
                             status.getModificationTime() / 1000))  # fmt: skip
    return sorted(found, key=lambda raw: raw.uri)


def select_inputs(files: list[RawFile], train_on: str, now: float) -> list[RawFile]:
    """The files a run reads: all of them, the newest upload's, or those of a window."""
    value = train_on.strip().lower()
    if value == TRAIN_ON_ALL:
        return files
    if value == TRAIN_ON_LATEST:
        if not files:
            return []
        newest = {}
        for raw in files:
            newest[raw.upload] = max(newest.get(raw.upload, 0.0), raw.modified)
        latest = max(newest, key=lambda upload: (newest[upload], upload))
        return [raw for raw in files if raw.upload == latest]
    match = _WINDOW.fullmatch(value)
    if not match:
        raise SourceError(f"train_on {train_on!r} is not all, latest or N days")
    since = now - int(match.group(1)) * SECONDS_PER_DAY
    return [raw for raw in files if raw.modified >= since]


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def inputs_document(train_on: str, source_uri: str, chosen: list[RawFile]) -> str:
    """training_inputs.json: the choice, and each file read with its size and time."""
    return json.dumps({
        "train_on": train_on.strip().lower(),
        "source": source_uri,
        "files": [{"uri": raw.uri, "bytes": raw.size, "uploaded": _utc(raw.modified)}
                  for raw in chosen],
    }, indent=1)  # fmt: skip


def describe_inputs(train_on: str, chosen: list[RawFile], every: int) -> str:
    count = f"{len(chosen)} file{'s' if len(chosen) != 1 else ''}"
    value = train_on.strip().lower()
    if value == TRAIN_ON_ALL:  # the prefix is the job's --source_uri: not said again
        return f"all {count}"
    if value == TRAIN_ON_LATEST:
        return f"the latest upload, {chosen[0].upload} ({count} of {every})"
    return f"the uploads of the last {value} ({count} of {every})"


def read_raw(spark: SparkSession, source: str | list[str], schema: Schema) -> DataFrame:
    """The raw rows, columns bound by their header names (in any order), as text.

    Spark's CSV reader binds a given schema to columns by position and skips the
    header unchecked, so a file with swapped or renamed columns would train on the
    wrong features. The header is checked by name here, and ``enforceSchema=false``
    makes Spark check every file's header against it. Every column is read as text
    and parsed by ``drop_reason``, so that a bad value is counted against its column;
    rows of the wrong length are kept aside in _corrupt_record, not dropped silently.
    ``source`` is a file or folder, or the list of files a run reads (select_inputs).
    """
    header = _csv_reader(spark).csv(source).columns
    expected = schema.columns
    if header:
        _check_columns(_shown(source), _as_written(spark, source, header), expected)
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
        .csv(source)
        .selectExpr(*[_quoted(name) for name in expected], _CORRUPT)
    )


# What Spark's CSV reader (UTF-8) puts, without a word, for a byte that is not UTF-8.
_NOT_UTF8 = "\ufffd"


def _mangled(schema: Schema) -> str:
    """Whether a raw row holds what Spark reads in place of bytes that are not UTF-8."""
    marker = _string(_NOT_UTF8)
    found = [f"instr(coalesce({_quoted(name)}, ''), {marker})" for name in schema.columns]
    return f"greatest({', '.join(found)}) > 0"


_GLOB = re.compile(r"([\\\[\]{}*?])")


def _literal(uri: str) -> str:
    """``uri`` as a Hadoop glob that matches itself alone."""
    return _GLOB.sub(r"\\\1", uri)


def _shown(source: str | list[str]) -> str:
    """A source as messages name it: the folder or file, or the first of a list of files."""
    if isinstance(source, str):
        return source
    return source[0] + (f" and {len(source) - 1} more files" if len(source) > 1 else "")


def refuse_not_utf8(
    spark: SparkSession, source: str | list[str], schema: Schema, tally: Tally
) -> None:
    """Rows that are not UTF-8 stop the job: Spark would read a latin-1 'côte' as
    'c\ufffdte', another category, and the model would learn from the mangled value."""
    if not tally.not_utf8:
        return
    first = (
        read_raw(spark, source, schema)
        .where(_mangled(schema))
        .selectExpr("input_file_name() AS file", *[_quoted(name) for name in schema.columns])
        .first()
    )
    shown = ",".join("" if value is None else value for value in list(first)[1:])[:80]
    raise SourceError(
        f"{tally.not_utf8} of the {tally.rows_read} rows at {_shown(source)} are not UTF-8, "
        f"the first in {first['file'] or _shown(source)} ({shown!r}): save the files as UTF-8 (for "
        "example iconv -f latin1 -t utf-8 old.csv > new.csv)"
    )


def _csv_reader(spark: SparkSession):
    """CSV as RFC 4180 writes it (and Python's csv module, which `data init` reads with):
    a header line, and a quote inside a quoted field doubled ("15"" monitor")."""
    return (
        spark.read.option("header", True)
        .option("quote", '"')
        .option("escape", '"')
        # Files in folders below the raw prefix (an upload of many files) are data, not
        # partitions named column=value.
        .option("recursiveFileLookup", True)
    )


def _quoted(name: str) -> str:
    """A column's name as Spark SQL reads it exactly: a dot in it is part of the name
    (Sepal.Length), not a field of a struct."""
    return "`" + name.replace("`", "``") + "`"


def _string(text: str) -> str:
    """A Spark SQL string literal of ``text``, whatever it holds (a user's category or
    column name): the parser unescapes a backslash, so both it and the quote are escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _one_of(value: str, choices) -> str:
    """``value IN (choices)``; false for no choices (SQL has no empty IN list)."""
    if not choices:
        return "false"
    return f"{value} IN ({', '.join(_string(choice) for choice in choices)})"


# The row expressions below are Spark SQL text, not pyspark column functions: the JVM
# parses a whole expression at once, where building it node by node costs a py4j round
# trip per node (tens of thousands for a few dozen columns, most of a small run's time).


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


def _text(name: str) -> str:
    return f"lower(trim({_quoted(name)}))"


def _number(name: str) -> str:
    """The value as a finite double, or null. SQL's try_cast (Spark 3.2+, so Glue 4.0 and
    5.0) gives null for a non-number, whether or not Spark runs in ANSI mode."""
    value = f"try_cast(trim({_quoted(name)}) AS DOUBLE)"
    infinite = f"{value} IN (double('inf'), double('-inf'))"
    return f"CASE WHEN isnan({value}) OR {infinite} THEN NULL ELSE {value} END"


def drop_reason(schema: Schema) -> str:
    """Why a row is dropped (the first problem found), or null for a well-formed row."""
    label = _text(schema.label)
    known = [value.lower() for value in (*schema.positive, *schema.negative)]
    checks = [
        (f"{_CORRUPT} IS NOT NULL", "unparseable (wrong number of fields)"),
        (f"{label} IS NULL OR {label} = ''", f"{schema.label} missing"),
        (f"NOT {_one_of(label, known)}", f"{schema.label} not one of the labels in [data]"),
    ]
    for feature in schema.features:
        value = _text(feature.name)
        checks.append((f"{value} IS NULL OR {value} = ''", f"{feature.name} missing"))
        if feature.kind == "numeric":
            checks.append((f"({_number(feature.name)}) IS NULL", f"{feature.name} not a number"))
        elif feature.kind == "boolean":
            allowed = (*BOOLEAN_TRUE, *BOOLEAN_FALSE)
            checks.append((f"NOT {_one_of(value, allowed)}",
                           f"{feature.name} not yes/no, true/false or 1/0"))  # fmt: skip
        else:
            categories = [category.lower() for category in feature.categories]
            checks.append((f"NOT {_one_of(value, categories)}",
                           f"{feature.name} not one of its categories in [data]"))  # fmt: skip
    cases = " ".join(f"WHEN {condition} THEN {_string(text)}" for condition, text in checks)
    return f"CASE {cases} ELSE CAST(NULL AS STRING) END"


@dataclass(frozen=True)
class Tally:
    """What the job counts of the raw rows, all from one pass over them."""

    rows_read: int
    not_utf8: int
    kept: int
    train_rows: int
    rows_without_id: int  # kept rows without an id
    dropped_by_reason: dict[str, int]  # the most frequent reason first

    @property
    def validation_rows(self) -> int:
        return self.kept - self.train_rows


def tally(raw: DataFrame, schema: Schema) -> Tally:
    """Every count the job reports, in one pass over the raw rows: grouped by drop
    reason, set, missing id and mangled text, a few dozen groups at most whatever the
    size of the data (one pass instead of four, and nothing cached for them)."""
    groups = (
        raw.selectExpr(
            f"{drop_reason(schema)} AS reason",
            f"{_in_validation(_split_key(schema))} AS validation",
            f"{_missing_id(schema)} AS missing_id",
            f"{_mangled(schema)} AS mangled",
        )
        .groupBy("reason", "validation", "missing_id", "mangled")
        .count()
    )
    rows = groups.collect()
    kept = [row for row in rows if row["reason"] is None]
    reasons: dict[str, int] = {}
    for row in rows:
        if row["reason"] is not None:
            reasons[row["reason"]] = reasons.get(row["reason"], 0) + row["count"]
    return Tally(
        rows_read=sum(row["count"] for row in rows),
        not_utf8=sum(row["count"] for row in rows if row["mangled"]),
        kept=sum(row["count"] for row in kept),
        train_rows=sum(row["count"] for row in kept if not row["validation"]),
        rows_without_id=sum(row["count"] for row in kept if row["missing_id"]),
        dropped_by_reason=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
    )


def clean(raw: DataFrame, schema: Schema) -> DataFrame:
    """Well-formed rows, encoded: the label as 1/0 first, then the features as numbers."""
    positive = [value.lower() for value in schema.positive]
    encoded = [f"CAST({_one_of(_text(schema.label), positive)} AS INT) AS label"]
    for feature in schema.features:
        name = _quoted(feature.name)
        if feature.kind == "numeric":
            encoded.append(f"{_number(feature.name)} AS {name}")
        elif feature.kind == "boolean":
            encoded.append(f"CAST({_one_of(_text(feature.name), BOOLEAN_TRUE)} AS INT) AS {name}")
        else:
            columns = zip(feature.categories, feature.encoded_names(), strict=True)
            encoded += [
                f"CAST({_text(feature.name)} = {_string(category.lower())} AS INT) AS "
                + _quoted(column)
                for category, column in columns
            ]
    return raw.where(f"({drop_reason(schema)}) IS NULL").selectExpr(
        f"{_split_key(schema)} AS _split_key", f"{_missing_id(schema)} AS _missing_id", *encoded
    )


def _missing_id(schema: Schema) -> str:
    """Whether a row has no id (null, or empty once trimmed)."""
    if not schema.id_column:
        return "false"
    ident = _quoted(schema.id_column)
    return f"({ident} IS NULL OR trim({ident}) = '')"


def _split_key(schema: Schema) -> str:
    """What decides a row's set: its id, or the whole raw row when it has none. (Every
    row without an id would otherwise share one hash bucket, and so one set.)"""
    values = ", ".join(f"coalesce({_quoted(name)}, '')" for name in schema.columns)
    whole_row = f"concat_ws({_string(chr(0x1F))}, {values})"
    if not schema.id_column:
        return whole_row
    # Marked, so that no row's text can pass for another row's id.
    marked = f"concat({_string(chr(0x1E))}, {whole_row})"
    return f"CASE WHEN {_missing_id(schema)} THEN {marked} ELSE {_quoted(schema.id_column)} END"


def to_xgboost_layout(cleaned: DataFrame) -> DataFrame:
    """Label first, then the features, nothing else."""
    return cleaned.drop("_split_key", "_missing_id")


def _in_validation(split_key: str = "_split_key") -> str:
    """Whether a row's split key (the cleaned frame's _split_key column) puts it in
    the validation set."""
    return f"abs(xxhash64({split_key}, {SPLIT_SEED})) % 100 < {VALIDATION_PERCENT}"


def split(cleaned: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Train/validation by a hash of the id (or of the whole row): the same entity
    always lands in the same set, whatever the partitioning or the row order."""
    return cleaned.where(f"NOT ({_in_validation()})"), cleaned.where(_in_validation())


# SageMaker's XGBoost container reads every file of a training channel, and sniffs
# the CSV delimiter from whichever it lists first: Hadoop's empty _SUCCESS marker
# there fails training. This Hadoop committer setting stops the marker.
NO_SUCCESS_MARKER = ("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")


def write_csv(frame: DataFrame, uri: str, files: int, balanced: bool) -> None:
    """Data files only (part-*.csv), no header: what a training channel may hold, in
    ``files`` files. ``balanced``: of about the same size (a round-robin repartition, a
    shuffle), as instances that share the files need; else merged without a shuffle."""
    frame.sparkSession.sparkContext._jsc.hadoopConfiguration().set(*NO_SUCCESS_MARKER)
    parts = frame.repartition(files) if balanced else frame.coalesce(files)
    parts.write.mode("overwrite").option("header", False).csv(uri)


# Part files of about this size: enough files to write in parallel and to share among
# the training instances, few enough that listing and opening them stays cheap.
TARGET_FILE_BYTES = 256 * 2**20


def files_per_channel(channel_bytes: float, hosts: int) -> int:
    """A channel's number of files: a multiple of the training instances, so that each
    gets as many (ShardedByS3Key deals out whole files: an instance with none is left out
    of training), and about TARGET_FILE_BYTES each."""
    per_host = max(1, math.ceil(channel_bytes / hosts / TARGET_FILE_BYTES))
    return per_host * hosts


# The data-quality baseline of the training features, in SageMaker Model Monitor's
# file formats (statistics.json, constraints.json): the drift check compares what the
# endpoint receives with it. Model Monitor materializes each distribution in 10
# buckets and flags a feature whose distribution distance exceeds 0.1 by default.
BASELINE_BUCKETS = 10
DEFAULT_DRIFT_THRESHOLD = 0.1


def baseline_statistics(features: DataFrame) -> dict:
    """statistics.json of ``features`` (numeric columns): counts, mean, std, min, max,
    and a 10-bucket histogram between min and max, in two passes over the data."""
    # SQL text rather than pyspark's column functions: the JVM parses each expression
    # once, where building it node by node costs a py4j round trip per node (some
    # thousands for a few dozen features, most of a small run's time).
    columns = [_quoted(name) for name in features.columns]
    summary = features.selectExpr(
        "count(1) AS _rows",
        *[f"{function}({column}) AS `{label}:{index}`"
          for index, column in enumerate(columns)
          for label, function in (("present", "count"), ("sum", "sum"), ("mean", "avg"),
                                  ("std", "stddev_pop"), ("min", "min"), ("max", "max"))],
    ).first()  # fmt: skip
    counts = _bucket_counts(features, [(summary[f"min:{i}"], summary[f"max:{i}"])
                                       for i in range(len(columns))])  # fmt: skip
    return {
        "version": 0,
        "dataset": {"item_count": summary["_rows"]},
        "features": [
            _numerical_statistics(name, summary, index, counts[index])
            for index, name in enumerate(features.columns)
        ],
    }


def _bucket_counts(features: DataFrame, ranges: list[tuple]) -> list[list[int]]:
    """Per column, how many values fall in each of the 10 equal buckets of its range."""
    # One (column, bucket) pair per value, counted by a grouped aggregation that Spark
    # combines before its shuffle: at most 10 rows a column leave each partition. One
    # count_if per column and bucket reads the data once too, but its hundreds of
    # aggregates take Spark longer to plan than a small run takes to read.
    buckets = [
        f"CAST({_bucket_of(_quoted(name), low, high)} AS INT) AS `b{index}`"
        for index, (name, (low, high)) in enumerate(zip(features.columns, ranges, strict=True))
    ]
    pairs = ", ".join(f"{index}, `b{index}`" for index in range(len(ranges)))
    counts = [[0] * BASELINE_BUCKETS for _ in ranges]
    if not ranges:
        return counts
    for row in (
        features.selectExpr(*buckets)
        .selectExpr(f"stack({len(ranges)}, {pairs}) AS (_column, _bucket)")
        .where("_bucket IS NOT NULL")
        .groupBy("_column", "_bucket")
        .count()
        .collect()
    ):
        counts[row["_column"]][int(row["_bucket"])] = row["count"]
    return counts


def _bucket_of(column: str, low, high) -> str:
    """The SQL of a value's bucket: NULL for a missing value, so that it counts in none."""
    if low is None or not high > low:  # no value, or one value: all in the first bucket
        return f"if({column} IS NULL, NULL, 0)"
    width = (high - low) / BASELINE_BUCKETS
    # The bounds as the exact doubles they are in Python (repr). least() skips a NULL,
    # so a missing value is kept out of the last bucket explicitly.
    bucket = f"floor(({column} - CAST('{low!r}' AS DOUBLE)) / CAST('{width!r}' AS DOUBLE))"
    return f"if({column} IS NULL, NULL, least({bucket}, {BASELINE_BUCKETS - 1}))"


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
    baseline_uri: str | None = None, train_on: str = TRAIN_ON_ALL, now: float | None = None,
    hosts: int = 1,
):  # fmt: skip
    """The whole job. Raises SourceError when there is nothing to train on.

    It reads the raw files ``train_on`` selects (all, the latest upload, or a window of
    days before ``now``), and lists them in training_inputs.json beside the baseline.
    The raw rows are read twice (once counted, once cleaned); only the cleaned rows,
    which the two writes and the baseline read again, are cached.
    """
    files = list_raw_files(spark, source_uri)
    chosen = select_inputs(files, train_on, time.time() if now is None else now)
    if not files:
        raise SourceError(f"no raw data at {source_uri}")
    if not chosen:
        newest = max(files, key=lambda raw: raw.modified)
        raise SourceError(
            f"none of the {len(files)} files at {source_uri} was uploaded in the last "
            f"{train_on.strip()} (the newest: {newest.uri}, {_utc(newest.modified)}); upload "
            'new data, or set retraining.train_on to "all"'
        )
    # All of it: the prefix, which Spark lists itself. Else the chosen files, each a
    # path Spark reads as a glob pattern: its [ ] { } * ? \ are escaped.
    everything = train_on.strip().lower() == TRAIN_ON_ALL
    source = source_uri if everything else [_literal(raw.uri) for raw in chosen]
    try:
        raw = read_raw(spark, source, schema)
        counted = tally(raw, schema)
    except Exception as error:  # Spark reports a missing path as AnalysisException
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            raise SourceError(f"no raw data at {source_uri}") from error
        if "CSV header does not conform to the schema" in str(error):
            raise SourceError(
                f"the files at {source_uri} have different headers; give them one header "
                "that matches settings.toml's [data] table"
            ) from None
        raise
    if counted.rows_read == 0:
        raise SourceError(f"the raw data at {source_uri} has no rows")
    refuse_not_utf8(spark, source, schema, counted)
    if counted.kept == 0:
        reasons = "; ".join(f"{n} {reason}" for reason, n in counted.dropped_by_reason.items())
        raise SourceError(
            f"none of the {counted.rows_read} rows at {source_uri} is well-formed ({reasons})"
        )
    if not counted.train_rows or not counted.validation_rows:
        raise SourceError(
            f"the {counted.kept} usable rows at {source_uri} left {counted.train_rows} for "
            f"training and {counted.validation_rows} for validation; give more rows (a "
            "hundred or more)"
        )
    cleaned = clean(raw, schema).cache()
    train, validation = split(cleaned)
    # The channels' sizes, estimated from the raw bytes read in the rows' proportions.
    raw_bytes = sum(raw_file.size for raw_file in chosen)
    for frame, uri, rows in ((train, train_uri, counted.train_rows),
                             (validation, validation_uri, counted.validation_rows)):  # fmt: skip
        parts = files_per_channel(raw_bytes * rows / counted.rows_read, hosts)
        write_csv(to_xgboost_layout(frame), uri, parts, balanced=hosts > 1)
    if baseline_uri:
        write_baseline(spark, to_xgboost_layout(train), baseline_uri)
        write_text(spark, f"{baseline_uri.rstrip('/')}/{INPUTS_FILE}",
                   inputs_document(train_on, source_uri, chosen))  # fmt: skip
    cleaned.unpersist()
    return PreparationReport(
        rows_read=counted.rows_read,
        rows_dropped=counted.rows_read - counted.kept,
        train_rows=counted.train_rows,
        validation_rows=counted.validation_rows,
        dropped_by_reason=counted.dropped_by_reason,
        rows_without_id=counted.rows_without_id,
        inputs=describe_inputs(train_on, chosen, len(files)),
    )


def run_on_glue(argv: list[str]) -> None:
    """The entry point on AWS Glue: arguments come from the state machine."""
    from awsglue.context import GlueContext  # only on Glue
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    options = ["JOB_NAME", "source_uri", "train_uri", "validation_uri", "baseline_uri", "schema",
               "train_on", "hosts"]  # fmt: skip
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
        arguments["train_on"],
        hosts=int(arguments["hosts"]),
    )
    print(report)
    job.commit()


if __name__ == "__main__":
    run_on_glue(sys.argv)
