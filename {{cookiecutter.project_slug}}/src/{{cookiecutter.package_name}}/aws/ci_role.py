"""`ci-role`: the role CI assumes through OpenID Connect to run `deploy`.

Deployed once, by a person with IAM rights, as the stack ``<slug>-ci-role``
(infrastructure/ci-deploy-role.yaml). The account's OIDC provider for the CI host
is reused when it exists (there is one per host and account), created otherwise.

On GitHub the role trusts the repository's "production" environment: IAM can test only
the token claims it exposes as condition keys (``aud``, ``sub``), and with an environment
``sub`` names no branch. Which branches may deploy is the environment's deployment-branch
rule, on GitHub's side, so `ci-role` reads that rule through GitHub's REST API (or
takes ``--environment-checked``) before it creates or updates the stack.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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


# GitHub's side of the trust: the environment the deploy job names, and where it is set.
GITHUB_API = "https://api.github.com"
GITHUB_ENVIRONMENT = "production"
GITHUB_TIMEOUT_SECONDS = 10
GITHUB_TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def github_environment(settings: Settings) -> str:
    """The environment whose jobs the role trusts: "production" (the deploy job's) in
    the first stage's account, the stage's name (the promote job's) in a later one's."""
    return GITHUB_ENVIRONMENT if settings.is_first_stage else settings.stage


def environment_page(environment: str) -> str:
    return f"GitHub → Settings → Environments → {environment} → Deployment branches and tags"


class GitHubError(Exception):
    """A GitHub API call that gave no JSON answer: ``status`` is the HTTP status, or
    None when GitHub was not reached (network error, timeout) or did not answer JSON."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# (url, token) -> the JSON answer; raises GitHubError. Tests pass their own.
GitHubFetch = Callable[[str, str], Any]


def github_get(url: str, token: str) -> Any:
    """GET one GitHub REST API URL: one try, 10 s at most, standard library only."""
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=GITHUB_TIMEOUT_SECONDS) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        error.close()
        raise GitHubError(error.code, f"HTTP {error.code}") from None
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, cut answers
        reason = getattr(error, "reason", None) or error
        raise GitHubError(None, str(reason) or type(reason).__name__) from None
    except ValueError:  # not JSON (json.JSONDecodeError, UnicodeDecodeError)
        raise GitHubError(None, "its answer was not JSON") from None


def github_token(environ: Mapping[str, str] = os.environ) -> str | None:
    return next((environ[name] for name in GITHUB_TOKEN_VARIABLES if environ.get(name)), None)


def branch_pattern_matches(pattern: str, branch: str) -> bool:
    """GitHub's deployment-branch patterns: Ruby ``File.fnmatch``, wildcards not matching
    ``/`` (``*``, ``?``, ``[...]``; ``**/`` for any number of folders)."""
    regex, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:[^/]*/)*", index + 3
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            regex += re.escape(pattern[index])
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            inside = pattern[index + 1 : end]
            negated = inside[:1] in ("!", "^")
            body = re.escape(inside[1:] if negated else inside).replace("\\-", "-")
            regex += f"[{'^' if negated else ''}{body}]"
            index = end
        else:
            regex += re.escape(char)
        index += 1
    return re.fullmatch(regex, branch) is not None


def is_catch_all(pattern: str) -> bool:
    """A pattern of wildcards alone (``*``, ``**``, ``*/*``): any branch name anyone
    pushes can be made to match it."""
    return "*" in pattern and not pattern.strip("*?/")


def check_github_environment(repository: str, branch: str, token: str, fetch: GitHubFetch,
                             environment_name: str = GITHUB_ENVIRONMENT) -> str:  # fmt: skip
    """Return the line saying that only ``branch`` (or protected branches) may deploy to
    the repository's environment; raise SettingsError, in one line, otherwise."""
    owner, name = (urllib.parse.quote(part, safe="") for part in repository.split("/"))
    url = f"{GITHUB_API}/repos/{owner}/{name}/environments/{environment_name}"
    where = f"the '{environment_name}' environment of {repository}"
    page = environment_page(environment_name)
    selected = f"{page}: Selected branches, add {branch}"
    fix = f"fix: {selected}"
    by_hand = f"check {page} by hand and pass --environment-checked"
    try:
        environment = fetch(url, token)
        policy = environment.get("deployment_branch_policy")
        if policy and policy.get("custom_branch_policies"):
            listed = fetch(f"{url}/deployment-branch-policies?per_page=100", token)
        else:
            listed = None
    except GitHubError as error:
        if error.status == 404:
            raise SettingsError(
                f"{repository} has no GitHub environment '{environment_name}' (or the token "
                f"cannot see the repository); fix: GitHub → Settings → Environments → New "
                f"environment '{environment_name}', then on that page, Deployment branches and "
                f"tags: Selected branches, add {branch}"
            ) from None
        if error.status in (401, 403):
            raise SettingsError(
                f"the token cannot read the environments of {repository} (HTTP {error.status}); "
                "give it read access to the repository's environments (fine-grained token: "
                f"Actions: read; classic token: repo), or {by_hand}"
            ) from None
        if error.status is not None:
            raise SettingsError(
                f"GitHub answered HTTP {error.status} when asked for {where}; try again, "
                f"or {by_hand}"
            ) from None
        raise SettingsError(
            f"could not reach GitHub to check {where} ({error.reason}); try again, or {by_hand}"
        ) from None
    except (AttributeError, TypeError):  # JSON, but not the documented objects
        raise SettingsError(
            f"GitHub's answer about {where} is not an environment; {by_hand}"
        ) from None
    reviewers = any(
        isinstance(rule, dict) and rule.get("type") == "required_reviewers"
        for rule in environment.get("protection_rules") or []
    )
    review = "required reviewers set" if reviewers else "no required reviewers (optional)"
    if not policy:  # null: "To allow all branches to deploy, set to null"
        raise SettingsError(
            f"{where} lets any branch deploy (no deployment branch rule), and the deploy "
            f"role's trust cannot name a branch; {fix}"
        )
    if policy.get("protected_branches"):
        return (
            f"GitHub: {where} lets only protected branches deploy (checked through the API; "
            f"keep {branch} protected); {review}"
        )
    return _custom_policies(listed, where, branch, fix, by_hand) + f"; {review}"


def _custom_policies(listed: Any, where: str, branch: str, fix: str, by_hand: str) -> str:
    try:
        rules = [(rule.get("type") or "branch", rule["name"]) for rule in listed["branch_policies"]]
        total = int(listed.get("total_count", len(rules)))
    except (AttributeError, KeyError, TypeError, ValueError):
        raise SettingsError(
            f"GitHub's answer about the branch rules of {where} is not a list of rules; {by_hand}"
        ) from None
    if total > len(rules):
        raise SettingsError(f"{where} has more than {len(rules)} branch rules; {by_hand}")
    catch_all = [(kind, name) for kind, name in rules if is_catch_all(name)]
    if catch_all:
        kind, name = catch_all[0]
        raise SettingsError(
            f"{where} lets any {kind} deploy ({kind} rule '{name}'); {fix} and remove the "
            f"rule '{name}'"
        )
    branches = [name for kind, name in rules if kind == "branch"]
    if not any(branch_pattern_matches(name, branch) for name in branches):
        allowed = ", ".join(f"'{name}'" for name in branches) or "none"
        raise SettingsError(
            f"{where} does not let {branch} deploy (its branch rules: {allowed}); {fix}"
        )
    tags = [name for kind, name in rules if kind == "tag"]
    also = f", tags matching {', '.join(tags)}" if tags else ""
    return (
        f"GitHub: {where} lets only branches matching {', '.join(branches)}{also} deploy "
        "(checked through the API)"
    )


def passable_role_arns(settings: Settings) -> list[str]:
    """The roles the pipeline stack hands to services, the scheduler's included; the
    SageMaker role first (ci-deploy-role.yaml's promote policy passes that one)."""
    return [settings.role_arn(role) for role in rules.ROLE_FIELDS] + [
        stack_role_arn(settings, "scheduler")
    ]


def _github_environment_line(
    settings: Settings,
    repository: str,
    environment_checked: bool,
    fetch: GitHubFetch | None,
    environ: Mapping[str, str],
) -> str:
    branch, environment = settings.deploy_branch, github_environment(settings)
    page = environment_page(environment)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise SettingsError(f"--repository '{repository}' must be owner/name on GitHub")
    if environment_checked:
        return (
            f"GitHub: environment check skipped (--environment-checked): you checked at "
            f"{page} that only {branch} may deploy to {environment}"
        )
    token = github_token(environ)
    if token is None:
        raise SettingsError(
            f"cannot check which branches may deploy to the '{environment}' environment "
            f"of {repository}: set GITHUB_TOKEN (a token that can read the repository's "
            f"environments), or check {page} (Selected branches: {branch}) by hand "
            "and pass --environment-checked"
        )
    # Looked up when called, so that tests may replace github_get.
    return check_github_environment(repository, branch, token, fetch or github_get, environment)


def ci_role_parameters(settings: Settings, provider: str, repository: str,
                       provider_arn: str) -> dict[str, str]:  # fmt: skip
    """The ci-role stack's parameters. In a later stage's account the role may also
    promote the first stage's versions there (`promote --to <stage>`, from CI)."""
    parameters = {
        "ProjectSlug": settings.slug,
        "ArtifactBucketName": settings.artifact_bucket,
        "CiProvider": provider,
        "Repository": repository,
        "DeployBranch": settings.deploy_branch,
        "OidcProviderArn": provider_arn,
        "PassableRoleArns": ",".join(passable_role_arns(settings)),
        "GitHubEnvironment": github_environment(settings),
    }
    if not settings.is_first_stage:
        first = settings.for_stage(settings.stages.first)
        parameters.update({
            "FirstStageAccountId": first.account_id,
            "FirstStageRegion": first.region,
            "FirstStageBucketName": first.artifact_bucket,
        })  # fmt: skip
    return parameters


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
    environment_checked: bool = False,
    fetch: GitHubFetch | None = None,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """Create or update the CI deploy role's stack; return the role's ARN.

    For GitHub, first make sure that only the deploy branch may deploy to the
    environment the role trusts (``check_github_environment``): "production", or in a
    later stage's account the stage's own.
    """
    check_deploy_branch(settings.path.parent, provider, settings.deploy_branch)
    if not repository or "/" not in repository:
        raise SettingsError(
            f"--repository '{repository}' must be owner/name (GitHub) or group/project (GitLab)"
        )
    if provider == "github":
        say(_github_environment_line(settings, repository, environment_checked, fetch, environ))
    aws.check_account()
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
        ci_role_parameters(settings, provider, repository, provider_arn or ""),
        say,
        waiting,
    )
    # The role's name is fixed by the template, so its ARN is known even where the
    # stack's outputs are not reported (some emulators leave them out).
    return result.outputs.get("DeployRoleArn", stack_role_arn(settings, "ci-deploy"))
