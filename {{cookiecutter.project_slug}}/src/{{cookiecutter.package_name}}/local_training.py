"""Training in local mode: the xgboost library, as SageMaker's built-in XGBoost runs it.

Same channels (CSV, no header, label in column 0), same hyperparameters, metrics
under the names SageMaker reports (``train:error``, ``validation:error``, ...), and
a ``model.tar.gz`` holding ``xgboost-model``, as the built-in container writes it.
"""

from __future__ import annotations

import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xgboost

MODEL_FILE_NAME = "xgboost-model"
# What SageMaker's container evaluates for a binary objective when none is given.
BINARY_METRICS = ("error", "logloss", "auc", "aucpr")


class TrainingDataError(ValueError):
    """A channel is missing or holds no rows."""


@dataclass(frozen=True)
class TrainingResult:
    model_archive: Path
    metrics: dict[str, float]
    train_rows: int
    validation_rows: int


def read_channel(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Labels and features from every CSV file in a channel folder (Spark's part files)."""
    files = sorted(path for path in Path(folder).glob("*.csv") if path.stat().st_size > 0)
    if not files:
        raise TrainingDataError(f"no CSV data in {folder}")
    table = np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])
    return table[:, 0], table[:, 1:]


def booster_parameters(hyperparameters: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """SageMaker passes hyperparameters as strings; xgboost wants numbers."""
    parameters: dict[str, Any] = {}
    for name, value in hyperparameters.items():
        parameters[name] = _number_or_text(value)
    rounds = int(parameters.pop("num_round"))
    if str(parameters.get("objective", "")).startswith("binary:"):
        parameters.setdefault("eval_metric", list(BINARY_METRICS))
    parameters.setdefault("nthread", 2)
    parameters.setdefault("seed", 0)
    return parameters, rounds


def train(
    train_folder: Path,
    validation_folder: Path,
    hyperparameters: Mapping[str, Any],
    output_folder: Path,
) -> TrainingResult:
    train_labels, train_features = read_channel(train_folder)
    validation_labels, validation_features = read_channel(validation_folder)
    train_matrix = xgboost.DMatrix(train_features, label=train_labels)
    validation_matrix = xgboost.DMatrix(validation_features, label=validation_labels)
    parameters, rounds = booster_parameters(hyperparameters)
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgboost.train(
        parameters,
        train_matrix,
        num_boost_round=rounds,
        evals=[(train_matrix, "train"), (validation_matrix, "validation")],
        evals_result=history,
        verbose_eval=False,
    )
    metrics = {
        f"{channel}:{metric}": float(values[-1])
        for channel, by_metric in history.items()
        for metric, values in by_metric.items()
    }
    output_folder.mkdir(parents=True, exist_ok=True)
    archive = output_folder / "model.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        model_path = Path(scratch) / MODEL_FILE_NAME
        model_path.write_bytes(booster.save_raw(raw_format="ubj"))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(model_path, arcname=MODEL_FILE_NAME)
    return TrainingResult(archive, metrics, len(train_labels), len(validation_labels))


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
