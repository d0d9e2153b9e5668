"""Two approval events for one version, delivered at once, start two runs.

SageMaker documents that it may send an event more than once for one state change, so
the registry's EventBridge rule can start two executions that deploy the same version.
Both must end well: the one that loses the race to create the version's endpoint
config or to update the endpoint reuses the config and waits for the other's update,
and the version is never marked Rejected for it. Emulated: the two executions are the
local interpreter on two threads, over the local stand-ins of SageMaker (which refuse a
name in use and an update of an updating endpoint, as SageMaker does); a lock makes
each service call atomic, as SageMaker's API is, and a barrier holds both runs until
each has found no endpoint config, so that they do race.
"""

from __future__ import annotations

import threading

from project.local.interpreter import Interpreter
from project.local.run import load_definition, local_handlers, local_services
from project.local.services import Workspace, live_model
from project.settings import load_settings
from project.settings.names import endpoint_name, model_package_group_name
from project.workflow.state_names import State

from ..conftest import PROJECT_ROOT
from .serving import deploy_to_local_endpoint, tiny_model

RUN_NAME = "approved-run"


def racing_handlers(definition, services):
    """Each call atomic; each run held after its last attempt to find the config."""
    handlers = local_handlers(definition, services)
    lock, both_looked = threading.Lock(), threading.Barrier(2, timeout=30)
    find = definition["States"][State.FIND_APPROVED_CONFIG]
    attempts = 1 + sum(retry["MaxAttempts"] for retry in find.get("Retry", []))
    calls = threading.local()

    def atomic(handler, resource):
        def call(parameters):
            try:
                with lock:
                    return handler(parameters)
            finally:
                if resource == find["Resource"]:
                    calls.finds = getattr(calls, "finds", 0) + 1
                    if calls.finds == attempts:
                        both_looked.wait()

        return call

    return {resource: atomic(handler, resource) for resource, handler in handlers.items()}


def test_two_runs_for_one_approval_deploy_it_and_reject_nothing(tmp_path):
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    workspace = Workspace(tmp_path / ".local")
    services = local_services(settings, workspace)
    models = workspace.root / "s3" / "local-artifacts" / "models"
    deploy_to_local_endpoint(services, tiny_model(models / "old"), endpoint_name(settings))
    # What the approved version's run did before registering it: create its model.
    archive = tiny_model(models / RUN_NAME, seed=11)
    container = {"ModelDataUrl": workspace.uri_of(archive)}
    services.create_model({"ModelName": RUN_NAME, "PrimaryContainer": container})
    version = services.registry.create_model_package({
        "ModelPackageGroupName": model_package_group_name(settings),
        "ModelApprovalStatus": "Approved",
        "CustomerMetadataProperties": {"RunName": RUN_NAME, "Approval": "manual",
                                       "Decision": "none"},
    })["ModelPackageArn"]  # fmt: skip
    definition = load_definition(settings, PROJECT_ROOT)
    handlers = racing_handlers(definition, services)
    executions = [None, None]

    def deliver(index):
        interpreter = Interpreter(definition, handlers, sleep=lambda seconds: None)
        executions[index] = interpreter.run({"ApprovedModelPackageArn": version})

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(e is not None for e in executions), "a run did not end"
    assert [e.status for e in executions] == ["SUCCEEDED", "SUCCEEDED"], [
        (e.error, e.cause) for e in executions
    ]
    entered = [
        [ev.details["name"] for ev in e.events if ev.type.endswith("StateEntered")]
        for e in executions
    ]
    assert sum(State.DOES_THE_CONFIG_EXIST in names for names in entered) == 1  # the race's loser
    assert all(names[-1] == State.DEPLOYED for names in entered)
    endpoint, _ = live_model(workspace, endpoint_name(settings))
    assert endpoint["EndpointConfigName"] == RUN_NAME
    status = services.registry.describe_model_package({"ModelPackageName": version})
    assert status["ModelApprovalStatus"] == "Approved"
