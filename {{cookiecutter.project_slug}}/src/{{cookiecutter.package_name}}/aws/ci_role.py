"""`ci-role`: the role CI assumes through OpenID Connect to run `deploy`.

Deployed once, by a person with IAM rights, as the stack ``<slug>-ci-role``
(infrastructure/ci-deploy-role.yaml). The account's OIDC provider for the CI host
is reused when it exists (there is one per host and account), created otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..project_layout import CI_ROLE_TEMPLATE
from ..settings import Settings, SettingsError, rules
from ..settings.names import ci_role_stack_name, stack_role_arn
from .session import AwsSession
from .stacks import DEFAULT_WAITING, Waiting, apply_template

OIDC_HOSTS = {"github": "token.actions.githubusercontent.com", "gitlab": "gitlab.com"}
# What each provider's CI files look like, to tell which one the project uses.
CI_FILES = {"github": Path(".github", "workflows", "ci.yml"), "gitlab": Path(".gitlab-ci.yml")}
# How each CI file limits its deploy job to the deploy branch (as the template bakes it).
DEPLOY_CONDITIONS = {
    "github": "github.ref == 'refs/heads/{branch}'",
    "gitlab": '$CI_COMMIT_BRANCH == "{branch}"',
}


def detect_provider(project_root: Path) -> str:
    found = [name for name, path in CI_FILES.items() if (project_root / path).is_file()]
    if len(found) != 1:
        raise SettingsError(
            "cannot tell the CI provider from the project's files; pass --provider github "
            "or --provider gitlab"
        )
    return found[0]


def check_deploy_branch(project_root: Path, provider: str, branch: str) -> None:
    """Refuse a role trusted for one branch while the CI file deploys from another."""
    ci_file = project_root / CI_FILES[provider]
    if not ci_file.is_file():
        return  # a CI set up outside this project's files: nothing to compare
    condition = DEPLOY_CONDITIONS[provider].format(branch=branch)
    if condition not in ci_file.read_text(encoding="utf-8"):
        raise SettingsError(
            f"ci.deploy_branch is '{branch}' but {CI_FILES[provider].as_posix()} does not "
            f"deploy from it (no {condition}); make the two name the same branch"
        )


def passable_role_arns(settings: Settings) -> list[str]:
    """The roles the pipeline stack hands to services, the scheduler's included."""
    return [settings.role_arn(role) for role in rules.ROLE_FIELDS] + [
        stack_role_arn(settings, "scheduler")
    ]


def existing_provider_arn(aws: AwsSession, provider: str) -> str | None:
    listed = aws.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    host = OIDC_HOSTS[provider]
    return next((p["Arn"] for p in listed if p["Arn"].endswith(f"oidc-provider/{host}")), None)


def deploy_ci_role(
    settings: Settings,
    aws: AwsSession,
    provider: str,
    repository: str,
    say: Callable[[str], None] = print,
    waiting: Waiting = DEFAULT_WAITING,
) -> str:
    """Create or update the CI deploy role's stack; return the role's ARN."""
    check_deploy_branch(settings.path.parent, provider, settings.deploy_branch)
    aws.check_account()
    if not repository or "/" not in repository:
        raise SettingsError(
            f"--repository '{repository}' must be owner/name (GitHub) or group/project (GitLab)"
        )
    provider_arn = existing_provider_arn(aws, provider)
    say(
        f"OIDC provider for {OIDC_HOSTS[provider]}: "
        + (f"using {provider_arn}" if provider_arn else "creating it")
    )
    template_path = settings.path.parent / CI_ROLE_TEMPLATE
    if not template_path.is_file():
        raise SettingsError(f"{CI_ROLE_TEMPLATE} is missing: this project was baked without CI")
    template = template_path.read_text(encoding="utf-8")
    result = apply_template(
        aws.client("cloudformation"),
        ci_role_stack_name(settings),
        template,
        {
            "ProjectSlug": settings.slug,
            "ArtifactBucketName": settings.artifact_bucket,
            "CiProvider": provider,
            "Repository": repository,
            "DeployBranch": settings.deploy_branch,
            "OidcProviderArn": provider_arn or "",
            "PassableRoleArns": ",".join(passable_role_arns(settings)),
        },
        say,
        waiting,
    )
    # The role's name is fixed by the template, so its ARN is known even where the
    # stack's outputs are not reported (some emulators leave them out).
    return result.outputs.get("DeployRoleArn", stack_role_arn(settings, "ci-deploy"))
