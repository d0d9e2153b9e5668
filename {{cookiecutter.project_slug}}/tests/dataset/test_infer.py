"""`data init`'s reading of a sample: each column's kind told from its values, and what
a person must decide reported, never guessed silently. Standard library only."""

from __future__ import annotations

import csv
import io

import pytest
from project.dataset.infer import DataInitError, infer, read_sample
from project.sample_data import generate
from project.settings.data_schema import BOOLEAN, CATEGORICAL, NUMERIC, DataSchema, Feature

LOANS = DataSchema(
    label="defaulted", positive=("Yes",), negative=("No",), id_column="",
    features=(Feature("income", NUMERIC), Feature("region", CATEGORICAL, ("east", "north")),
              Feature("has_mortgage", BOOLEAN)),
    ignore=(),
)  # fmt: skip


def learned(text: str, label: str | None = None):
    return infer(read_sample(text, "data.csv"), "data.csv", label)


def csv_text(header, rows) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue()


def test_a_generated_dataset_is_learned_back_as_its_schema(tmp_path):
    text = generate(tmp_path / "loans.csv", LOANS, rows=300).read_text()
    result = learned(text, label="defaulted")
    assert result.schema.features == tuple(
        Feature(f.name, f.kind, tuple(f.categories)) for f in LOANS.features
    )
    assert (result.schema.positive, result.schema.negative) == (("yes",), ("no",))
    assert result.schema.id_column == ""
    assert "no id column: train/validation is split on a hash of the whole row" in (
        result.decisions
    )
    assert result.rows_sampled == 300


def test_an_id_column_with_distinct_values_is_used_for_the_split():
    rows = [[f"C{i}", "yes" if i % 3 else "no", str(i * 1.5)] for i in range(40)]
    result = learned(csv_text(["customer_id", "churned", "minutes"], rows), label="churned")
    assert result.schema.id_column == "customer_id"
    assert result.schema.features == (Feature("minutes", NUMERIC),)


def test_a_label_named_so_is_found_and_the_choice_is_said():
    rows = [["1" if i % 4 == 0 else "0", str(i)] for i in range(20)]
    result = learned(csv_text(["target", "x"], rows))
    assert result.schema.label == "target"
    assert result.schema.positive == ("1",)
    assert any(line.startswith("label: target, by its name") for line in result.decisions)


def test_a_label_whose_positive_class_cannot_be_told_is_a_decision_to_make():
    rows = [["M" if i % 3 == 0 else "B", str(i)] for i in range(30)]
    result = learned(csv_text(["diagnosis", "radius"], rows), label="diagnosis")
    assert result.schema.positive == ("m",) and result.schema.negative == ("b",)
    assert any(line.startswith("decide: diagnosis has the values 'm' (10 rows)")
               for line in result.decisions)  # fmt: skip


def test_a_label_with_more_than_two_values_is_refused_with_the_pointer():
    rows = [[str(i % 3), str(i)] for i in range(30)]
    with pytest.raises(DataInitError, match=r"binary classifier.*'Other tasks'"):
        learned(csv_text(["grade", "x"], rows), label="grade")


def test_without_a_label_to_tell_the_user_is_asked_for_one():
    rows = [["yes" if i % 2 else "no", "no" if i % 3 else "yes", str(i)] for i in range(30)]
    with pytest.raises(DataInitError, match="give --label COLUMN"):
        learned(csv_text(["a", "b", "c"], rows))


def test_a_text_column_with_many_values_is_ignored_and_reported():
    rows = [["yes" if i % 2 else "no", f"street {i}", str(i)] for i in range(60)]
    result = learned(csv_text(["paid", "address", "amount"], rows), label="paid")
    assert result.schema.ignore == ("address",)
    assert any(line.startswith("decide: address has 60 distinct texts")
               for line in result.decisions)  # fmt: skip


def test_missing_values_are_reported_per_column():
    rows = [["yes" if i % 2 else "no", "" if i < 5 else str(i)] for i in range(30)]
    result = learned(csv_text(["paid", "amount"], rows), label="paid")
    assert "amount: 5 of 30 sampled rows have no value; such rows are dropped " in " ".join(
        result.decisions
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty or has no header"),
        ("a,a,b\n1,2,3\n", "repeated columns a"),
        ("a,b\n1\n", "has no row with all 2 columns"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_table_is_one_line(text, message):
    with pytest.raises(DataInitError, match=message):
        read_sample(text, "data.csv")


def test_a_column_with_a_few_stray_texts_stays_numeric_and_the_strays_are_named():
    rows = [["yes" if i % 2 else "no", "n/a" if i % 25 == 0 else str(i)] for i in range(100)]
    result = learned(csv_text(["paid", "income"], rows), label="paid")
    assert result.schema.features == (Feature("income", NUMERIC),)
    assert any(line.startswith("decide: income is numeric but 4 sampled values are not "
                               "numbers ('n/a')") for line in result.decisions)  # fmt: skip


def test_an_id_by_its_name_splits_even_when_it_repeats():
    rows = [[f"C{i % 10}", "yes" if i % 3 else "no", str(i)] for i in range(60)]
    for name in ("customer_id", "CustomerID"):
        result = learned(csv_text([name, "churned", "spend"], rows), label="churned")
        assert result.schema.id_column == name
        assert not any(f.name == name for f in result.schema.features)


def test_a_column_of_distinct_values_not_named_as_an_id_is_a_decision():
    rows = [[str(i), "yes" if i % 3 else "no", str(i % 7)] for i in range(60)]
    result = learned(csv_text(["row", "churned", "calls"], rows), label="churned")
    assert any(line.startswith("decide: every value of row is distinct")
               for line in result.decisions)  # fmt: skip


def test_the_gate_against_the_majority_answer_is_said():
    rows = [["yes" if i % 20 == 0 else "no", str(i)] for i in range(100)]
    result = learned(csv_text(["paid", "x"], rows), label="paid")
    assert any("validation error of about 0.050" in line for line in result.decisions)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a;b;c\n1;2;3\n", "not comma-separated"),
        ("Radius,radius,y\n1,2,yes\n", r"repeated columns Radius, radius \(Spark"),
    ],
)
def test_headers_spark_would_read_otherwise_are_refused(text, message):
    with pytest.raises(DataInitError, match=message):
        read_sample(text, "data.csv")


def test_a_label_with_one_value_or_three_names_what_it_saw():
    one = [["no", str(i)] for i in range(10)]
    with pytest.raises(DataInitError, match="1 distinct value in the 10 rows sampled"):
        learned(csv_text(["paid", "x"], one), label="paid")
    three = [["yes" if i % 2 else "no", str(i)] for i in range(10)] + [["N/A", "1"]]
    with pytest.raises(DataInitError, match=r"3 distinct values \('no' \(5\), 'yes' \(5\)"):
        learned(csv_text(["paid", "x"], three), label="paid")


def test_the_class_share_is_over_labelled_rows_and_empty_labels_are_reported():
    """A run drops rows whose label is empty: the majority-class baseline is a share of
    the rows it keeps, and the rows it will drop are said (#26: counted as negative)."""
    rows = [[str(i), "yes" if i % 4 == 0 else ("" if i % 4 == 1 else "no")] for i in range(80)]
    decisions = learned(csv_text(["amount", "churned"], rows), "churned").decisions
    assert any("20 of the sampled rows have an empty or other label" in d for d in decisions)
    share = next(d for d in decisions if d.startswith("the positive class is"))
    assert share.startswith("the positive class is 33.3% of the labelled rows")
