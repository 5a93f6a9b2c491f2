"""iCalendar files mean the instants the API says, read by three readers: the `icalendar` package with its own
zone data, the `icalendar` package with only the file's VTIMEZONE, and `vobject` (which uses the file's VTIMEZONE).

Over a grid: zones of both hemispheres, half-hour zones with and without DST (Asia/Kolkata, Australia/Lord_Howe)
and a zone whose rules changed and change with Ramadan (Africa/Casablanca); around every change of UTC offset from
now to 2050, one event from 30 minutes before the change to 30 minutes after it, so each start or end falls in the
hour a DST change skips or repeats; and for the zone without changes, an event each year."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import icalendar
import pytest
import vobject

from tests.harness import Stack, post_retrying

OUTREACH = "/api/v1/outreach"
ZONES = ("America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "Africa/Casablanca")
UNTIL = dt.datetime(2050, 12, 31, tzinfo=dt.UTC)


def offset_changes(zone: zoneinfo.ZoneInfo, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """The UTC instants at which `zone`'s offset changes between `since` and `until`, to the minute."""
    changes = []
    step = dt.timedelta(hours=6)
    t = since
    while t < until:
        if t.astimezone(zone).utcoffset() != (t + step).astimezone(zone).utcoffset():
            lo, hi = t, t + step
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset() else (lo, mid)
            changes.append(hi.replace(second=0, microsecond=0))
        t += step
    return changes


def instants(zone_name: str) -> list[tuple[dt.datetime, dt.datetime]]:
    zone = zoneinfo.ZoneInfo(zone_name)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    around = [(c - dt.timedelta(minutes=30), c + dt.timedelta(minutes=30)) for c in offset_changes(zone, now, UNTIL)]
    if not around:  # no DST: one event a year, at 09:00 local
        around = [(dt.datetime(y, 6, 1, 9, tzinfo=zone).astimezone(dt.UTC),
                   dt.datetime(y, 6, 1, 11, tzinfo=zone).astimezone(dt.UTC)) for y in range(now.year + 1, 2051)]
    return around


def _utc(value: Any) -> dt.datetime:
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, value
    return value.astimezone(dt.UTC)


def read_with_icalendar(ics: bytes) -> tuple[dt.datetime, dt.datetime]:
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return _utc(event.decoded("dtstart")), _utc(event.decoded("dtend"))


def read_with_the_files_vtimezone(ics: bytes) -> tuple[dt.datetime, dt.datetime]:
    """The local times interpreted with the VTIMEZONE the file carries, not any zone database."""
    cal = icalendar.Calendar.from_ical(ics)
    zones = {str(vtz["tzid"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.walk("VTIMEZONE")}
    (event,) = cal.walk("VEVENT")

    def instant(name: str) -> dt.datetime:
        prop = event[name]
        tzid = prop.params.get("TZID")
        if tzid is None:  # written in UTC
            return _utc(prop.dt)
        return _utc(prop.dt.replace(tzinfo=None).replace(tzinfo=zones[str(tzid)]))

    return instant("dtstart"), instant("dtend")


def read_with_vobject(ics: bytes) -> tuple[dt.datetime, dt.datetime]:
    # vobject keeps the first VTIMEZONE it met for a TZID for the rest of the process; each file here is read on
    # its own, as a calendar application reads the file it is given.
    tzids = vobject.icalendar.__dict__["__tzidMap"]
    tzids.clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    event = vobject.readOne(ics.decode()).vevent
    return _utc(event.dtstart.value), _utc(event.dtend.value)


READERS = {"icalendar": read_with_icalendar, "the file's VTIMEZONE": read_with_the_files_vtimezone,
           "vobject": read_with_vobject}


def _draft(coordinator: httpx.Client, zone: str, starts: dt.datetime, ends: dt.datetime) -> dict[str, Any]:
    r = post_retrying(coordinator, f"{OUTREACH}/events", json={
        "title": {"en": f"Edge {zone} {starts.isoformat()} {uuid.uuid4().hex[:6]}"}, "kind": "lecture",
        "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "timezone": zone, "capacity": 10,
        "online_url": "https://live.panda.example/stream"})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("zone", ZONES)
def test_every_instant_near_every_offset_change_reads_back_as_the_api_says(stack: Stack, keys, zone: str):
    edges = instants(zone)
    assert edges, "the grid has events"

    def one(edge: tuple[dt.datetime, dt.datetime]) -> tuple[dict[str, Any], bytes]:
        with stack.client(keys["coordinator"]) as c:
            event = _draft(c, zone, *edge)
            return event, c.get(f"{OUTREACH}/events/{event['id']}/calendar.ics").content

    with ThreadPoolExecutor(8) as pool:
        files = list(pool.map(one, edges))
    wrong = []
    for event, ics in files:
        want = (dt.datetime.fromisoformat(event["starts_at"]), dt.datetime.fromisoformat(event["ends_at"]))
        wrong += [f"{zone} {event['starts_at']} by {name}: {got} != {want}"
                  for name, read in READERS.items() if (got := read(ics)) != want]
    assert not wrong, f"{len(wrong)} of {len(edges) * len(READERS)} readings differ:\n" + "\n".join(wrong[:10])


def test_a_time_in_the_repeated_hour_is_written_so_it_means_that_instant(coordinator):
    """01:30 EST on 2027-11-07, the second 01:30 of that night in New York."""
    event = _draft(coordinator, "America/New_York", dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC),
                   dt.datetime(2027, 11, 7, 7, 30, tzinfo=dt.UTC))
    ics = coordinator.get(f"{OUTREACH}/events/{event['id']}/calendar.ics").content
    assert b"DTSTART:20271107T063000Z" in ics, ics.decode()
    for read in READERS.values():
        assert read(ics)[0] == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)


def test_the_vtimezone_covers_an_event_after_2038(coordinator):
    event = _draft(coordinator, "America/New_York", dt.datetime(2038, 7, 1, 14, tzinfo=dt.UTC),
                   dt.datetime(2038, 7, 1, 15, tzinfo=dt.UTC))
    ics = coordinator.get(f"{OUTREACH}/events/{event['id']}/calendar.ics").content
    assert read_with_the_files_vtimezone(ics)[0] == dt.datetime(2038, 7, 1, 14, tzinfo=dt.UTC)
    assert read_with_vobject(ics)[0] == dt.datetime(2038, 7, 1, 14, tzinfo=dt.UTC)
