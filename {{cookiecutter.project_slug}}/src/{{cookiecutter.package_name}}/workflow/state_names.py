"""The names of the retraining workflow's states, in one place.

The state machine, the local runner, the tests and the graph refer to states only
through these constants, so renaming a state is a one-line change.
"""

from enum import StrEnum


class State(StrEnum):
    NAME_THE_RUN = "Name the run"
    USE_GIVEN_NAME = "Use the given run name"
    GENERATE_NAME = "Generate a run name"
    PLAN_LOCATIONS = "Plan the run's S3 locations"
    PREPARE_DATA = "Prepare data (Glue)"
    TRAIN_MODEL = "Train model (XGBoost)"
    CREATE_MODEL = "Create model"
    EVALUATE_MODEL = "Evaluate model (Lambda)"
    QUALITY_GATE = "Quality gate"
    CREATE_ENDPOINT_CONFIG = "Create endpoint config"
    START_ENDPOINT_CHECKS = "Start endpoint checks"
    CHECK_FOR_ENDPOINT = "Check for endpoint"
    IS_ENDPOINT_MISSING = "Is the endpoint missing?"
    ENDPOINT_STATUS = "Endpoint status"
    COUNT_ENDPOINT_CHECK = "Count endpoint checks"
    WAIT_FOR_ENDPOINT = "Wait for the endpoint"
    CREATE_ENDPOINT = "Create endpoint"
    UPDATE_ENDPOINT = "Update endpoint"
    DEPLOYED = "Deployed"
    QUALITY_GATE_FAILED = "Quality gate failed"
    ENDPOINT_FAILED = "Endpoint failed"
    ENDPOINT_KEPT_OLD_MODEL = "Endpoint kept its old model"
    ENDPOINT_SERVES_ANOTHER_CONFIG = "Endpoint serves another config"
    ENDPOINT_NOT_READY = "Endpoint not ready in time"
    RETRAINING_FAILED = "Retraining failed"
