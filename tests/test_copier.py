"""copier renders the same project as cookiecutter, and `copier update` brings
template changes into a project without losing what its user changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from copier import run_copy, run_update
from git_repos import commit_all, copy_template
from template_facts import CONFIGURATIONS, TEMPLATE_DIR, files_in

ANSWERS_FILES = {".cookiecutter.json", ".copier-answers.yml"}
TEMPLATE_MAKEFILE = Path("{{cookiecutter.project_slug}}", "Makefile")


@pytest.fixture(scope="module")
def template_copy(tmp_path_factory):
    """The template's files without its git history (copier reads a repository's
    latest tag, and the working tree under test may hold uncommitted changes)."""
    return copy_template(tmp_path_factory.mktemp("template") / "retrain-template")


def tagged_template(template_copy: Path, folder: Path) -> Path:
    """A template repository whose only release is v1.0.0."""
    template = copy_template(folder, source=template_copy)
    commit_all(template, "v1", tag="v1.0.0")
    return template


def release(template: Path, relative: Path, edit, tag: str) -> None:
    """Change one template file with ``edit`` (text -> text) and tag the result."""
    path = template / relative
    path.write_text(edit(path.read_text()))
    commit_all(template, f"release {tag}", tag=tag)


def copied_project(template: Path, folder: Path) -> Path:
    """A project copied from the template's latest tag, committed as a user would."""
    run_copy(str(template), folder, defaults=True, unsafe=True, quiet=True)
    commit_all(folder, "baked")
    return folder


def improve_makefile(text: str) -> str:
    return text + "\n# A template improvement.\n"


def copier_answers(name: str) -> dict:
    return dict(CONFIGURATIONS[name])


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_copier_and_cookiecutter_produce_identical_trees(baked, template_copy, tmp_path, name):
    destination = tmp_path / "project"
    run_copy(
        str(template_copy), destination, data=copier_answers(name), defaults=True,
        unsafe=True, quiet=True,
    )  # fmt: skip
    from_cookiecutter = Path(baked(name))
    assert files_in(destination) - ANSWERS_FILES == files_in(from_cookiecutter) - ANSWERS_FILES
    for relative in files_in(from_cookiecutter) - ANSWERS_FILES:
        copied = (destination / relative).read_bytes()
        assert copied == (from_cookiecutter / relative).read_bytes(), relative
    assert (destination / ".copier-answers.yml").is_file()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_slug": "Bad Slug"}, "must be 3 to 26 lowercase letters"),
        ({"aws_account_id": "12345"}, "is not an AWS account id"),
        ({"retraining_schedule": "daily"}, "is not a schedule"),
        ({"schedule_timezone": "Central European"}, "is not an IANA time zone name"),
        ({"aws_region": "us-est-1"}, "is not an AWS region"),
        ({"aws_region": "mx-central-1"}, "has no SageMaker XGBoost 1.7-1 image"),
        ({"training_instance_type": "m5.xlarge"}, "is not a SageMaker instance type"),
        ({"glue_role_arn": "platform-glue"}, "is not an IAM role ARN"),
    ],
)
def test_copier_validators_give_the_hooks_messages(template_copy, tmp_path, answers, message):
    with pytest.raises(ValueError, match=message):
        run_copy(str(template_copy), tmp_path / "p", data=answers, defaults=True, unsafe=True,
                 quiet=True)  # fmt: skip
    assert not (tmp_path / "p").exists()


def test_rules_beyond_the_validators_refuse_the_copy_and_leave_nothing(
    template_copy, tmp_path, capfd
):
    with pytest.raises(Exception):  # noqa: B017 (copier's task error type varies by version)
        run_copy(
            str(template_copy), tmp_path / "p", data={"artifact_bucket": "data--x-s3"},
            defaults=True, unsafe=True, quiet=True,
        )  # fmt: skip
    assert "ERROR: artifact_bucket 'data--x-s3' ends with '--x-s3'" in capfd.readouterr().err
    assert not (tmp_path / "p").exists()


def test_copier_update_brings_template_changes_and_keeps_user_edits(template_copy, tmp_path):
    template = tagged_template(template_copy, tmp_path / "template")
    project = copied_project(template, tmp_path / "project")
    settings = project / "settings.toml"
    edited = settings.read_text().replace("max_depth = 5", "max_depth = 7  # tuned by us")
    settings.write_text(edited)
    commit_all(project, "tune")

    release(template, TEMPLATE_MAKEFILE, improve_makefile, "v1.1.0")

    run_update(project, defaults=True, unsafe=True, overwrite=True, quiet=True)
    assert "# A template improvement." in (project / "Makefile").read_text()
    assert "max_depth = 7  # tuned by us" in settings.read_text()
    assert "_commit: v1.1.0" in (project / ".copier-answers.yml").read_text()


def test_a_cookiecutter_project_adopts_copier_updates(template_copy, tmp_path):
    from cookiecutter.main import cookiecutter
    from template_facts import user_config

    template = tagged_template(template_copy, tmp_path / "template")
    project = Path(
        cookiecutter(
            str(template), no_input=True, output_dir=str(tmp_path / "out"),
            config_file=str(user_config(tmp_path)),
        )
    )  # fmt: skip
    script = TEMPLATE_DIR / "scripts" / "adopt_copier.py"
    subprocess.run(
        [sys.executable, str(script), str(project), "--version", "v1.0.0"],
        check=True,
        capture_output=True,
    )
    commit_all(project, "baked with cookiecutter")

    release(template, TEMPLATE_MAKEFILE, improve_makefile, "v1.1.0")

    run_update(project, defaults=True, unsafe=True, overwrite=True, quiet=True)
    assert "# A template improvement." in (project / "Makefile").read_text()
    assert (project / ".cookiecutter.json").is_file()


def test_copier_asks_the_questions_of_cookiecutter_json():
    import yaml
    from template_facts import DEFAULTS

    questions = yaml.safe_load((TEMPLATE_DIR / "copier.yml").read_text(encoding="utf-8"))
    asked = {name for name in questions if not name.startswith("_") and name != "cookiecutter"}
    assert asked == {name for name in DEFAULTS if not name.startswith("_")}
    for name in asked:
        default = DEFAULTS[name]
        if isinstance(default, list):
            assert list(questions[name]["choices"].values()) == default, name
            assert questions[name]["default"] == default[0], name
        elif "{{" not in str(default):
            assert questions[name]["default"] == default, name


def test_copiers_region_list_is_the_rules_list():
    import re

    import bake_logic

    rules = bake_logic.load_shared_modules(TEMPLATE_DIR).rules
    text = (TEMPLATE_DIR / "copier.yml").read_text(encoding="utf-8")
    validator = next(line for line in text.splitlines() if "is not an AWS region" in line)
    regions, without_image = validator.split("{% elif ")
    listed = re.findall(r"'([a-z]{2}(?:-[a-z]+)+-\d)'", regions)
    assert sorted(listed) == sorted(rules.REGION_PARTITION)
    refused = re.findall(r"'([a-z]{2}(?:-[a-z]+)+-\d)'", without_image)
    assert sorted(refused) == sorted(rules.REGIONS_WITHOUT_XGBOOST_IMAGE)
    assert f"XGBoost {rules.XGBOOST_VERSION} image" in without_image


def test_an_update_that_collides_with_a_user_edit_shows_a_conflict(template_copy, tmp_path):
    template = tagged_template(template_copy, tmp_path / "template")
    project = copied_project(template, tmp_path / "project")
    ignore = project / ".gitignore"
    ignore.write_text(ignore.read_text().replace(".local/", ".local/  # ours"))
    commit_all(project, "user edit")

    theirs = Path("{{cookiecutter.project_slug}}", ".gitignore")
    release(template, theirs, lambda text: text.replace(".local/", ".local/  # theirs"), "v1.1.0")

    run_update(project, defaults=True, unsafe=True, overwrite=True, quiet=True)
    merged = ignore.read_text()
    assert "# ours" in merged, "the user's edit was lost"
    assert "# theirs" in merged and "<<<<<<<" in merged, "the collision is not shown"


# The last commit of the flat layout (every module in src/<package>/, tests beside
# them): the release projects were baked from before the layered layout.
FLAT_LAYOUT_COMMIT = "2b66b5c806d1485989b5f402cdeb57bb7b7b5cb9"


def template_at(commit: str, folder: Path) -> Path:
    """The template's files as they were at ``commit`` (from this repository's history)."""
    found = subprocess.run(
        ["git", "-C", str(TEMPLATE_DIR), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert found.returncode == 0, f"{commit} is not in this clone: the test needs the history"
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(TEMPLATE_DIR), "archive", "--format=tar", commit],
        capture_output=True, check=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def release_todays_files(template: Path, todays_files: Path, message: str, tag: str) -> None:
    """The template repository's next release: today's files in place of the old ones."""
    for path in template.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(todays_files, template, dirs_exist_ok=True)
    commit_all(template, message, tag=tag)


def test_copier_update_from_the_flat_layout_to_the_layered_one_keeps_user_edits(
    template_copy, tmp_path, capfd
):
    template = template_at(FLAT_LAYOUT_COMMIT, tmp_path / "template")
    commit_all(template, "flat layout", tag="v0.9.0")
    project = copied_project(template, tmp_path / "project")
    package = project / "src" / "customer_churn_retraining"
    assert (package / "etl_job.py").is_file()  # the flat layout, as users have it
    settings = project / "settings.toml"
    settings.write_text(settings.read_text().replace("max_depth = 5", "max_depth = 7  # ours"))
    (package / "our_features.py").write_text('"""A module the team added."""\n')
    (package / "tests" / "test_ours.py").write_text("def test_ours():\n    pass\n")
    etl = package / "etl_job.py"
    etl.write_text(etl.read_text() + "\n# a cleaning step of ours\n")
    commit_all(project, "our edits")

    # The template moves to the layered layout: today's files, released as v1.0.0.
    release_todays_files(template, template_copy, "layered layout", "v1.0.0")

    run_update(project, defaults=True, unsafe=True, overwrite=True, quiet=True)
    said = capfd.readouterr().out
    assert (package / "steps" / "glue_etl_job.py").is_file()
    assert (package / "settings" / "fields.py").is_file()
    assert not (package / "etl_job.py").exists()  # moved, not left behind twice
    assert (project / "tests" / "settings" / "test_fields.py").is_file()
    text = settings.read_text()
    assert "max_depth = 7  # ours" in text  # the user's edit survives the move
    assert "volume_size_gb = 30" in text  # and the setting added since arrives
    assert (package / "our_features.py").is_file()  # a file of the user's is kept
    # copier drops an edit to a moved module; the migration kept it, and said so.
    kept = project / ".copier-moved-edits" / "src" / "customer_churn_retraining" / "etl_job.py"
    assert "# a cleaning step of ours" in kept.read_text()
    assert (
        "src/customer_churn_retraining/etl_job.py had your edits; 1.0.0 moves it to "
        "src/customer_churn_retraining/steps/glue_etl_job.py" in said  # where it is now
    )
    assert "our_features.py is yours and stays" in said
    assert "tests/test_ours.py is yours and stays, but tests now live in tests/" in said
    assert "_commit: v1.0.0" in (project / ".copier-answers.yml").read_text()
    leftovers = subprocess.run(
        ["git", "grep", "-l", "-e", "^<<<<<<<", "-e", "^>>>>>>>"], cwd=project,
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    assert leftovers == ""


RELEASE_1_1_0_COMMIT = "d822deb8139890ee0fb6b2ebe56de83cc756c17e"


def test_copier_update_from_1_1_0_across_the_renames_keeps_user_edits(
    template_copy, tmp_path, capfd
):
    """1.2.0 renames aws_steps/ to steps/ (and a few modules): an edit to a renamed file
    is kept and its new home named; edits elsewhere merge as usual."""
    template = template_at(RELEASE_1_1_0_COMMIT, tmp_path / "template")
    commit_all(template, "1.1.0", tag="v1.1.0")
    project = copied_project(template, tmp_path / "project")
    package = project / "src" / "customer_churn_retraining"
    etl = package / "aws_steps" / "glue_etl_job.py"
    etl.write_text(etl.read_text() + "\n# a cleaning step of ours\n")
    settings = project / "settings.toml"
    settings.write_text(settings.read_text().replace("max_depth = 5", "max_depth = 7  # ours"))
    (project / "tests" / "test_ours.py").write_text("def test_ours():\n    pass\n")
    commit_all(project, "our edits")

    release_todays_files(template, template_copy, "clearer names", "v1.2.0")

    run_update(project, defaults=True, unsafe=True, overwrite=True, quiet=True)
    said = capfd.readouterr().out
    assert (package / "steps" / "glue_etl_job.py").is_file()
    assert not (package / "aws_steps").exists()
    assert (package / "models" / "registry.py").is_file()
    assert not (package / "model_registry.py").exists()
    assert (project / "tests" / "steps" / "test_glue_etl_job.py").is_file()
    assert "max_depth = 7  # ours" in settings.read_text()
    kept = project / ".copier-moved-edits" / "src" / "customer_churn_retraining" / "aws_steps"
    assert "# a cleaning step of ours" in (kept / "glue_etl_job.py").read_text()
    assert (
        "src/customer_churn_retraining/aws_steps/glue_etl_job.py had your edits; 1.2.0 moves "
        "it to src/customer_churn_retraining/steps/glue_etl_job.py" in said
    )
    assert "tests/test_ours.py is yours and stays" in said
    assert (project / "tests" / "test_ours.py").is_file()
    assert "_commit: v1.2.0" in (project / ".copier-answers.yml").read_text()
