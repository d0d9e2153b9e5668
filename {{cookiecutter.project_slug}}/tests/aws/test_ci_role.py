"""`ci-role` trusts the branch that the project's CI file deploys from, and no other.

On GitHub the role trusts the "production" environment, whose OIDC ``sub`` names no
branch: `ci-role` reads the environment's deployment-branch rule through GitHub's REST
API (replaced here by a fake; no test reaches GitHub or AWS) and refuses, in one line
and before any AWS call, an environment that any branch may deploy to.
"""

from __future__ import annotations

import io
import urllib.error
from types import SimpleNamespace

import pytest
from project.aws import ci_role, commands
from project.aws.ci_role import (
    CI_FILES,
    GITHUB_TOKEN_VARIABLES,
    GitHubError,
    branch_pattern_matches,
    check_deploy_branch,
    detect_provider,
    github_get,
    is_catch_all,
)
from project.cli import main
from project.settings import SettingsError, load_settings

from ..conftest import PROJECT_ROOT, copy_project, replace_line

# The branch this bake deploys from (main, or another answer of the template's).
BRANCH = load_settings(PROJECT_ROOT / "settings.toml").deploy_branch

BAKED_PROVIDER = next(
    (name for name, path in CI_FILES.items() if (PROJECT_ROOT / path).is_file()), None
)
needs_ci = pytest.mark.skipif(BAKED_PROVIDER is None, reason="this project was baked without CI")


@needs_ci
def test_the_baked_ci_file_deploys_from_the_settings_branch():
    settings = load_settings(PROJECT_ROOT / "settings.toml")
    assert detect_provider(PROJECT_ROOT) == BAKED_PROVIDER
    check_deploy_branch(PROJECT_ROOT, BAKED_PROVIDER, settings.deploy_branch)


@needs_ci
def test_a_setting_that_the_ci_file_does_not_follow_is_refused(tmp_path):
    ci_file = CI_FILES[BAKED_PROVIDER]
    settings_path = copy_project(tmp_path, ci_file.parts[0])
    replace_line(settings_path, "deploy_branch =", 'deploy_branch = "elsewhere"')
    with pytest.raises(SettingsError) as refused:
        check_deploy_branch(tmp_path, BAKED_PROVIDER, load_settings(settings_path).deploy_branch)
    message = str(refused.value)
    assert message.startswith(f"ci.deploy_branch is 'elsewhere' but {ci_file.as_posix()}")
    assert "\n" not in message


def test_a_ci_file_outside_the_project_is_not_second_guessed(tmp_path):
    check_deploy_branch(tmp_path, "gitlab", "main")


@pytest.mark.parametrize("branch", ["main", "release/prod", "v1.2_hotfix"])
def test_good_branch_names_pass(branch):
    from project.settings import rules

    assert rules.git_branch_name(branch) is None


@pytest.mark.parametrize(
    "branch", ["", "has space", "-main", "a..b", "release/", "/main", "a//b", ".hidden",
               "x/.y", "main.lock", "main.", "a:b", "$(id)", 'qu"ote', "main~1"],
)  # fmt: skip
def test_bad_branch_names_are_refused(branch):
    from project.settings import rules

    assert rules.git_branch_name(branch)


# GitHub's environment check. Answers are shaped as GitHub's REST API documents them:
# GET /repos/{owner}/{repo}/environments/{name} ("deployment_branch_policy": null lets
# every branch deploy) and .../deployment-branch-policies ("branch_policies": [{name, type}]).
ENVIRONMENT_URL = "https://api.github.com/repos/acme/churn/environments/production"
POLICIES_URL = f"{ENVIRONMENT_URL}/deployment-branch-policies?per_page=100"
FIX = "GitHub → Settings → Environments → production → Deployment branches and tags"
needs_ci_role_template = pytest.mark.skipif(
    not (PROJECT_ROOT / "infrastructure" / "ci-deploy-role.yaml").is_file(),
    reason="this project was baked without CI",
)


def environment(policy, rules=()):
    return {"id": 1, "name": "production", "protection_rules": list(rules),
            "deployment_branch_policy": policy}  # fmt: skip


def custom_rules(*names, kind="branch"):
    return {
        ENVIRONMENT_URL: environment({"protected_branches": False, "custom_branch_policies": True}),
        POLICIES_URL: {
            "total_count": len(names),
            "branch_policies": [
                {"id": n, "name": name, "type": kind} for n, name in enumerate(names)
            ],
        },
    }


class FakeAws:
    """Records every AWS call; answers only what `ci-role` asks before the stack."""

    def __init__(self):
        self.calls = []

    def check_account(self):
        self.calls.append("check_account")

    def client(self, service):
        self.calls.append(service)
        return SimpleNamespace(
            list_open_id_connect_providers=lambda: {"OpenIDConnectProviderList": []}
        )


@pytest.fixture
def ci_role_cli(tmp_path, monkeypatch, capsys):
    """Run `ci-role --provider github` on a copy of the project with AWS and GitHub faked.

    ``answers`` maps each GitHub URL to its JSON answer or to the GitHubError it raises;
    None leaves github_get itself in place (for tests that fake urlopen below it).
    """
    copied = [name for name in (".github", ".gitlab-ci.yml") if (PROJECT_ROOT / name).exists()]
    settings_path = copy_project(tmp_path, "infrastructure", *copied)
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    aws = FakeAws()
    stacks = []
    monkeypatch.setattr(commands, "AwsSession", lambda settings: aws)

    def apply_template(cloudformation, name, *rest, **options):
        stacks.append(name)
        return SimpleNamespace(outputs={})

    monkeypatch.setattr(ci_role, "apply_template", apply_template)
    for name in GITHUB_TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def run(answers, *extra, token="a-token", provider="github"):
        asked = []
        if token:
            monkeypatch.setenv("GITHUB_TOKEN", token)
        if answers is not None:

            def fetch(url, given_token):
                asked.append(url)
                assert given_token == token
                answer = answers[url]
                if isinstance(answer, Exception):
                    raise answer
                return answer

            monkeypatch.setattr(ci_role, "github_get", fetch)
        arguments = ["ci-role", "--repository", "acme/churn", "--provider", provider, *extra]
        code = main(["--settings", str(settings_path), *arguments])
        out, err = capsys.readouterr()
        return SimpleNamespace(code=code, out=out, err=err, stacks=stacks, aws=aws.calls,
                               asked=asked, slug=load_settings(settings_path).slug)  # fmt: skip

    return run


def assert_refused(result, *expected):
    """Exit 2, one line on stderr (no traceback), and not one AWS call, stack or other."""
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert "Traceback" not in result.err
    for text in expected:
        assert text in result.err
    assert result.stacks == [] and result.aws == []


def assert_proceeded(result, *expected):
    assert result.code == 0, result.err
    assert result.stacks == [f"{result.slug}-ci-role"]
    (line,) = [line for line in result.out.splitlines() if line.startswith("GitHub: ")]
    for text in expected:
        assert text in line


@needs_ci_role_template
def test_an_environment_only_protected_branches_may_deploy_to_proceeds(ci_role_cli):
    answers = {ENVIRONMENT_URL: environment({"protected_branches": True,
                                             "custom_branch_policies": False})}  # fmt: skip
    result = ci_role_cli(answers)
    assert_proceeded(result, "only protected branches", "checked through the API")
    assert result.asked == [ENVIRONMENT_URL]


@needs_ci_role_template
def test_a_custom_rule_naming_the_deploy_branch_proceeds(ci_role_cli):
    answers = custom_rules(BRANCH)
    answers[ENVIRONMENT_URL]["protection_rules"] = [{"id": 2, "type": "required_reviewers"}]
    result = ci_role_cli(answers)
    assert_proceeded(result, f"only branches matching {BRANCH}", "required reviewers set")
    assert result.asked == [ENVIRONMENT_URL, POLICIES_URL]


@needs_ci_role_template
@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (["hotfix/*"], f"does not let {BRANCH} deploy (its branch rules: 'hotfix/*')"),
        (["main", "*"], "lets any branch deploy (branch rule '*')"),
        (["**"], "lets any branch deploy (branch rule '**')"),
        ([], f"does not let {BRANCH} deploy (its branch rules: none)"),
    ],
)
def test_custom_rules_without_the_deploy_branch_or_with_a_catch_all_are_refused(
    ci_role_cli, rules, expected
):
    result = ci_role_cli(custom_rules(*rules))
    assert_refused(result, expected, f"{FIX}")


@needs_ci_role_template
def test_a_tag_rule_does_not_let_the_deploy_branch_deploy(ci_role_cli):
    assert_refused(ci_role_cli(custom_rules(BRANCH, kind="tag")), f"does not let {BRANCH} deploy")


@needs_ci_role_template
def test_an_environment_without_a_branch_rule_is_refused_with_the_fix(ci_role_cli):
    result = ci_role_cli({ENVIRONMENT_URL: environment(None)})
    assert_refused(
        result, "lets any branch deploy (no deployment branch rule)",
        f"{FIX}: Selected branches, add {BRANCH}",
    )  # fmt: skip


@needs_ci_role_template
def test_a_missing_environment_is_refused_with_how_to_create_it(ci_role_cli):
    result = ci_role_cli({ENVIRONMENT_URL: GitHubError(404, "HTTP 404")})
    assert_refused(
        result, "acme/churn has no GitHub environment 'production'",
        "New environment 'production'", f"Selected branches, add {BRANCH}",
    )  # fmt: skip


@needs_ci_role_template
@pytest.mark.parametrize("status", [401, 403])
def test_a_token_that_cannot_read_the_environments_is_refused(ci_role_cli, status):
    result = ci_role_cli({ENVIRONMENT_URL: GitHubError(status, f"HTTP {status}")})
    assert_refused(
        result, f"the token cannot read the environments of acme/churn (HTTP {status})",
        "--environment-checked",
    )  # fmt: skip


@needs_ci_role_template
def test_without_a_token_ci_role_is_refused(ci_role_cli):
    result = ci_role_cli({}, token=None)
    assert_refused(result, "set GITHUB_TOKEN", "--environment-checked", FIX)
    assert result.asked == []


@needs_ci_role_template
def test_gh_token_is_used_when_github_token_is_not_set(ci_role_cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", "gh-cli-token")
    answers = {ENVIRONMENT_URL: environment({"protected_branches": True,
                                             "custom_branch_policies": False})}  # fmt: skip
    monkeypatch.setattr(ci_role, "github_get", lambda url, token: {
        "gh-cli-token": answers[url]}[token])  # fmt: skip
    assert_proceeded(ci_role_cli(None, token=None), "only protected branches")


@needs_ci_role_template
def test_without_a_token_environment_checked_proceeds_without_asking_github(ci_role_cli):
    result = ci_role_cli({}, "--environment-checked", token=None)
    assert_proceeded(result, "environment check skipped (--environment-checked)")
    assert result.asked == []


@needs_ci_role_template
def test_a_timeout_is_refused_in_one_line(ci_role_cli, monkeypatch):
    def urlopen(request, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(ci_role.urllib.request, "urlopen", urlopen)
    result = ci_role_cli(None)  # the real github_get, below it a urlopen that times out
    assert_refused(result, "could not reach GitHub", "(timed out)", "--environment-checked")


@needs_ci_role_template
def test_gitlab_is_not_asked_about_github_environments(ci_role_cli):
    result = ci_role_cli({}, token=None, provider="gitlab")
    assert result.code == 0, result.err
    assert result.stacks == [f"{result.slug}-ci-role"] and result.asked == []


def test_github_get_asks_once_with_the_api_headers_and_a_10_second_timeout(monkeypatch):
    seen = []

    def urlopen(request, timeout):
        seen.append((request.get_method(), request.full_url, dict(request.header_items()),
                     timeout))  # fmt: skip
        return io.BytesIO(b'{"deployment_branch_policy": null}')

    monkeypatch.setattr(ci_role.urllib.request, "urlopen", urlopen)
    assert github_get(ENVIRONMENT_URL, "a-token") == {"deployment_branch_policy": None}
    ((method, url, headers, timeout),) = seen
    assert (method, url, timeout) == ("GET", ENVIRONMENT_URL, 10)
    assert headers == {
        "Accept": "application/vnd.github+json",
        "Authorization": "Bearer a-token",
        "X-github-api-version": "2022-11-28",  # urllib capitalizes header names so
    }


@pytest.mark.parametrize(
    ("raised", "status"),
    [
        (urllib.error.HTTPError(ENVIRONMENT_URL, 404, "Not Found", {}, io.BytesIO(b"{}")), 404),
        (urllib.error.URLError(OSError("Name or service not known")), None),
    ],
)
def test_github_get_turns_http_and_network_errors_into_github_errors(monkeypatch, raised, status):
    def urlopen(request, timeout):
        raise raised

    monkeypatch.setattr(ci_role.urllib.request, "urlopen", urlopen)
    with pytest.raises(GitHubError) as error:
        github_get(ENVIRONMENT_URL, "a-token")
    assert error.value.status == status


@pytest.mark.parametrize(
    ("pattern", "branch", "matches"),
    [
        ("main", "main", True),
        ("main", "mainline", False),
        ("release/*", "release/1", True),
        ("release/*", "release/1/2", False),  # GitHub: wildcards do not match "/"
        ("*", "feature/x", False),
        ("ma?n", "main", True),
        ("[lm]ain", "main", True),
        ("[!m]ain", "main", False),
        ("**/main", "a/b/main", True),
    ],
)
def test_branch_patterns_match_as_github_documents(pattern, branch, matches):
    assert branch_pattern_matches(pattern, branch) is matches


@pytest.mark.parametrize(
    ("pattern", "catch_all"),
    [("*", True), ("**", True), ("*/*", True), ("main", False), ("release/*", False)],
)
def test_a_pattern_of_wildcards_alone_is_a_catch_all(pattern, catch_all):
    assert is_catch_all(pattern) is catch_all
