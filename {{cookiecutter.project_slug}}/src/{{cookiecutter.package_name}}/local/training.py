"""Training in local mode: the xgboost library, as SageMaker's built-in XGBoost runs it.

Faithful to the 1.7-1 container (aws/sagemaker-xgboost-container, tag v1.7-1):
- a channel is a folder whose every file is data: the container sniffs the CSV
  delimiter from the first line of the first file it lists and hands the whole
  folder to xgboost, so a stray file (Spark's ``_SUCCESS`` marker, a checksum) can
  fail training. Here every file must be CSV with a sniffable first line, which
  fails on every such file rather than only when it happens to be listed first;
- ``eval_metric`` reaches xgboost only when it is set; otherwise xgboost reports its
  objective's default metric alone (``logloss`` for ``binary:logistic``);
- metrics are reported under SageMaker's names (``train:error``,
  ``validation:error``, ...), and the model is ``xgboost-model`` in ``model.tar.gz``.
"""

from __future__ import annotations

import csv
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xgboost

MODEL_FILE_NAME = "xgboost-model"


class TrainingDataError(ValueError):
    """A channel is missing or holds no rows."""


@dataclass(frozen=True)
class TrainingResult:
    model_archive: Path
    metrics: dict[str, float]
    train_rows: int
    validation_rows: int


def channel_files(folder: Path) -> list[Path]:
    folder = Path(folder)
    files = sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []
    if not files:
        raise TrainingDataError(f"no data in channel {folder.name} ({folder})")
    return files


def channel_shape(folder: Path) -> tuple[int, int]:
    """Rows (lines) and columns of a channel, read without parsing the numbers."""
    return files_shape(channel_files(folder))


def files_shape(files: list[Path]) -> tuple[int, int]:
    """Rows (lines) and columns of ``files``, read without parsing the numbers."""
    rows, columns = 0, 0
    for path in files:
        delimiter = _sniff_delimiter(path)
        with path.open("rb") as stream:
            first = stream.readline()
            columns = columns or len(first.split(delimiter.encode()))
            rows += (1 if first.strip() else 0) + sum(1 for line in stream if line.strip())
    return rows, columns


def read_channel(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Labels and features from every file in a channel folder, as the container reads it:
    parsed into one float32 table (what xgboost keeps), file by file."""
    folder = Path(folder)
    return read_files(channel_files(folder), folder.name)


def read_files(files: list[Path], channel: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and features from ``files`` (a channel's, or one host's share of them)."""
    rows, columns = files_shape(files)
    table = np.empty((rows, columns), dtype=np.float32)
    filled = 0
    for path in files:
        try:
            part = np.loadtxt(path, delimiter=_sniff_delimiter(path), ndmin=2, dtype=np.float32)
        except ValueError as error:
            raise TrainingDataError(f"channel {channel}: {path.name} is not CSV: {error}") from None
        if part.size and part.shape[1] != columns:
            raise TrainingDataError(f"channel {channel}: {path.name} has {part.shape[1]} "
                                    f"columns, the channel's first file {columns}")  # fmt: skip
        table[filled : filled + len(part)] = part
        filled += len(part)
    table = table[:filled]
    return table[:, 0], table[:, 1:]


# What local training holds per value of the channels, measured with xgboost 2 (hist)
# on 1M and 2M rows of 20 columns: the float32 table (4 bytes), the DMatrix's copy and
# the histogram index, a peak of about 4.5 times the table.
BYTES_PER_VALUE = 18


def available_memory_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (Linux); None where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fits(folders: list[Path], available: int | None = None) -> None:
    """Refuse, before reading, data that local training cannot hold in memory."""
    available = available_memory_bytes() if available is None else available
    if available is None:
        return
    shapes = [channel_shape(folder) for folder in folders]
    needed = sum(rows * columns for rows, columns in shapes) * BYTES_PER_VALUE
    if needed > available:
        rows = sum(rows for rows, _ in shapes)
        raise TrainingDataError(
            f"the training and validation data ({rows:,} rows of {shapes[0][1]} columns) "
            f"need about {needed / 2**30:.1f} GB to train locally, and this machine has "
            f"{available / 2**30:.1f} GB available: train on AWS, or run locally on fewer "
            "rows (--rows, or a sample of the file)"
        )


def _sniff_delimiter(path: Path) -> str:
    """The container's check: csv.Sniffer on the file's first line, or a UserError."""
    with path.open(errors="ignore") as stream:
        first_line = stream.readline()
    try:
        return csv.Sniffer().sniff(first_line).delimiter
    except csv.Error:
        raise TrainingDataError(
            f"channel {path.parent.name}: could not determine the CSV delimiter of "
            f"{path.name} (the XGBoost container reads every file of a channel; write "
            "data files only)"
        ) from None


def booster_parameters(hyperparameters: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """SageMaker passes hyperparameters as strings; xgboost wants numbers."""
    parameters: dict[str, Any] = {}
    for name, value in hyperparameters.items():
        parameters[name] = _number_or_text(value)
    rounds = int(parameters.pop("num_round"))
    if "eval_metric" in parameters:  # the container's comma-separated list
        parameters["eval_metric"] = [m.strip() for m in str(parameters["eval_metric"]).split(",")]
    parameters.setdefault("nthread", 2)
    parameters.setdefault("seed", 0)
    return parameters, rounds


# Training on this many rows or more takes a minute or more on two cores (56 s for 10M
# rows, benchmarks/scale.py): it says how far it has got.
PROGRESS_MIN_ROWS = 1_000_000


def train(
    train_folder: Path,
    validation_folder: Path,
    hyperparameters: Mapping[str, Any],
    output_folder: Path,
    say: Callable[[str], None] | None = None,
    progress_min_rows: int = PROGRESS_MIN_ROWS,
) -> TrainingResult:
    """One instance's training job: every file of both channels. With ``say``, a long
    one (``progress_min_rows`` rows or more) tells its phases and every tenth of its
    rounds as they happen."""
    check_fits([train_folder, validation_folder])
    rows = channel_shape(train_folder)[0]
    tell = say if say is not None and rows >= progress_min_rows else None
    if tell:
        tell(f"     training: reading {rows:,} rows")
    train_set, validation_set = read_channel(train_folder), read_channel(validation_folder)
    callbacks = [RoundProgress(tell, booster_parameters(hyperparameters)[1])] if tell else []
    booster, metrics = fit(train_set, validation_set, hyperparameters, callbacks)
    archive = save_archive(booster, output_folder)
    return TrainingResult(archive, metrics, len(train_set[0]), len(validation_set[0]))


class RoundProgress(xgboost.callback.TrainingCallback):
    """A line at every tenth of the rounds, with the last validation metric."""

    def __init__(self, say: Callable[[str], None], rounds: int):
        super().__init__()
        self.say, self.rounds = say, rounds
        self.every = max(1, rounds // 10)

    def after_iteration(self, model, epoch: int, evals_log) -> bool:
        done = epoch + 1
        if done % self.every == 0 or done == self.rounds:
            metric = next(iter(evals_log.get("validation", {}).items()), None)
            shown = f" (validation:{metric[0]} {metric[1][-1]:.4f})" if metric else ""
            self.say(f"     training: round {done}/{self.rounds}{shown}")
        return False  # go on


def fit(
    train_set: tuple[np.ndarray, np.ndarray],
    validation_set: tuple[np.ndarray, np.ndarray],
    hyperparameters: Mapping[str, Any],
    callbacks: list[xgboost.callback.TrainingCallback] | None = None,
) -> tuple[xgboost.Booster, dict[str, float]]:
    """The booster and its final metrics under SageMaker's names (train:error, ...). In a
    distributed job (xgboost's collective), the metrics are over every host's rows."""
    train_matrix = xgboost.DMatrix(train_set[1], label=train_set[0])
    validation_matrix = xgboost.DMatrix(validation_set[1], label=validation_set[0])
    parameters, rounds = booster_parameters(hyperparameters)
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgboost.train(
        parameters,
        train_matrix,
        num_boost_round=rounds,
        evals=[(train_matrix, "train"), (validation_matrix, "validation")],
        evals_result=history,
        verbose_eval=False,
        callbacks=callbacks,
    )
    metrics = {
        f"{channel}:{metric}": float(values[-1])
        for channel, by_metric in history.items()
        for metric, values in by_metric.items()
    }
    return booster, metrics


def save_archive(booster: xgboost.Booster, output_folder: Path) -> Path:
    """model.tar.gz holding xgboost-model, as the container writes it."""
    output_folder.mkdir(parents=True, exist_ok=True)
    archive = output_folder / "model.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        model_path = Path(scratch) / MODEL_FILE_NAME
        model_path.write_bytes(booster.save_raw(raw_format="ubj"))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(model_path, arcname=MODEL_FILE_NAME)
    return archive


def load_model(archive: Path) -> xgboost.Booster:
    """The booster in a model.tar.gz (UBJSON, the format xgboost 1.7+ writes)."""
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MODEL_FILE_NAME)
        if member is None:
            raise TrainingDataError(f"{archive} holds no {MODEL_FILE_NAME}")
        raw = member.read()
    booster = xgboost.Booster()
    booster.load_model(bytearray(raw))
    return booster


def _number_or_text(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    text = str(value)
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text
