"""Outreach events as iCalendar (RFC 5545), built with the `icalendar` library: each event in its own IANA
timezone with the VTIMEZONE it needs, so calendar apps show the right local time on both sides of a DST change.

Two things make a local time mean another instant than the event's, and neither is written:
- A local time in the hour a DST change repeats (01:30 on the night clocks go back) is read as its first
  occurrence (RFC 5545 §3.3.5). Such an instant is written in UTC (`DTSTART:20271107T063000Z`), which means it
  and nothing else.
- A VTIMEZONE that ends before the event (the library's default stops at 2038) leaves readers that use the file's
  own VTIMEZONE (Outlook among them) to extend its last observance. The VTIMEZONEs here cover a year before the
  first event and a year after the last, and every offset change in between: the library looks for changes in
  steps of up to 64 days, which steps over a shorter period (Morocco's Ramadan time, about five weeks, vanished
  from Africa/Casablanca); here it looks day by day. And it looks for the next change without end, to year 9999
  for a zone that no longer changes (a second of CPU for Asia/Kolkata): here the zone ends where the file's
  dates do (`_Until`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar

from services.outreach.domain.event import EventStatus, OutreachEvent

PRODID = "-//Giant Panda Research Base//Outreach//EN"
_STATUS = {EventStatus.scheduled: "CONFIRMED", EventStatus.completed: "CONFIRMED",
           EventStatus.cancelled: "CANCELLED", EventStatus.draft: "TENTATIVE"}


def _text(localized: dict[str, str] | None) -> str | None:
    if not localized:
        return None
    return localized.get("en") or next(iter(localized.values()))


class _DayByDayTimezone(icalendar.Timezone):
    """icalendar's VTIMEZONE, built from the zone's offsets probed at most a day apart (then to the second)."""

    _from_tzinfo_skip_search = [step for step in icalendar.Timezone._from_tzinfo_skip_search
                                if step <= dt.timedelta(days=1)]


class _Until(dt.tzinfo):
    """An IANA zone that stops (OverflowError, as zoneinfo does past its range) after `limit`, a local time: the
    VTIMEZONE search ends there instead of walking day by day to year 9999."""

    def __init__(self, zone: zoneinfo.ZoneInfo, limit: dt.datetime) -> None:
        self.zone, self.limit = zone, limit

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        local = when.replace(tzinfo=None) if when is not None else None
        if local is not None and local > self.limit:
            raise OverflowError("past the dates this calendar serves")
        return self.zone.utcoffset(local)

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return self.zone.dst(when.replace(tzinfo=None) if when is not None else None)

    def tzname(self, when: dt.datetime | None) -> str | None:
        return self.zone.tzname(when.replace(tzinfo=None) if when is not None else None)


def _vtimezone(name: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    limit = dt.datetime.combine(last, dt.time()) + dt.timedelta(days=2)
    return _DayByDayTimezone.from_tzinfo(_Until(zoneinfo.ZoneInfo(name), limit), name, first, last)


def _written(event: OutreachEvent, instant: dt.datetime) -> dt.datetime:
    """The instant as DTSTART/DTEND carry it: local time in the event's zone, unless that wall time is ambiguous."""
    local = event.local(instant)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(dt.UTC)
    return local


def calendar_of(events: list[OutreachEvent], now: dt.datetime) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if events:
        margin = dt.timedelta(days=366)
        first = (min(e.starts_at for e in events) - margin).date()
        last = (max(e.ends_at for e in events) + margin).date()
        for name in sorted({e.timezone for e in events}):
            cal.add_component(_vtimezone(name, first, last))
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", f"{event.id}@outreach.panda-coop")
        entry.add("dtstamp", now.astimezone(dt.UTC))
        entry.add("dtstart", _written(event, event.starts_at))
        entry.add("dtend", _written(event, event.ends_at))
        entry.add("summary", _text(event.title) or "")
        if description := _text(event.description):
            entry.add("description", description)
        venue = event.venue or {}
        where = ", ".join(str(venue[k]) for k in ("name", "address", "city", "country") if venue.get(k))
        if where or event.online_url:
            entry.add("location", where or event.online_url)
        if event.online_url:
            entry.add("url", event.online_url)
        entry.add("status", _STATUS[event.status])
        entry.add("sequence", event.version)
        entry.add("last-modified", event.updated_at.astimezone(dt.UTC))
        cal.add_component(entry)
    return cal.to_ical()
