"""copier's migrations of releases that move files: run before `copier update` applies one.

1.0.0 moves every module of src/<package>/ into the folder of its layer, and the tests
out of the package into tests/; 1.2.0 renames a few folders and modules so that each
name says what it holds (MOVED below). For a moved file, `copier update` deletes the old
path and writes the new one, so an edit a team made to a moved module would be dropped
without a word. This keeps every such edit: it renders the version the project was
baked from (with the project's answers), and each moved file that differs from that
render is copied to .copier-moved-edits/<its old path>, with a line saying where its
code lives now. Files the team added are kept by copier itself; they are listed, since
their imports of moved modules need the new paths (and tests added inside the package
must move to tests/, where pytest now looks).

Usage (copier.yml's _migrations runs it in the project, once per such release):
    python copier_migrate_moved_files.py TEMPLATE VERSION_FROM ANSWERS_FILE RELEASE
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import yaml  # copier depends on PyYAML, so its Python has it

SAVED_EDITS = ".copier-moved-edits"
# Old path -> new path, by the release that moved it (git's rename detection).
# fmt: off
MOVED_IN_1_0_0 = {
    "src/{package}/artifacts.py": "src/{package}/aws/artifacts.py",
    "src/{package}/cfn_template.py": "src/{package}/aws/cfn_template.py",
    "src/{package}/ci_role.py": "src/{package}/aws/ci_role.py",
    "src/{package}/aws_commands.py": "src/{package}/aws/commands.py",
    "src/{package}/deploy.py": "src/{package}/aws/deploy.py",
    "src/{package}/destroy.py": "src/{package}/aws/destroy.py",
    "src/{package}/aws_errors.py": "src/{package}/aws/errors.py",
    "src/{package}/estimate.py": "src/{package}/aws/estimate.py",
    "src/{package}/executions.py": "src/{package}/aws/executions.py",
    "src/{package}/iam_policies.py": "src/{package}/aws/iam_policies.py",
    "src/{package}/inventory.py": "src/{package}/aws/inventory.py",
    "src/{package}/raw_data.py": "src/{package}/aws/raw_data.py",
    "src/{package}/aws_session.py": "src/{package}/aws/session.py",
    "src/{package}/stacks.py": "src/{package}/aws/stacks.py",
    "src/{package}/stop_runs.py": "src/{package}/aws/stop_runs.py",
    "src/{package}/etl_job.py": "src/{package}/aws_steps/glue_etl_job.py",
    "src/{package}/evaluator.py": "src/{package}/aws_steps/lambda_evaluator.py",
    "src/{package}/inference_request.py": "src/{package}/local/inference_request.py",
    "src/{package}/local_inputs.py": "src/{package}/local/inputs.py",
    "src/{package}/asl_interpreter.py": "src/{package}/local/interpreter.py",
    "src/{package}/local_run.py": "src/{package}/local/run.py",
    "src/{package}/serve.py": "src/{package}/local/serve.py",
    "src/{package}/local_aws.py": "src/{package}/local/services.py",
    "src/{package}/local_training.py": "src/{package}/local/training.py",
    "src/{package}/aws_account.py": "src/{package}/settings/aws_account.py",
    "src/{package}/fill_in.py": "src/{package}/settings/fill_in.py",
    "src/{package}/settings.py": "src/{package}/settings/model.py",
    "src/{package}/names.py": "src/{package}/settings/names.py",
    "src/{package}/rules.py": "src/{package}/settings/rules.py",
    "src/{package}/settings_file.py": "src/{package}/settings/toml_file.py",
    "src/{package}/asl_fields.py": "src/{package}/workflow/asl_fields.py",
    "src/{package}/workflow.py": "src/{package}/workflow/definition.py",
    "src/{package}/graph.py": "src/{package}/workflow/graph.py",
    "src/{package}/graph_svg.py": "src/{package}/workflow/graph_svg.py",
    "src/{package}/progress.py": "src/{package}/workflow/progress.py",
    "src/{package}/state_names.py": "src/{package}/workflow/state_names.py",
    "src/{package}/tests/__init__.py": "tests/__init__.py",
    "src/{package}/tests/test_artifacts.py": "tests/aws/test_artifacts.py",
    "src/{package}/tests/test_aws_errors.py": "tests/aws/test_aws_errors.py",
    "src/{package}/tests/test_ci_role.py": "tests/aws/test_ci_role.py",
    "src/{package}/tests/test_deploy_rehearsal.py": "tests/aws/test_deploy_rehearsal.py",
    "src/{package}/tests/test_destroy_rehearsal.py": "tests/aws/test_destroy_rehearsal.py",
    "src/{package}/tests/test_estimate.py": "tests/aws/test_estimate.py",
    "src/{package}/tests/test_executions.py": "tests/aws/test_executions.py",
    "src/{package}/tests/test_iam_policies.py": "tests/aws/test_iam_policies.py",
    "src/{package}/tests/test_lifecycle_templates.py": "tests/aws/test_lifecycle_templates.py",
    "src/{package}/tests/test_stacks.py": "tests/aws/test_stacks.py",
    "src/{package}/tests/test_stop_runs.py": "tests/aws/test_stop_runs.py",
    "src/{package}/tests/test_etl_job.py": "tests/aws_steps/test_glue_etl_job.py",
    "src/{package}/tests/test_evaluator.py": "tests/aws_steps/test_lambda_evaluator.py",
    "src/{package}/tests/conftest.py": "tests/conftest.py",
    "src/{package}/tests/serving.py": "tests/local/serving.py",
    "src/{package}/tests/test_local_endpoint.py": "tests/local/test_endpoint.py",
    "src/{package}/tests/test_fault_injection.py": "tests/local/test_fault_injection.py",
    "src/{package}/tests/test_local_inputs.py": "tests/local/test_inputs.py",
    "src/{package}/tests/test_asl_interpreter.py": "tests/local/test_interpreter.py",
    "src/{package}/tests/test_local_run.py": "tests/local/test_run.py",
    "src/{package}/tests/test_serve.py": "tests/local/test_serve.py",
    "src/{package}/tests/test_serve_fuzz.py": "tests/local/test_serve_fuzz.py",
    "src/{package}/tests/test_local_training.py": "tests/local/test_training.py",
    "src/{package}/tests/test_aws_account.py": "tests/settings/test_aws_account.py",
    "src/{package}/tests/test_fill_in.py": "tests/settings/test_fill_in.py",
    "src/{package}/tests/test_hyperparameter_rules.py":
        "tests/settings/test_hyperparameter_rules.py",
    "src/{package}/tests/test_rules.py": "tests/settings/test_rules.py",
    "src/{package}/tests/test_settings.py": "tests/settings/test_settings.py",
    "src/{package}/tests/test_settings_file.py": "tests/settings/test_toml_file.py",
    "src/{package}/tests/test_cli.py": "tests/test_cli.py",
    "src/{package}/tests/test_notebook.py": "tests/test_notebook.py",
    "src/{package}/tests/canned_tasks.py": "tests/workflow/canned_tasks.py",
    "src/{package}/tests/test_workflow.py": "tests/workflow/test_definition.py",
    "src/{package}/tests/test_endpoint_routing.py": "tests/workflow/test_endpoint_routing.py",
    "src/{package}/tests/test_workflow_routing.py": "tests/workflow/test_workflow_routing.py",
}
# 1.2.0: names that say what a file holds and where it runs.
MOVED_IN_1_2_0 = {
    "src/{package}/aws_steps/__init__.py": "src/{package}/steps/__init__.py",
    "src/{package}/aws_steps/glue_etl_job.py": "src/{package}/steps/glue_etl_job.py",
    "src/{package}/aws_steps/lambda_evaluator.py": "src/{package}/steps/lambda_evaluator.py",
    "src/{package}/aws/iam_policies.py": "src/{package}/aws/policies_from_stack.py",
    "src/{package}/local/transform.py": "src/{package}/local/batch_transform.py",
    "src/{package}/model_registry.py": "src/{package}/models/registry.py",
    "src/{package}/model_commands.py": "src/{package}/models/commands.py",
    "src/{package}/invoke.py": "src/{package}/models/invoke.py",
    "tests/aws_steps/__init__.py": "tests/steps/__init__.py",
    "tests/aws_steps/test_glue_etl_job.py": "tests/steps/test_glue_etl_job.py",
    "tests/aws_steps/test_lambda_evaluator.py": "tests/steps/test_lambda_evaluator.py",
    "tests/local/test_transform.py": "tests/local/test_batch_transform.py",
    "tests/test_model_registry.py": "tests/models/test_registry.py",
    "tests/test_invoke.py": "tests/models/test_invoke.py",
}
# fmt: on
MOVED = {"1.0.0": MOVED_IN_1_0_0, "1.2.0": MOVED_IN_1_2_0}


def where_it_lives_now(path: str, release: str) -> str:
    """A path after ``release`` moved it, followed through the later releases' moves."""
    for later in sorted(MOVED, key=_version):
        if _version(later) > _version(release):
            path = MOVED[later].get(path, path)
    return path


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def main(template: str, version_from: str, answers_file: Path, release: str) -> int:
    from copier import run_copy  # the Python that runs this migration is copier's

    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    package = answers["package_name"]
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory() as scratch:
        baked = Path(scratch) / "as-baked"
        run_copy(template, baked, data=data, vcs_ref=version_from, defaults=True,
                 quiet=True, unsafe=True, skip_tasks=True)  # fmt: skip
        kept = []
        for old, new in MOVED[release].items():
            old_path = Path(old.format(package=package))
            as_baked = baked / old_path
            edited = (
                old_path.is_file()
                and as_baked.is_file()
                and not filecmp.cmp(old_path, as_baked, shallow=False)
            )
            if edited:
                copy = Path(SAVED_EDITS) / old_path
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(old_path, copy)
                now = where_it_lives_now(new, release).format(package=package)
                kept.append((old_path, copy, now))
        folders = [Path("src", package)] + ([Path("tests")] if release != "1.0.0" else [])
        added = sorted(
            path for folder in folders for path in folder.rglob("*.py")
            if not (baked / path).exists()
        )  # fmt: skip
    for old_path, copy, new in kept:
        print(f"{old_path} had your edits; {release} moves it to {new}: your version is kept "
              f"in {copy}, re-apply its changes there")  # fmt: skip
    for path in added:
        if release == "1.0.0" and "tests" in path.parts:
            print(f"{path} is yours and stays, but tests now live in tests/ (pytest looks "
                  "only there): move it, and its imports, into the matching folder")  # fmt: skip
        else:
            print(f"{path} is yours and stays; modules it imports may have moved (see CHANGELOG)")
    return 0


if __name__ == "__main__":
    release = sys.argv[4] if len(sys.argv) > 4 else "1.0.0"  # 1.0.0's copier.yml passed none
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), release))
