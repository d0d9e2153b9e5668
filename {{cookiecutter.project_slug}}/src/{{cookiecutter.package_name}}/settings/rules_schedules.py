"""When runs start on their own: EventBridge schedule expressions and time zones.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import functools
import re

# The shortest interval between scheduled runs: a run must be able to finish first.
MIN_SCHEDULE_MINUTES = 60

_RATE = re.compile(r"^rate\((?P<value>[0-9]+) (?P<unit>[a-z]+)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/#L W-]+$")


def schedule_expression(value: str) -> str | None:
    """'none', or an EventBridge rate(...) or cron(...) expression."""
    if value == "none":
        return None
    rate = _RATE.match(value)
    if rate:
        amount, unit = int(rate["value"]), rate["unit"]
        singular = unit.rstrip("s")
        if singular not in ("minute", "hour", "day"):
            return f"'{value}' has unit '{unit}'; use minutes, hours or days"
        if amount < 1:
            return f"'{value}' must repeat at least every 1 {singular}"
        expected = singular if amount == 1 else singular + "s"
        if unit != expected:
            return f"'{value}' should read 'rate({amount} {expected})'"
        return _runs_more_than_hourly(value, singular, amount, "")
    cron = _CRON.match(value)
    if cron:
        fields = cron["fields"].split()
        if len(fields) != 6:
            return (
                f"'{value}' has {len(fields)} fields; EventBridge cron takes 6: "
                "minutes hours day-of-month month day-of-week year, e.g. 'cron(0 3 ? * MON *)'"
            )
        if not all(_CRON_FIELD.match(field) for field in fields):
            return f"'{value}' holds characters that cron does not allow"
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            return (
                f"'{value}' must have '?' in exactly one of day-of-month and day-of-week, "
                "e.g. 'cron(0 3 ? * MON *)'"
            )
        return _runs_more_than_hourly(value, "cron", 0, fields[0])
    return f"'{value}' is not a schedule; write 'none', 'rate(1 day)' or 'cron(0 3 ? * MON *)'"


def _runs_more_than_hourly(value: str, unit: str, amount: int, minutes_field: str) -> str | None:
    """A schedule must leave a run time to finish: at most one start an hour.

    A run takes about 15 to 40 minutes (Glue start-up, training, endpoint update);
    a start while one is running fails at the Glue job (MaxConcurrentRuns 1) or at
    the endpoint update, so a shorter schedule only produces failed runs."""
    if unit == "minute" and amount < MIN_SCHEDULE_MINUTES:
        return (
            f"'{value}' starts runs more often than once an hour, before the last one can "
            "finish; use at least 'rate(1 hour)'"
        )
    if minutes_field and not re.match(r"^[0-9]{1,2}$", minutes_field):
        return (
            f"'{value}' fires more than once an hour (minutes field '{minutes_field}'), "
            "before the last run can finish; give one minute, e.g. 'cron(0 3 ? * MON *)'"
        )
    return None


@functools.cache
def _time_zones() -> frozenset[str]:
    """The IANA names of the time zone database, or none where Python has no database."""
    try:
        import zoneinfo
    except ImportError:  # pragma: no cover - Python < 3.9
        return frozenset()
    return frozenset(zoneinfo.available_timezones())


_TIME_ZONE_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


# Files of the time zone database that available_timezones() does not list as zones.
_NOT_ZONES = frozenset({"posixrules"})


def _loads_as_a_zone(value: str) -> bool:
    """Whether the database has a zone of this name: one file read, where listing every
    name (as the hint below does) walks the whole database, most of a bake hook's time."""
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(value)
    except Exception:  # ImportError, ValueError (a path), ZoneInfoNotFoundError, ...
        return False
    return value not in _NOT_ZONES and bool(_TIME_ZONE_SHAPE.match(value))


def schedule_timezone(value: str) -> str | None:
    """An IANA time zone name, which EventBridge Scheduler takes for the schedule."""
    # UTC, the default, is in every database: asking one costs a bake hook a tenth of
    # its time (importing zoneinfo).
    if value == "UTC" or _loads_as_a_zone(value):
        return None
    known = _time_zones()
    if value in known or (not known and _TIME_ZONE_SHAPE.match(value)):
        return None  # without a database (Windows without tzdata) only the shape is checked
    import difflib  # only for the hint: a bake's hooks load this module

    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"'{value}' is not an IANA time zone name such as 'UTC' or 'Europe/Paris'{hint}"
