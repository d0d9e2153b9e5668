"""The retraining state machine, built with the Step Functions Data Science SDK.

``build_definition(settings)`` needs nothing but the settings: no AWS call is made
(the tests prove it). Values that only exist once the project is deployed are left
as CloudFormation ``DefinitionSubstitutions`` placeholders (see ``PLACEHOLDERS``),
so the rendered definition is the same in every account and is committed to the
repository (``statemachine/definition.asl.json``), from where the stack deploys it
and local mode runs it.

Fixes over the public reference notebook: every run gets unique SageMaker names,
training is asked for the metric the gate reads (``eval_metric``), the gate reads
that metric by name (from the evaluator), the endpoint is created on the first run
and updated on every later one, the run waits until the endpoint serves the new
model (or says why it does not), and every Task state has Retry, Catch and
TimeoutSeconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..project_layout import definition_path
from ..settings import Settings, SettingsError
from .asl_fields import FailWithPaths
from .building_blocks import (
    ALREADY_EXISTS_PATTERNS,
    FAILURE_PATH,
    PLACEHOLDERS,
    TIMEOUT_SECONDS,
    catch_all,
    retry_for,
    route_already_exists,
)
from .champion_challenger import comparison, scoring_tasks
from .deploy_and_wait import (
    ENDPOINT_CHECK_INTERVAL_SECONDS,
    ENDPOINT_PROVISIONING_CHECKS,
    deploy_branch,
    endpoint_max_checks,
    endpoint_tasks,
    rollout_seconds,
)
from .gate_and_registry import (
    approved_version_entry,
    describe_approved_version,
    quality_gate,
    registration,
    registry_tasks,
    reject_below_threshold,
)
from .prepare_and_train import (
    XGBOOST_VERSION,
    adopt_a_started_training_job,
    run_naming,
    training_hyperparameters,
    training_image_uri,
    training_tasks,
)
from .sdk import Chain, Graph, sdk_partition
from .state_names import State

# What the rest of the project imports from here.
__all__ = [
    "ENDPOINT_CHECK_INTERVAL_SECONDS",
    "ENDPOINT_PROVISIONING_CHECKS",
    "PLACEHOLDERS",
    "TIMEOUT_SECONDS",
    "XGBOOST_VERSION",
    "State",
    "build_definition",
    "endpoint_max_checks",
    "read_committed_definition",
    "render_definition",
    "rollout_seconds",
    "training_hyperparameters",
    "training_image_uri",
]

# Tasks whose errors go elsewhere than the failure state (see where each is caught).
_CAUGHT_ON_THEIR_OWN = (
    State.FIND_LIVE_MODEL, State.MARK_VERSION_NOT_DEPLOYED, State.CREATE_ENDPOINT_CONFIG,
    State.CREATE_ENDPOINT, State.UPDATE_ENDPOINT, State.TRAIN_MODEL, State.CREATE_MODEL,
)  # fmt: skip


def build_definition(settings: Settings) -> Graph:
    """The whole retraining workflow, from the settings alone and without network."""
    failed = FailWithPaths(
        State.RETRAINING_FAILED,
        comment="Any Task error lands here, with the original error and cause.",
        error_path=f"{FAILURE_PATH}.Error",
        cause_path=f"{FAILURE_PATH}.Cause",
    )
    with sdk_partition(settings.partition):
        describe_approved = describe_approved_version(settings)
        naming, plan = run_naming(settings, describe_approved)
        tasks = training_tasks(settings, plan)
        endpoint, check = endpoint_tasks(settings)
        tasks.update(endpoint)
        tasks.update(registry_tasks(settings))
        tasks.update(scoring_tasks(settings) if settings.compare_with_live else {})
    tasks[State.DESCRIBE_APPROVED_VERSION] = describe_approved
    for task in tasks.values():
        task.add_retry(retry_for(task))
    adopt_a_started_training_job(settings, tasks, failed)
    route_already_exists(tasks[State.CREATE_MODEL], State.DOES_THE_MODEL_EXIST,
                          ALREADY_EXISTS_PATTERNS[State.CREATE_MODEL],
                          then=tasks[State.EVALUATE_MODEL], otherwise=failed)  # fmt: skip
    tasks[State.CREATE_MODEL].add_catch(catch_all(failed))
    for name, task in tasks.items():
        if name not in _CAUGHT_ON_THEIR_OWN:
            task.add_catch(catch_all(failed))
    deploy, checks = deploy_branch(settings, tasks, check, failed)
    approved_version_entry(settings, tasks, deploy, checks, failed)
    accept, reject_not_better = registration(settings, tasks, deploy)
    gate = quality_gate(
        settings,
        comparison(settings, tasks, accept, reject_not_better, failed),
        reject_below_threshold=reject_below_threshold(settings, tasks),
    )
    Chain(
        [
            plan,
            tasks[State.PREPARE_DATA],
            tasks[State.TRAIN_MODEL],
            tasks[State.CREATE_MODEL],
            tasks[State.EVALUATE_MODEL],
            gate,
        ]
    )
    return Graph(naming)


def render_definition(settings: Settings) -> str:
    """The definition as the JSON text that is committed and deployed."""
    return json.dumps(build_definition(settings).to_dict(), indent=2) + "\n"


def read_committed_definition(settings: Settings, project_root: Path) -> str:
    """The committed definition, refused when the settings no longer give it.

    Local runs and deploys use the file that code review saw, never a fresh build,
    so a stale file must be rendered (and reviewed) first.
    """
    relative = committed_definition_path(settings)
    path = project_root / relative
    if not path.is_file():
        raise SettingsError(f"{relative} is missing; run '{settings.slug} render'")
    committed = path.read_text(encoding="utf-8")
    if committed != render_definition(settings):
        raise SettingsError(
            f"{relative} does not match settings.toml; run '{settings.slug} render' "
            "and commit the result first"
        )
    return committed


def committed_definition_path(settings: Settings) -> Path:
    """Where the settings' stage keeps its definition, relative to the project."""
    return definition_path(None if settings.is_first_stage else settings.stage)
