"""The registry, the champion/challenger gate and the guarded rollout, end to end in
local mode: one project goes through the runs a team meets in production.

Emulated: the whole pipeline runs locally (local Spark for the Glue job, the xgboost
library for training and for batch transform, the real evaluator Lambda handler, the
local registry and endpoint; see FIDELITY.md). Models differ by their
hyperparameters; every run reads the same generated data, so each run's validation
set holds the same rows and both models of a comparison are scored on them.
"""

from __future__ import annotations

import pytest
from project.cli import main
from project.local import batch_transform as local_transform
from project.local.registry import LocalRegistry
from project.local.run import LOCAL_FOLDER
from project.local.services import Workspace
from project.settings import load_settings

from ..conftest import copy_project, replace_line

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]

ROWS = "1000"
WEAK = {"num_round": "num_round = 2", "max_depth": "max_depth = 1"}
STRONG = {"num_round": "num_round = 100", "max_depth": "max_depth = 5"}


def configure(settings_path, hyperparameters, approval="automatic"):
    for key, line in hyperparameters.items():
        replace_line(settings_path, f"{key} =", line)
    replace_line(settings_path, "approval =", f'approval = "{approval}"')
    assert main(["--settings", str(settings_path), "render"]) == 0


def run(settings_path, capsys) -> tuple[int, str, str]:
    code = main(["--settings", str(settings_path), "run", "--local", "--rows", ROWS])
    output = capsys.readouterr()
    return code, output.out, output.err


def registry(settings_path) -> list[dict]:
    settings = load_settings(settings_path)
    workspace = Workspace(settings_path.parent / LOCAL_FOLDER)
    return LocalRegistry(workspace, settings.region, "0").list_model_packages(settings.slug)


def statuses(settings_path) -> list[str]:
    return [version["ModelApprovalStatus"] for version in registry(settings_path)]


def live_version(settings_path, capsys) -> int:
    assert main(["--settings", str(settings_path), "models", "--local"]) == 0
    live = [line for line in capsys.readouterr().out.splitlines() if line.startswith("* ")]
    assert len(live) == 2, live  # the live version and the legend
    return int(live[0].split()[1])


def test_a_season_of_retraining(tmp_path, capsys, monkeypatch):
    settings_path = copy_project(tmp_path, "README.md", "statemachine")
    lower_is_better = load_settings(settings_path).quality_gate.lower_is_better
    # A bar every model here clears: the comparison, not the threshold, decides.
    replace_line(settings_path, "threshold =", f"threshold = {0.9 if lower_is_better else 0.1}")

    # First run: no live model, so the threshold alone decides. v1 Approved and live.
    configure(settings_path, WEAK)
    code, out, _ = run(settings_path, capsys)
    assert code == 0 and "no live model to compare with" in out
    assert statuses(settings_path) == ["Approved"] and live_version(settings_path, capsys) == 1

    # A better model, scored with the live one on the same validation rows: v2 live, v1 kept.
    configure(settings_path, STRONG)
    code, out, _ = run(settings_path, capsys)
    assert code == 0 and "on this run's" in out and "at least min_improvement 0" in out
    assert statuses(settings_path) == ["Approved", "Approved"]
    assert live_version(settings_path, capsys) == 2
    v2 = registry(settings_path)[1]["CustomerMetadataProperties"]
    new, live = float(v2["NewModelScore"]), float(v2["LiveModelScore"])
    assert new < live if lower_is_better else new > live

    # A worse model: registered Rejected with both numbers; v2 still live.
    configure(settings_path, WEAK)
    code, _, err = run(settings_path, capsys)
    assert code == 1 and err.startswith("FAILED: NotBetterThanLiveModel: ")
    assert "less than min_improvement" in err and "the endpoint keeps its current model" in err
    assert statuses(settings_path)[-1] == "Rejected" and live_version(settings_path, capsys) == 2

    # v2's configuration again trains v2's model: a tie, which keeps the live model.
    configure(settings_path, STRONG)
    code, _, err = run(settings_path, capsys)
    assert code == 1 and err.startswith("FAILED: NotBetterThanLiveModel: ")
    assert "an improvement of 0, a tie, which keeps the live model" in err
    assert statuses(settings_path)[-1] == "Rejected" and live_version(settings_path, capsys) == 2

    # Manual approval, in a team that lets the newer model win a tie: the version
    # waits, the endpoint is unchanged; approving deploys it.
    replace_line(settings_path, "replace_on_tie =", "replace_on_tie = true")
    configure(settings_path, STRONG, approval="manual")
    code, out, _ = run(settings_path, capsys)
    assert code == 0 and "awaits manual approval" in out
    assert statuses(settings_path)[-1] == "PendingManualApproval"
    assert live_version(settings_path, capsys) == 2
    assert main(["--settings", str(settings_path), "approve", "5", "--local"]) == 0
    assert "Approved" in capsys.readouterr().out
    assert statuses(settings_path)[-1] == "Approved" and live_version(settings_path, capsys) == 5

    # A model that answers with 5xx errors during the bake period: rolled back, marked
    # Rejected, and the previous model keeps serving. (Injected fault: the hosting
    # container fails every request.)
    configure(settings_path, STRONG)

    def failing_container(booster, body):
        raise RuntimeError("worker died")

    monkeypatch.setattr(local_transform, "answer_request", failing_container)
    code, _, err = run(settings_path, capsys)
    monkeypatch.undo()
    assert code == 1 and err.startswith("FAILED: EndpointUpdateFailed: ")
    assert "rolled back" in err
    latest = registry(settings_path)[-1]
    assert latest["ModelApprovalStatus"] == "Rejected" and "rolled back" in latest[
        "ApprovalDescription"]  # fmt: skip
    assert live_version(settings_path, capsys) == 5

    # rollback: the previous approved version is live again; the one rolled back from
    # is Rejected.
    assert main(["--settings", str(settings_path), "rollback", "--local"]) == 0
    assert "serves version 2 again" in capsys.readouterr().out
    assert live_version(settings_path, capsys) == 2
    assert statuses(settings_path) == ["Approved", "Approved", "Rejected", "Rejected", "Rejected",
                                       "Rejected"]  # fmt: skip

    # Approving the rolled-back version again deploys it again (its endpoint config
    # exists: it is reused, as CreateEndpointConfig would refuse the name).
    assert main(["--settings", str(settings_path), "approve", "5", "--local"]) == 0
    out = capsys.readouterr().out
    assert "Find the version's endpoint config" in out and "Create endpoint config" not in out
    assert live_version(settings_path, capsys) == 5
    print_listing(settings_path, capsys)


def print_listing(settings_path, capsys):
    """The `models` listing after the season, for the record (pytest -s shows it)."""
    main(["--settings", str(settings_path), "models", "--local"])
    with capsys.disabled():
        print("\n" + capsys.readouterr().out)
