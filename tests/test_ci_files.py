"""The generated CI files, checked offline: GitHub workflows by zizmor (security
audit, pedantic persona) and against the workflow schema, .gitlab-ci.yml against
GitLab's schema (check-jsonschema's bundled copies); both deploy only with OIDC."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from template_facts import CONFIGURATIONS, DEFAULTS, configurations_where

TOOLS = Path(sys.executable).parent
FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
GITHUB = configurations_where(ci_provider="github")[0]
GITLAB = configurations_where(ci_provider="gitlab")[0]


def tool(*command) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOLS / command[0]), *map(str, command[1:])],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def zizmor(path: Path) -> subprocess.CompletedProcess:
    return tool("zizmor", "--offline", "--persona", "pedantic", "--no-progress", path)


def workflows(project: Path) -> list[Path]:
    return sorted((project / ".github" / "workflows").glob("*.yml"))


def test_zizmor_finds_nothing_in_the_workflows(baked):
    result = zizmor(baked(GITHUB) / ".github" / "workflows")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_flags_an_unpinned_action(baked, tmp_path):
    """Guards the test above against a zizmor that passes anything."""
    text = (baked(GITHUB) / ".github" / "workflows" / "ci.yml").read_text()
    weakened = tmp_path / ".github" / "workflows" / "ci.yml"
    weakened.parent.mkdir(parents=True)
    weakened.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text))
    assert zizmor(weakened.parent).returncode != 0


def test_workflows_match_the_github_schema(baked):
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows",
                  *workflows(baked(GITHUB)))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_ci_matches_the_gitlab_schema(baked, tmp_path):
    gitlab_ci = baked(GITLAB) / ".gitlab-ci.yml"
    result = tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", gitlab_ci)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / ".gitlab-ci.yml"  # and the schema is really applied
    text = gitlab_ci.read_text()
    broken.write_text(text.replace("  stage: deploy", "  stage: deploy\n  when: sometimes"))
    assert tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", broken).returncode


def test_every_action_is_pinned_by_full_commit_sha(baked):
    for workflow in workflows(baked(GITHUB)):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert FULL_SHA.match(step["uses"]), f"{workflow.name}: {step['uses']}"


def deploy_branch(name: str) -> str:
    return CONFIGURATIONS[name].get("deploy_branch", DEFAULTS["deploy_branch"])


def test_github_deploys_only_through_oidc_after_approval(baked):
    project = baked(GITHUB)
    (workflow,) = workflows(project)  # one workflow: the deploy is a job of ci.yml
    ci = yaml.safe_load(workflow.read_text())
    assert ci["permissions"] == {}
    job = ci["jobs"]["deploy"]
    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    assert job["environment"] == "production"
    credentials = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials[0]["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert job["steps"][-1]["run"].endswith(" deploy")
    for workflow in workflows(project):
        assert "aws-access-key-id" not in workflow.read_text()
        assert "secrets." not in workflow.read_text()


def test_github_deploys_the_deploy_branch_only_after_its_checks_passed(baked):
    ci = yaml.safe_load((baked(GITHUB) / ".github" / "workflows" / "ci.yml").read_text())
    branch = deploy_branch(GITHUB)
    assert ci[True]["push"]["branches"] == [branch]  # YAML 1.1 reads the key 'on' as True
    deploy = ci["jobs"]["deploy"]
    assert deploy["needs"] == "check"
    assert f"github.ref == 'refs/heads/{branch}'" in deploy["if"]
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    # a newer push may cancel a pull request's checks, never a run that deploys
    assert ci["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_gitlab_deploys_only_through_its_id_token(baked):
    gitlab_ci = yaml.safe_load((baked(GITLAB) / ".gitlab-ci.yml").read_text())
    deploy = gitlab_ci["deploy"]
    assert deploy["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "https://gitlab.com"
    assert deploy["environment"]["name"] == "production"
    # a pipeline run to promote (PROMOTE_TO set) runs the promote job instead
    branch = deploy_branch(GITLAB)
    assert deploy["rules"] == [{"if": f'$CI_COMMIT_BRANCH == "{branch}" && $PROMOTE_TO == null'}]
    assert gitlab_ci["stages"].index("check") < gitlab_ci["stages"].index(deploy["stage"])
    assert "AWS_SECRET_ACCESS_KEY" not in (baked(GITLAB) / ".gitlab-ci.yml").read_text()


def test_gitlab_writes_the_id_token_to_a_temporary_file_outside_the_checkout(baked):
    script = yaml.safe_load((baked(GITLAB) / ".gitlab-ci.yml").read_text())["deploy"]["script"]
    assert 'export AWS_WEB_IDENTITY_TOKEN_FILE="$(mktemp)"' in script
    writes = [line for line in script if "$AWS_ID_TOKEN" in line]
    assert writes == ['printf \'%s\' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"']
    assert not any("CI_PROJECT_DIR" in line for line in script)


def test_the_trust_and_the_gitlab_job_name_the_same_deploy_branch(baked):
    project = baked(GITLAB)
    assert deploy_branch(GITLAB) != "main"  # the matrix row gives another branch
    settings = tomllib.loads((project / "settings.toml").read_text())
    assert settings["ci"]["deploy_branch"] == deploy_branch(GITLAB)
    role = (project / "infrastructure" / "ci-deploy-role.yaml").read_text()
    assert ":ref_type:branch:ref:${DeployBranch}" in role
    assert ":ref:main" not in role


def test_github_promotes_by_hand_in_the_stages_environment_after_the_checks(baked):
    """Promotion (#24): run by hand with the stage and version, in the GitHub
    environment named after the stage (its reviewers approve, its role is assumed);
    the deploy job stays out of such a run."""
    ci = yaml.safe_load((baked(GITHUB) / ".github" / "workflows" / "ci.yml").read_text())
    inputs = ci[True]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"promote_to", "version"}
    promote, deploy = ci["jobs"]["promote"], ci["jobs"]["deploy"]
    assert promote["needs"] == "check"
    assert "github.event_name == 'workflow_dispatch'" in promote["if"]
    assert "inputs.promote_to != ''" in promote["if"] and "inputs.promote_to == ''" in deploy["if"]
    assert f"github.ref == 'refs/heads/{deploy_branch(GITHUB)}'" in promote["if"]
    assert promote["environment"] == "${{ inputs.promote_to }}"
    assert promote["permissions"] == {"id-token": "write", "contents": "read"}
    last = promote["steps"][-1]
    # inputs reach the shell as environment variables, never pasted into the script
    assert last["env"] == {"STAGE": "${{ inputs.promote_to }}", "VERSION": "${{ inputs.version }}"}
    assert last["run"].endswith(' promote --to "$STAGE" "$VERSION"')


def test_gitlab_promotes_by_hand_in_the_stages_environment(baked):
    gitlab_ci = yaml.safe_load((baked(GITLAB) / ".gitlab-ci.yml").read_text())
    promote = gitlab_ci["promote"]
    (rule,) = promote["rules"]
    assert rule["when"] == "manual" and "$PROMOTE_TO && $PROMOTE_VERSION" in rule["if"]
    assert f'$CI_COMMIT_BRANCH == "{deploy_branch(GITLAB)}"' in rule["if"]
    assert promote["environment"]["name"] == "$PROMOTE_TO"
    assert promote["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "https://gitlab.com"
    assert promote["script"][-1].endswith(' promote --to "$PROMOTE_TO" "$PROMOTE_VERSION"')


def install_steps(provider: str, project: Path, job: str = "deploy") -> list[str]:
    """A job's commands up to the one that gets AWS credentials."""
    if provider == "gitlab":
        script = yaml.safe_load((project / ".gitlab-ci.yml").read_text())[job]["script"]
        return script[: next(i for i, line in enumerate(script) if "AWS_ID_TOKEN" in line)]
    steps = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    steps = steps["jobs"][job]["steps"]
    before = steps[: next(i for i, s in enumerate(steps) if "configure-aws" in s.get("uses", ""))]
    return [line for step in before for line in step.get("run", "").splitlines()]


@pytest.mark.parametrize("job", ["deploy", "promote"])
@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_deploy_jobs_install_only_hashed_locked_code_before_the_role(baked, provider, job):
    project = baked(GITHUB if provider == "github" else GITLAB)
    installs = [line for line in install_steps(provider, project, job) if "pip install" in line]
    assert len(installs) == 2, installs
    locked, own = installs
    assert "--require-hashes --no-deps -r requirements.lock" in locked
    assert "--no-deps --no-build-isolation ." in own  # no build dependency fetched unpinned
    assert (project / "requirements.lock").is_file()


@pytest.mark.parametrize("name", configurations_where(ci_provider="none"))
def test_no_ci_provider_means_no_ci_files(baked, name):
    project = baked(name)
    assert not (project / ".github").exists() and not (project / ".gitlab-ci.yml").exists()
    assert not (project / "infrastructure" / "ci-deploy-role.yaml").exists()
