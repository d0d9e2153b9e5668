"""`ci-role` trusts the branch that the project's CI file deploys from, and no other."""

from __future__ import annotations

import pytest
from project.aws.ci_role import CI_FILES, check_deploy_branch, detect_provider
from project.settings import SettingsError, load_settings

from ..conftest import PROJECT_ROOT, copy_project, replace_line

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
