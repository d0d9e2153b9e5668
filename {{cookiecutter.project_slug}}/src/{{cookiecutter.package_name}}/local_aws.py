"""Local stand-ins for the AWS services the workflow's Task states call.

Each function takes the Task's resolved Parameters and returns what the service
integration returns on AWS (the parts the workflow reads), or raises TaskFailure
with an error name Step Functions would use. S3 URIs stay S3 URIs in the state
data, as on AWS; ``Workspace`` maps them to files under the project's .local/.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from . import etl_job, evaluator, local_training
from .asl_interpreter import TaskFailure

LOCAL_BUCKET = "local-artifacts"
LOCAL_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class Workspace:
    """Everything local mode writes lives under ``root`` (the project's .local/)."""

    root: Path

    def path_of(self, uri: str) -> Path:
        if not uri.startswith("s3://"):
            raise TaskFailure("States.TaskFailed", f"local mode reads only s3:// URIs, not {uri}")
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        return self.root / "s3" / bucket / key

    def uri_of(self, path: Path) -> str:
        relative = path.relative_to(self.root / "s3")
        return "s3://" + relative.as_posix()

    @property
    def raw_data(self) -> Path:
        return self.root / "s3" / LOCAL_BUCKET / "data" / "raw"

    def _record(self, kind: str) -> Path:
        folder = self.root / "sagemaker" / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def save(self, kind: str, name: str, record: dict[str, Any]) -> None:
        (self._record(kind) / f"{name}.json").write_text(
            json.dumps(record, indent=2, default=str), encoding="utf-8"
        )

    def load(self, kind: str, name: str) -> dict[str, Any] | None:
        path = self._record(kind) / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


class LocalSageMaker:
    """The one SageMaker call the evaluator makes, answered from local records."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def describe_training_job(self, TrainingJobName: str) -> dict[str, Any]:
        record = self.workspace.load("training-jobs", TrainingJobName)
        if record is None:
            error = {"Code": "ValidationException", "Message": "Requested resource not found."}
            raise ClientError({"Error": error}, "DescribeTrainingJob")
        return record


class LocalServices:
    """The Task implementations, keyed by integration (the Resource after 'states:::')."""

    def __init__(self, workspace: Workspace, region: str, spark_session):
        self.workspace, self.region = workspace, region
        self._spark_session = spark_session  # created on first use: it takes seconds

    def handlers(self) -> dict[str, Any]:
        return {
            "glue:startJobRun.sync": self.start_glue_job_run,
            "sagemaker:createTrainingJob.sync": self.create_training_job,
            "sagemaker:createModel": self.create_model,
            "lambda:invoke": self.invoke_lambda,
            "sagemaker:createEndpointConfig": self.create_endpoint_config,
            "aws-sdk:sagemaker:describeEndpoint": self.describe_endpoint,
            "sagemaker:createEndpoint": self.create_endpoint,
            "sagemaker:updateEndpoint": self.update_endpoint,
        }

    def start_glue_job_run(self, parameters: dict[str, Any]) -> dict[str, Any]:
        arguments = parameters["Arguments"]
        paths = {k: str(self.workspace.path_of(v)) for k, v in arguments.items()}
        try:
            report = etl_job.prepare(
                self._spark_session(),
                paths["--source_uri"],
                paths["--train_uri"],
                paths["--validation_uri"],
            )
        except etl_job.SourceError as error:
            raise TaskFailure("States.TaskFailed", f"Glue job failed: {error}") from error
        return {
            "JobName": parameters["JobName"],
            "Id": f"jr_local_{uuid.uuid4().hex}",
            "JobRunState": "SUCCEEDED",
            "Arguments": arguments,
            "Report": str(report),
        }

    def create_training_job(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["TrainingJobName"]
        channels = {
            channel["ChannelName"]: self.workspace.path_of(
                channel["DataSource"]["S3DataSource"]["S3Uri"]
            )
            for channel in parameters["InputDataConfig"]
        }
        output_uri = parameters["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        output = self.workspace.path_of(f"{output_uri}/{name}/output")
        try:
            result = local_training.train(
                channels["train"], channels["validation"], parameters["HyperParameters"], output
            )
        except local_training.TrainingDataError as error:
            raise TaskFailure(
                "States.TaskFailed", f"training job {name} failed: {error}"
            ) from error
        now = datetime.now(UTC)
        description = {
            "TrainingJobName": name,
            "TrainingJobArn": self._arn("training-job", name),
            "TrainingJobStatus": "Completed",
            "SecondaryStatus": "Completed",
            "HyperParameters": parameters["HyperParameters"],
            "ModelArtifacts": {"S3ModelArtifacts": self.workspace.uri_of(result.model_archive)},
            "FinalMetricDataList": [
                {"MetricName": metric, "Value": value, "Timestamp": now.isoformat()}
                for metric, value in sorted(result.metrics.items())
            ],
            "CreationTime": now.isoformat(),
        }
        self.workspace.save("training-jobs", name, description)
        return description

    def create_model(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["ModelName"]
        model_data = parameters["PrimaryContainer"]["ModelDataUrl"]
        self.workspace.save("models", name, {"ModelName": name, "ModelDataUrl": model_data})
        return {"ModelArn": self._arn("model", name)}

    def invoke_lambda(self, parameters: dict[str, Any]) -> dict[str, Any]:
        client = LocalSageMaker(self.workspace)
        try:
            payload = evaluator.handler(parameters["Payload"], None, sagemaker_client=client)
        except evaluator.EvaluatorError as error:
            # Lambda reports a function's exception by its class name.
            raise TaskFailure(type(error).__name__, str(error)) from error
        return {"StatusCode": 200, "Payload": payload}

    def create_endpoint_config(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["EndpointConfigName"]
        model_name = parameters["ProductionVariants"][0]["ModelName"]
        model = self.workspace.load("models", model_name)
        if model is None:
            raise TaskFailure("SageMaker.AmazonSageMakerException", f"no model {model_name}")
        self.workspace.save("endpoint-configs", name, {**model, "EndpointConfigName": name})
        return {"EndpointConfigArn": self._arn("endpoint-config", name)}

    def describe_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.workspace.load("endpoints", parameters["EndpointName"])
        if endpoint is None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f'Could not find endpoint "{parameters["EndpointName"]}".',
            )
        return {**endpoint, "EndpointStatus": "InService"}

    def create_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if self.workspace.load("endpoints", parameters["EndpointName"]) is not None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f"Cannot create already existing endpoint {parameters['EndpointName']}.",
            )
        return self._point_endpoint(parameters, history=[])

    def update_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        current = self.workspace.load("endpoints", parameters["EndpointName"])
        if current is None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f"Could not find endpoint {parameters['EndpointName']}.",
            )
        return self._point_endpoint(parameters, history=current["History"])

    def _point_endpoint(self, parameters: dict[str, Any], history: list) -> dict[str, Any]:
        """The model store: the endpoint serves one config; every earlier one is kept."""
        name, config_name = parameters["EndpointName"], parameters["EndpointConfigName"]
        config = self.workspace.load("endpoint-configs", config_name)
        if config is None:
            raise TaskFailure("SageMaker.AmazonSageMakerException", f"no config {config_name}")
        entry = {**config, "DeployedAt": datetime.now(UTC).isoformat()}
        record = {"EndpointName": name, **config, "History": [*history, entry]}
        self.workspace.save("endpoints", name, record)
        return {"EndpointArn": self._arn("endpoint", name)}

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{LOCAL_ACCOUNT}:{kind}/{name}"


def live_model(workspace: Workspace, endpoint_name: str) -> tuple[dict[str, Any], Path]:
    """The endpoint's record and the model archive it serves."""
    endpoint = workspace.load("endpoints", endpoint_name)
    if endpoint is None:
        raise FileNotFoundError(
            f"no local endpoint {endpoint_name} yet: a local run must pass the quality gate first"
        )
    return endpoint, workspace.path_of(endpoint["ModelDataUrl"])
