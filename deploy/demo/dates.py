"""Dates and instants as the demo places them (relative to today) and as the API takes them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

UTC = dt.UTC


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def instant(day: dt.date, hour: int = 0, minute: int = 0, tz: str = "UTC") -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(tz)).astimezone(UTC)


def z(moment: dt.datetime) -> str:
    """An instant as the API writes it: ISO 8601 in UTC, with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
