"""`drift --local`: the live local model's captured requests against its baseline.

The same check as on AWS (steps/drift_check.py), on what `serve` captured
(local/capture.py) since the live model went live. The report is written where a
monitoring job writes it, ``monitoring/<endpoint>/<time>/constraint_violations.json``
under the local bucket, with the captured rows' statistics.json beside it, where the
scheduled check on AWS writes its own (`models` shows the newest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..models.drift import violation_line
from ..settings import Settings, SettingsError
from ..settings.names import endpoint_name
from ..steps import drift_check
from .capture import CAPTURE_PREFIX, capture_files
from .services import LOCAL_BUCKET, Workspace, live_model


@dataclass(frozen=True)
class DriftReport:
    model: str
    rows: int
    violations: list[dict[str, str]]
    path: Path

    def lines(self) -> list[str]:
        head = (f"drift check of {self.model} on {self.rows} captured request rows: "
                f"{len(self.violations) or 'no'} violation(s); report {self.path}")  # fmt: skip
        return [head] + [violation_line(violation) for violation in self.violations]


def check_live_model(settings: Settings, workspace: Workspace, now: datetime | None = None):
    """The drift report of the live local model's traffic since it went live."""
    endpoint = endpoint_name(settings)
    try:
        record, _ = live_model(workspace, endpoint)
    except FileNotFoundError as error:
        raise SettingsError(f"{error}; run '{settings.slug} run --local'") from None
    live_since = record["History"][-1]["DeployedAt"]
    baseline_folder = workspace.path_of(drift_check.baseline_uri(record["ModelDataUrl"]))
    try:
        statistics = _json(baseline_folder / "statistics.json")
        constraints = _json(baseline_folder / "constraints.json")
    except FileNotFoundError:
        raise SettingsError(
            f"the live model {record['ModelName']} has no baseline at {baseline_folder} (a model "
            f"trained before the ETL wrote one); run '{settings.slug} run --local' to train one"
        ) from None
    constraints = drift_check.with_threshold(constraints, settings.drift_threshold)
    rows = drift_check.captured_rows(_capture_lines(workspace, endpoint),
                                     since=datetime.fromisoformat(live_since))  # fmt: skip
    current, report = drift_check.check(statistics, constraints, rows)
    if not current.rows:
        raise SettingsError(
            f"no captured requests for {endpoint} since {record['ModelName']} went live "
            f"({live_since}); send some to '{settings.slug} serve' (drift.capture_percent = "
            f"{settings.capture_percent})"
        )
    key = drift_check.report_key(endpoint, now or datetime.now(UTC))
    path = workspace.path_of(f"s3://{LOCAL_BUCKET}/{key}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    beside = path.with_name(drift_check.STATISTICS_FILE)
    beside.write_text(json.dumps(current.to_statistics(statistics), indent=1), encoding="utf-8")
    return DriftReport(record["ModelName"], current.rows, report["violations"], path)


def _capture_lines(workspace: Workspace, endpoint: str):
    folder = workspace.path_of(f"s3://{LOCAL_BUCKET}/{CAPTURE_PREFIX}")
    for path in capture_files(folder, endpoint):
        with path.open(encoding="utf-8") as stream:
            yield from stream


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
