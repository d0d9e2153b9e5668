"""What AWS Glue and CloudWatch Logs accept: Glue versions and worker counts, and the
retention periods of log groups.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

GLUE_VERSIONS = ("5.0", "4.0")
# Glue's documented upper bound on NumberOfWorkers per worker type.
GLUE_MAX_WORKERS = {"G.1X": 299, "G.2X": 149, "G.4X": 149, "G.8X": 149}
# The retention periods CloudWatch Logs accepts (PutRetentionPolicy, RetentionInDays).
# fmt: off
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
# fmt: on


def log_retention_days(value: str) -> str | None:
    """One of the retention periods CloudWatch Logs accepts."""
    if str(value) not in {str(days) for days in LOG_RETENTION_DAYS}:
        allowed = ", ".join(str(days) for days in LOG_RETENTION_DAYS)
        return f"'{value}' is not a retention CloudWatch Logs accepts; choose one of {allowed}"
    return None
