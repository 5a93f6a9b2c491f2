"""Outreach events: drafted, changed and moved through their lifecycle by coordinators, found by date, place,
kind, audience, language and co-host.

Anyone sees scheduled and completed events; co-hosting partners also see their own drafts and cancelled events;
staff see everything. Co-hosts, agreements and works are checked against the copies this service keeps of
them (`known_partners`, `known_agreements`, `known_works`), never by calling their services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.outreach.db.models import city_key, event_tags, known_agreements, known_partners, known_works
from services.outreach.domain.event import PUBLIC_STATUSES, Audience, EventKind, EventStatus, OutreachEvent
from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.auth import Caller
from shared.db.lookup import get_visible
from shared.db.search import contains
from shared.domain import ExpectedVersion
from shared.pagination import keyset_page
from shared.service import UnitOfWork
from shared.usecases import check_known

CALENDAR_SIZE = 1000  # events in one calendar of the schedule, the first by start


def may_see(caller: Caller, event: OutreachEvent) -> bool:
    return caller.is_staff or event.is_public or event.co_hosted_by(caller.partner_id)


async def visible_event(session: AsyncSession, caller: Caller, event_id: uuid.UUID, *, for_update: bool = False
                        ) -> OutreachEvent:
    """The event (locked for the transaction when `for_update`), or NotFound (404) if it does not exist or the
    caller may not see it."""
    return await get_visible(session, OutreachEvent, event_id, what="event", for_update=for_update,
                             may_see=lambda e: may_see(caller, e))


# --- finding events --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EventFilters:
    """The filters of the event list and of the schedule's calendar; days are UTC days of `starts_at`."""

    from_: dt.date | None = None
    to: dt.date | None = None
    city: str | None = None  # the venue's, any case
    country: str | None = None
    kind: EventKind | None = None
    audience: Audience | None = None
    language: str | None = None
    partner_id: uuid.UUID | None = None  # a co-host
    status: EventStatus | None = None


def _found(caller: Caller, filters: EventFilters) -> Select[Any]:
    """The events the caller may see that match `filters`."""
    e = OutreachEvent
    stmt = select(e)
    if not caller.is_staff:
        public = e.status.in_([s.value for s in PUBLIC_STATUSES])  # type: ignore[attr-defined]
        if caller.partner_id is not None:
            own = contains(e.tags, event_tags(partner_ids=[str(caller.partner_id)]))  # type: ignore[attr-defined]
            public = or_(public, own)
        stmt = stmt.where(public)
    if filters.from_:
        stmt = stmt.where(e.starts_at >= dt.datetime.combine(filters.from_, dt.time(), dt.UTC))  # type: ignore[operator]
    if filters.to and filters.to < dt.date.max:  # the last day there is: no upper bound
        end = dt.datetime.combine(filters.to + dt.timedelta(days=1), dt.time(), dt.UTC)
        stmt = stmt.where(e.starts_at < end)  # type: ignore[operator]
    if filters.city:
        stmt = stmt.where(e.indexed_city == city_key(filters.city))  # type: ignore[attr-defined]
    if filters.country:
        stmt = stmt.where(e.indexed_country == filters.country.upper())  # type: ignore[attr-defined]
    if filters.kind:
        stmt = stmt.where(e.kind == filters.kind)  # type: ignore[arg-type]
    if filters.status:
        stmt = stmt.where(e.status == filters.status)  # type: ignore[arg-type]
    tags = event_tags(audiences=[filters.audience.value] if filters.audience else [],
                      languages=[filters.language] if filters.language else [],
                      partner_ids=[str(filters.partner_id)] if filters.partner_id else [])
    for tag in tags.strip("|").split("|"):
        if tag:
            stmt = stmt.where(contains(e.tags, f"|{tag}|"))  # type: ignore[attr-defined]
    return stmt


async def list_events(session: AsyncSession, caller: Caller, filters: EventFilters, limit: int, cursor: str | None
                      ) -> tuple[list[OutreachEvent], str | None]:
    """A page of the events, sorted by start, soonest first."""
    e = OutreachEvent
    return await keyset_page(session, _found(caller, filters), [e.starts_at, e.id],  # type: ignore[list-item]
                             [dt.datetime, uuid.UUID], limit, cursor)


async def schedule_events(session: AsyncSession, caller: Caller, filters: EventFilters) -> list[OutreachEvent]:
    """The events of the schedule's calendar: the first `CALENDAR_SIZE` by start; without a `status`, the
    scheduled ones."""
    if filters.status is None:
        filters = dataclasses.replace(filters, status=EventStatus.scheduled)
    e = OutreachEvent
    stmt = _found(caller, filters).order_by(e.starts_at, e.id).limit(CALENDAR_SIZE)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).scalars())


# --- writing ---------------------------------------------------------------------------------------------------


async def check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    """Every co-host, agreement and work named is one this service knows (RuleViolated, a 422, for the first
    that is not)."""
    await check_known(session, fields, [("partner_ids", known_partners, "partner"),
                                        ("agreement_ids", known_agreements, "agreement"),
                                        ("work_ids", known_works, "work")], service="outreach")


async def draft_event(uow: UnitOfWork, fields: dict[str, Any], now: dt.datetime) -> OutreachEvent:
    await check_references(uow.session, fields)
    return await uow.commit_new(OutreachEvent.draft(now=now, **fields))


async def update_event(uow: UnitOfWork, caller: Caller, event_id: uuid.UUID, changes: dict[str, Any],
                       expected: ExpectedVersion, now: dt.datetime) -> OutreachEvent:
    event = await visible_event(uow.session, caller, event_id, for_update=True)
    expected.check(event.version)
    await check_references(uow.session, changes)
    changed = event.update(changes, now)
    if changed:
        event.tell_moved(await _holding(uow.session, event), changed)
    await uow.commit()
    return event


async def _holding(session: AsyncSession, event: OutreachEvent) -> list[Registration]:
    """The event's registrations that hold or await a place (under the event's lock), in a stable order."""
    r = Registration
    return list((await session.execute(select(r).where(
        r.event_id == event.id,  # type: ignore[arg-type]
        r.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted])  # type: ignore[attr-defined]
    ).order_by(r.id))).scalars())  # type: ignore[arg-type]


Step = Callable[..., Awaitable[None]]  # (session, event, now, **details)


async def _schedule(_session: AsyncSession, event: OutreachEvent, now: dt.datetime) -> None:
    event.schedule(now)


async def _cancel(session: AsyncSession, event: OutreachEvent, now: dt.datetime, *, reason: str | None = None
                  ) -> None:
    """Every registration that holds or awaits a place is named in the cancellation, so it can be told."""
    event.cancel(now, reason=reason, registrations=await _holding(session, event))


async def _complete(_session: AsyncSession, event: OutreachEvent, now: dt.datetime, *, walk_ins: int = 0,
                    attendance: int | None = None, reach: int | None = None) -> None:
    event.complete(now, walk_ins=walk_ins, attendance=attendance, reach=reach)


STEPS: dict[str, Step] = {"schedule": _schedule, "cancel": _cancel, "complete": _complete}


async def take_event_step(uow: UnitOfWork, caller: Caller, event_id: uuid.UUID, action: str,
                          expected: ExpectedVersion, now: dt.datetime, **details: Any) -> OutreachEvent:
    """schedule (registrations open), cancel (`reason`; every registration is told), complete (`walk_ins`, or
    `attendance` outright; `reach` for online events)."""
    event = await visible_event(uow.session, caller, event_id, for_update=True)
    expected.check(event.version)
    await STEPS[action](uow.session, event, now, **details)
    await uow.commit()
    return event
