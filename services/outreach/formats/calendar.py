"""Outreach events as iCalendar (RFC 5545), built with the `icalendar` library: each event in its own IANA
timezone with the VTIMEZONE it needs, so calendar apps show the right local time on both sides of a DST
change."""

from __future__ import annotations

import datetime as dt

import icalendar

from services.outreach.domain.event import EventStatus, OutreachEvent

PRODID = "-//Giant Panda Research Base//Outreach//EN"
_STATUS = {EventStatus.scheduled: "CONFIRMED", EventStatus.completed: "CONFIRMED",
           EventStatus.cancelled: "CANCELLED", EventStatus.draft: "TENTATIVE"}


def _text(localized: dict[str, str] | None) -> str | None:
    if not localized:
        return None
    return localized.get("en") or next(iter(localized.values()))


def calendar_of(events: list[OutreachEvent], now: dt.datetime) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", f"{event.id}@outreach.panda-coop")
        entry.add("dtstamp", now.astimezone(dt.UTC))
        entry.add("dtstart", event.local(event.starts_at))
        entry.add("dtend", event.local(event.ends_at))
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
    cal.add_missing_timezones()
    return cal.to_ical()
