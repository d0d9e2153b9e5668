"""The Glue job's transforms on a local SparkSession (real Spark; Glue itself is not
emulated: awsglue is imported only in the Glue entry point)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from project.aws_steps.glue_etl_job import FEATURES, RAW_SCHEMA, SourceError, prepare
from project.local.run import spark_session
from project.sample_data import COLUMNS, generate


@pytest.fixture(scope="module")
def spark():
    return spark_session()


def read_csv_folder(folder):
    rows = []
    for part in sorted(folder.glob("*.csv")):
        with part.open() as stream:
            rows += [list(map(float, row)) for row in csv.reader(stream)]
    return np.array(rows)


def test_output_is_label_first_without_header_and_split_reproducibly(spark, tmp_path):
    source = generate(tmp_path / "raw" / "customers.csv", rows=300)
    first = prepare(spark, str(source.parent), str(tmp_path / "t1"), str(tmp_path / "v1"))
    second = prepare(spark, str(source.parent), str(tmp_path / "t2"), str(tmp_path / "v2"))
    train, validation = read_csv_folder(tmp_path / "t1"), read_csv_folder(tmp_path / "v1")
    assert train.shape[1] == 1 + len(FEATURES)
    assert set(np.unique(train[:, 0])) <= {0.0, 1.0}
    assert first.train_rows + first.validation_rows == 300
    assert 0.1 < first.validation_rows / 300 < 0.3
    assert (first.train_rows, first.validation_rows) == (second.train_rows, second.validation_rows)
    assert np.array_equal(train, read_csv_folder(tmp_path / "t2"))
    assert len(validation) == first.validation_rows


def test_malformed_rows_are_dropped_and_counted(spark, tmp_path):
    source = generate(tmp_path / "raw" / "customers.csv", rows=50)
    with source.open("a") as stream:
        stream.write("C9,CA,not-a-number,no,no,0,1,1,1,1,1,1,False\n")  # unparseable
        stream.write("C10,CA,10,maybe,no,0,1,1,1,1,1,1,False\n")  # unknown yes/no
        stream.write("C11,CA,10,no,no,0,-5,1,1,1,1,1,True\n")  # negative minutes
        stream.write("C12,CA,10,no,no\n")  # truncated
    report = prepare(spark, str(source.parent), str(tmp_path / "t"), str(tmp_path / "v"))
    assert report.rows_read == 54
    assert report.rows_dropped == 4
    assert report.train_rows + report.validation_rows == 50
    assert report.dropped_by_reason == {
        "unparseable (wrong field count or type)": 2,
        "international_plan not yes/no": 1,
        "total_day_minutes negative": 1,
    }
    assert "2 unparseable (wrong field count or type)" in str(report)


def test_a_missing_source_is_a_clear_error(spark, tmp_path):
    with pytest.raises(SourceError, match="no raw data at"):
        prepare(spark, str(tmp_path / "nowhere"), str(tmp_path / "t"), str(tmp_path / "v"))


def test_an_empty_source_is_a_clear_error(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "empty.csv").write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(SourceError, match="has no rows"):
        prepare(spark, str(tmp_path / "raw"), str(tmp_path / "t"), str(tmp_path / "v"))


def test_a_source_with_no_usable_row_is_a_clear_error(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "bad.csv").write_text(",".join(COLUMNS) + "\nC1,CA\nC2,NY\n")
    with pytest.raises(SourceError, match=r"none of the 2 rows .* \(2 unparseable"):
        prepare(spark, str(tmp_path / "raw"), str(tmp_path / "t"), str(tmp_path / "v"))


def test_the_sample_is_deterministic(tmp_path):
    first = generate(tmp_path / "a.csv", rows=200).read_bytes()
    assert first == generate(tmp_path / "b.csv", rows=200).read_bytes()
    assert first != generate(tmp_path / "c.csv", rows=200, seed=8).read_bytes()


def test_the_sample_has_the_columns_the_job_reads():
    assert tuple(field.name for field in RAW_SCHEMA.fields) == COLUMNS


def test_training_channels_hold_data_files_only(spark, tmp_path):
    """SageMaker's XGBoost reads every file of a channel: no _SUCCESS marker (Hadoop's
    committer setting, on Glue too) and no .crc checksums (local Spark; S3 has none)."""
    source = generate(tmp_path / "raw" / "customers.csv", rows=100)
    prepare(spark, str(source.parent), str(tmp_path / "t"), str(tmp_path / "v"))
    for channel in ("t", "v"):
        names = [path.name for path in (tmp_path / channel).iterdir()]
        assert names and all(name.startswith("part-") and name.endswith(".csv") for name in names)


def write_with_columns(path, order, rename=None):
    """The sample with its columns in ``order`` (and some renamed), as a user's file may be."""
    with generate(path.parent / "sample.csv", rows=200).open() as stream:
        rows = list(csv.DictReader(stream))
    (path.parent / "sample.csv").unlink()
    header = [(rename or {}).get(name, name) for name in order]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows([row[name] for name in order] for row in rows)
    return path


def test_columns_are_bound_by_header_name_not_position(spark, tmp_path):
    """Swapping two same-type columns must not swap the features the model sees."""
    reference = generate(tmp_path / "a" / "raw.csv", rows=200)
    swapped = list(COLUMNS)
    first, second = swapped.index("total_day_minutes"), swapped.index("total_eve_minutes")
    swapped[first], swapped[second] = swapped[second], swapped[first]
    shuffled = write_with_columns(tmp_path / "b" / "raw.csv", swapped)
    prepare(spark, str(reference.parent), str(tmp_path / "t1"), str(tmp_path / "v1"))
    prepare(spark, str(shuffled.parent), str(tmp_path / "t2"), str(tmp_path / "v2"))
    assert np.array_equal(read_csv_folder(tmp_path / "t1"), read_csv_folder(tmp_path / "t2"))


def test_missing_and_unknown_columns_are_refused_with_their_names(spark, tmp_path):
    renamed = write_with_columns(
        tmp_path / "raw" / "raw.csv", COLUMNS, rename={"churn": "churned", "state": "region"}
    )
    with pytest.raises(SourceError) as raised:
        prepare(spark, str(renamed.parent), str(tmp_path / "t"), str(tmp_path / "v"))
    message = str(raised.value)
    assert "missing state, churn" in message and "unexpected region, churned" in message


def test_too_few_rows_to_split_is_a_clear_error(spark, tmp_path):
    source = generate(tmp_path / "raw" / "customers.csv", rows=3)
    with pytest.raises(SourceError, match="for validation; give more rows"):
        prepare(spark, str(source.parent), str(tmp_path / "t"), str(tmp_path / "v"))
