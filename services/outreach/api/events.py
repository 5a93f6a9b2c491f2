"""`/api/v1/outreach/events`: science-popularization events, found by date, place, kind, audience, language and
co-host, and their calendars.

Anyone sees scheduled and completed events; co-hosting partners also see their own drafts and cancelled events,
with registration counts; staff see everything. Coordinators and admins write; `schedule` opens registrations.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, field_validator
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.outreach.db.models import city_key, event_tags, known_agreements, known_partners, known_works
from services.outreach.domain.event import PUBLIC_STATUSES, Audience, EventKind, EventStatus, OutreachEvent, zone
from services.outreach.domain.registration import Registration, RegistrationStatus
from services.outreach.formats.calendar import calendar_of
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.db.search import contains
from shared.domain import RuleViolated
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import CountryCode, LanguageTag, LocalizedLongText, LocalizedText, ShortText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/events", tags=["events"])

Capacity = Annotated[int, Field(ge=1, le=1_000_000, description="In people")]
Count = Annotated[int, Field(ge=0, le=100_000_000)]
EARLIEST, LATEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _in_calendar(value: dt.datetime) -> dt.datetime:
    # Far enough from year 1 and 9999 that converting to UTC or to the event's timezone cannot overflow.
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 1900-01-01 and 2199-12-31 (UTC)")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_calendar)]


class Venue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    address: Text(500) | None = None  # type: ignore[valid-type]
    city: ShortText
    country: CountryCode


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    description: LocalizedLongText | None = None
    kind: EventKind
    audiences: list[Audience] = Field(default_factory=list, max_length=7)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)
    venue: Venue | None = None
    online_url: HttpUrl | None = Field(None, max_length=500)
    starts_at: Instant
    ends_at: Instant
    timezone: Annotated[str, Field(min_length=1, max_length=64, description="IANA, e.g. Asia/Shanghai")]
    capacity: Capacity
    partner_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50, description="Co-hosts")
    agreement_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    work_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50, description="Books it launches, ...")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:  # a PATCH that removes it: refused in `changes`
            return value
        try:
            zone(value)
        except RuleViolated as exc:
            raise ValueError(exc.detail) from exc
        return value

    def fields(self) -> dict[str, Any]:
        return {
            "title": self.title, "description": self.description, "kind": self.kind,
            "audiences": sorted({a.value for a in self.audiences}), "languages": list(dict.fromkeys(self.languages)),
            "venue": self.venue.model_dump(exclude_none=True) if self.venue else None,
            "online_url": str(self.online_url) if self.online_url else None,
            "starts_at": self.starts_at.astimezone(dt.UTC), "ends_at": self.ends_at.astimezone(dt.UTC),
            "timezone": self.timezone, "capacity": self.capacity,
            **{name: [str(i) for i in dict.fromkeys(getattr(self, name))]
               for name in ("partner_ids", "agreement_ids", "work_ids")},
        }


class EventPatch(EventIn):
    title: LocalizedText | None = None  # type: ignore[assignment]
    kind: EventKind | None = None  # type: ignore[assignment]
    starts_at: Instant | None = None  # type: ignore[assignment]
    ends_at: Instant | None = None  # type: ignore[assignment]
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = None  # type: ignore[assignment]
    capacity: Capacity | None = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        given = self.model_fields_set
        for required in ("title", "kind", "starts_at", "ends_at", "timezone", "capacity"):
            if required in given and getattr(self, required) is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        filled = self.model_copy(update={k: v for k, v in _placeholders().items() if k not in given})
        return {k: v for k, v in filled.fields().items() if k in given}


def _placeholders() -> dict[str, Any]:
    """Values for the required fields a PATCH left out, so `fields()` can run; they are dropped again."""
    now = dt.datetime.now(dt.UTC)
    return {"title": {"en": "-"}, "kind": EventKind.lecture, "starts_at": now, "ends_at": now, "timezone": "UTC",
            "capacity": 1}


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["schedule"]


class Cancel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["cancel"]
    reason: Text(2000) | None = None  # type: ignore[valid-type]


class Complete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["complete"]
    walk_ins: Count = 0
    attendance: Count | None = Field(None, description="Who came; by default checked-in people plus walk-ins")
    reach: Count | None = Field(None, description="Online events: how many followed it")


EventAction = Annotated[Schedule | Cancel | Complete, Field(discriminator="action")]


class RegistrationCounts(BaseModel):
    confirmed_people: int
    waiting_people: int
    checked_in_people: int


class EventOut(BaseModel):
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
    places_left: int
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
    def of(cls, event: OutreachEvent, caller: Caller) -> EventOut:
        counts = None
        if caller.is_staff or event.co_hosted_by(caller.partner_id):
            counts = RegistrationCounts(confirmed_people=event.confirmed_people,
                                        waiting_people=event.waiting_people,
                                        checked_in_people=event.checked_in_people)
        return cls(
            id=event.id, title=event.title, description=event.description, kind=event.kind,
            audiences=event.audiences, languages=event.languages, venue=event.venue, online_url=event.online_url,
            starts_at=event.starts_at, ends_at=event.ends_at, timezone=event.timezone,
            starts_at_local=event.local(event.starts_at), ends_at_local=event.local(event.ends_at),
            capacity=event.capacity, places_left=event.places_left,
            partner_ids=[uuid.UUID(p) for p in event.partner_ids],
            agreement_ids=[uuid.UUID(a) for a in event.agreement_ids],
            work_ids=[uuid.UUID(w) for w in event.work_ids], status=event.status,
            allowed_actions=event.allowed_actions, attendance=event.attendance, walk_ins=event.walk_ins,
            reach=event.reach, cancellation_reason=event.cancellation_reason, registrations=counts,
            version=event.version, created_at=event.created_at, updated_at=event.updated_at,
        )


def may_see(caller: Caller, event: OutreachEvent) -> bool:
    return caller.is_staff or event.is_public or event.co_hosted_by(caller.partner_id)


async def visible_event(session: AsyncSession, event_id: uuid.UUID, caller: Caller, *, for_update: bool = False
                        ) -> OutreachEvent:
    event = await session.get(OutreachEvent, event_id, with_for_update=for_update)
    if event is None or not may_see(caller, event):
        raise not_found(f"no event {event_id}")
    return event


async def _check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    for name, model, what in (("partner_ids", known_partners, "partner"), ("agreement_ids", known_agreements,
                                                                           "agreement"), ("work_ids", known_works,
                                                                                          "work")):
        ids = [uuid.UUID(i) for i in fields.get(name) or []]
        unknown = await model.unknown_among(session, ids)
        if unknown:
            raise invalid(f"no {what} {unknown[0]} is known to the outreach service",
                          ("body", name, ids.index(unknown[0])), f"unknown_{what}")


def _answer(response: Response, event: OutreachEvent, caller: Caller) -> EventOut:
    set_etag(response, event.version)
    return EventOut.of(event, caller)


@router.post("", status_code=201, response_model=EventOut)
async def draft_event(body: EventIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request,
                      response: Response) -> EventOut:
    fields = body.fields()
    await _check_references(uow.session, fields)
    event = OutreachEvent.draft(now=clock.now(), **fields)
    uow.session.add(event)
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_event", event_id=event.id).path)
    return _answer(response, event, caller)


class EventFilters(BaseModel):
    """The filters of the event list and of `calendar.ics`."""

    from_: dt.date | None = None
    to: dt.date | None = None
    city: str | None = None
    country: str | None = None
    kind: EventKind | None = None
    audience: Audience | None = None
    language: str | None = None
    partner_id: uuid.UUID | None = None
    status: EventStatus | None = None

    def apply(self, stmt: Select[Any], caller: Caller) -> Select[Any]:
        e = OutreachEvent
        if not caller.is_staff:
            public = e.status.in_([s.value for s in PUBLIC_STATUSES])  # type: ignore[attr-defined]
            if caller.partner_id is not None:
                own = contains(e.tags, event_tags(partner_ids=[str(caller.partner_id)]))  # type: ignore[attr-defined]
                public = or_(public, own)
            stmt = stmt.where(public)
        if self.from_:
            stmt = stmt.where(e.starts_at >= dt.datetime.combine(self.from_, dt.time(), dt.UTC))  # type: ignore[operator]
        if self.to and self.to < dt.date.max:  # the last day there is: no upper bound
            end = dt.datetime.combine(self.to + dt.timedelta(days=1), dt.time(), dt.UTC)
            stmt = stmt.where(e.starts_at < end)  # type: ignore[operator]
        if self.city:
            stmt = stmt.where(e.indexed_city == city_key(self.city))  # type: ignore[attr-defined]
        if self.country:
            stmt = stmt.where(e.indexed_country == self.country.upper())  # type: ignore[attr-defined]
        if self.kind:
            stmt = stmt.where(e.kind == self.kind)  # type: ignore[arg-type]
        if self.status:
            stmt = stmt.where(e.status == self.status)  # type: ignore[arg-type]
        tags = event_tags(audiences=[self.audience.value] if self.audience else [],
                          languages=[self.language] if self.language else [],
                          partner_ids=[str(self.partner_id)] if self.partner_id else [])
        for tag in tags.strip("|").split("|"):
            if tag:
                stmt = stmt.where(contains(e.tags, f"|{tag}|"))  # type: ignore[attr-defined]
        return stmt


def event_filters(
    from_: Annotated[dt.date | None, Query(alias="from", description="Starting on or after this day (UTC)")] = None,
    to: Annotated[dt.date | None, Query(description="Starting on or before this day (UTC)")] = None,
    city: Annotated[ShortText | None, Query(description="The venue's city, any case")] = None,
    country: CountryCode | None = None,
    kind: EventKind | None = None,
    audience: Audience | None = None,
    language: LanguageTag | None = None,
    partner_id: Annotated[uuid.UUID | None, Query(description="A co-host")] = None,
    status: EventStatus | None = None,
) -> EventFilters:
    return EventFilters(from_=from_, to=to, city=city, country=country, kind=kind, audience=audience,
                        language=language, partner_id=partner_id, status=status)


FiltersDep = Annotated[EventFilters, Depends(event_filters)]


@router.get("", response_model=Page[EventOut])
async def list_events(caller: CallerDep, session: ReadSessionDep, filters: FiltersDep, limit: Limit = 50,
                      cursor: Cursor = None) -> Page[EventOut]:
    """Events sorted by start, soonest first."""
    e = OutreachEvent
    stmt = filters.apply(select(e), caller)
    rows, next_cursor = await keyset_page(session, stmt, [e.starts_at, e.id], [dt.datetime, uuid.UUID],  # type: ignore[list-item]
                                          limit, cursor)
    return Page(items=[EventOut.of(r, caller) for r in rows], next_cursor=next_cursor)


@router.get("/{event_id}", response_model=EventOut, name="read_event")
async def read_event(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                     response: Response) -> Any:
    event = await visible_event(session, event_id, caller)
    if (unchanged := not_modified(request, event.version)) is not None:
        return unchanged
    return _answer(response, event, caller)


@router.patch("/{event_id}", response_model=EventOut)
async def update_event(event_id: uuid.UUID, body: EventPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                       request: Request, response: Response) -> EventOut:
    event = await visible_event(uow.session, event_id, caller, for_update=True)
    check_if_match(request, event.version)
    changes = body.changes()
    await _check_references(uow.session, changes)
    event.update(changes, clock.now())
    await uow.commit()
    return _answer(response, event, caller)


@router.post("/{event_id}/transitions", response_model=EventOut)
async def transition_event(event_id: uuid.UUID, body: EventAction, caller: WriterDep, uow: UnitOfWorkDep,
                           clock: ClockDep, request: Request, response: Response) -> EventOut:
    """schedule (registrations open), cancel (`reason`; every registration is told through
    `outreach.event.cancelled`), complete (`walk_ins`, or `attendance` outright; `reach` for online events)."""
    event = await visible_event(uow.session, event_id, caller, for_update=True)
    check_if_match(request, event.version)
    now = clock.now()
    match body:
        case Schedule():
            event.schedule(now)
        case Cancel():
            registered = (await uow.session.execute(
                select(Registration.id).where(  # type: ignore[call-overload]
                    Registration.event_id == event.id,  # type: ignore[arg-type]
                    Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted])  # type: ignore[attr-defined]
                ).order_by(Registration.id))).scalars().all()
            event.cancel(now, reason=body.reason, registration_ids=registered)
        case Complete():
            event.complete(now, walk_ins=body.walk_ins, attendance=body.attendance, reach=body.reach)
    await uow.commit()
    return _answer(response, event, caller)


# --- calendars -------------------------------------------------------------------------------------------------

ICS = "text/calendar; charset=utf-8"
calendar_router = APIRouter(route_class=GuardedRoute, tags=["events"])
CALENDAR_SIZE = 1000


@router.get("/{event_id}/calendar.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
async def event_calendar(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep
                         ) -> Response:
    """The event as iCalendar (RFC 5545), to add to a calendar app."""
    event = await visible_event(session, event_id, caller)
    return Response(calendar_of([event], clock.now()), media_type=ICS,
                    headers={"Content-Disposition": f'inline; filename="event-{event.id}.ics"'})


@calendar_router.get("/calendar.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
async def schedule_calendar(caller: CallerDep, session: ReadSessionDep, clock: ClockDep, filters: FiltersDep
                            ) -> Response:
    """The schedule as iCalendar (RFC 5545), with the same filters as the event list: the first 1000 events
    by start. Without `status`, the scheduled ones."""
    e = OutreachEvent
    if filters.status is None:
        filters = filters.model_copy(update={"status": EventStatus.scheduled})
    stmt = filters.apply(select(e), caller).order_by(e.starts_at, e.id).limit(CALENDAR_SIZE)  # type: ignore[arg-type]
    events = list((await session.execute(stmt)).scalars())
    return Response(calendar_of(events, clock.now()), media_type=ICS,
                    headers={"Content-Disposition": 'inline; filename="outreach.ics"'})
