"""Local training: the xgboost library, reading, reporting and packaging like SageMaker's
XGBoost 1.7-1 container (aws/sagemaker-xgboost-container, tag v1.7-1)."""

from __future__ import annotations

import tarfile

import numpy as np
import pytest
from project.local.training import (
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


BINARY = {"objective": "binary:logistic", "num_round": "20", "max_depth": "3"}


def test_metrics_are_named_as_sagemaker_names_them_and_the_model_is_packaged(tmp_path):
    write_channel(tmp_path / "train", 400, 1)
    write_channel(tmp_path / "validation", 100, 2)
    hyperparameters = {**BINARY, "eval_metric": "error,auc"}
    result = train(tmp_path / "train", tmp_path / "validation", hyperparameters, tmp_path / "out")
    assert set(result.metrics) == {
        "train:error", "train:auc", "validation:error", "validation:auc",
    }  # fmt: skip
    assert result.metrics["validation:error"] < 0.2
    with tarfile.open(result.model_archive) as archive:
        assert archive.getnames() == [MODEL_FILE_NAME]
    booster = load_model(result.model_archive)
    assert booster.num_features() == 4


def test_without_eval_metric_only_the_objectives_default_is_reported(tmp_path):
    """The container passes eval_metric to xgboost only when set: then xgboost reports
    the objective's default alone (logloss for binary:logistic since xgboost 1.3)."""
    write_channel(tmp_path / "train", 200, 1)
    write_channel(tmp_path / "validation", 50, 2)
    result = train(tmp_path / "train", tmp_path / "validation", BINARY, tmp_path / "out")
    assert set(result.metrics) == {"train:logloss", "validation:logloss"}


def test_hyperparameters_given_as_text_become_numbers():
    given = {"num_round": "100", "eta": "0.2", "objective": "binary:logistic"}
    parameters, rounds = booster_parameters({**given, "eval_metric": "auc,error"})
    assert rounds == 100 and parameters["eta"] == pytest.approx(0.2)
    assert parameters["eval_metric"] == ["auc", "error"]


def test_an_empty_channel_is_a_clear_error(tmp_path):
    (tmp_path / "train").mkdir()
    with pytest.raises(TrainingDataError, match="no data in channel train"):
        train(tmp_path / "train", tmp_path / "train", {"num_round": 1}, tmp_path / "out")


@pytest.mark.parametrize(
    ("stray", "content"),
    [("_SUCCESS", b""), (".part-00000.csv.crc", b"crc\x00\x01\xfe")],
)
def test_a_stray_file_in_a_channel_fails_training_as_in_the_container(tmp_path, stray, content):
    """The container reads every file of a channel directory, and sniffs the delimiter
    from the first one it lists: Spark's _SUCCESS marker there fails the job."""
    write_channel(tmp_path / "train", 100, 1)
    write_channel(tmp_path / "validation", 50, 2)
    (tmp_path / "train" / stray).write_bytes(content)
    with pytest.raises(TrainingDataError, match=f"channel train: .*{stray}"):
        train(tmp_path / "train", tmp_path / "validation", BINARY, tmp_path / "out")


def test_data_that_cannot_fit_in_memory_is_refused_before_it_is_read(tmp_path):
    """#25: local training had loaded every part file as float64 and stacked them, and
    died of memory past about 6 GB of raw CSV. Now it counts first and refuses with the
    size it needs and what the machine has."""
    from project.local.training import BYTES_PER_VALUE, channel_shape, check_fits

    write_channel(tmp_path / "train", rows=300, seed=1)
    write_channel(tmp_path / "validation", rows=100, seed=2)
    assert channel_shape(tmp_path / "train") == (300, 5)
    needed = (300 + 100) * 5 * BYTES_PER_VALUE
    check_fits([tmp_path / "train", tmp_path / "validation"], available=needed)
    with pytest.raises(TrainingDataError, match=r"400 rows of 5 columns.*train on AWS"):
        check_fits([tmp_path / "train", tmp_path / "validation"], available=needed - 1)


def test_part_files_are_read_into_one_float32_table(tmp_path):
    """What xgboost keeps anyway (it trains on float32): half the memory of float64."""
    from project.local.training import read_channel

    folder = tmp_path / "train"
    folder.mkdir()
    (folder / "part-00000.csv").write_text("1,0.5,2\n0,0.25,3\n")
    (folder / "part-00001.csv").write_text("1,0.125,4\n\n")
    labels, features = read_channel(folder)
    assert labels.dtype == np.float32 and labels.tolist() == [1, 0, 1]
    assert features.tolist() == [[0.5, 2], [0.25, 3], [0.125, 4]]
    (folder / "part-00002.csv").write_text("1,2\n")
    with pytest.raises(TrainingDataError, match=r"part-00002\.csv has 2 columns"):
        read_channel(folder)


def test_a_long_training_says_how_far_it_has_got(tmp_path):
    """#25: a training of millions of rows took a minute or more without a word. Past
    the threshold it says what it reads and every tenth of its rounds."""
    write_channel(tmp_path / "train", 400, 1)
    write_channel(tmp_path / "validation", 100, 2)
    said = []
    hyperparameters = {**BINARY, "eval_metric": "error"}  # 20 rounds
    train(tmp_path / "train", tmp_path / "validation", hyperparameters, tmp_path / "out",
          say=said.append, progress_min_rows=400)  # fmt: skip
    assert said[0] == "     training: reading 400 rows"
    rounds = [line for line in said[1:] if line.startswith("     training: round ")]
    assert [line.split()[2] for line in rounds] == [f"{k}/20" for k in range(2, 21, 2)]
    assert rounds[-1].split("(validation:error ")[1].rstrip(")").replace(".", "").isdigit()
    quiet = []
    train(tmp_path / "train", tmp_path / "validation", hyperparameters, tmp_path / "again",
          say=quiet.append)  # fmt: skip
    assert quiet == []  # 400 rows: below the default threshold
