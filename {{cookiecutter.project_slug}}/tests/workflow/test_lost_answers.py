"""A retried Create call whose first attempt succeeded, and two runs deploying one version.

Step Functions retries a Task whose call failed in flight (a timeout, a 5xx); when the
first attempt had reached SageMaker, the retry meets SageMaker's refusal of a name in
use: "Cannot create already existing ..." (a ValidationException, under the generic error
name) for a model, endpoint config or endpoint, ResourceInUse for a training job. The
workflow treats its own name in use as the call having succeeded. Emulated: every Task is
a Python stub run by the project's ASL interpreter (see test_endpoint_routing.py); the
refusals' texts are SageMaker's (FIDELITY.md).
"""

from __future__ import annotations

from project.local.interpreter import TaskFailure
from project.workflow.state_names import State

from .canned_tasks import FAILING
from .test_endpoint_routing import MARK, OLD, RUN, UPDATE, endpoint, run

MODEL_EXISTS = TaskFailure(
    "SageMaker.AmazonSageMakerException",
    f'Cannot create already existing model "arn:aws:sagemaker:us-east-1:1:model/{RUN}". '
    "(Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException)",
)
JOB_IN_USE = TaskFailure(
    "SageMaker.ResourceInUseException",
    "Training job names must be unique within an AWS account and region, and a training "
    "job with this name already exists",
)
TRAIN = "sagemaker:createTrainingJob.sync"
DESCRIBE_JOB = "aws-sdk:sagemaker:describeTrainingJob"
EVALUATE = "lambda:invoke"


class refusing:
    """A call that fails ``times`` times (every attempt, by default), then answers."""

    def __init__(self, failure: TaskFailure, times: int = 99):
        self.failure, self.times, self.calls = failure, times, []

    def __call__(self, parameters):
        self.calls.append(parameters)
        if len(self.calls) <= self.times:
            raise self.failure
        return {}


def failing_gate(parameters):
    """The evaluator's answer for a model below the threshold: the run ends early."""
    return {"Payload": {"metric_name": "m", "value": FAILING, "metrics": {}}}


def test_a_model_created_by_an_earlier_attempt_is_the_runs_model():
    execution, entered, calls = run(
        [endpoint("InService", OLD), endpoint("InService")],
        fail={"sagemaker:createModel": refusing(MODEL_EXISTS)},
    )
    assert execution.status == "SUCCEEDED" and State.DOES_THE_MODEL_EXIST in entered
    assert UPDATE in calls


def test_a_training_job_started_by_a_lost_attempt_is_waited_for():
    statuses = iter(["InProgress", "InProgress", "Completed"])

    def describe_job(parameters):
        return {
            "TrainingJobName": parameters["TrainingJobName"],
            "TrainingJobStatus": next(statuses),
            "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m"},
        }

    execution, entered, _ = run(
        [], fail={TRAIN: refusing(JOB_IN_USE), DESCRIBE_JOB: describe_job, EVALUATE: failing_gate},
        execution_input={},  # a generated run name: the job can only be this run's
    )  # fmt: skip
    assert entered.count(State.WAIT_FOR_TRAINING_JOB) == 2
    assert State.CREATE_MODEL in entered and execution.error == "QualityGateFailed"


def test_a_run_named_after_its_execution_waits_for_its_own_job():
    """The CLI and the schedule name each execution after its run (RunName is given):
    no other execution has that name, so the job in use is this one's."""

    def describe_job(parameters):
        return {"TrainingJobName": parameters["TrainingJobName"],
                "TrainingJobStatus": "Completed",
                "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m"}}  # fmt: skip

    execution, entered, _ = run(
        [], fail={TRAIN: refusing(JOB_IN_USE), DESCRIBE_JOB: describe_job, EVALUATE: failing_gate},
        execution_input={"RunName": RUN}, execution_name=RUN,
    )  # fmt: skip
    assert State.DESCRIBE_TRAINING_JOB in entered and execution.error == "QualityGateFailed"


def test_a_training_job_that_failed_meanwhile_fails_the_run():
    def describe_job(parameters):
        return {"TrainingJobName": "j", "TrainingJobStatus": "Failed"}

    execution, _, _ = run([], fail={TRAIN: refusing(JOB_IN_USE), DESCRIBE_JOB: describe_job},
                          execution_input={})  # fmt: skip
    assert (execution.status, execution.error) == ("FAILED", "TrainingJobNotCompleted")


def test_a_given_run_name_in_use_is_an_earlier_runs_and_fails():
    execution, entered, _ = run([], fail={TRAIN: refusing(JOB_IN_USE)})
    assert (execution.status, execution.error) == ("FAILED", JOB_IN_USE.error)
    assert State.DESCRIBE_TRAINING_JOB not in entered


def test_a_validation_error_is_retried_briefly_then_fails():
    invalid = TaskFailure(
        "SageMaker.AmazonSageMakerException",
        "1 validation error detected (Service: AmazonSageMaker; Status Code: 400)",
    )
    handler = refusing(invalid)
    execution, _, _ = run([], fail={"sagemaker:createModel": handler})
    assert execution.status == "FAILED" and execution.error == invalid.error
    assert len(handler.calls) == 4  # the call and 3 retries


def test_an_update_refused_as_in_progress_waits_for_the_other_deployment():
    """Two runs for one approval: the second UpdateEndpoint meets the first's update."""
    in_progress = TaskFailure(
        "SageMaker.SageMakerException",
        'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/e". '
        "(Service: SageMaker, Status Code: 400, Error Code: ValidationException)",
    )
    execution, entered, calls = run(
        [endpoint("InService", OLD), endpoint("Updating", OLD), endpoint("InService")],
        fail={UPDATE: refusing(in_progress)},
    )
    assert execution.status == "SUCCEEDED" and entered[-1] == State.DEPLOYED
    assert State.WAIT_FOR_THE_OTHER_DEPLOYMENT in entered and MARK not in calls


def test_an_update_refused_for_another_versions_deployment_updates_again_after_it():
    """The deployment under way was another version's (a scheduled run's, say): once it
    settles on its own config, this run updates the endpoint to its own, and is not
    taken for a failed update of this run's."""
    in_progress = TaskFailure(
        "SageMaker.SageMakerException",
        'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/e". '
        "(Service: SageMaker, Status Code: 400, Error Code: ValidationException)",
    )
    update = refusing(in_progress, times=4)  # the call and its 3 retries, then accepted
    execution, entered, calls = run(
        [endpoint("InService", OLD), endpoint("Updating", OLD), endpoint("InService", "other"),
         endpoint("Updating", "other"), endpoint("InService")],
        fail={UPDATE: update},
    )  # fmt: skip
    assert execution.status == "SUCCEEDED" and entered[-1] == State.DEPLOYED
    assert len(update.calls) == 5 and MARK not in calls


def test_an_approved_version_the_endpoint_already_serves_is_not_deployed_again():
    """A late duplicate approval event, or an approval of the live version: the endpoint
    already serves its config, so the run ends at once, with no UpdateEndpoint (which
    SageMaker refuses for the config an endpoint has)."""
    version = "arn:aws:sagemaker:us-east-1:1:model-package/g/2"

    def describe_version(parameters):
        return {"ModelPackageArn": version, "ModelPackageVersion": 2,
                "ModelApprovalStatus": "Approved",
                "CustomerMetadataProperties": {"RunName": RUN, "Approval": "manual",
                                               "Decision": "none"}}  # fmt: skip

    def config_exists(parameters):
        return {"EndpointConfigName": parameters["EndpointConfigName"]}

    execution, entered, calls = run(
        [endpoint("InService", RUN)],
        fail={"aws-sdk:sagemaker:describeModelPackage": describe_version,
              "aws-sdk:sagemaker:describeEndpointConfig": config_exists},
        execution_input={"ApprovedModelPackageArn": version},
    )  # fmt: skip
    assert execution.status == "SUCCEEDED" and entered[-1] == State.DEPLOYED
    assert UPDATE not in calls and "sagemaker:createEndpointConfig" not in calls
