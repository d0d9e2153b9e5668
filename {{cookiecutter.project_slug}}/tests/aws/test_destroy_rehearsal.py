"""`destroy` rehearsed against moto in server mode, like test_deploy_rehearsal.py.

What moto cannot show here: its CloudFormation skips AWS::S3::BucketPolicy,
AWS::Scheduler::Schedule and AWS::SageMaker::ModelPackageGroup (so the kept policy
is shown by the kept stack, and the schedule and the registry are created directly),
its SageMaker has no DeleteModelPackage (answered as the API reference documents:
HTTP 200, no body), its training jobs are Completed at once (stopping one is tested
with stubs in test_stop_runs.py), and it does not check ExpectedBucketOwner (the
requests are checked for it instead). That CloudFormation fails to delete a model
package group that still holds versions is reported AWS behaviour (the API reference
names only ConflictException), not moto's: not shown here.
"""

from __future__ import annotations

import json
import types

import boto3
import pytest
from project.aws.session import AwsSession
from project.settings import load_settings
from project.settings.names import model_package_group_name

from . import test_deploy_rehearsal as rehearsal
from .test_deploy_rehearsal import ACCOUNT, REGION, cli, clients

# The deploy rehearsal's emulator and project, and its filter of moto's warnings.
emulator, rendered, project = rehearsal.emulator, rehearsal.rendered, rehearsal.project
pytestmark = rehearsal.pytestmark


@pytest.fixture
def requests(monkeypatch):
    """Every request the project's clients send: (service, operation, headers)."""
    sent: list[tuple[str, str, dict[str, str]]] = []
    original = AwsSession.client

    def client(self, service):
        new = service not in self._clients
        made = original(self, service)
        if new:
            made.meta.events.register(
                "before-call",
                lambda model, params, **_: sent.append((service, model.name, params["headers"])),
            )
        return made

    monkeypatch.setattr(AwsSession, "client", client)
    return sent


def sagemaker_client():
    return boto3.client("sagemaker", region_name=REGION)


def deploy_an_endpoint(slug: str) -> None:
    """What a run past its gate leaves: a model, an endpoint config and the endpoint."""
    sagemaker = sagemaker_client()
    run = f"{slug}-rehearsal-1"
    sagemaker.create_model(
        ModelName=run,
        PrimaryContainer={"Image": "xgboost", "ModelDataUrl": f"s3://b/runs/{run}/model.tar.gz"},
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/{slug}-sagemaker-role",
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=run,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": run,
                             "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )  # fmt: skip
    sagemaker.create_endpoint(EndpointName=f"{slug}-endpoint", EndpointConfigName=run)


def test_a_users_bucket_tagged_with_the_slug_is_left_alone(project, emulator, capsys):
    settings = load_settings(project)
    s3 = clients(emulator)["s3"]
    s3.create_bucket(Bucket=settings.artifact_bucket)  # the user's, made before any deploy
    tags = {"TagSet": [{"Key": "project", "Value": settings.slug}]}
    s3.put_bucket_tagging(Bucket=settings.artifact_bucket, Tagging=tags)
    s3.put_object(Bucket=settings.artifact_bucket, Key="precious.csv", Body=b"a,b\n1,2\n")
    assert cli(project, "deploy") == 0
    assert "using your existing bucket" in capsys.readouterr().out
    assert cli(project, "destroy", "--yes", "--force") == 0
    out = capsys.readouterr().out
    assert "every object version" not in out and "deleted" not in out.split("left in")[0]
    body = s3.get_object(Bucket=settings.artifact_bucket, Key="precious.csv")["Body"].read()
    assert body == b"a,b\n1,2\n"
    assert f"bucket s3://{settings.artifact_bucket}: not created by the storage stack" in out


def test_destroy_stops_the_schedule_and_runs_before_it_removes_anything(
    project, emulator, capsys, requests
):
    assert cli(project, "deploy") == 0
    assert cli(project, "upload-data", "--sample", "--rows", "50") == 0
    settings = load_settings(project)
    slug = settings.slug
    assert cli(project, "run", "--run-name", f"{slug}-rehearsal-2") == 0
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{slug}-retraining"
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule(  # moto's CloudFormation skips the stack's schedule
        Name=f"{slug}-retraining", ScheduleExpression="rate(1 day)",
        ScheduleExpressionTimezone="Europe/Paris", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{slug}-scheduler-role"},
    )  # fmt: skip
    scheduler.create_schedule(  # what the new-data trigger leaves until it fires
        Name=f"{slug}-new-data", ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{slug}-scheduler-role"},
    )  # fmt: skip
    deploy_an_endpoint(slug)
    capsys.readouterr()
    requests.clear()
    assert cli(project, "destroy", "--yes", "--force") == 0
    out = capsys.readouterr().out
    plan, progress = out.split("\n", 1)[1].split(f"schedule {slug}-retraining: disabled")
    assert "1 running execution (stopped)" in plan and f"endpoint {slug}-endpoint" in plan
    assert f"schedule {slug}-new-data, a run new data set (deleted)" in plan
    for line in (f"execution {slug}-rehearsal-2: stopping", "every run and job has stopped",
                 f"schedule {slug}-new-data: deleted (a run new data had set)",
                 f"endpoint {slug}-endpoint: deleted", f"{slug}-pipeline: deleting"):  # fmt: skip
        assert line in progress
    operations = [operation for _, operation, _ in requests]
    order = [operations.index(name) for name in
             ("UpdateSchedule", "StopExecution", "DeleteEndpoint", "DeleteStack")]  # fmt: skip
    assert order == sorted(order)
    schedule = scheduler.get_schedule(Name=f"{slug}-retraining")
    assert schedule["State"] == "DISABLED"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"  # the rest sent back as it was
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(Name=f"{slug}-new-data")


def test_a_kept_bucket_keeps_its_stack_and_the_next_deploy_updates_it(project, emulator, capsys):
    settings = load_settings(project)
    assert cli(project, "deploy") == 0
    assert cli(project, "destroy", "--yes") == 0
    out = capsys.readouterr().out
    assert f"kept s3://{settings.artifact_bucket} and its stack {settings.slug}-storage" in out
    cloudformation = clients(emulator)["cloudformation"]
    (stack,) = cloudformation.describe_stacks(StackName=f"{settings.slug}-storage")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert cli(project, "deploy") == 0
    out = capsys.readouterr().out
    assert "using your existing bucket" not in out  # not adopted "as it is"
    assert f"{settings.slug}-storage: no changes" in out  # the stack still manages it
    resources = cloudformation.list_stack_resources(StackName=f"{settings.slug}-storage")
    owned = {r["LogicalResourceId"]: r["PhysicalResourceId"]
             for r in resources["StackResourceSummaries"]}  # fmt: skip
    assert owned["ArtifactBucket"] == settings.artifact_bucket


def test_every_s3_request_names_the_accounts_bucket_owner(project, capsys, requests):
    assert cli(project, "deploy") == 0
    assert cli(project, "upload-data", "--sample", "--rows", "50") == 0
    assert cli(project, "run") == 0
    assert cli(project, "destroy", "--yes", "--force") == 0
    s3 = [(operation, headers) for service, operation, headers in requests if service == "s3"]
    assert {"PutObject", "ListObjectVersions", "DeleteObjects", "DeleteBucket"} <= {
        operation for operation, _ in s3
    }
    assert [op for op, headers in s3 if headers.get("x-amz-expected-bucket-owner") != ACCOUNT] == []


def test_destroy_prints_what_is_left_and_why(project, emulator, capsys):
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    slug = settings.slug
    deploy_an_endpoint(slug)
    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")  # SageMaker's, shared
    logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs",
                           logStreamName=f"{slug}-rehearsal-1/algo-1-1700000000")  # fmt: skip
    logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs",
                           logStreamName="another-project-1/algo-1-1700000000")  # fmt: skip
    iam = clients(emulator)["iam"]  # the CI role's stack, as 'ci-role' would leave it
    clients(emulator)["cloudformation"].create_stack(
        StackName=f"{slug}-ci-role",
        TemplateBody=json.dumps({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": f"{slug}-ci-deploy-role",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}}}}),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )  # fmt: skip
    capsys.readouterr()
    assert cli(project, "destroy", "--yes") == 0
    out = capsys.readouterr().out
    left = out[out.index("left in account") :]
    print(left)  # shown with -s: the inventory quoted in the change's notes
    assert f"stack {slug}-storage (CREATE_COMPLETE): kept with its bucket" in left
    assert f"stack {slug}-ci-role (CREATE_COMPLETE): the role CI deploys with" in left
    assert f"delete-stack --stack-name {slug}-ci-role" in left
    assert f"bucket s3://{settings.artifact_bucket}: the storage stack's; it holds data" in left
    assert "1 SageMaker models of past runs" in left and "cost nothing" in left
    assert "1 SageMaker endpoint configs of past runs" in left
    assert "/aws/sagemaker/TrainingJobs: shared by every job" in left
    assert "kept forever (no retention), 1 streams of this project's training jobs" in left
    assert f"IAM role {slug}-ci-deploy-role" in left
    assert f"endpoint {slug}-endpoint" not in left and f"{slug}-pipeline" not in left
    assert iam.get_role(RoleName=f"{slug}-ci-deploy-role")  # listed, not removed


def test_status_of_an_unknown_run_says_so_on_one_line(project, capsys):
    assert cli(project, "deploy") == 0
    slug = load_settings(project).slug
    capsys.readouterr()
    assert cli(project, "status", f"{slug}-d32c5kddcf5bb8c3") == 2
    error = capsys.readouterr().err
    assert f"{slug}-retraining has no run named {slug}-d32c5kddcf5bb8c3" in error
    assert error.count("\n") == 1


@pytest.fixture
def deleted_model_packages(monkeypatch):
    """DeleteModelPackage, which moto lacks, answered as AWS documents it (HTTP 200
    with an empty body): the names sent are recorded, nothing is deleted in moto."""
    deleted: list[str] = []
    original = AwsSession.client

    def answer(model, params, **_):
        if model.name != "DeleteModelPackage":
            return None  # sent to moto
        deleted.append(json.loads(params["body"])["ModelPackageName"])
        return types.SimpleNamespace(status_code=200, headers={}), {}

    def client(self, service):
        new = service not in self._clients
        made = original(self, service)
        if new and service == "sagemaker":
            # On "before-call" like the requests fixture's recorder, which runs first.
            made.meta.events.register("before-call", answer)
        return made

    monkeypatch.setattr(AwsSession, "client", client)
    return deleted


def register_versions(group: str, count: int) -> list[str]:
    """Versions as the state machine registers them (CreateModelPackage in a group)."""
    sagemaker = sagemaker_client()
    sagemaker.create_model_package_group(ModelPackageGroupName=group)
    spec = {
        "Containers": [{"Image": "xgboost", "ModelDataUrl": "s3://b/models/m.tar.gz"}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["text/csv"],
    }
    return [
        sagemaker.create_model_package(
            ModelPackageGroupName=group, InferenceSpecification=spec,
            ModelApprovalStatus="Approved" if version == 0 else "Rejected",
        )["ModelPackageArn"]
        for version in range(count)
    ]  # fmt: skip


def test_destroy_deletes_the_registrys_versions_after_asking_and_before_the_stack(
    project, emulator, capsys, requests, deleted_model_packages
):
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    group = model_package_group_name(settings)
    ours = register_versions(group, 2)  # the stack's group, which moto skips
    register_versions(f"{group}-another-project", 1)
    capsys.readouterr()
    assert cli(project, "destroy") == 2  # not confirmed: nothing is deleted
    assert deleted_model_packages == []
    requests.clear()
    assert cli(project, "destroy", "--yes") == 0
    out = capsys.readouterr().out
    assert f"2 model version(s) in the registry {group}" in out
    assert f"model registry {group}: deleted 2 model version(s)" in out
    assert sorted(deleted_model_packages) == sorted(ours)  # the other group's is untouched
    operations = [operation for _, operation, _ in requests]
    assert operations.index("DeleteModelPackage") < operations.index("DeleteStack")
    # moto kept the group and its versions (no DeleteModelPackage; CloudFormation did not
    # create the group), so the inventory lists what AWS would have deleted with the stack.
    assert f"model registry {group} (2 version(s)): no stack of the project holds it" in out


def test_destroy_deletes_the_endpoints_captured_requests_and_drift_reports(
    project, emulator, capsys
):
    """The endpoint's traffic goes with the endpoint, every version of it; the data a
    user uploaded stays, and with it the bucket (unless --force)."""
    assert cli(project, "deploy") == 0
    settings = load_settings(project)
    deploy_an_endpoint(settings.slug)
    s3 = clients(emulator)["s3"]
    bucket = settings.artifact_bucket
    traffic = [f"capture/{settings.slug}-endpoint/AllTraffic/2026/12/05/01/a.jsonl",
               f"monitoring/{settings.slug}-endpoint/2026/12/05/010000-000000/"
               "constraint_violations.json"]  # fmt: skip
    for key in traffic:
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}\n")  # a second version
    s3.put_object(Bucket=bucket, Key="data/raw/mine.csv", Body=b"a,b\n1,2\n")
    versions = sum(  # as many as the bucket's versioning kept (moto's stack may not turn it on)
        len(s3.list_object_versions(Bucket=bucket, Prefix=prefix).get("Versions", []))
        for prefix in ("capture/", "monitoring/")
    )
    capsys.readouterr()
    assert cli(project, "destroy", "--yes") == 0
    out = capsys.readouterr().out
    assert f"{versions} object version(s) of captured requests and drift reports under " in out
    assert f"captured requests and drift reports: deleted {versions} object version(s)" in out
    for prefix in ("capture/", "monitoring/"):
        listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
        assert not listing.get("Versions") and not listing.get("DeleteMarkers")
    assert s3.get_object(Bucket=bucket, Key="data/raw/mine.csv")["Body"].read() == b"a,b\n1,2\n"
    assert f"kept s3://{bucket}" in out
