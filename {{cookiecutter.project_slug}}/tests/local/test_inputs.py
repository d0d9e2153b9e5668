"""A local run's input: exactly what it was given, the user's file only ever read,
and one run at a time per project (the lock says who holds it)."""

from __future__ import annotations

import hashlib
import os

import pytest
from project.local.inputs import LocalModeError, exclusive_run, run_input

from ..conftest import project_schema, sample_csv


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_users_file_is_read_and_never_touched_even_inside_the_workspace(tmp_path):
    workspace = tmp_path / ".local"
    # Where earlier versions kept their copy of --data and emptied the folder first.
    inside = sample_csv(workspace / "s3" / "local-artifacts" / "data" / "raw" / "mine.csv", rows=20)
    before, mode, modified = digest(inside), inside.stat().st_mode, inside.stat().st_mtime_ns
    with run_input(workspace, inside, rows=5, schema=project_schema()) as given:
        assert [path.name for path in given.folder.iterdir()] == ["input.csv"]
        assert given.description == f"data: {inside}"
    assert digest(inside) == before
    assert (inside.stat().st_mode, inside.stat().st_mtime_ns) == (mode, modified)
    assert not given.folder.exists()  # the run's own copy goes with the run


def test_each_run_reads_exactly_its_own_input(tmp_path):
    workspace = tmp_path / ".local"
    mine = sample_csv(tmp_path / "mine.csv", rows=30)
    with run_input(workspace, mine, rows=5, schema=project_schema()) as first:
        assert len((first.folder / "input.csv").read_text().splitlines()) == 31
    for rows in (5, 12):  # no --data: the sample of --rows rows, not the last --data
        with run_input(workspace, None, rows=rows, schema=project_schema()) as given:
            (only,) = given.folder.iterdir()
            assert len(only.read_text().splitlines()) == rows + 1
            assert given.description == f"data: {rows} generated sample rows (--rows)"


def test_a_missing_data_file_is_one_line_and_leaves_nothing(tmp_path):
    workspace = tmp_path / ".local"
    with (
        pytest.raises(LocalModeError, match="does not exist"),
        run_input(workspace, tmp_path / "nope.csv", rows=5, schema=project_schema()),
    ):
        pass
    assert list((workspace / "inputs").iterdir()) == []


def test_a_second_run_meanwhile_is_refused_saying_who_holds_the_lock(tmp_path):
    workspace = tmp_path / ".local"
    with exclusive_run(workspace):
        with pytest.raises(LocalModeError) as refused, exclusive_run(workspace):
            pass
        assert f"pid {os.getpid()}" in str(refused.value)
    with exclusive_run(workspace):  # released when the first run ended
        pass


@pytest.mark.parametrize("name", ["_underscore.csv", ".hidden.csv", "churn 2024-01-01T10:00.csv"])
def test_any_file_name_is_read_under_a_name_spark_reads(tmp_path, name):
    """Spark skips files named '_x' or '.x', and Hadoop paths refuse ':'."""
    mine = sample_csv(tmp_path / name, rows=5)
    with run_input(tmp_path / ".local", mine, rows=5, schema=project_schema()) as given:
        assert [path.name for path in given.folder.iterdir()] == ["input.csv"]


def test_a_directory_given_as_data_is_said_to_be_one(tmp_path):
    with (
        pytest.raises(LocalModeError, match="is not a file"),
        run_input(tmp_path / ".local", tmp_path, rows=5, schema=project_schema()),
    ):
        pass


def test_the_input_copy_a_killed_run_left_is_removed_by_the_next_run(tmp_path):
    """A run killed with -9 cannot remove its copy of the input (150 MB for 2M rows);
    the next run, which holds the lock, removes it and says so (#26)."""
    workspace = tmp_path / ".local"
    left = workspace / "inputs" / "0123abcd"
    left.mkdir(parents=True)
    (left / "input.csv").write_bytes(b"x" * 2_000_000)
    with run_input(workspace, None, rows=5, schema=project_schema()) as given:
        assert not left.exists()
        assert "removed the input copies of 1 interrupted run(s) (2.0 MB)" in given.description
    with run_input(workspace, None, rows=5, schema=project_schema()) as given:
        assert "removed" not in given.description


def test_a_full_disk_while_writing_the_sample_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    """Injected fault: the disk fills up halfway through the sample (#26: a traceback,
    and a temporary file left behind for ever)."""
    import errno

    from project import sample_data

    def half_written(path, schema, rows):
        path.write_text("a,b\n1,2\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sample_data, "generate", half_written)
    workspace = tmp_path / ".local"
    refused = pytest.raises(LocalModeError, match=r"^no space left on .*samples for a sample of 7")
    with refused, run_input(workspace, None, rows=7, schema=project_schema()):
        pass
    assert [p.name for p in (workspace / "samples").iterdir()] == []


def test_a_full_disk_in_spark_is_one_line_not_a_py4j_error(tmp_path, monkeypatch):
    """Injected fault: Spark's error for a full disk says so only deep in its cause."""
    from project.local.interpreter import TaskFailure
    from project.local.services import LocalServices, Workspace
    from project.steps import glue_etl_job

    def full(*arguments, **keywords):
        raise RuntimeError(
            "An error occurred while calling o81.csv.\n: org.apache.spark.SparkException: "
            "Job aborted.\nCaused by: java.io.IOException: No space left on device"
        )

    monkeypatch.setattr(glue_etl_job, "prepare", full)
    services = LocalServices(Workspace(tmp_path / ".local"), "us-east-1", lambda: None)
    uri = "s3://local-artifacts/runs/r/"
    arguments = {
        "--schema": project_schema().to_json(), "--source_uri": uri + "raw/",
        "--train_uri": uri + "train/", "--validation_uri": uri + "validation/",
    }  # fmt: skip
    with pytest.raises(TaskFailure) as failure:
        services.start_glue_job_run({"JobName": "j", "Arguments": arguments})
    assert failure.value.cause.startswith("Glue job failed: no space left on ")
    assert "\n" not in failure.value.cause


def test_an_input_past_the_machines_memory_is_refused_before_spark_starts(tmp_path):
    """#25: rows x the model's columns x what training holds per value, against the
    memory available; the message says how much is needed and what to do instead."""
    from project.local.inputs import LocalModeError, refuse_what_cannot_train
    from project.local.training import BYTES_PER_VALUE
    from project.models.invoke import encoded_columns

    from ..conftest import project_schema, sample_csv

    schema = project_schema()
    sample_csv(tmp_path / "input.csv", rows=200)
    needed = 200 * (len(encoded_columns(schema)) + 1) * BYTES_PER_VALUE
    refuse_what_cannot_train(tmp_path, schema, available=needed)
    with pytest.raises(LocalModeError, match=r"^200 rows of \d+ model columns need .*on AWS"):
        refuse_what_cannot_train(tmp_path, schema, available=needed - 1)


def test_the_raw_prefix_is_read_with_its_folders_and_its_upload_times(tmp_path):
    """retraining.train_on chooses by S3's LastModified and reads folder uploads: the
    local copy keeps each file's modification time and the files of its subfolders
    (but not names Spark skips)."""
    raw = tmp_path / "raw"
    older = sample_csv(raw / "older.csv", rows=20)
    os.utime(older, (1_700_000_000, 1_700_000_000))
    sample_csv(raw / "batch" / "part-1.csv", rows=20)
    (raw / "batch" / "_SUCCESS").write_text("")
    (raw / ".hidden").mkdir()
    sample_csv(raw / ".hidden" / "x.csv", rows=20)
    with run_input(tmp_path, None, 0, project_schema(), data_folder=raw) as given:
        copied = sorted(path.relative_to(given.folder).as_posix()
                        for path in given.folder.rglob("*") if path.is_file())  # fmt: skip
        assert copied == ["batch/part-1.csv", "older.csv"]
        assert (given.folder / "older.csv").stat().st_mtime == 1_700_000_000
        assert given.description.startswith("data: the 2 file(s) under")
