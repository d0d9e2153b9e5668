"""Model-retraining pipeline: Glue ETL, SageMaker XGBoost, a quality gate, Step Functions.

The folders say which rules a file lives under:

- ``settings/``   settings.toml and the names it gives; standard library only (the
  template's hooks load it at bake time);
- ``steps/``      the pipeline's step code, the Glue job's script and the evaluator
  Lambda: uploaded on their own to AWS, and run as they are by local mode;
- ``workflow/``   the state machine (Step Functions Data Science SDK), graph, progress;
- ``aws/``        the commands that act on AWS (deploy, run, destroy, ...);
- ``local/``      local mode: the definition run on this machine, and a local endpoint;
- ``dataset/``    your own data: `data init` learns a CSV's schema, `data check` a file;
- ``models/``     the registered model versions and the live model: the `models`,
  `approve`, `rollback` and `invoke` commands (on AWS, or --local).

The names below are the package's public API, for notebooks and scripts. Each loads
on first use, so that importing the package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC_API = {
    "load_settings": "settings",
    "describe_settings": "cli",
    "build_definition": "workflow.definition",
    "render_definition": "workflow.definition",
    "to_mermaid": "workflow.graph",
    "to_svg": "workflow.graph_svg",
    "run_locally": "local.run",
    "lookup_account_id": "settings.aws_account",
    "estimate": "aws.estimate",
    "AwsSession": "aws.session",
    "deploy": "aws.deploy",
    "upload_data": "aws.raw_data",
    "has_raw_data": "aws.executions",
    "start_run": "aws.executions",
    "watch_run": "aws.executions",
    "run_events": "aws.executions",
}
# Public names that differ from the name they have in their module.
_RENAMED = {
    "describe_settings": "describe",
    "estimate": "report",
    "start_run": "start",
    "watch_run": "watch",
    "run_events": "events",
}
__all__ = sorted(_PUBLIC_API)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC_API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_PUBLIC_API[name]}", __name__)
    return getattr(module, _RENAMED.get(name, name))
