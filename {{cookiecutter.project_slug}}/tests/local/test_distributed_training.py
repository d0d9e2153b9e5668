"""Training on several instances in local mode: each "host" a process of its own with its
share of the files (ShardedByS3Key), one model trained together over xgboost's collective,
as SageMaker's XGBoost container does (aws/sagemaker-xgboost-container,
algorithm_mode/train.py and distributed.py). What is emulated: the instances (processes
on this machine) and which file goes to which instance (undocumented: dealt round robin)."""

from __future__ import annotations

import numpy as np
import pytest
from project.local.distributed_training import REPLICATED, SHARDED, Channel, deal, shares, train
from project.local.training import TrainingDataError, load_model
from project.local.training import train as train_on_one_host

BINARY = {"objective": "binary:logistic", "num_round": "20", "max_depth": "3",
          "eval_metric": "error"}  # fmt: skip


def write_files(folder, files, rows, seed):
    """``files`` CSV part files of ``rows`` rows each, label first, no header."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for index in range(files):
        features = rng.random((rows, 4))
        labels = (features[:, 0] + 0.1 * rng.random(rows) > 0.55).astype(float)
        np.savetxt(folder / f"part-{index:05d}.csv", np.column_stack([labels, features]),
                   delimiter=",")  # fmt: skip
    return folder


def test_sharded_channels_deal_whole_files_and_replicated_ones_give_every_host_all():
    files = [f"part-{index}" for index in range(5)]
    assert deal(files, 2, SHARDED) == [["part-0", "part-2", "part-4"], ["part-1", "part-3"]]
    assert deal(files, 2, REPLICATED) == [files, files]
    assert deal(files[:1], 3, SHARDED) == [["part-0"], [], []]


def test_the_s3_distribution_types_are_the_ones_sagemaker_knows():
    """Read from botocore's SageMaker model, not restated."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    assert {SHARDED, REPLICATED} == set(model.shape_for("S3DataDistribution").enum)


@pytest.mark.slow  # two new processes that import xgboost: seconds
def test_two_hosts_train_one_model_on_their_shares_as_well_as_one_host_on_all(tmp_path):
    train_folder = write_files(tmp_path / "train", files=4, rows=300, seed=1)
    validation_folder = write_files(tmp_path / "validation", files=2, rows=150, seed=2)
    channels = {"train": Channel(train_folder, SHARDED),
                "validation": Channel(validation_folder, SHARDED)}  # fmt: skip
    dealt = shares(channels, 2)
    assert [path.name for path in dealt["algo-2"]["train"]] == ["part-00001.csv", "part-00003.csv"]
    result, left_out = train(channels, BINARY, tmp_path / "out", hosts=2)
    assert left_out == [] and (result.train_rows, result.validation_rows) == (1200, 300)
    alone = train_on_one_host(train_folder, validation_folder, BINARY, tmp_path / "alone")
    # The histograms are summed over the hosts, so the model learns from all the rows:
    # its validation error (over both hosts' rows) is about that of one host on all.
    assert result.metrics["validation:error"] == pytest.approx(
        alone.metrics["validation:error"], abs=0.03
    )
    assert load_model(result.model_archive).num_features() == 4


@pytest.mark.slow  # a new process that imports xgboost: seconds
def test_a_host_without_files_is_left_out_of_training_as_the_container_does(tmp_path):
    """One training file for two instances: the container warns that algo-2 has no data
    and trains on algo-1 alone; the job succeeds (and algo-2 billed for nothing)."""
    channels = {"train": Channel(write_files(tmp_path / "train", 1, 200, 1), SHARDED),
                "validation": Channel(write_files(tmp_path / "validation", 1, 80, 2),
                                      REPLICATED)}  # fmt: skip
    result, left_out = train(channels, BINARY, tmp_path / "out", hosts=2)
    assert left_out == ["algo-2"] and result.train_rows == 200


def test_an_empty_training_channel_fails_the_job_before_any_host_starts(tmp_path):
    (tmp_path / "train").mkdir()
    channels = {
        "train": Channel(tmp_path / "train", SHARDED),
        "validation": Channel(write_files(tmp_path / "validation", 2, 20, 2), SHARDED),
    }
    with pytest.raises(TrainingDataError, match="no data in channel train"):
        train(channels, BINARY, tmp_path / "out", hosts=2)
