"""Training on several instances in local mode: one process per instance ("host"),
training one model together, as SageMaker's XGBoost container does on N instances.

Faithful to the container (aws/sagemaker-xgboost-container, algorithm_mode/train.py and
distributed.py) and to SageMaker's channel distribution:
- ShardedByS3Key gives each instance about 1/n of a channel's S3 objects (whole
  objects: never part of one); FullyReplicated gives each all of them. Which object
  goes to which instance is not documented: here they are dealt in key order, round
  robin, to algo-1, algo-2, ... (SageMaker's host names);
- an instance with no training data, or with no validation data when there is a
  validation channel, is left out of training (the container warns, and the instance
  idles while it bills); with no instance left, the job fails ("No hosts received
  training data.");
- the instances left train one booster together (xgboost's collective, which the
  container starts through Rabit): the histograms are summed over the instances, and
  each metric is over every instance's rows. The first instance saves the model.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import training

SHARDED, REPLICATED = "ShardedByS3Key", "FullyReplicated"


@dataclass(frozen=True)
class Channel:
    folder: Path
    distribution: str  # S3DataDistributionType


def host_names(count: int) -> list[str]:
    return [f"algo-{number}" for number in range(1, count + 1)]


def deal(files: list[Path], hosts: int, distribution: str) -> list[list[Path]]:
    """Each host's files of a channel."""
    if distribution == REPLICATED:
        return [list(files) for _ in range(hosts)]
    return [files[index::hosts] for index in range(hosts)]


def shares(channels: Mapping[str, Channel], hosts: int) -> dict[str, dict[str, list[Path]]]:
    """Each host's files, channel by channel: {"algo-1": {"train": [...], ...}, ...}."""
    dealt = {name: deal(training.channel_files(channel.folder), hosts, channel.distribution)
             for name, channel in channels.items()}  # fmt: skip
    return {host: {name: dealt[name][index] for name in channels}
            for index, host in enumerate(host_names(hosts))}  # fmt: skip


def train(
    channels: Mapping[str, Channel],
    hyperparameters: Mapping[str, Any],
    output_folder: Path,
    hosts: int,
) -> tuple[training.TrainingResult, list[str]]:
    """The job's result, and the hosts left out of training (no data)."""
    by_host = shares(channels, hosts)
    training_hosts = [host for host, files in by_host.items() if all(files.values())]
    left_out = [host for host in by_host if host not in training_hosts]
    if not training_hosts:
        raise training.TrainingDataError("No hosts received training data.")
    # Every host runs on this machine: together they must fit in its memory.
    training.check_fits([channel.folder for channel in channels.values()])
    results = _run_hosts([by_host[host] for host in training_hosts], hyperparameters,
                         output_folder)  # fmt: skip
    metrics = next(result["metrics"] for result in results if result["archive"])
    archive = Path(next(result["archive"] for result in results if result["archive"]))
    result = training.TrainingResult(
        archive, metrics, sum(result["train_rows"] for result in results),
        sum(result["validation_rows"] for result in results),
    )  # fmt: skip
    return result, left_out


def _run_hosts(host_files: list[dict[str, list[Path]]], hyperparameters: Mapping[str, Any],
               output_folder: Path) -> list[dict[str, Any]]:  # fmt: skip
    from xgboost.tracker import RabitTracker

    tracker = RabitTracker(n_workers=len(host_files), host_ip="127.0.0.1")
    tracker.start()
    context = multiprocessing.get_context("spawn")  # no fork of a process running threads
    answers = context.Queue()
    arguments = tracker.worker_args()
    processes = [
        context.Process(
            target=_host,
            args=(arguments, files, dict(hyperparameters), str(output_folder), answers),
        )
        for files in host_files
    ]
    for process in processes:
        process.start()
    results = _answers(answers, processes)
    for process in processes:
        process.join()
    tracker.wait_for()
    failed = [result["error"] for result in results if result.get("error")]
    if failed:
        raise training.TrainingDataError(failed[0])
    return results


def _answers(answers: Any, processes: list[Any]) -> list[dict[str, Any]]:
    """Each host's answer; a host that dies without one (killed for memory, say) fails
    the job instead of leaving it waiting, and the other hosts are stopped."""
    import queue

    results: list[dict[str, Any]] = []
    while len(results) < len(processes):
        try:
            results.append(answers.get(timeout=1))
        except queue.Empty:
            dead = [(index, process.exitcode) for index, process in enumerate(processes)
                    if process.exitcode not in (None, 0)]  # fmt: skip
            if dead:
                for process in processes:
                    process.kill()
                host, code = host_names(len(processes))[dead[0][0]], dead[0][1]
                raise training.TrainingDataError(
                    f"{host} exited with code {code} before it finished training"
                ) from None
    return results


def _host(tracker_args: dict[str, Any], files: dict[str, list[Path]],
          hyperparameters: dict[str, Any], output_folder: str, answers: Any) -> None:  # fmt: skip
    """One instance: its share of the files, trained with the others."""
    import xgboost
    from xgboost import collective

    xgboost.set_config(verbosity=0)
    try:
        with collective.CommunicatorContext(**tracker_args):
            train_set = training.read_files(files["train"], "train")
            validation_set = training.read_files(files["validation"], "validation")
            parameters = {"nthread": 1, **hyperparameters}  # the hosts share this machine
            booster, metrics = training.fit(train_set, validation_set, parameters)
            first = collective.get_rank() == 0
            archive = training.save_archive(booster, Path(output_folder)) if first else None
        answers.put({
            "metrics": metrics, "archive": str(archive) if archive else "",
            "train_rows": len(train_set[0]), "validation_rows": len(validation_set[0]),
        })  # fmt: skip
    except Exception as error:  # reported to the job, which fails as SageMaker's would
        answers.put({"error": f"{type(error).__name__}: {error}"})
