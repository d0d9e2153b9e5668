"""`data init` and `data check` through the command line: settings.toml gets the new
[data] table (the rest kept, the old file backed up), the definition follows, and a
run trains on the new data. `data check` runs the Glue job's own checks on local Spark."""

from __future__ import annotations

import dataclasses
import json
import tomllib

import pytest
from project.cli import main
from project.project_layout import DEFINITION_PATH
from project.sample_data import generate
from project.settings import load_settings
from project.settings.data_schema import BOOLEAN, CATEGORICAL, NUMERIC, DataSchema, Feature

from ..conftest import copy_project

# Spark: every test that uses it shares one test worker's JVM (xdist_group "spark", make test).
pytestmark = pytest.mark.xdist_group("spark")

LOANS = DataSchema(
    label="defaulted", positive=("Yes",), negative=("No",), id_column="",
    features=(Feature("income", NUMERIC), Feature("region", CATEGORICAL, ("east", "north")),
              Feature("has_mortgage", BOOLEAN), Feature("age", NUMERIC)),
    ignore=(),
)  # fmt: skip


def test_data_init_writes_the_table_keeps_the_rest_and_renders(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    before = settings_path.read_text()
    source = generate(tmp_path / "loans.csv", LOANS, rows=400)
    command = ["--settings", str(settings_path), "data", "init", str(source)]
    assert main([*command, "--label", "defaulted"]) == 0
    out = capsys.readouterr().out
    assert "wrote [data] to settings.toml from 400 rows" in out
    assert f"wrote {DEFINITION_PATH}" in out
    assert (tmp_path / "settings.toml.bak").read_text() == before
    document = tomllib.loads(settings_path.read_text())
    assert document["data"]["label"] == "defaulted"
    assert document["data"]["features"]["region"] == ["east", "north"]
    assert document["training"] == tomllib.loads(before)["training"]  # the rest kept
    definition = json.loads((tmp_path / DEFINITION_PATH).read_text())
    glue = next(s for s in definition["States"].values() if "--schema" in str(s))
    schema = json.loads(glue["Parameters"]["Arguments"]["--schema"])
    assert schema == json.loads(load_settings(settings_path).data.to_json())
    assert main(["--settings", str(settings_path), "render", "--check"]) == 0


def test_data_init_that_cannot_tell_leaves_settings_untouched(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    before = settings_path.read_text()
    source = tmp_path / "grades.csv"
    source.write_text("grade,x\n" + "".join(f"{i % 3},{i}\n" for i in range(30)))
    command = ["--settings", str(settings_path), "data", "init", str(source), "--label", "grade"]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "binary classifier" in error
    assert settings_path.read_text() == before


def test_data_check_counts_what_a_run_would_drop_by_column(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    source = generate(tmp_path / "loans.csv", LOANS, rows=100)
    assert main(["--settings", str(settings_path), "data", "init", str(source),
                 "--label", "defaulted"]) == 0  # fmt: skip
    with source.open("a") as stream:
        stream.write("No,abc,east,no,40\nNo,50,west,no,40\n")
    capsys.readouterr()
    assert main(["--settings", str(settings_path), "data", "check", str(source)]) == 0
    out = capsys.readouterr().out
    assert "102 rows, 100 fit [data], 2 would be dropped" in out
    assert "1 income not a number" in out and "1 region not one of its categories" in out
    other = generate(tmp_path / "other.csv", dataclasses.replace(LOANS, label="late"), rows=20)
    assert main(["--settings", str(settings_path), "data", "check", str(other)]) == 1
    assert "missing defaulted" in capsys.readouterr().out
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(load_settings(settings_path).data.columns) + "\n")
    assert main(["--settings", str(settings_path), "data", "check", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "has no rows (an empty file, or a header alone)" in out and "reasons" not in out


def test_a_second_init_keeps_the_first_backup(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    original = settings_path.read_text()
    source = generate(tmp_path / "loans.csv", LOANS, rows=200)
    for _ in range(2):
        command = ["--settings", str(settings_path), "data", "init", str(source)]
        assert main([*command, "--label", "defaulted"]) == 0
    assert (tmp_path / "settings.toml.bak").read_text() == original
    assert "(the previous file: settings.toml.bak2)" in capsys.readouterr().out


def test_data_init_reads_the_start_of_an_s3_object(tmp_path, capsys, monkeypatch):
    """Emulated by moto (in process): GetObject with a Range, as on S3; the project's
    account must be the credentials' (moto's 123456789012)."""
    import boto3
    from moto import mock_aws

    from ..conftest import clear_account_values, replace_line

    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    clear_account_values(settings_path)  # every configuration: moto's account and region
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    replace_line(settings_path, "region =", 'region = "us-east-1"')
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    source = generate(tmp_path / "loans.csv", LOANS, rows=300)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="team-data")
        s3.upload_file(str(source), "team-data", "raw/loans.csv")
        command = ["--settings", str(settings_path), "data", "init", "s3://team-data/raw/loans.csv"]
        assert main([*command, "--label", "defaulted"]) == 0
    assert "from 300 rows of s3://team-data/raw/loans.csv" in capsys.readouterr().out
    assert tomllib.loads(settings_path.read_text())["data"]["label"] == "defaulted"


def test_data_init_on_another_csv_gives_the_definition_another_feature_layout(tmp_path, capsys):
    """After `data init` on another dataset, the rendered definition's runs record a
    new feature layout, so they do not compare themselves with a live model trained on
    the old table (see workflow/test_workflow_routing.py); the id and ignored columns
    are no part of it, since they never reach the model."""
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    before = load_settings(settings_path).data.feature_layout
    source = generate(tmp_path / "loans.csv", LOANS, rows=400)
    assert main(["--settings", str(settings_path), "data", "init", str(source),
                 "--label", "defaulted"]) == 0  # fmt: skip
    capsys.readouterr()
    after = load_settings(settings_path).data
    assert after.feature_layout != before
    definition = (tmp_path / DEFINITION_PATH).read_text()
    assert after.feature_layout in definition and before not in definition
    moved = dataclasses.replace(after, id_column="loan_id", ignore=("notes",))
    assert moved.feature_layout == after.feature_layout
    reordered = dataclasses.replace(after, features=after.features[::-1])
    assert reordered.feature_layout != after.feature_layout


def _latin1_shop(path):
    """A latin-1 file whose one category differs from another only by an accent."""
    lines = ["bought,place,amount"] + [
        f"{'yes' if i % 3 else 'no'},{('côte', 'cöte', 'cote')[i % 3]},{i}" for i in range(60)
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


def test_a_file_that_is_not_utf8_is_refused_by_data_init_naming_the_line(tmp_path, capsys):
    """Decoding with replacements made 'côte' and 'cöte' one category, 'c\ufffdte' (#26);
    data init refuses the file in one line, and settings.toml is untouched."""
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    before = settings_path.read_text()
    source = _latin1_shop(tmp_path / "shop.csv")
    command = ["--settings", str(settings_path), "data", "init", str(source), "--label", "bought"]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert f"{source} line 2 is not UTF-8 (byte 0xf4 at column 5)" in error
    assert settings_path.read_text() == before


def test_a_file_that_is_not_utf8_is_refused_by_data_check(tmp_path, capsys):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    schema = DataSchema(
        label="bought", positive=("yes",), negative=("no",), id_column="",
        features=(Feature("place", CATEGORICAL, ("cote", "côte", "cöte")),
                  Feature("amount", NUMERIC)),
        ignore=(),
    )  # fmt: skip
    source = generate(tmp_path / "shop.csv", schema, rows=60)
    assert main(["--settings", str(settings_path), "data", "init", str(source),
                 "--label", "bought"]) == 0  # fmt: skip
    capsys.readouterr()
    latin1 = _latin1_shop(tmp_path / "latin1.csv")
    assert main(["--settings", str(settings_path), "data", "check", str(latin1)]) == 1
    out = capsys.readouterr().out
    assert "are not UTF-8" in out and "iconv" in out
