"""The newest drift report of the live endpoint: `drift` on AWS, and the drift line of
`models` (on AWS and --local).

A report is Model Monitor's constraint_violations.json, one folder per check under
``monitoring/<endpoint>/yyyy/mm/dd/HHMMSS-ffffff/``: written on AWS by the scheduled
check (steps/drift_check.py, on drift.check_schedule) and locally by `drift --local`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import exit_codes
from ..settings import Settings, SettingsError
from ..settings.names import endpoint_name
from ..steps.drift_check import MONITORING_PREFIX, REPORT_FILE


@dataclass(frozen=True)
class Report:
    uri: str
    checked_at: datetime
    violations: list[dict[str, str]]

    def summary(self, slug: str) -> str:
        """One line: when the newest check ran and which features drifted."""
        when = f"{self.checked_at:%Y-%m-%d %H:%M} UTC"
        if not self.violations:
            return f"drift: the newest check ({when}) found no violation"
        features = sorted({v["feature_name"] or "(columns)" for v in self.violations})
        return (f"drift: the newest check ({when}) found {len(self.violations)} violation(s): "
                f"{', '.join(features)}; '{slug} drift' for the details")  # fmt: skip

    def lines(self) -> list[str]:
        head = f"drift report {self.uri} ({self.checked_at:%Y-%m-%d %H:%M} UTC): "
        head += f"{len(self.violations) or 'no'} violation(s)"
        return [head] + [violation_line(violation) for violation in self.violations]


def violation_line(violation: dict[str, str]) -> str:
    """One line per violation: the feature (or the columns), the check, what it found."""
    feature = violation["feature_name"] or "(columns)"
    return f"  {feature}: {violation['constraint_check_type']}: {violation['description']}"


def newest_report(s3: Any, bucket: str, endpoint: str) -> Report | None:
    """The newest report for ``endpoint``; None before the first check (or the bucket)."""
    prefix = f"{MONITORING_PREFIX}{endpoint}/"
    try:
        keys = [
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", [])
            if item["Key"].endswith("/" + REPORT_FILE)
        ]
    except Exception as error:  # no bucket yet: nothing deployed, so nothing checked
        if "NoSuchBucket" in str(error):
            return None
        raise
    if not keys:
        return None
    key = max(keys)  # the folders sort by time
    report = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return Report(f"s3://{bucket}/{key}", checked_at(key), report.get("violations", []))


def checked_at(key: str) -> datetime:
    """The time in a report's key: monitoring/<endpoint>/yyyy/mm/dd/HHMMSS-ffffff/..."""
    year, month, day, clock = key.split("/")[2:6]
    return datetime.strptime(f"{year}{month}{day}{clock}", "%Y%m%d%H%M%S-%f").replace(tzinfo=UTC)


def s3_and_bucket(settings: Settings, local: bool) -> tuple[Any, str]:
    """Where the reports are: the local workspace's bucket, or the project's on AWS."""
    if local:
        from ..local.run import LOCAL_FOLDER
        from ..local.services import LOCAL_BUCKET, LocalS3, Workspace

        return LocalS3(Workspace(settings.path.parent / LOCAL_FOLDER)), LOCAL_BUCKET
    from ..aws.session import AwsSession

    return AwsSession(settings).client("s3"), settings.artifact_bucket


def summary_for(settings: Settings, local: bool) -> str:
    """The drift line of `models`."""
    s3, bucket = s3_and_bucket(settings, local)
    report = newest_report(s3, bucket, endpoint_name(settings))
    if report is None:
        how = "`drift --local`" if local else f"the drift check ({_schedule(settings)})"
        return f"drift: no check of {endpoint_name(settings)} yet ({how} writes one)"
    return report.summary(settings.slug)


def drift_on_aws(settings: Settings) -> int:
    """`drift` on AWS: the newest report of the scheduled check, a line per violation;
    exit code 1 when it found drift, as `drift --local`."""
    s3, bucket = s3_and_bucket(settings, local=False)
    report = newest_report(s3, bucket, endpoint_name(settings))
    if report is None:
        if not settings.drift_check_schedule:
            raise SettingsError(
                'drift.check_schedule is "none", so nothing checks the endpoint on AWS; '
                f"set it (for example rate(1 day)) and run '{settings.slug} deploy'"
            )
        print(f"no drift report for {endpoint_name(settings)} yet: the check runs on "
              f"{settings.drift_check_schedule} once the endpoint captured requests")  # fmt: skip
        return exit_codes.DONE
    for line in report.lines():
        print(line)
    return exit_codes.FAILED if report.violations else exit_codes.DONE


def _schedule(settings: Settings) -> str:
    schedule = settings.drift_check_schedule
    return f"drift.check_schedule = {schedule}" if schedule else "off: drift.check_schedule"
