"""What a local run reads, and the lock that keeps one local run at a time.

Each run reads exactly the input it was given: a copy of ``--data`` (the user's file
is only read: never modified, moved or deleted, wherever it is), or the sample of
``--rows`` rows. The copy lives in a folder of its own under ``.local/inputs/`` and is
removed when the run ends, so nothing one run leaves behind is read by the next.

Runs of one project share the local endpoint and model store, so a second run
started meanwhile is refused, in one line that says which run holds the lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import sample_data
from ..settings import SettingsError
from ..settings.data_schema import DataSchema

LOCK_FILE = "run.lock"


class LocalModeError(SettingsError):
    """Local mode cannot start: said in one line, with what to do."""


@dataclass(frozen=True)
class RunInput:
    folder: Path  # stands for the raw-data prefix the Glue job reads
    description: str  # what the run reads, in the user's terms


@contextmanager
def run_input(
    workspace_root: Path, data: Path | None, rows: int, schema: DataSchema,
    data_folder: Path | None = None,
) -> Iterator[RunInput]:  # fmt: skip
    removed = _remove_stale_inputs(workspace_root / "inputs")
    folder = workspace_root / "inputs" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        if data_folder is not None:  # the local raw-data prefix, as a Glue job reads it
            count = _copy_data_files(data_folder, folder)
            description = f"data: the {count} file(s) under {data_folder}"
        elif data is not None:
            if not data.exists():
                raise LocalModeError(f"--data {data} does not exist; give a CSV file")
            if not data.is_file():
                raise LocalModeError(f"--data {data} is not a file; give a CSV file")
            # A name Spark reads whatever the user's is (Spark skips '_x' and '.x',
            # and Hadoop paths refuse ':'); '.gz' keeps it decompressed on reading.
            copy_name = "input.csv.gz" if data.name.endswith(".gz") else "input.csv"
            try:
                shutil.copyfile(data, folder / copy_name)
            except OSError as error:
                if error.errno == errno.ENOSPC:
                    raise LocalModeError(
                        f"no space left on {folder.parent} to copy --data {data}; free some "
                        "space (the run reads a copy, so that the file can change meanwhile)"
                    ) from None
                raise LocalModeError(f"--data {data} cannot be read: {error.strerror}") from None
            description = f"data: {data}"
        else:
            shutil.copyfile(_sample(workspace_root, rows, schema), folder / "sample.csv")
            description = f"data: {rows} generated sample rows (--rows)"
        refuse_what_cannot_train(folder, schema)
        yield RunInput(folder, description + removed)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def refuse_what_cannot_train(folder: Path, schema: DataSchema, available: int | None = None):
    """Before Spark starts: the rows of the input (plain CSV; a .gz is not counted)
    times the model's columns, at what local training holds per value, against the
    memory this machine has. A file past that is refused in one line, not by the
    kernel's out-of-memory killer an hour later."""
    from ..models.invoke import encoded_columns
    from .training import BYTES_PER_VALUE, available_memory_bytes

    available = available_memory_bytes() if available is None else available
    if available is None:
        return
    rows = 0
    for path in data_files(folder):
        if not path.name.endswith(".gz"):
            with path.open("rb") as stream:
                rows += sum(1 for _ in stream) - 1  # less the header
    columns = len(encoded_columns(schema)) + 1  # and the label
    needed = rows * columns * BYTES_PER_VALUE
    if needed > available:
        raise LocalModeError(
            f"{rows:,} rows of {columns} model columns need about {needed / 2**30:.1f} GB to "
            f"train locally, and this machine has {available / 2**30:.1f} GB available; "
            "train on AWS ('upload-data' then 'run'), or run locally on a sample of the file"
        )


def _copy_data_files(source: Path, folder: Path) -> int:
    """Copy the files the Glue job reads under the local raw-data prefix, in its
    subfolders too (a folder is one upload), keeping their modification times: S3's
    LastModified locally, by which retraining.train_on chooses; how many there were."""
    files = data_files(source)
    if not files:
        raise LocalModeError(f"{source} holds no data file; upload one with 'upload-data --local'")
    for path in files:
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return len(files)


def data_files(folder: Path) -> list[Path]:
    """The files under ``folder`` that the Glue job reads (recursiveFileLookup): not
    names that start with '.' or '_', at any depth, as Spark skips them."""
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)
    )  # fmt: skip


def _remove_stale_inputs(inputs: Path) -> str:
    """The input copies of runs that were killed (a run removes its own when it ends;
    runs hold the project's lock, so none is in use now): removed, and said."""
    stale = [path for path in inputs.iterdir() if path.is_dir()] if inputs.is_dir() else []
    if not stale:
        return ""
    size = sum(f.stat().st_size for path in stale for f in path.rglob("*") if f.is_file())
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return (
        f"; removed the input copies of {len(stale)} interrupted run(s) "
        f"({size / 1e6:.1f} MB) from {inputs}"
    )


def _sample(workspace_root: Path, rows: int, schema: DataSchema) -> Path:
    """The deterministic sample of ``rows`` rows of ``schema``, made once and written
    atomically (a changed schema makes a new one)."""
    digest = hashlib.sha256(schema.to_json().encode()).hexdigest()[:12]
    sample = workspace_root / "samples" / f"sample-{rows}-{digest}.csv"
    if not sample.is_file():
        sample.parent.mkdir(parents=True, exist_ok=True)
        scratch = sample.with_name(f".{sample.name}.{uuid.uuid4().hex}.tmp")
        try:
            sample_data.generate(scratch, schema, rows=rows)
            os.replace(scratch, sample)
        except OSError as error:
            scratch.unlink(missing_ok=True)  # nothing half-written stays behind
            if error.errno == errno.ENOSPC:
                raise LocalModeError(
                    f"no space left on {sample.parent} for a sample of {rows} rows; free "
                    "some space, or use fewer --rows"
                ) from None
            raise
    return sample


@contextmanager
def exclusive_run(workspace_root: Path) -> Iterator[None]:
    """Hold the project's local-run lock; the kernel releases it if the run is killed."""
    workspace_root.mkdir(parents=True, exist_ok=True)
    with open(workspace_root / LOCK_FILE, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise LocalModeError(
                f"another local run of this project is in progress ({holder}); "
                "wait for it to end, or stop it with Ctrl-C"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        lock.flush()
        try:
            yield
        finally:
            lock.seek(0)
            lock.truncate()
            fcntl.flock(lock, fcntl.LOCK_UN)
