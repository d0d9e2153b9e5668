"""Local training: the xgboost library, reporting and packaging like SageMaker's XGBoost."""

from __future__ import annotations

import tarfile

import numpy as np
import pytest

from ..local_training import (
    MODEL_FILE_NAME,
    TrainingDataError,
    booster_parameters,
    load_model,
    train,
)


def write_channel(folder, rows, seed):
    rng = np.random.default_rng(seed)
    features = rng.random((rows, 4))
    labels = (features[:, 0] + 0.1 * rng.random(rows) > 0.55).astype(float)
    folder.mkdir(parents=True)
    np.savetxt(folder / "part-00000.csv", np.column_stack([labels, features]), delimiter=",")


def test_metrics_are_named_as_sagemaker_names_them_and_the_model_is_packaged(tmp_path):
    write_channel(tmp_path / "train", 400, 1)
    write_channel(tmp_path / "validation", 100, 2)
    hyperparameters = {"objective": "binary:logistic", "num_round": "20", "max_depth": "3"}
    result = train(tmp_path / "train", tmp_path / "validation", hyperparameters, tmp_path / "out")
    for name in ("train:error", "validation:error", "validation:logloss", "validation:auc"):
        assert name in result.metrics
    assert result.metrics["validation:error"] < 0.2
    with tarfile.open(result.model_archive) as archive:
        assert archive.getnames() == [MODEL_FILE_NAME]
    booster = load_model(result.model_archive)
    assert booster.num_features() == 4


def test_hyperparameters_given_as_text_become_numbers():
    parameters, rounds = booster_parameters(
        {"num_round": "100", "eta": "0.2", "objective": "binary:logistic"}
    )
    assert rounds == 100 and parameters["eta"] == pytest.approx(0.2)
    assert "error" in parameters["eval_metric"]


def test_an_empty_channel_is_a_clear_error(tmp_path):
    (tmp_path / "train").mkdir()
    with pytest.raises(TrainingDataError, match="no CSV data"):
        train(tmp_path / "train", tmp_path / "train", {"num_round": 1}, tmp_path / "out")
