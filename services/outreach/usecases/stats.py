"""The events held and the people who came, for dashboards.

For staff (analyst, coordinator, admin); a partner gets the same figures over the events it co-hosts only; a
member or an anonymous caller gets 403 / 401. Optional filters `from_` and `to` (dates, inclusive) select events
by the day they start, in UTC, as the event list does.

Only completed events count (a draft, a scheduled or a cancelled event was not held):

    events_held    completed events
    attendance     the people who came to them (the `attendance` given or counted at completion)

in total and by kind, audience, country (of the venue), co-host partner and month. The month is the month of
`starts_at` in UTC (`"2026-05"`), whatever the event's own timezone, so that every dashboard adds up the same.
An event counts once in each of its audiences and once for each co-host, so those breakdowns may add up to more
than the total; an online event without a venue is in no country, an event without co-hosts under no partner.
Breakdowns list only groups with at least one event: by_month in calendar order, the others the busiest first.

Audiences and co-hosts are JSON lists, which SQLite and PostgreSQL take apart differently: the figures are
added up here, over the few columns they need of the completed events' rows, one pass for every breakdown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.outreach.db.models import event_tags, outreach_events
from services.outreach.domain.event import EventStatus
from shared.auth import STAFF, Caller, Role
from shared.db.search import contains
from shared.domain import RuleViolated
from shared.problems import forbidden


@dataclass
class Figures:
    events_held: int = 0
    attendance: int = 0

    def add(self, attendance: int) -> None:
        self.events_held += 1
        self.attendance += attendance


Groups = list[tuple[Any, Figures]]  # (the group's key, its figures), in the breakdown's order


@dataclass(frozen=True)
class OutreachFigures:
    total: Figures
    by_kind: Groups
    by_audience: Groups
    by_country: Groups
    by_partner: Groups
    by_month: Groups


class _Tally:
    """Figures per group of one breakdown."""

    def __init__(self) -> None:
        self.groups: dict[Any, Figures] = defaultdict(Figures)

    def add(self, keys: Iterable[Any], attendance: int) -> None:
        for key in dict.fromkeys(keys):  # an event counts once per group
            if key is not None:
                self.groups[key].add(attendance)

    def busiest_first(self) -> Groups:
        return sorted(self.groups.items(), key=lambda kv: (-kv[1].events_held, -kv[1].attendance, str(kv[0])))

    def in_order(self) -> Groups:
        return sorted(self.groups.items(), key=lambda kv: str(kv[0]))


def _scope(caller: Caller, from_: dt.date | None, to: dt.date | None) -> list[ColumnElement[bool]]:
    """Who may ask, and the rows their answer is counted from."""
    caller.require(*STAFF, Role.partner)  # anonymous 401, member 403
    e = outreach_events.c
    where: list[ColumnElement[bool]] = [e.status == EventStatus.completed]
    if not caller.is_staff:
        if caller.partner_id is None:
            raise forbidden("this partner key is bound to no partner institution")
        where.append(contains(e.tags, event_tags(partner_ids=[str(caller.partner_id)])))
    if from_ is not None and to is not None and from_ > to:
        raise RuleViolated("`to` is before `from`", ("query", "to"))
    if from_ is not None:
        where.append(e.starts_at >= dt.datetime.combine(from_, dt.time(), dt.UTC))
    if to is not None and to < dt.date.max:  # the last day there is: no upper bound
        where.append(e.starts_at < dt.datetime.combine(to + dt.timedelta(days=1), dt.time(), dt.UTC))
    return where


async def outreach_stats(session: AsyncSession, caller: Caller, from_: dt.date | None, to: dt.date | None
                         ) -> OutreachFigures:
    """Completed events and their attendance, in total and by kind, audience, country, co-host partner and
    month (of `starts_at` in UTC)."""
    where = _scope(caller, from_, to)
    e = outreach_events.c
    rows = await session.stream(
        select(e.kind, e.audiences, e.country, e.partner_ids, e.starts_at, e.attendance).where(*where)
    )
    total = Figures()
    kinds, audiences, countries, partners, months = _Tally(), _Tally(), _Tally(), _Tally(), _Tally()
    async for kind, event_audiences, country, partner_ids, starts_at, attendance in rows:
        came = attendance or 0
        total.add(came)
        kinds.add([str(kind)], came)
        audiences.add(event_audiences or [], came)
        countries.add([country], came)
        partners.add((uuid.UUID(p) for p in partner_ids or []), came)
        month = starts_at.astimezone(dt.UTC)
        months.add([f"{month.year:04d}-{month.month:02d}"], came)
    return OutreachFigures(total=total, by_kind=kinds.busiest_first(), by_audience=audiences.busiest_first(),
                           by_country=countries.busiest_first(), by_partner=partners.busiest_first(),
                           by_month=months.in_order())
