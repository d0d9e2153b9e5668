"""The walkthrough notebook, executed top to bottom in local mode with a real kernel
(nbclient). RUN_ON_AWS stays False, so no AWS call is made; Spark, xgboost and the
evaluator run as in `run --local`."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import PROJECT_ROOT, copy_project

NOTEBOOK = PROJECT_ROOT / "notebooks" / "walkthrough.ipynb"


def outputs_of(cell) -> str:
    texts = []
    for output in cell.outputs:
        texts.append(output.get("text", ""))
        texts += [str(value) for value in output.get("data", {}).values()]
    return "".join(texts)


def test_the_committed_notebook_has_no_outputs():
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


# Executing it (a kernel, a JVM, a local run) takes about 20 s: the slow tier, which
# CI runs (`make test-slow`); the committed-outputs check above stays in every run.
@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")  # the local run writes .local/ here
    copy_project(project, "README.md", "statemachine", "notebooks")
    notebook = nbformat.read(project / "notebooks" / "walkthrough.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
    )
    client.execute()
    return {cell.id: cell for cell in notebook.cells}


@pytest.mark.slow
def test_every_cell_runs_and_the_local_run_passes_the_gate(executed):
    local_run = outputs_of(executed["local-run"])
    assert "quality gate:" in local_run and "succeeded" in local_run


@pytest.mark.slow
def test_the_graph_is_an_svg_image(executed):
    (output,) = executed["graph"].outputs
    svg = output["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and "Quality gate" in svg


@pytest.mark.slow
def test_nothing_is_deployed_unless_asked(executed):
    assert "nothing was deployed" in outputs_of(executed["aws-run"])


@pytest.mark.slow
def test_the_drift_section_finds_the_moved_feature_and_draws_it(executed):
    """The first feature of the requests was moved far up: the check names it, and the
    picture marks it (other features may cross the threshold by chance on a sample)."""
    from project.models.invoke import encoded_columns
    from project.settings import load_settings

    first = encoded_columns(load_settings(PROJECT_ROOT / "settings.toml").data)[0]
    report = outputs_of(executed["drift-check"])
    assert "captured request rows:" in report
    assert f"  {first}: baseline_drift_check: distance" in report
    (output,) = executed["drift-chart"].outputs
    svg = output["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and "(drifted)" in svg
