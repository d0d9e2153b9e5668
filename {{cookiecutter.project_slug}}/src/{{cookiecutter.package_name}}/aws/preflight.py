"""`preflight`: what only the AWS account can tell, checked before the first deploy.

Read-only: every call below describes, lists or simulates; nothing is created or
changed. Each check gives one line, ``ok  ...`` or ``!!  ... : <what to do>``:

- credentials: STS GetCallerIdentity names the account settings.toml is for;
- quotas: Service Quotas ListServiceQuotas (ServiceCode "sagemaker") has a value for each
  instance type and usage the settings need (``instance_needs``), named as SageMaker
  names them: "<instance type> for training job usage", "... for transform job usage",
  "... for endpoint usage". New accounts often have 0. AWS lists only applied values
  ("If the applied quota value is not available for a quota, the quota is not
  retrieved", ListServiceQuotas API reference): a quota it does not list is unknown,
  not ok;
- image: the SageMaker SDK's bundled table has the XGBoost image for the region (offline
  data, the lookup deploy makes; it raises ValueError for a region it does not list);
- Glue: botocore's endpoint data lists the glue service in the region. Which Glue
  versions a region offers is in no AWS API, so glue.version is not checked;
- role permissions (iam.roles = "existing"): IAM SimulatePrincipalPolicy of each role for
  the actions of its policy in pipeline.yaml (what `iam-policies` prints), and for the
  Step Functions role every action the committed definition's Tasks call;
- role names: IAM role names are account-wide but the stacks regional. A role the
  pipeline stack would create that already exists, and that this region's pipeline
  stack did not create, makes the stack fail. CloudFormation does not tag IAM roles
  with aws:cloudformation:stack-id (aws-cloudformation/cloudformation-coverage-roadmap
  issues 277, 1159, 1966), so the tag is used when present, else the pipeline stack's
  resources in this region, and the role's trust policy names the other region when
  it can (the approval role's names its rule's ARN);
- bucket: S3 HeadBucket with ExpectedBucketOwner: 404 no such bucket yet, 403 another
  account's (or not readable);
- stacks: CloudFormation DescribeStacks of the storage and pipeline stacks: a state
  that deploy cannot update from.

An AWS error in one check (no credentials, access denied) is that check's own line; the
others still run. ``--local`` rehearses every check against botocore's Stubber answering
as a healthy account would (``rehearsal``): it shows what is checked, not your account.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber

from .. import exit_codes
from ..project_layout import definition_path
from ..settings import Settings, SettingsError
from ..settings.names import pipeline_stack_name, stack_role_arn, storage_stack_name
from .errors import AwsError, explained
from .session import AwsSession, profileless_botocore_session
from .stacks import NOT_YET_CREATED, describe_stack

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
MAX_PROBLEM = 300  # characters of an error kept on a check's line
SAGEMAKER_SERVICE_CODE = "sagemaker"
STACK_ID_TAG = "aws:cloudformation:stack-id"
# The roles whose ARNs settings.toml names (iam.roles = "existing"), as policies_from_stack.ROLES.
EXISTING_ROLE_KINDS = ("sagemaker", "stepfunctions", "glue", "lambda")
# What an optimized integration of the definition calls, beyond its own action (Step
# Functions' IAM pages: step-functions/latest/dg/sagemaker-iam.html, glue-iam.html,
# lambda-iam.html); the managed EventBridge rules of .sync jobs are in pipeline.yaml.
OPTIMIZED_ACTIONS = {
    "glue:startJobRun.sync": (
        "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun",
    ),
    "lambda:invoke": ("lambda:InvokeFunction",),
    "sagemaker:createTrainingJob.sync": (
        "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
        "sagemaker:StopTrainingJob", "sagemaker:AddTags",
    ),
    "sagemaker:createTransformJob.sync": (
        "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
        "sagemaker:StopTransformJob", "sagemaker:AddTags",
    ),
}  # fmt: skip
# Condition operators by the ContextKeyType of the key they compare (others: string).
KEY_TYPES = (("Numeric", "numeric"), ("Date", "date"), ("Bool", "boolean"),
             ("IpAddress", "ip"), ("NotIpAddress", "ip"), ("Binary", "binary"))  # fmt: skip
_REGION_IN_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")


@dataclass(frozen=True)
class Check:
    """One check's outcome: ok, failed (the account must change), or unknown (it could
    not be checked; said as plainly as a failure)."""

    status: str
    text: str
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status == OK

    def line(self) -> str:
        return f"ok  {self.text}" if self.passed else f"!!  {self.text} : {self.fix}"


@dataclass(frozen=True)
class InstanceNeed:
    """Instances of one type that one usage runs at once, and the quota that caps them."""

    usage: str  # as SageMaker's quota names say it: training job, transform job, endpoint
    instance_type: str
    count: int
    purpose: str

    @property
    def quota_name(self) -> str:
        return f"{self.instance_type} for {self.usage} usage"


def instance_needs(settings: Settings) -> list[InstanceNeed]:
    """The SageMaker instances a run and the endpoint need at once, per usage."""
    count = settings.training_instance_count
    needs = [InstanceNeed("training job", settings.training_instance_type, count, "training")]
    if settings.compare_with_live:
        # The live and the new model are scored one after the other, one instance each.
        needs.append(InstanceNeed("transform job", settings.scoring_instance_type, 1,
                                  "the champion/challenger batch transform"))  # fmt: skip
    endpoints = settings.endpoint_instance_count
    needs.append(
        InstanceNeed(
            "endpoint",
            settings.endpoint_instance_type,
            2 * endpoints,
            f"a blue/green endpoint update (2 x {endpoints}: both fleets run)",
        )
    )
    return needs


# --- the checks ------------------------------------------------------------------------


def check_account(settings: Settings, aws: AwsSession) -> Check:
    if aws.caller_arn:  # check_account already asked STS and accepted the account
        return Check(OK, f"credentials: {aws.caller_arn} (account {settings.account_id})")
    identity = aws.client("sts").get_caller_identity()
    if identity["Account"] != settings.account_id:
        return Check(
            FAILED,
            f"credentials: your credentials are for account {identity['Account']}, but "
            f"settings.toml is for {settings.account_id}",
            "switch profile (AWS_PROFILE) or fix aws.account_id",
        )
    return Check(OK, f"credentials: {identity['Arn']} (account {identity['Account']})")


def check_quotas(settings: Settings, aws: AwsSession) -> list[Check]:
    needs = instance_needs(settings)
    wanted = {need.quota_name for need in needs}
    listed: dict[str, dict[str, Any]] = {}
    pages = aws.client("service-quotas").get_paginator("list_service_quotas")
    for page in pages.paginate(ServiceCode=SAGEMAKER_SERVICE_CODE):
        for quota in page.get("Quotas", []):
            if quota.get("QuotaName") in wanted:
                listed[quota["QuotaName"]] = quota
    return [_quota_check(settings, need, listed.get(need.quota_name)) for need in needs]


def _quota_check(settings: Settings, need: InstanceNeed, quota: dict[str, Any] | None) -> Check:
    name, region = need.quota_name, settings.region
    if quota is None:
        return Check(
            UNKNOWN,
            f"quota '{name}' is not listed among the account's SageMaker quotas in "
            f"{region} (need {need.count} for {need.purpose})",
            "AWS lists no applied value for some quotas: look it up in the Service Quotas "
            f"console (Amazon SageMaker, {region}) and request an increase if it is below "
            f"{need.count}",
        )
    value = quota.get("Value", 0.0)
    if value < need.count:
        return Check(
            FAILED,
            f"quota '{name}' is {value:g} in {region}; {need.purpose} needs {need.count}",
            "request an increase in the Service Quotas console (quota code "
            f"{quota.get('QuotaCode', '?')})",
        )
    return Check(OK, f"quota '{name}' is {value:g} in {region}; {need.purpose} needs "
                     f"{need.count}")  # fmt: skip


def check_image(settings: Settings) -> Check:
    """The lookup deploy makes: the SageMaker SDK's table, shipped with the package
    (`settings check` refuses a region it lacks; this says so again at the account's door)."""
    from ..workflow.definition import XGBOOST_VERSION, training_image_uri  # imports sagemaker

    what = f"the XGBoost {XGBOOST_VERSION} image"
    try:
        uri = training_image_uri(settings)
    except ValueError:
        return Check(
            FAILED,
            f"{what}: the SageMaker SDK's image table lists none in {settings.region}",
            "choose a region it lists (aws.region), or upgrade the sagemaker package if "
            "the region is newer than it",
        )
    return Check(OK, f"{what} in {settings.region}: {uri} (the SageMaker SDK's table)")


def check_glue(settings: Settings) -> Check:
    # botocore's endpoint data, shipped with it: no profile is read, nothing is asked.
    regions = profileless_botocore_session().get_available_regions(
        "glue", partition_name=settings.partition
    )
    versions = (
        f"glue.version {settings.glue_version} is not checked: no AWS API says which Glue "
        "versions a region offers"
    )
    if settings.region not in regions:
        return Check(
            UNKNOWN,
            f"Glue: botocore's endpoint data does not list glue in {settings.region}; {versions}",
            "check the AWS Regional Services list, or upgrade boto3 if the region is new",
        )
    return Check(OK, f"Glue: botocore's endpoint data lists glue in {settings.region}; "
                     f"{versions}")  # fmt: skip


@dataclass(frozen=True)
class Requirement:
    """An action a role needs on one of ``resources`` (one statement's resources, which
    may mix resource types: each action applies to its own)."""

    action: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class RolePlan:
    """What to ask SimulatePrincipalPolicy for one role, and what must come back allowed."""

    kind: str
    role_arn: str
    requirements: tuple[Requirement, ...]
    context: tuple[tuple[str, str, str], ...]  # condition key, a value that meets it, type

    def request(self) -> dict[str, Any]:
        actions = sorted({requirement.action for requirement in self.requirements})
        resources = sorted({r for requirement in self.requirements for r in requirement.resources})
        request: dict[str, Any] = {
            "PolicySourceArn": self.role_arn,
            "ActionNames": actions,
            "ResourceArns": resources,
        }
        if self.context:
            request["ContextEntries"] = [
                {"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": kind}
                for key, value, kind in self.context
            ]
        return request


def role_plans(settings: Settings) -> list[RolePlan]:
    """Each existing role and the actions it needs: its policy in pipeline.yaml, resolved
    for these settings (what `iam-policies` prints), plus, for Step Functions, any action
    the committed definition calls that the policy does not name."""
    from .policies_from_stack import role_policies  # reads pipeline.yaml with PyYAML

    documents = role_policies(settings, list(EXISTING_ROLE_KINDS))
    plans = []
    for kind, document in documents.items():
        requirements: list[Requirement] = []
        context: dict[str, tuple[str, str]] = {}
        for policy in document["Policies"]:
            for statement in _as_list(policy["PolicyDocument"]["Statement"]):
                if statement.get("Effect") != "Allow":
                    continue
                resources = tuple(_as_list(statement.get("Resource", "*")))
                requirements += [Requirement(action, resources)
                                 for action in _as_list(statement.get("Action", []))]  # fmt: skip
                for operator, condition in statement.get("Condition", {}).items():
                    for key, value in condition.items():
                        # The value the stack's policy expects (a pattern meets itself).
                        context.setdefault(key, (str(_as_list(value)[0]), _key_type(operator)))
        if kind == "stepfunctions":
            unnamed = definition_actions(settings) - {r.action for r in requirements}
            requirements += [Requirement(action, ("*",)) for action in sorted(unnamed)]
        entries = tuple((key, value, kind) for key, (value, kind) in sorted(context.items()))
        plans.append(RolePlan(kind, document["RoleArn"], tuple(requirements), entries))
    return plans


def _key_type(operator: str) -> str:
    """The ContextKeyType of a key a condition operator compares (StringLike: string)."""
    compared = operator.removeprefix("ForAnyValue:").removeprefix("ForAllValues:")
    for prefix, kind in KEY_TYPES:
        if compared.startswith(prefix):
            return kind
    return "string"


def definition_actions(settings: Settings) -> set[str]:
    """The IAM actions the committed definition's Task states call: aws-sdk:<service>:
    <apiAction> is authorized as <service>:<ApiAction>, an optimized integration as its
    IAM page lists (OPTIMIZED_ACTIONS), or as its own action."""
    path = settings.path.parent / definition_path(
        None if settings.is_first_stage else settings.stage
    )
    if not path.is_file():
        return set()
    resources = {
        node["Resource"]
        for node in _mappings(json.loads(path.read_text(encoding="utf-8")))
        if node.get("Type") == "Task" and isinstance(node.get("Resource"), str)
    }
    actions: set[str] = set()
    for resource in resources:
        integration = resource.partition(":::")[2]
        if not integration:  # a Lambda function's ARN, called directly
            actions.add("lambda:InvokeFunction")
            continue
        if integration in OPTIMIZED_ACTIONS:
            actions.update(OPTIMIZED_ACTIONS[integration])
            continue
        service, api = integration.removeprefix("aws-sdk:").split(":", 1)
        api = api.split(".", 1)[0]  # .sync, .waitForTaskToken
        actions.add(f"{service}:{api[0].upper()}{api[1:]}")
    return actions


def check_role_permissions(settings: Settings, aws: AwsSession) -> list[Check]:
    if settings.iam_roles != "existing":
        return [Check(OK, 'IAM roles: the pipeline stack creates them (iam.roles = "create")')]
    checks = []
    for plan in role_plans(settings):  # each role its own line, whatever befalls another
        title = f"role {plan.role_arn} ({plan.kind})"
        checks += _guarded(title, settings.region, lambda plan=plan: _simulate(settings, aws, plan))
    return checks


def _simulate(settings: Settings, aws: AwsSession, plan: RolePlan) -> Check:
    pages = aws.client("iam").get_paginator("simulate_principal_policy")
    overall: dict[str, str] = {}
    on: dict[tuple[str, str], str] = {}
    try:
        for page in pages.paginate(**plan.request()):
            for result in page.get("EvaluationResults", []):
                action = result["EvalActionName"].lower()
                overall[action] = result["EvalDecision"]
                for specific in result.get("ResourceSpecificResults", []):
                    on[action, specific["EvalResourceName"]] = specific["EvalResourceDecision"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        return Check(
            FAILED,
            f"role {plan.role_arn} ({plan.kind}) does not exist in this account",
            f"fix iam.{plan.kind}_role_arn in settings.toml, or create the role (see "
            f"'{settings.slug} iam-policies --role {plan.kind}')",
        )

    def allowed(requirement: Requirement) -> bool:
        action = requirement.action.lower()
        decisions = [on[action, r] for r in requirement.resources if (action, r) in on]
        return "allowed" in decisions if decisions else overall.get(action) == "allowed"

    denied = sorted({r.action for r in plan.requirements if not allowed(r)})
    if denied:
        return Check(
            FAILED,
            f"role {plan.role_arn} ({plan.kind}) may not call {', '.join(denied)}",
            f"add them (see '{settings.slug} iam-policies --role {plan.kind}')",
        )
    count = len({r.action for r in plan.requirements})
    return Check(OK, f"role {plan.role_arn} ({plan.kind}) may call the {count} actions it needs")


def created_role_kinds(settings: Settings) -> list[str]:
    """The roles the pipeline stack creates with these settings (pipeline.yaml's
    CreateRoles and HasSchedule conditions; the approval role always)."""
    kinds = list(EXISTING_ROLE_KINDS) if settings.iam_roles == "create" else []
    if settings.schedule_expression:
        kinds.append("scheduler")
    return [*kinds, "approval"]


def role_name(settings: Settings, kind: str) -> str:
    return stack_role_arn(settings, kind).rsplit("/", 1)[1]


def check_role_names(settings: Settings, aws: AwsSession) -> Check:
    iam = aws.client("iam")
    names = [role_name(settings, kind) for kind in created_role_kinds(settings)]
    ours: set[str] | None = None  # the roles of this region's pipeline stack, once asked
    taken: list[str] = []
    regions: set[str] = set()
    for name in names:
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
                continue
            raise
        tags = {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])}
        if STACK_ID_TAG in tags:
            region = tags[STACK_ID_TAG].split(":")[3]
            if region != settings.region:
                taken.append(name)
                regions.add(region)
            continue
        if ours is None:
            ours = _pipeline_roles(settings, aws)
        if name not in ours:
            taken.append(name)
            regions |= _regions_named(role.get("AssumeRolePolicyDocument")) - {settings.region}
    what = f"IAM role names {settings.slug}-*-role"
    fix = (
        "IAM role names are account-wide, so deploy each project to one region per account "
        "or give the second region's copy another project slug (project.slug)"
    )
    if taken and regions:
        return Check(
            FAILED,
            f"the project is deployed in region {', '.join(sorted(regions))} of this account "
            f"(found: {', '.join(taken)})",
            fix,
        )
    if taken:
        return Check(
            FAILED,
            f"{', '.join(taken)} already exist in this account, but no stack "
            f"{pipeline_stack_name(settings)} in {settings.region} created them (the project "
            "in another region, or roles made by hand)",
            fix,
        )
    return Check(OK, f"{what}: none of the {len(names)} the pipeline stack creates is taken "
                     "by another region's copy")  # fmt: skip


def _pipeline_roles(settings: Settings, aws: AwsSession) -> set[str]:
    """The roles this region's pipeline stack holds (none when it does not exist)."""
    cloudformation = aws.client("cloudformation")
    pages = cloudformation.get_paginator("list_stack_resources")
    try:
        return {
            resource["PhysicalResourceId"]
            for page in pages.paginate(StackName=pipeline_stack_name(settings))
            for resource in page["StackResourceSummaries"]
            if resource["ResourceType"] == "AWS::IAM::Role" and "PhysicalResourceId" in resource
        }
    except ClientError as error:
        if "does not exist" in str(error):
            return set()
        raise


def _regions_named(document: Any) -> set[str]:
    text = document if isinstance(document, str) else json.dumps(document or {})
    return set(_REGION_IN_ARN.findall(text))


def check_bucket(settings: Settings, aws: AwsSession) -> Check:
    bucket = settings.artifact_bucket
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=settings.account_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchBucket", "NotFound"):
            return Check(OK, f"bucket {bucket} does not exist yet: the storage stack creates it")
        if code in ("403", "AccessDenied"):
            return Check(
                FAILED,
                f"bucket {bucket} is owned by another account or not readable",
                "choose another aws.artifact_bucket in settings.toml",
            )
        raise
    return Check(OK, f"bucket {bucket} exists and belongs to account {settings.account_id}")


def check_stacks(settings: Settings, aws: AwsSession) -> list[Check]:
    cloudformation = aws.client("cloudformation")
    checks = []
    for name in (storage_stack_name(settings), pipeline_stack_name(settings)):
        stack = describe_stack(cloudformation, name)
        checks.append(_stack_check(settings, name, stack["StackStatus"] if stack else None))
    return checks


def _stack_check(settings: Settings, name: str, status: str | None) -> Check:
    if status is None:
        return Check(OK, f"stack {name}: not deployed yet")
    if status == NOT_YET_CREATED:
        return Check(OK, f"stack {name}: {status} (a change set never run); deploy creates it")
    if status == "ROLLBACK_COMPLETE":
        return Check(
            FAILED,
            f"stack {name} is in ROLLBACK_COMPLETE: its first creation failed",
            "delete it (it cannot be updated) and deploy again: aws cloudformation "
            f"delete-stack --stack-name {name} --region {settings.region}",
        )
    if status.endswith("_FAILED"):
        return Check(
            FAILED,
            f"stack {name} is in {status}",
            "resolve it in the CloudFormation console (continue the rollback, or delete the "
            "stack), then deploy again",
        )
    if status.endswith("_IN_PROGRESS"):
        return Check(FAILED, f"stack {name} is busy ({status})", "wait until it finishes")
    return Check(OK, f"stack {name}: {status}")


# --- all of them -----------------------------------------------------------------------


def preflight(settings: Settings, aws: AwsSession) -> list[Check]:
    """Every check, in order; an AWS error ends only the check it happened in."""
    if not settings.account_id:
        raise SettingsError(f"aws.account_id is empty; run '{settings.slug} settings fill' first")
    region = settings.region
    account = _guarded("credentials", region, lambda: check_account(settings, aws))
    if account[0].status == FAILED:  # every other answer would be another account's
        return account
    checks = [
        ("SageMaker quotas", lambda: check_quotas(settings, aws)),
        ("the XGBoost image", lambda: check_image(settings)),
        ("Glue", lambda: check_glue(settings)),
        ("role permissions", lambda: check_role_permissions(settings, aws)),
        ("IAM role names", lambda: check_role_names(settings, aws)),
        ("the bucket", lambda: check_bucket(settings, aws)),
        ("the stacks", lambda: check_stacks(settings, aws)),
    ]
    return account + [found for title, check in checks for found in _guarded(title, region, check)]


def _guarded(title: str, region: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    try:
        with explained(title, region):
            result = check()
    except AwsError as error:
        return [_not_checked(title, str(error).removeprefix(f"{title}: "))]
    # One botocore does not name (a stub left unanswered), or an answer it cannot parse
    # (an emulator's HTML error page): ResponseParserError is no BotoCoreError.
    except (BotoCoreError, ResponseParserError) as error:
        return [_not_checked(title, f"{type(error).__name__}: {error}")]
    return result if isinstance(result, list) else [result]


def _not_checked(title: str, problem: str) -> Check:
    problem = " ".join(problem.split())  # one line, whatever the service sent (an HTML page)
    if len(problem) > MAX_PROBLEM:
        problem = problem[: MAX_PROBLEM - 3] + "..."
    return Check(UNKNOWN, f"{title}: not checked", problem)


def report(checks: Iterable[Check]) -> list[str]:
    checks = list(checks)
    lines = [check.line() for check in checks]
    attention = [check for check in checks if not check.passed]
    if attention:
        lines.append(f"{len(attention)} of {len(checks)} checks need attention (!! above)")
    else:
        lines.append(f"all {len(checks)} checks passed")
    return lines


def exit_code(checks: Iterable[Check]) -> int:
    return exit_codes.DONE if all(check.passed for check in checks) else exit_codes.USER_MUST_FIX


# --- the rehearsal: botocore's Stubber answering as a healthy account -------------------

SERVICES = ("sts", "service-quotas", "iam", "s3", "cloudformation")
REHEARSAL_ACCOUNT = "123456789012"


@dataclass
class Answer:
    """One stubbed answer: a response, or an error (code, message, HTTP status)."""

    service: str
    method: str
    response: dict[str, Any] | None = None
    error: tuple[str, str, int] | None = None
    params: dict[str, Any] | None = None  # the request it expects (None: any)


def stubbed_session(settings: Settings) -> tuple[AwsSession, dict[str, Stubber]]:
    """An AwsSession whose clients send nothing: each answers from its Stubber."""
    # No profile (AWS_PROFILE is not read) and placeholder keys: nothing is looked up.
    core = profileless_botocore_session()
    core.set_credentials("rehearsal", "rehearsal")
    aws = AwsSession(settings, boto3.session.Session(botocore_session=core,
                                                     region_name=settings.region))  # fmt: skip
    stubbers = {}
    for service in SERVICES:
        stubbers[service] = Stubber(aws.client(service))
        stubbers[service].activate()
    return aws, stubbers


def load(stubbers: dict[str, Stubber], answers: Iterable[Answer]) -> None:
    for answer in answers:
        stubber = stubbers[answer.service]
        if answer.error:
            code, message, status = answer.error
            stubber.add_client_error(answer.method, code, message, status,
                                     expected_params=answer.params)  # fmt: skip
        else:
            stubber.add_response(answer.method, answer.response or {}, answer.params)


def healthy_answers(settings: Settings) -> list[Answer]:
    """What a healthy account answers to every call ``preflight`` makes, in order: each
    quota just enough, every simulated action allowed, no role, bucket or stack yet."""
    account, partition = settings.account_id, settings.partition
    answers = [
        Answer("sts", "get_caller_identity", {
            "UserId": "AIDAREHEARSAL", "Account": account,
            "Arn": f"arn:{partition}:iam::{account}:user/rehearsal",
        }),
        Answer("service-quotas", "list_service_quotas", {
            "Quotas": [quota(need.quota_name, need.count) for need in instance_needs(settings)]
        }, params={"ServiceCode": SAGEMAKER_SERVICE_CODE}),
    ]  # fmt: skip
    if settings.iam_roles == "existing":
        answers += [
            Answer("iam", "simulate_principal_policy", simulation(plan), params=plan.request())
            for plan in role_plans(settings)
        ]
    for kind in created_role_kinds(settings):
        name = role_name(settings, kind)
        answers.append(Answer("iam", "get_role", params={"RoleName": name}, error=(
            "NoSuchEntity", f"The role with name {name} cannot be found.", 404)))  # fmt: skip
    answers.append(Answer("s3", "head_bucket", error=("404", "Not Found", 404), params={
        "Bucket": settings.artifact_bucket, "ExpectedBucketOwner": account}))  # fmt: skip
    for name in (storage_stack_name(settings), pipeline_stack_name(settings)):
        answers.append(Answer("cloudformation", "describe_stacks", params={"StackName": name},
                              error=no_such_stack(name)))  # fmt: skip
    return answers


def quota(name: str, value: float, code: str = "L-REHEARSAL") -> dict[str, Any]:
    """A ServiceQuota as ListServiceQuotas returns it."""
    return {
        "ServiceCode": SAGEMAKER_SERVICE_CODE, "ServiceName": "Amazon SageMaker",
        "QuotaCode": code, "QuotaName": name, "Value": float(value), "Unit": "None",
        "Adjustable": True, "GlobalQuota": False,
    }  # fmt: skip


def simulation(plan: RolePlan, denied: Iterable[str] = ()) -> dict[str, Any]:
    """SimulatePrincipalPolicy's answer for ``plan``: every action allowed on every
    resource, except the ``denied`` actions (implicitDeny everywhere)."""
    request, refused = plan.request(), set(denied)
    results = []
    for action in request["ActionNames"]:
        decision = "implicitDeny" if action in refused else "allowed"
        results.append({
            "EvalActionName": action, "EvalResourceName": "*", "EvalDecision": decision,
            "ResourceSpecificResults": [
                {"EvalResourceName": resource, "EvalResourceDecision": decision}
                for resource in request["ResourceArns"]
            ],
        })  # fmt: skip
    return {"EvaluationResults": results, "IsTruncated": False}


def no_such_stack(name: str) -> tuple[str, str, int]:
    return ("ValidationError", f"Stack with id {name} does not exist", 400)


def rehearsal(settings: Settings) -> tuple[Settings, AwsSession, dict[str, Stubber]]:
    """Settings (a placeholder account if none is set) and a session of stubbed clients
    loaded with a healthy account's answers."""
    if not settings.account_id:
        settings = dataclasses.replace(settings, account_id=REHEARSAL_ACCOUNT)
    aws, stubbers = stubbed_session(settings)
    load(stubbers, healthy_answers(settings))
    return settings, aws, stubbers


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _mappings(node: Any) -> Iterable[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mappings(value)
