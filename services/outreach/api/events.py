"""`/api/v1/outreach/events`: science-popularization events, found by date, place, kind, audience, language and
co-host. Anyone sees scheduled and completed events; co-hosting partners also their own drafts and cancelled
events, with registration counts; staff see everything. Coordinators and admins write; `schedule` opens
registrations. The rules are in `usecases/events.py` and `domain/event.py`."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.outreach.api.event_params import EventAction, EventIn, EventPatch, FiltersDep
from services.outreach.domain.event import EventKind, EventStatus, OutreachEvent
from services.outreach.usecases import events
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import Cursor, Limit, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep

router = APIRouter(route_class=GuardedRoute, prefix="/events", tags=["events"])


class RegistrationCounts(BaseModel):
    confirmed_people: int
    waiting_people: int
    checked_in_people: int


class EventOut(Representation):
    id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    kind: EventKind
    audiences: list[str]
    languages: list[str]
    venue: dict[str, Any] | None
    online_url: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    starts_at_local: dt.datetime = Field(description="starts_at in the event's timezone")
    ends_at_local: dt.datetime
    capacity: int
    places_left: int = Field(description="Places a newcomer can get now: 0 while anyone waits")
    places_unfilled: int = Field(description="Capacity not taken by confirmed people, whether or not anyone waits")
    partner_ids: list[uuid.UUID]
    agreement_ids: list[uuid.UUID]
    work_ids: list[uuid.UUID]
    status: EventStatus
    allowed_actions: list[str]
    attendance: int | None
    walk_ins: int | None
    reach: int | None
    cancellation_reason: str | None
    registrations: RegistrationCounts | None = Field(description="For staff and co-hosts")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def seen_by(cls, caller: Caller, event: OutreachEvent, response: Response | None = None) -> EventOut:
        """The event as `caller` may see it: the registration counts for staff and co-hosts only."""
        counts = None
        if caller.is_staff or event.co_hosted_by(caller.partner_id):
            counts = RegistrationCounts.model_validate(event, from_attributes=True)
        return cls.of(event, response, starts_at_local=event.local(event.starts_at),
                      ends_at_local=event.local(event.ends_at), registrations=counts)


@router.post("", status_code=201, response_model=EventOut)
async def draft_event(body: EventIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                      reply: ReplyDep) -> EventOut:
    """Draft an outreach event (coordinators): kind, times in its timezone, venue or online, capacity."""
    event = await events.draft_event(uow, body.fields(), clock.now())
    return EventOut.seen_by(caller, event, reply.created("read_event", event_id=event.id))


@router.get("", response_model=Page[EventOut])
async def list_events(caller: CallerDep, session: ReadSessionDep, filters: FiltersDep, limit: Limit = 50,
                      cursor: Cursor = None) -> Page[EventOut]:
    """Events sorted by start, soonest first."""
    return Page.of(await events.list_events(session, caller, filters, limit, cursor),
                   lambda e: EventOut.seen_by(caller, e))


@router.get("/{event_id}", response_model=EventOut, name="read_event")
async def read_event(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One event with the places left."""
    return reply.current(await events.visible_event(session, caller, event_id), partial(EventOut.seen_by, caller))


@router.patch("/{event_id}", response_model=EventOut)
async def update_event(event_id: uuid.UUID, body: EventPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                       expected: IfMatchDep, response: Response) -> EventOut:
    """Change an event (coordinators), with `If-Match`; a moved time or venue is published."""
    event = await events.update_event(uow, caller, event_id, body.changes(), expected, clock.now())
    return EventOut.seen_by(caller, event, response)


@router.post("/{event_id}/transitions", response_model=EventOut)
async def transition_event(event_id: uuid.UUID, body: EventAction, caller: WriterDep, uow: UnitOfWorkDep,
                           clock: ClockDep, expected: IfMatchDep, response: Response) -> EventOut:
    """schedule (registrations open), cancel (`reason`; every registration is told through
    `outreach.event.cancelled`), complete (`walk_ins`, or `attendance` outright; `reach` for online events)."""
    event = await events.take_event_step(uow, caller, event_id, body.action, expected, clock.now(),
                                         **body.model_dump(exclude={"action"}))
    return EventOut.seen_by(caller, event, response)
