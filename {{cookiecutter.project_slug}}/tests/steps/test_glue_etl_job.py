"""The Glue job's transforms on a local SparkSession (real Spark; Glue itself is not
emulated: awsglue is imported only in the Glue entry point).

The data comes from the project's own [data] table (tests/conftest.py), so these hold
for whatever dataset the project is set up for; a second, fixed schema exercises what
the project's may lack (no id column, a categorical feature).
"""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest
from project.local.run import spark_session
from project.sample_data import generate
from project.settings.data_schema import BOOLEAN, CATEGORICAL, NUMERIC, DataSchema, Feature
from project.steps.glue_etl_job import (
    INPUTS_FILE,
    SECONDS_PER_DAY,
    VALIDATION_PERCENT,
    Schema,
    SourceError,
    baseline_statistics,
    files_per_channel,
    list_raw_files,
    prepare,
    select_inputs,
)

from ..conftest import project_schema, sample_csv

# Spark: every test that uses it shares one test worker's JVM (xdist_group "spark", make test).
pytestmark = pytest.mark.xdist_group("spark")

# A dataset unlike the project's: no id column, a categorical and a boolean feature.
LOANS = DataSchema(
    label="defaulted", positive=("Yes",), negative=("No",), id_column="",
    features=(Feature("income", NUMERIC), Feature("region", CATEGORICAL, ("north", "south")),
              Feature("has_mortgage", BOOLEAN)),
    ignore=("notes",),
)  # fmt: skip


@pytest.fixture(scope="module")
def spark():
    return spark_session()


def job_schema(schema: DataSchema = None) -> Schema:
    """The schema as the Glue job receives it: the --schema argument's JSON."""
    return Schema.from_json((schema or project_schema()).to_json())


def run_job(spark, source, tmp_path, schema: DataSchema = None, out: str = ""):
    return prepare(spark, str(source), str(tmp_path / f"t{out}"), str(tmp_path / f"v{out}"),
                   job_schema(schema))  # fmt: skip


def read_csv_folder(folder):
    rows = []
    for part in sorted(folder.glob("*.csv")):
        with part.open() as stream:
            rows += [list(map(float, row)) for row in csv.reader(stream)]
    return np.array(rows)


def first_of_kind(schema: DataSchema, kind: str) -> str | None:
    return next((feature.name for feature in schema.features if feature.kind == kind), None)


@pytest.fixture(scope="module")
def reference(spark, tmp_path_factory):
    """The job run once on 300 sample rows (each Spark job takes a while: tests share it)."""
    folder = tmp_path_factory.mktemp("reference")
    source = sample_csv(folder / "raw" / "data.csv", rows=300)
    return folder, source, run_job(spark, source.parent, folder)


def test_output_is_label_first_without_header_and_split_reproducibly(spark, reference, tmp_path):
    folder, source, first = reference
    second = run_job(spark, source.parent, tmp_path)
    train, validation = read_csv_folder(folder / "t"), read_csv_folder(folder / "v")
    assert train.shape[1] == 1 + len(job_schema().encoded_features)
    assert set(np.unique(train[:, 0])) <= {0.0, 1.0}
    assert first.train_rows + first.validation_rows == 300
    assert 0.1 < first.validation_rows / 300 < 0.3
    assert (first.train_rows, first.validation_rows) == (second.train_rows, second.validation_rows)
    assert np.array_equal(train, read_csv_folder(tmp_path / "t"))
    assert len(validation) == first.validation_rows


def test_a_categorical_feature_is_one_column_per_category_and_booleans_are_1_0(spark, tmp_path):
    source = generate(tmp_path / "raw" / "loans.csv", LOANS, rows=200)
    run_job(spark, source.parent, tmp_path, schema=LOANS)
    rows = np.vstack([read_csv_folder(tmp_path / "t"), read_csv_folder(tmp_path / "v")])
    assert job_schema(LOANS).encoded_features == [
        "income", "region=north", "region=south", "has_mortgage"
    ]  # fmt: skip
    assert rows.shape == (200, 5)
    assert set(rows[:, 2] + rows[:, 3]) == {1.0}  # exactly one category per row
    assert set(np.unique(rows[:, 4])) == {0.0, 1.0}


def test_without_an_id_the_split_follows_each_row_not_its_position(spark, tmp_path):
    source = generate(tmp_path / "a" / "loans.csv", LOANS, rows=300)
    lines = source.read_text().splitlines()
    reordered = tmp_path / "b" / "loans.csv"
    reordered.parent.mkdir()
    reordered.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    run_job(spark, source.parent, tmp_path, schema=LOANS, out="1")
    run_job(spark, reordered.parent, tmp_path, schema=LOANS, out="2")
    by_rows = [sorted(map(tuple, read_csv_folder(tmp_path / f"v{n}"))) for n in (1, 2)]
    assert by_rows[0] == by_rows[1]


def test_malformed_rows_are_dropped_and_counted_by_column(spark, tmp_path):
    schema = project_schema()
    source = sample_csv(tmp_path / "raw" / "data.csv", rows=50)
    header = source.read_text().splitlines()[0].split(",")
    with source.open() as stream:
        good = next(csv.DictReader(stream))
    bad_rows = [{**good, schema.label: "maybe"}]
    expected = {f"{schema.label} not one of the labels in [data]": 1}
    numeric, boolean = first_of_kind(schema, NUMERIC), first_of_kind(schema, BOOLEAN)
    if numeric:
        bad_rows.append({**good, numeric: "not-a-number"})
        expected[f"{numeric} not a number"] = 1
        bad_rows.append({**good, numeric: ""})
        expected[f"{numeric} missing"] = 1
    if boolean:
        bad_rows.append({**good, boolean: "perhaps"})
        expected[f"{boolean} not yes/no, true/false or 1/0"] = 1
    with source.open("a", newline="") as stream:
        csv.writer(stream).writerows([[row[name] for name in header] for row in bad_rows])
        stream.write(f"{good[header[0]]}\n")  # truncated
    expected["unparseable (wrong number of fields)"] = 1
    report = run_job(spark, source.parent, tmp_path)
    assert report.rows_read == 50 + len(bad_rows) + 1
    assert report.dropped_by_reason == expected
    assert report.train_rows + report.validation_rows == 50
    assert "1 unparseable (wrong number of fields)" in str(report)


def test_a_value_outside_a_features_categories_drops_its_row(spark, tmp_path):
    source = generate(tmp_path / "raw" / "loans.csv", LOANS, rows=100)
    with source.open("a") as stream:
        stream.write("No,50,west,no,x\n")
    report = run_job(spark, source.parent, tmp_path, schema=LOANS)
    assert report.dropped_by_reason == {"region not one of its categories in [data]": 1}


def test_a_missing_source_is_a_clear_error(spark, tmp_path):
    with pytest.raises(SourceError, match="no raw data at"):
        run_job(spark, tmp_path / "nowhere", tmp_path)


def test_an_empty_source_is_a_clear_error(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "empty.csv").write_text(",".join(project_schema().columns) + "\n")
    with pytest.raises(SourceError, match="has no rows"):
        run_job(spark, tmp_path / "raw", tmp_path)


def test_a_source_with_no_usable_row_is_a_clear_error(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "bad.csv").write_text(",".join(project_schema().columns) + "\nx\ny\n")
    with pytest.raises(SourceError, match=r"none of the 2 rows .* \(2 unparseable"):
        run_job(spark, tmp_path / "raw", tmp_path)


def test_the_sample_is_deterministic_and_has_the_schemas_columns(tmp_path):
    first = sample_csv(tmp_path / "a.csv", rows=200)
    assert first.read_bytes() == sample_csv(tmp_path / "b.csv", rows=200).read_bytes()
    other = generate(tmp_path / "c.csv", project_schema(), rows=200, seed=8)
    assert first.read_bytes() != other.read_bytes()
    assert first.read_text().splitlines()[0].split(",") == project_schema().columns


def test_training_channels_hold_data_files_only(reference):
    """SageMaker's XGBoost reads every file of a channel: no _SUCCESS marker (Hadoop's
    committer setting, on Glue too) and no .crc checksums (local Spark; S3 has none)."""
    folder, _source, _report = reference
    for channel in ("t", "v"):
        names = [path.name for path in (folder / channel).iterdir()]
        assert names and all(name.startswith("part-") and name.endswith(".csv") for name in names)


def write_with_columns(path, order, rename=None, source=None):
    """The sample (or ``source``) with its columns in ``order`` (and some renamed), as a
    user's file may be."""
    sample = source or sample_csv(path.parent / "sample.csv", rows=200)
    with sample.open() as stream:
        rows = list(csv.DictReader(stream))
    if source is None:
        sample.unlink()
    header = [(rename or {}).get(name, name) for name in order]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows([row[name] for name in order] for row in rows)
    return path


def test_columns_are_bound_by_header_name_not_position(spark, reference, tmp_path):
    """Swapping two same-type columns must not swap the features the model sees."""
    schema = project_schema()
    folder, source, _report = reference
    swapped = list(schema.columns)
    first, second = (swapped.index(feature.name) for feature in schema.features[:2])
    swapped[first], swapped[second] = swapped[second], swapped[first]
    shuffled = write_with_columns(tmp_path / "b" / "raw.csv", swapped, source=source)
    run_job(spark, shuffled.parent, tmp_path)
    assert np.array_equal(read_csv_folder(folder / "t"), read_csv_folder(tmp_path / "t"))


def test_missing_and_unknown_columns_are_refused_with_their_names(spark, tmp_path):
    schema = project_schema()
    feature = schema.features[0].name
    renamed = write_with_columns(
        tmp_path / "raw" / "raw.csv", schema.columns,
        rename={schema.label: "renamed_label", feature: "renamed_feature"},
    )  # fmt: skip
    with pytest.raises(SourceError) as raised:
        run_job(spark, renamed.parent, tmp_path)
    message = str(raised.value)
    assert f"missing {schema.label}, {feature}" in message
    assert "unexpected renamed_label, renamed_feature" in message
    assert "`data init`" in message


def test_a_repeated_header_name_is_reported_as_written_not_as_sparks_renames(spark, tmp_path):
    """Spark renames a repeated column (x, x become x0, x3, say): the report names the
    file's own column, repeated, not two unexpected ones and a missing one (#26)."""
    schema = project_schema()
    feature = schema.features[0].name
    columns = [*schema.columns, feature]  # the feature's column twice
    source = write_with_columns(tmp_path / "raw" / "raw.csv", columns)
    with pytest.raises(SourceError) as raised:
        run_job(spark, source.parent, tmp_path)
    message = str(raised.value)
    assert f"repeated {feature}" in message
    assert "unexpected" not in message and "missing" not in message


def test_too_few_rows_to_split_is_a_clear_error(spark, tmp_path):
    """Three copies of one row: they share their id (or, without an id column, their
    whole row), so they land in one set and leave the other empty, whatever the
    [data] table (a few distinct rows may or may not, depending on their hashes)."""
    source = sample_csv(tmp_path / "raw" / "data.csv", rows=1)
    header, row = source.read_text().splitlines()
    source.write_text("\n".join([header, row, row, row]) + "\n")
    with pytest.raises(SourceError, match="for validation; give more rows"):
        run_job(spark, source.parent, tmp_path)


def test_rows_without_an_id_are_counted_and_split_by_their_whole_row(spark, tmp_path):
    """#25: with an id column, every row whose id is null or empty had shared one hash
    bucket, so all of them went to one set. They are split by their whole row instead
    (about the validation share of them in validation), and the report counts them."""
    schema = DataSchema(
        label="churned", positive=("yes",), negative=("no",), id_column="customer_id",
        features=(Feature("spend", NUMERIC),), ignore=(),
    )  # fmt: skip
    source = tmp_path / "raw" / "customers.csv"
    source.parent.mkdir()
    with source.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(schema.columns)
        writer.writerows([["", "yes" if i % 2 else "no", str(i)] for i in range(300)])  # no id
        writer.writerows([[f"c{i}", "yes" if i % 2 else "no", str(1000 + i)] for i in range(100)])
    report = run_job(spark, source.parent, tmp_path, schema=schema)
    assert report.rows_dropped == 0 and report.rows_without_id == 300
    assert "300 rows had no id and were split by their whole row" in str(report)
    validation = read_csv_folder(tmp_path / "v")
    without_id = int((validation[:, 1] < 1000).sum())  # their spend is below 1000
    share = VALIDATION_PERCENT / 100
    assert share / 2 * 300 < without_id < share * 2 * 300  # about the share, not 0 or 300


def test_quoted_quotes_and_dotted_names_are_read_as_data_init_reads_them(spark, tmp_path):
    """RFC 4180 (and Python's csv): a quote in a quoted field is doubled; a dot belongs to
    the column's name (R writes Sepal.Length), not to a struct field."""
    schema = DataSchema(
        label="bought", positive=("yes",), negative=("no",), id_column="",
        features=(Feature("Sepal.Length", NUMERIC),
                  Feature("product", CATEGORICAL, ('15" monitor', "laptop"))),
        ignore=(),
    )  # fmt: skip
    source = tmp_path / "raw" / "shop.csv"
    source.parent.mkdir()
    with source.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(schema.columns)
        writer.writerows([["yes" if i % 3 else "no", str(i), '15" monitor' if i % 2 else "laptop"]
                          for i in range(60)])  # fmt: skip
    report = run_job(spark, source.parent, tmp_path, schema=schema)
    assert report.rows_dropped == 0 and report.train_rows + report.validation_rows == 60


def test_the_job_and_data_init_spell_booleans_alike():
    """The job is uploaded alone, so it holds its own copy of the spellings."""
    from project.settings import data_schema
    from project.steps import glue_etl_job

    assert glue_etl_job.BOOLEAN_TRUE == data_schema.BOOLEAN_TRUE
    assert glue_etl_job.BOOLEAN_FALSE == data_schema.BOOLEAN_FALSE


def test_the_job_reads_the_columns_settings_gives_it():
    assert job_schema().columns == project_schema().columns
    assert job_schema(LOANS).columns == LOANS.columns


def test_rows_that_are_not_utf8_fail_the_job_naming_the_file(spark, tmp_path):
    """Spark reads a latin-1 'côte' as 'c\ufffdte' without a word; the job refuses the
    data instead of training on another category."""
    schema = DataSchema(
        label="bought", positive=("yes",), negative=("no",), id_column="",
        features=(Feature("place", CATEGORICAL, ("cote", "côte")), Feature("amount", NUMERIC)),
        ignore=(),
    )  # fmt: skip
    source = tmp_path / "raw" / "shop.csv"
    source.parent.mkdir()
    lines = ["bought,place,amount"] + [
        f"{'yes' if i % 2 else 'no'},{('côte', 'cote')[i % 2]},{i}" for i in range(40)
    ]
    source.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    with pytest.raises(SourceError, match=r"20 of the 40 rows at .* are not UTF-8, the first in"):
        run_job(spark, source.parent, tmp_path, schema=schema)


def test_the_baseline_describes_the_training_features_in_model_monitors_format(spark, tmp_path):
    """statistics.json and constraints.json (SageMaker Model Monitor's schemas) of the
    training split's features, checked against numpy on the written training files."""
    source = generate(tmp_path / "raw" / "loans.csv", LOANS, rows=400)
    prepare(spark, str(source.parent), str(tmp_path / "t"), str(tmp_path / "v"),
            job_schema(LOANS), str(tmp_path / "baseline"))  # fmt: skip
    statistics = json.loads((tmp_path / "baseline" / "statistics.json").read_text())
    constraints = json.loads((tmp_path / "baseline" / "constraints.json").read_text())
    train = read_csv_folder(tmp_path / "t")[:, 1:]  # without the label
    assert statistics["dataset"]["item_count"] == len(train)
    assert [f["name"] for f in statistics["features"]] == job_schema(LOANS).encoded_features
    for index, feature in enumerate(statistics["features"]):
        numbers, column = feature["numerical_statistics"], train[:, index]
        assert numbers["common"] == {"num_present": len(column), "num_missing": 0}
        assert numbers["min"] == column.min() and numbers["max"] == column.max()
        assert numbers["mean"] == pytest.approx(column.mean())
        assert numbers["std_dev"] == pytest.approx(column.std())
        buckets = numbers["distribution"]["kll"]["buckets"]
        edges = [buckets[0]["lower_bound"]] + [b["upper_bound"] for b in buckets]
        expected, _ = np.histogram(column, bins=edges)
        assert [b["count"] for b in buckets] == list(expected)
    assert [f["name"] for f in constraints["features"]] == job_schema(LOANS).encoded_features
    assert all(f["completeness"] == 1.0 for f in constraints["features"])
    comparison = constraints["monitoring_config"]["distribution_constraints"]
    assert comparison["comparison_threshold"] == 0.1


def test_the_baseline_counts_a_missing_value_in_no_bucket_and_quotes_any_name(spark):
    """A missing value is num_missing, not a bucket's count; a name may hold a backtick
    (Spark SQL quotes it by doubling) or a dot; a constant column fills its first bucket."""
    frame = spark.createDataFrame([(1.0, 5.0), (None, 5.0), (3.0, 5.0)],
                                  "`width ``cm``` double, `a.b` double")  # fmt: skip
    width, constant = baseline_statistics(frame)["features"]
    assert (width["name"], constant["name"]) == ("width `cm`", "a.b")
    numbers = width["numerical_statistics"]
    assert numbers["common"] == {"num_present": 2, "num_missing": 1}
    counts = [bucket["count"] for bucket in numbers["distribution"]["kll"]["buckets"]]
    assert counts == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    buckets = constant["numerical_statistics"]["distribution"]["kll"]["buckets"]
    assert [bucket["count"] for bucket in buckets] == [3] + [0] * 9


NOW = 1_800_000_000.0  # the job's clock in the tests below: a fixed instant


def uploads(tmp_path):
    """Three uploads under raw/, as S3 dates them: a file 3 days old, a folder of two
    files written 2 days and 1 day ago, and a file 10 days old; and the files Spark's
    reader skips (a _SUCCESS marker, a .crc checksum)."""
    raw = tmp_path / "raw"
    written = {"older.csv": (40, 10), "new.csv": (60, 3), "batch/part-1.csv": (70, 2),
               "batch/part-2.csv": (80, 1)}  # fmt: skip
    for name, (rows, days_ago) in written.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        os.utime(sample_csv(raw / name, rows=rows), (NOW - days_ago * SECONDS_PER_DAY,) * 2)
    (raw / "batch" / "_SUCCESS").write_text("")
    (raw / ".new.csv.crc").write_text("")
    return raw


@pytest.mark.parametrize(
    ("train_on", "expected"),
    [
        ("all", ["batch/part-1.csv", "batch/part-2.csv", "new.csv", "older.csv"]),
        ("latest", ["batch/part-1.csv", "batch/part-2.csv"]),  # a folder is one upload
        ("2 days", ["batch/part-1.csv", "batch/part-2.csv"]),
        ("5 days", ["batch/part-1.csv", "batch/part-2.csv", "new.csv"]),
        ("1 day", ["batch/part-2.csv"]),
    ],
)
def test_train_on_reads_every_upload_the_latest_or_a_window(spark, tmp_path, train_on, expected):
    """#25: every upload added itself to every later run. The files are listed through
    Hadoop's file system (S3's listing and LastModified on Glue, here local files)."""
    raw = uploads(tmp_path)
    chosen = select_inputs(list_raw_files(spark, str(raw)), train_on, now=NOW)
    assert [file.uri.split("/raw/", 1)[1] for file in chosen] == expected


def test_the_run_reads_only_the_chosen_files_and_lists_them_beside_the_baseline(spark, tmp_path):
    """The report says which files were read; the prefix is the job's own argument."""
    raw = uploads(tmp_path)
    report = prepare(spark, str(raw), str(tmp_path / "t"), str(tmp_path / "v"), job_schema(),
                     str(tmp_path / "baseline"), train_on="latest", now=NOW)  # fmt: skip
    assert report.rows_read == 70 + 80
    assert report.inputs == "the latest upload, batch (2 files of 4)"
    assert str(report).endswith("; input: the latest upload, batch (2 files of 4)")
    listed = json.loads((tmp_path / "baseline" / INPUTS_FILE).read_text())
    assert listed["train_on"] == "latest" and listed["source"] == str(raw)
    assert [file["uri"].rsplit("/", 2)[-2:] for file in listed["files"]] == [
        ["batch", "part-1.csv"], ["batch", "part-2.csv"]]  # fmt: skip
    assert [file["uploaded"] for file in listed["files"]] == ["2027-01-13 08:00 UTC",
                                                             "2027-01-14 08:00 UTC"]  # fmt: skip


def test_a_window_with_no_upload_in_it_is_a_clear_error(spark, tmp_path):
    raw = uploads(tmp_path)
    later = NOW + 30 * SECONDS_PER_DAY
    with pytest.raises(SourceError, match=r"none of the 4 files at .* was uploaded in the last "
                       r"7 days \(the newest: .*part-2.csv, 2027-01-14 08:00 UTC\); upload new "
                       'data, or set retraining.train_on to "all"'):  # fmt: skip
        prepare(spark, str(raw), str(tmp_path / "t"), str(tmp_path / "v"), job_schema(),
                train_on="7 days", now=later)  # fmt: skip


@pytest.mark.parametrize("value", ["all", "latest", "LATEST", " 30 days ", "1 day", "2 weeks",
                                   "days", "30", "-1 days", "latest upload"])  # fmt: skip
def test_the_job_and_the_settings_read_train_on_alike(value):
    """The job is uploaded alone, so it parses train_on itself: it accepts what the
    settings' rule accepts (the rule also bounds the days) and nothing else."""
    from project.settings import rules

    try:
        select_inputs([], value, now=NOW)
        accepted = True
    except SourceError:
        accepted = False
    assert accepted == (rules.train_on(value) is None or rules.window_days(value) is not None)


def test_each_channel_has_files_in_a_multiple_of_the_training_instances(spark, tmp_path):
    """ShardedByS3Key deals out whole files: with fewer files than instances, some train
    on nothing (#24). Every file holds rows (a round-robin repartition)."""
    source = sample_csv(tmp_path / "raw" / "data.csv", rows=300)
    prepare(spark, str(source.parent), str(tmp_path / "t"), str(tmp_path / "v"), job_schema(),
            hosts=3)  # fmt: skip
    for channel in ("t", "v"):
        parts = sorted((tmp_path / channel).glob("part-*"))
        assert len(parts) == 3 and all(part.stat().st_size > 0 for part in parts), parts


@pytest.mark.parametrize(("channel_bytes", "hosts", "files"), [
    (0, 1, 1), (100 * 2**20, 1, 1), (2**30, 1, 4), (2**30, 3, 6), (0, 4, 4), (100 * 2**30, 2, 400),
])  # fmt: skip
def test_the_number_of_files_follows_the_data_size_and_the_instances(channel_bytes, hosts, files):
    assert files_per_channel(channel_bytes, hosts) == files


def test_the_split_is_the_same_however_spark_partitions_the_input(spark, tmp_path):
    """The split hashes each row's id (or the row): the same sets whether Spark reads the
    file in one partition or in many, as Glue does with big data."""
    source = sample_csv(tmp_path / "raw" / "data.csv", rows=400)
    run_job(spark, source.parent, tmp_path, out="-one")
    # Splits of an eighth of the file, whatever the schema's row size.
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(source.stat().st_size // 8))
    try:
        assert spark.read.text(str(source)).rdd.getNumPartitions() >= 8
        run_job(spark, source.parent, tmp_path, out="-many")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    for channel in ("t", "v"):
        one = sorted(map(tuple, read_csv_folder(tmp_path / f"{channel}-one")))
        many = sorted(map(tuple, read_csv_folder(tmp_path / f"{channel}-many")))
        assert one == many and one


def test_a_chosen_file_whose_name_looks_like_a_glob_is_read_as_named(spark, tmp_path):
    """Spark reads each path it is given as a glob pattern: [ ] { } * ? are escaped, so
    that 'sales [2024] {eu}*.csv' matches itself (and nothing else)."""
    raw = tmp_path / "raw"
    named = sample_csv(raw / "sales [2024] {eu}*?.csv", rows=50)
    os.utime(sample_csv(raw / "sales 2024 eu.csv", rows=70), (NOW - SECONDS_PER_DAY,) * 2)
    os.utime(named, (NOW,) * 2)
    report = prepare(spark, str(raw), str(tmp_path / "t"), str(tmp_path / "v"), job_schema(),
                     train_on="latest", now=NOW)  # fmt: skip
    assert (
        report.rows_read == 50
        and report.inputs == "the latest upload, sales [2024] {eu}*?.csv (1 file of 2)"
    )
