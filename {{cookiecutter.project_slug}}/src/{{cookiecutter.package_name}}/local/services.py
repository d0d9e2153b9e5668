"""Local stand-ins for the AWS services the workflow's Task states call.

Each function takes the Task's resolved Parameters and returns what the service
integration returns on AWS (the parts the workflow reads), or raises TaskFailure
with an error name Step Functions would use. S3 URIs stay S3 URIs in the state
data, as on AWS; ``Workspace`` maps them to files under the project's .local/.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from ..steps import glue_etl_job as etl_job
from ..steps import lambda_evaluator as evaluator
from . import batch_transform as local_transform
from . import distributed_training
from . import training as local_training
from .accounts import LOCAL_ACCOUNT
from .interpreter import TaskFailure, caused_by_interrupt
from .registry import LocalRegistry, validation_error

LOCAL_BUCKET = "local-artifacts"
# What SageMaker reports when a production variant's container never answers /ping
# (a model that cannot load), from the DescribeEndpoint FailureReason users see.
HEALTH_CHECK_FAILURE = (
    "The primary container for production variant AllTraffic did not pass the ping "
    "health check. Please check CloudWatch logs for this endpoint."
)
# A new or updated endpoint answers this many DescribeEndpoint calls with Creating or
# Updating before it settles, so the workflow's wait loop runs locally too.
CHECKS_BEFORE_SETTLED = 1
# How many validation rows a local update's bake period sends to the new model.
BAKE_REQUEST_ROWS = 200


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
        """Write a record atomically: a run killed meanwhile leaves the previous one."""
        path = self._record(kind) / f"{name}.json"
        scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        scratch.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
        os.replace(scratch, path)

    def load(self, kind: str, name: str) -> dict[str, Any] | None:
        path = self._record(kind) / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


class LocalSageMakerClient:
    """boto3's SageMaker client, for the calls the evaluator and the registry commands
    make, answered by the local stand-ins below, so that code runs unchanged locally."""

    def __init__(self, services: LocalServices, caller_account: str | None = None):
        # The account of the credentials calling: another stage's, when promote reads
        # the first stage's registry (answered only as the group's policy allows).
        self.services, self.caller_account = services, caller_account

    def describe_training_job(self, TrainingJobName: str) -> dict[str, Any]:
        record = self.services.workspace.load("training-jobs", TrainingJobName)
        if record is None:
            error = {"Code": "ValidationException", "Message": "Requested resource not found."}
            raise ClientError({"Error": error}, "DescribeTrainingJob")
        return record

    def list_model_packages(self, ModelPackageGroupName: str, **_: Any) -> dict[str, Any]:
        group = ModelPackageGroupName.rsplit("/", 1)[-1]  # a name, or another account's ARN
        self._check("ListModelPackages", "sagemaker:ListModelPackages",
                    self.services.registry.group_arn(group))  # fmt: skip
        records = self.services.registry.list_model_packages(group)
        return {"ModelPackageSummaryList": [
            {"ModelPackageArn": r["ModelPackageArn"]} for r in records
        ]}  # fmt: skip

    def describe_model_package(self, **parameters: Any) -> dict[str, Any]:
        self._check("DescribeModelPackage", "sagemaker:DescribeModelPackage",
                    parameters["ModelPackageName"])  # fmt: skip
        return self._call("DescribeModelPackage", self.services.registry.describe_model_package,
                          parameters)  # fmt: skip

    def create_model_package(self, **parameters: Any) -> dict[str, Any]:
        return self._call("CreateModelPackage", self.services.registry.create_model_package,
                          parameters)  # fmt: skip

    def create_model(self, **parameters: Any) -> dict[str, Any]:
        return self._call("CreateModel", self.services.create_model, parameters)

    def describe_model(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeModel", self.services.describe_model, parameters)

    def _check(self, operation: str, action: str, resource: str) -> None:
        try:
            self.services.registry.check_access(self.caller_account, action, resource)
        except TaskFailure as failure:
            error = {"Code": "AccessDeniedException", "Message": failure.cause}
            raise ClientError({"Error": error}, operation) from None

    def update_model_package(self, **parameters: Any) -> dict[str, Any]:
        return self._call("UpdateModelPackage", self.services.registry.update_model_package,
                          parameters)  # fmt: skip

    def describe_endpoint(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeEndpoint", self.services.describe_endpoint, parameters)

    def describe_endpoint_config(self, **parameters: Any) -> dict[str, Any]:
        return self._call("DescribeEndpointConfig", self.services.describe_endpoint_config,
                          parameters)  # fmt: skip

    def update_endpoint(self, **parameters: Any) -> dict[str, Any]:
        return self._call("UpdateEndpoint", self.services.update_endpoint, parameters)

    @staticmethod
    def _call(operation: str, handler, parameters: dict[str, Any]) -> dict[str, Any]:
        try:
            return handler(parameters)
        except TaskFailure as failure:  # as boto3 raises SageMaker's ValidationException
            message = failure.cause.split(" (Service: SageMaker")[0]
            error = {"Code": "ValidationException", "Message": message}
            raise ClientError({"Error": error}, operation) from None


class LocalS3:
    """The two S3 calls the evaluator's comparison makes, answered from the workspace."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def get_paginator(self, operation: str) -> LocalS3:
        assert operation == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str):
        folder = self.workspace.path_of(f"s3://{Bucket}/{Prefix}")
        base = self.workspace.path_of(f"s3://{Bucket}/")
        files = (
            sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
        )
        yield {"Contents": [{"Key": path.relative_to(base).as_posix()} for path in files]}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": LocalBody(self.workspace.path_of(f"s3://{Bucket}/{Key}"))}


class LocalBody:
    """The two ways the project reads a GetObject body (botocore's StreamingBody): whole
    (read) or streamed line by line, without line endings (iter_lines)."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> bytes:
        return self.path.read_bytes()

    def iter_lines(self):
        with self.path.open("rb") as stream:
            for line in stream:
                yield line.rstrip(b"\r\n")


@dataclass(frozen=True)
class Alarm:
    """A rollback alarm as the pipeline stack creates it: per minute, >= threshold."""

    metric: str  # "Invocation5XXErrors" (a count) or "ModelLatency" (microseconds)
    threshold: float


class LocalServices:
    """The Task implementations, keyed by integration (the Resource after 'states:::')."""

    def __init__(
        self,
        workspace: Workspace,
        region: str,
        spark_session,
        raw_data: Path | None = None,
        raw_data_label: str | None = None,
        alarms: dict[str, Alarm] | None = None,
        registry_group: str | None = None,
        account: str = LOCAL_ACCOUNT,
        promotion_accounts: tuple[str, ...] = (),
    ):
        self.workspace, self.region, self.account = workspace, region, account
        # What the pipeline stack creates on AWS: the rollback alarms, the registry.
        self.alarms = alarms or {}
        self.registry = LocalRegistry(workspace, region, account)
        if registry_group:  # with the later stages' read grant, as the first stage's stack
            self.registry.create_group(registry_group, promotion_accounts)
        self._spark_session = spark_session  # created on first use: it takes seconds
        # The run's own copy of its input stands for the raw-data prefix on S3; errors
        # name what the user gave (raw_data_label), not the copy.
        self.raw_data, self.raw_data_label = raw_data, raw_data_label
        # Where a long task says how far it has got (run_locally: the run's display).
        self.say: Callable[[str], None] | None = None

    def handlers(self) -> dict[str, Any]:
        return {
            "glue:startJobRun.sync": self.start_glue_job_run,
            "sagemaker:createTrainingJob.sync": self.create_training_job,
            "sagemaker:createModel": self.create_model,
            "aws-sdk:sagemaker:describeModel": self.describe_model,
            "aws-sdk:sagemaker:describeTrainingJob": self.describe_training_job,
            "lambda:invoke": self.invoke_lambda,
            "sagemaker:createEndpointConfig": self.create_endpoint_config,
            "aws-sdk:sagemaker:describeEndpoint": self.describe_endpoint,
            "sagemaker:createEndpoint": self.create_endpoint,
            "aws-sdk:sagemaker:updateEndpoint": self.update_endpoint,
            "aws-sdk:sagemaker:describeEndpointConfig": self.describe_endpoint_config,
            "sagemaker:createTransformJob.sync": self.create_transform_job,
            "aws-sdk:sagemaker:createModelPackage": self.registry.create_model_package,
            "aws-sdk:sagemaker:updateModelPackage": self.registry.update_model_package,
            "aws-sdk:sagemaker:describeModelPackage": self.registry.describe_model_package,
        }

    def start_glue_job_run(self, parameters: dict[str, Any]) -> dict[str, Any]:
        arguments = parameters["Arguments"]
        schema = etl_job.Schema.from_json(arguments["--schema"])
        paths = {
            key: str(self.workspace.path_of(value))
            for key, value in arguments.items()
            if key.endswith("_uri")
        }
        if self.raw_data is not None and Path(paths["--source_uri"]) == self.workspace.raw_data:
            paths["--source_uri"] = str(self.raw_data)
        try:
            report = etl_job.prepare(
                self._spark_session(),
                paths["--source_uri"],
                paths["--train_uri"],
                paths["--validation_uri"],
                schema,
                paths.get("--baseline_uri"),
                arguments.get("--train_on", etl_job.TRAIN_ON_ALL),
                hosts=int(arguments.get("--hosts", "1")),
            )
        except etl_job.SourceError as error:
            raise TaskFailure(
                "States.TaskFailed", f"Glue job failed: {self._named(error)}"
            ) from error
        except Exception as error:  # a failed Glue job run, as Step Functions reports it
            if caused_by_interrupt(error):  # py4j wraps a Ctrl-C in its own error
                raise
            if "No space left on device" in str(error):  # Spark's cause, deep in a Py4J error
                raise TaskFailure(
                    "States.TaskFailed",
                    f"Glue job failed: no space left on {self.workspace.root} (local Spark "
                    "writes the run's data and its shuffle files there); free some space",
                ) from error
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise TaskFailure(
                "States.TaskFailed",
                f"Glue job failed: {type(error).__name__}: {self._named(first_line)}",
            ) from error
        return {
            "JobName": parameters["JobName"],
            "Id": f"jr_local_{uuid.uuid4().hex}",
            "JobRunState": "SUCCEEDED",
            "Arguments": arguments,
            "Report": str(report),
        }

    def _named(self, message: object) -> str:
        text = str(message)
        if self.raw_data is not None and self.raw_data_label:
            text = text.replace(str(self.raw_data), self.raw_data_label)
        return text

    def create_training_job(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["TrainingJobName"]
        if self.workspace.load("training-jobs", name) is not None:
            # SageMaker's answer to a name used before, in the account and region.
            raise TaskFailure(
                "SageMaker.ResourceInUseException",
                "Training job names must be unique within an AWS account and region, and "
                f"a training job with this name already exists ({self._arn('training-job', name)})",
            )
        channels = {
            channel["ChannelName"]: distributed_training.Channel(
                self.workspace.path_of(channel["DataSource"]["S3DataSource"]["S3Uri"]),
                channel["DataSource"]["S3DataSource"]["S3DataDistributionType"],
            )
            for channel in parameters["InputDataConfig"]
        }
        output_uri = parameters["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        output = self.workspace.path_of(f"{output_uri}/{name}/output")
        hosts = int(parameters["ResourceConfig"]["InstanceCount"])
        try:
            if hosts > 1:
                result, left_out = distributed_training.train(
                    channels, parameters["HyperParameters"], output, hosts
                )
            else:
                left_out = []
                result = local_training.train(
                    channels["train"].folder, channels["validation"].folder,
                    parameters["HyperParameters"], output, say=self.say,
                )  # fmt: skip
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
            "ResourceConfig": parameters["ResourceConfig"],
        }
        if left_out:  # what the container's log says of them
            description["HostsWithoutData"] = left_out
        self.workspace.save("training-jobs", name, description)
        return description

    def create_model(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["ModelName"]
        if self.workspace.load("models", name) is not None:
            # SageMaker's ValidationException, as the optimized integration names it.
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f'Cannot create already existing model "{self._arn("model", name)}". '
                "(Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException)",
            )
        container = parameters["PrimaryContainer"]
        self.workspace.save("models", name, {
            "ModelName": name, "ModelDataUrl": container["ModelDataUrl"],
            "Environment": container.get("Environment", {}),
        })  # fmt: skip
        return {"ModelArn": self._arn("model", name)}

    def describe_model(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """DescribeModel (AWS SDK integration): the container as CreateModel gave it."""
        name = parameters["ModelName"]
        record = self.workspace.load("models", name)
        if record is None:
            raise validation_error(f'Could not find model "{self._arn("model", name)}".')
        container = {"Image": "local", "ModelDataUrl": record["ModelDataUrl"]}
        if record.get("Environment"):  # the workflow reads it with IsPresent: either way
            container["Environment"] = record["Environment"]
        return {"ModelName": name, "ModelArn": self._arn("model", name),
                "PrimaryContainer": container}  # fmt: skip

    def describe_training_job(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """DescribeTrainingJob (AWS SDK integration); its botocore model defines
        ResourceNotFound, which the integration names ResourceNotFoundException."""
        name = parameters["TrainingJobName"]
        record = self.workspace.load("training-jobs", name)
        if record is None:
            raise TaskFailure(
                "SageMaker.ResourceNotFoundException",
                f"Requested resource not found: {self._arn('training-job', name)}",
            )
        return record

    def invoke_lambda(self, parameters: dict[str, Any]) -> dict[str, Any]:
        client = LocalSageMakerClient(self)
        try:
            payload = evaluator.handler(
                parameters["Payload"], None, sagemaker_client=client,
                s3_client=LocalS3(self.workspace),
            )  # fmt: skip
        except evaluator.EvaluatorError as error:
            # Lambda reports a function's exception by its class name.
            raise TaskFailure(type(error).__name__, str(error)) from error
        return {"StatusCode": 200, "Payload": payload}

    def create_endpoint_config(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["EndpointConfigName"]
        if self.workspace.load("endpoint-configs", name) is not None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                "Cannot create already existing endpoint configuration "
                f'"{self._arn("endpoint-config", name)}".',
            )
        model_name = parameters["ProductionVariants"][0]["ModelName"]
        model = self.workspace.load("models", model_name)
        if model is None:
            raise TaskFailure("SageMaker.AmazonSageMakerException", f"no model {model_name}")
        # DataCaptureConfig travels to the endpoint with its config: `serve` captures
        # what the live endpoint was deployed with, as SageMaker does.
        variant = parameters["ProductionVariants"][0]
        config = {**model, "EndpointConfigName": name,
                  "DataCaptureConfig": parameters.get("DataCaptureConfig"),
                  "InstanceType": variant.get("InstanceType"),
                  "InitialInstanceCount": variant.get("InitialInstanceCount")}  # fmt: skip
        self.workspace.save("endpoint-configs", name, config)
        return {"EndpointConfigArn": self._arn("endpoint-config", name)}

    def describe_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """DescribeEndpoint: a new or updated endpoint settles a call later, InService
        with the new config when its model loads; otherwise a new endpoint is Failed
        and an updated one stays InService with its previous config and a
        FailureReason, as SageMaker documents for a failed update."""
        name = parameters["EndpointName"]
        record = self.workspace.load("endpoints", name)
        if record is None:
            arn = self._arn("endpoint", name)
            # Step Functions names an error the AWS SDK does not model after the
            # service; the message is SageMaker's (see FIDELITY.md).
            raise TaskFailure(
                "SageMaker.SageMakerException",
                f'Could not find endpoint "{arn}". (Service: SageMaker, Status Code: 400, '
                "Error Code: ValidationException)",
            )
        if "Pending" in record:
            record = self._progress(record)
        return {key: value for key, value in record.items() if key not in _LOCAL_ONLY}

    def create_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["EndpointName"]
        if self.workspace.load("endpoints", name) is not None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f'Cannot create already existing endpoint "{self._arn("endpoint", name)}".',
            )
        config = self._config(parameters["EndpointConfigName"])
        record = {
            "EndpointName": name,
            "EndpointArn": self._arn("endpoint", name),
            "EndpointConfigName": config["EndpointConfigName"],
            "EndpointStatus": "Creating",
            "Pending": config,
            "ChecksLeft": CHECKS_BEFORE_SETTLED,
            "History": [],
        }
        self.workspace.save("endpoints", name, record)
        return {"EndpointArn": record["EndpointArn"]}

    def update_endpoint(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """UpdateEndpoint (AWS SDK integration), with deployment guardrails: the alarms
        named for automatic rollback must exist, as SageMaker checks."""
        name = parameters["EndpointName"]
        record = self.workspace.load("endpoints", name)
        if record is None:
            raise validation_error(f'Could not find endpoint "{self._arn("endpoint", name)}".')
        if record["EndpointStatus"] != "InService":
            raise validation_error(f'Cannot update in-progress endpoint "{record["EndpointArn"]}".')
        deployment = parameters.get("DeploymentConfig", {})
        for alarm in deployment.get("AutoRollbackConfiguration", {}).get("Alarms", []):
            if alarm["AlarmName"] not in self.alarms:
                raise validation_error(
                    f"The alarm {alarm['AlarmName']} for AutoRollbackConfiguration does not "
                    "exist (the pipeline stack creates it)"
                )
        config = self._config(parameters["EndpointConfigName"])
        record.pop("FailureReason", None)
        record.pop("RolledBackBy", None)
        record.update(EndpointStatus="Updating", Pending=config, ChecksLeft=CHECKS_BEFORE_SETTLED,
                      DeploymentConfig=deployment)  # fmt: skip
        self.workspace.save("endpoints", name, record)
        return {"EndpointArn": record["EndpointArn"]}

    def describe_endpoint_config(self, parameters: dict[str, Any]) -> dict[str, Any]:
        name = parameters["EndpointConfigName"]
        config = self.workspace.load("endpoint-configs", name)
        if config is None:
            raise validation_error(
                f'Could not find endpoint configuration "{self._arn("endpoint-config", name)}".'
            )
        return {
            "EndpointConfigName": name,
            "EndpointConfigArn": self._arn("endpoint-config", name),
            "ProductionVariants": [{
                "VariantName": "AllTraffic", "ModelName": config["ModelName"],
                "InstanceType": config.get("InstanceType"),
                "InitialInstanceCount": config.get("InitialInstanceCount"),
            }],
        }  # fmt: skip

    def create_transform_job(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """CreateTransformJob, run to its end (.sync): every input file's records through
        the model, joined and filtered as DataProcessing says."""
        name = parameters["TransformJobName"]
        if self.workspace.load("transform-jobs", name) is not None:
            raise TaskFailure(
                "SageMaker.ResourceInUseException",
                f"Transform job names must be unique within an AWS account and region, and "
                "a transform job with this name already exists "
                f"({self._arn('transform-job', name)})",
            )
        model = self.workspace.load("models", parameters["ModelName"])
        if model is None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f'Could not find model "{self._arn("model", parameters["ModelName"])}".',
            )
        source = self.workspace.path_of(
            parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        )
        output_uri = parameters["TransformOutput"]["S3OutputPath"].rstrip("/")
        output = self.workspace.path_of(output_uri)
        processing = parameters.get("DataProcessing", {})
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
        try:
            if not files:
                raise local_transform.TransformError(f"no input files under {source}")
            booster = local_training.load_model(self.workspace.path_of(model["ModelDataUrl"]))
            output.mkdir(parents=True, exist_ok=True)
            records = sum(
                local_transform.transform_file(
                    booster, path, output / f"{path.relative_to(source).as_posix()}.out",
                    processing.get("InputFilter", "$"), processing.get("JoinSource", "None"),
                    processing.get("OutputFilter", "$"),
                )
                for path in files
            )  # fmt: skip
        except Exception as error:  # a failed job, as .sync reports it, with its reason
            if caused_by_interrupt(error):
                raise
            raise TaskFailure(
                "States.TaskFailed", f"transform job {name} failed: ClientError: {error}"
            ) from error
        description = {
            "TransformJobName": name,
            "TransformJobArn": self._arn("transform-job", name),
            "TransformJobStatus": "Completed",
            "ModelName": parameters["ModelName"],
            "TransformOutput": parameters["TransformOutput"],
            "Records": records,
        }
        self.workspace.save("transform-jobs", name, description)
        return description

    def _config(self, config_name: str) -> dict[str, Any]:
        config = self.workspace.load("endpoint-configs", config_name)
        if config is None:
            raise TaskFailure(
                "SageMaker.AmazonSageMakerException",
                f"Could not find endpoint configuration {config_name}.",
            )
        return config

    def _progress(self, record: dict[str, Any]) -> dict[str, Any]:
        """One DescribeEndpoint call's worth of progress of a Creating/Updating endpoint."""
        if record["ChecksLeft"] > 0:
            record["ChecksLeft"] -= 1
        else:
            pending = record.pop("Pending")
            record.pop("ChecksLeft")
            try:
                start_serving_container(self.workspace.path_of(pending["ModelDataUrl"]))
            except Exception:  # any load error is the container failing /ping
                record["FailureReason"] = HEALTH_CHECK_FAILURE
                record["EndpointStatus"] = "Failed" if not record["History"] else "InService"
            else:
                tripped = self._alarms_during_bake(pending, record.pop("DeploymentConfig", {}))
                if tripped and record["History"]:
                    # SageMaker's automatic rollback: all traffic back to the old fleet.
                    record.update(EndpointStatus="InService", RolledBackBy=tripped)
                else:
                    entry = {**pending, "DeployedAt": datetime.now(UTC).isoformat()}
                    record.update(
                        pending, EndpointStatus="InService", History=[*record["History"], entry]
                    )
        self.workspace.save("endpoints", record["EndpointName"], record)
        return record

    def _alarms_during_bake(self, pending: dict[str, Any], deployment: dict[str, Any]) -> list[str]:
        """The rollback alarms that fire while the new model takes the bake traffic: the
        run's validation rows (features only), as clients' requests."""
        names = [a["AlarmName"] for a in deployment.get("AutoRollbackConfiguration", {}).get(
            "Alarms", [])]  # fmt: skip
        if not names:
            return []
        validation = self.workspace.path_of(
            f"s3://{LOCAL_BUCKET}/runs/{pending['ModelName']}/validation/"
        )
        rows = []
        for path in sorted(validation.rglob("*")) if validation.is_dir() else []:
            if path.is_file():
                lines = path.read_text(encoding="utf-8").splitlines()
                rows += [line.split(",", 1)[1] for line in lines if "," in line]
        traffic = local_transform.bake_traffic(
            self.workspace.path_of(pending["ModelDataUrl"]), rows[:BAKE_REQUEST_ROWS]
        )
        measured = {
            "Invocation5XXErrors": traffic.errors_5xx,
            "ModelLatency": traffic.average_latency_ms * 1000,  # microseconds, as CloudWatch
        }
        return [
            name for name in names
            if measured[self.alarms[name].metric] >= self.alarms[name].threshold
        ]  # fmt: skip

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:{kind}/{name}"


def start_serving_container(model_archive: Path) -> None:
    """What a new hosting instance does before it answers /ping: load the model."""
    local_training.load_model(model_archive)


# Bookkeeping of the local endpoint that DescribeEndpoint does not return.
_LOCAL_ONLY = ("Pending", "ChecksLeft", "History", "ModelName", "ModelDataUrl", "DeployedAt",
               "DeploymentConfig", "RolledBackBy")  # fmt: skip


def live_model(workspace: Workspace, endpoint_name: str) -> tuple[dict[str, Any], Path]:
    """The endpoint's record and the model archive it serves."""
    endpoint = workspace.load("endpoints", endpoint_name)
    if endpoint is None or not endpoint.get("History"):
        raise FileNotFoundError(
            f"no local endpoint {endpoint_name} yet: a local run must pass the quality gate first"
        )
    return endpoint, workspace.path_of(endpoint["ModelDataUrl"])
