"""The registry's versions and the live model, for the `models`, `approve` and
`rollback` commands.

Every function takes a SageMaker client: boto3's on AWS, or ``local.services.LocalSageMakerClient``,
which answers the same calls with the same shapes from local mode's records, so the
commands behave alike in both places.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..settings import Settings, SettingsError
from ..settings.names import endpoint_name, model_package_group_name

NOT_SCORED = ("not scored", "none", "")


@dataclass(frozen=True)
class Version:
    number: int
    arn: str
    status: str
    run_name: str
    metric: str
    metric_value: str
    new_model_score: str
    live_model_score: str
    train_on: str  # which raw files trained it (retraining.train_on); "-" before it was recorded
    created: str
    description: str
    approval_description: str
    promoted_from: str = ""  # the version's ARN in the stage it was promoted from

    @classmethod
    def from_description(cls, description: dict[str, Any]) -> Version:
        metadata = description.get("CustomerMetadataProperties", {})
        return cls(
            number=int(description["ModelPackageVersion"]),
            arn=description["ModelPackageArn"],
            status=description["ModelApprovalStatus"],
            run_name=metadata.get("RunName", "?"),
            metric=metadata.get("Metric", "?"),
            metric_value=metadata.get("MetricValue", "?"),
            new_model_score=metadata.get("NewModelScore", ""),
            live_model_score=metadata.get("LiveModelScore", ""),
            train_on=metadata.get("TrainOn", "-"),
            created=str(description.get("CreationTime", ""))[:19].replace("T", " "),
            description=description.get("ModelPackageDescription", ""),
            approval_description=description.get("ApprovalDescription", ""),
            promoted_from=metadata.get("PromotedFrom", ""),
        )


def versions(client: Any, settings: Settings) -> list[Version]:
    """Every version of the project's group, oldest first."""
    group = model_package_group_name(settings)
    arns: list[str] = []
    token = None
    while True:
        page = client.list_model_packages(
            ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Ascending",
            **({"NextToken": token} if token else {}),
        )  # fmt: skip
        arns += [item["ModelPackageArn"] for item in page.get("ModelPackageSummaryList", [])]
        token = page.get("NextToken")
        if not token:
            break
    found = [Version.from_description(client.describe_model_package(ModelPackageName=arn))
             for arn in arns]  # fmt: skip
    return sorted(found, key=lambda version: version.number)


def live_run_name(client: Any, settings: Settings) -> str | None:
    """The run whose model the endpoint serves (its model is named after the run)."""
    try:
        endpoint = client.describe_endpoint(EndpointName=endpoint_name(settings))
    except ClientError as error:
        if "Could not find endpoint" in str(error):
            return None
        raise
    if endpoint["EndpointStatus"] == "Failed":  # its model never served (as the gate reads it)
        return None
    config = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    return config["ProductionVariants"][0]["ModelName"]


def find(found: list[Version], number: int) -> Version:
    for version in found:
        if version.number == number:
            return version
    known = ", ".join(str(v.number) for v in found) or "none yet"
    raise SettingsError(f"there is no model version {number} (versions: {known})")


def listing(found: list[Version], live_run: str | None) -> list[str]:
    """The `models` table: one line per version, newest first, the live one marked."""
    if not found:
        return ["no model versions yet: a run that reaches the quality gate registers one"]
    lines = [f"{'':2}{'version':>7}  {'status':<21}  {'metric':<24}  {'new vs live':<19}  "
             f"{'data':<9}  {'created':<19}  run"]  # fmt: skip
    for version in reversed(found):
        live = "* " if version.run_name == live_run else "  "
        metric = f"{version.metric.split(':')[-1]} {_short(version.metric_value)}"
        compared = (
            f"{_short(version.new_model_score)} vs {_short(version.live_model_score)}"
            if version.live_model_score not in NOT_SCORED
            else "-"
        )
        origin = f" (promoted: {version.promoted_from})" if version.promoted_from else ""
        lines.append(f"{live}{version.number:>7}  {version.status:<21}  {metric:<24}  "
                     f"{compared:<19}  {version.train_on:<9}  {version.created:<19}  "
                     f"{version.run_name}{origin}")  # fmt: skip
    if any(version.run_name == live_run for version in found):
        lines.append("* live: the model the endpoint serves")
    else:
        lines.append("no registered version is live")
    return lines


def _short(value: str) -> str:
    try:
        return f"{float(value):.4f}"
    except ValueError:
        return value


def previous_approved(found: list[Version], live_run: str | None) -> tuple[Version, Version]:
    """The live version and the newest Approved version before it."""
    live = next((v for v in found if v.run_name == live_run), None)
    if live is None:
        raise SettingsError("no registered version is live, so there is nothing to roll back")
    earlier = [v for v in found if v.number < live.number and v.status == "Approved"]
    if not earlier:
        raise SettingsError(
            f"version {live.number} is live and no earlier version is Approved: nothing to "
            "roll back to"
        )
    return live, earlier[-1]


def scores_chart_svg(found: list[Version], width: int = 520, height: int = 220) -> str:
    """Each version's metric: the new model (challenger) and, where it was compared, the
    live model (champion) on the same run's validation rows. An SVG, no plotting library."""
    series = {
        "new model": [(v.number, _number(v.new_model_score) or _number(v.metric_value))
                      for v in found],
        "live model": [(v.number, _number(v.live_model_score)) for v in found],
    }  # fmt: skip
    values = [y for points in series.values() for _, y in points if y is not None]
    if not values:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"></svg>'
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    left, right, top, bottom = 60, 20, 20, 40
    count = max(len(found), 2)

    def x(index: int) -> float:
        return left + index * (width - left - right) / (count - 1)

    def y(value: float) -> float:
        return top + (high - value) * (height - top - bottom) / span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">']  # fmt: skip
    for label, value in ((f"{high:.4g}", high), (f"{low:.4g}", low)):
        parts.append(f'<text x="4" y="{y(value) + 4:.1f}">{label}</text>')
    for index, version in enumerate(found):
        parts.append(f'<text x="{x(index) - 6:.1f}" y="{height - 20}">v{version.number}</text>')
    for (label, points), color in zip(series.items(), ("#1f77b4", "#ff7f0e"), strict=True):
        drawn = [(x(i), y(v)) for i, (_, v) in enumerate(points) if v is not None]
        if len(drawn) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in drawn)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>'
                  for px, py in drawn]  # fmt: skip
        legend_x = left + (0 if label == "new model" else 110)
        parts.append(f'<text x="{legend_x}" y="{height - 4}" fill="{color}">{label}</text>')
    metric = found[0].metric if found else ""
    parts.append(f'<text x="{left}" y="12">{metric} by version</text></svg>')
    return "".join(parts)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def who() -> str:
    """The user a registry change is recorded as made by."""
    try:
        return getpass.getuser()
    except Exception:
        return "an unknown user"
