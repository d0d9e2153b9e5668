"""The registry's versions and the live model, for the `models`, `approve` and
`rollback` commands.

Every function takes a SageMaker client: boto3's on AWS, or ``LocalSageMakerClient``,
which answers the same calls with the same shapes from local mode's records, so the
commands behave alike in both places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .settings import Settings, SettingsError
from .settings.names import endpoint_name, model_package_group_name

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
    created: str
    description: str
    approval_description: str

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
            created=str(description.get("CreationTime", ""))[:19].replace("T", " "),
            description=description.get("ModelPackageDescription", ""),
            approval_description=description.get("ApprovalDescription", ""),
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
    if endpoint["EndpointStatus"] == "Failed" and not endpoint.get("ProductionVariants", True):
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
             f"{'created':<19}  run"]  # fmt: skip
    for version in reversed(found):
        live = "* " if version.run_name == live_run else "  "
        metric = f"{version.metric.split(':')[-1]} {_short(version.metric_value)}"
        compared = (
            f"{_short(version.new_model_score)} vs {_short(version.live_model_score)}"
            if version.live_model_score not in NOT_SCORED
            else "-"
        )
        lines.append(f"{live}{version.number:>7}  {version.status:<21}  {metric:<24}  "
                     f"{compared:<19}  {version.created:<19}  {version.run_name}")  # fmt: skip
    lines.append("* live: the model the endpoint serves")
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
