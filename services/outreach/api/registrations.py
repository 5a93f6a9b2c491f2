"""`/api/v1/outreach/events/{id}/registrations` and `/registrations/{id}`: booking a place at an event.

Registering locks the event row for the transaction (FOR UPDATE on PostgreSQL, the write lock on SQLite), so
its people counters decide one registration at a time and capacity holds under any concurrency; cancelling
takes the same lock and moves the waitlist up in order in that transaction.

Who: members register themselves and see their own registrations; staff see all and check people in at the
door (by registration or by the scanned check-in code); co-hosting partners see the counts on the event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.outreach.api.events import visible_event
from services.outreach.domain.event import OutreachEvent
from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.auth import SIGNED_IN, Caller, CallerDep, GuardedRoute, Role, SignedInDep
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import forbidden, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWork, UnitOfWorkDep
from shared.validation import ShortText

router = APIRouter(route_class=GuardedRoute, tags=["registrations"])

Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()./-]{3,40}$", max_length=40)]  # the column holds 40
PartySize = Annotated[int, Field(ge=1, le=1000, description="People in the party: a school class is one of 30")]


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    email: EmailStr | None = Field(None, max_length=254)
    phone: Phone | None = None
    party_size: PartySize = 1

    @model_validator(mode="after")
    def _reachable(self) -> RegistrationIn:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone number")
        return self


class RegistrationAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["cancel", "check_in"]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(min_length=4, max_length=16, pattern=r"^[A-Za-z0-9]+$")]


class RegistrationOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    party_size: int
    status: RegistrationStatus
    waitlist_position: int | None = Field(description="1 is next when places free up; set while waitlisted")
    check_in_code: str = Field(description="Shown at the door")
    checked_in_at: dt.datetime | None
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


async def waitlist_position(session: AsyncSession, registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.waitlisted or registration.waitlist_ticket is None:
        return None
    r = Registration
    return (await session.execute(select(func.count()).select_from(r).where(
        r.event_id == registration.event_id, r.status == RegistrationStatus.waitlisted,  # type: ignore[arg-type]
        r.waitlist_ticket <= registration.waitlist_ticket))).scalar_one()  # type: ignore[operator]


async def _parties_waiting(session: AsyncSession, event: OutreachEvent) -> int:
    r = Registration
    return (await session.execute(select(func.count()).select_from(r).where(
        r.event_id == event.id, r.status == RegistrationStatus.waitlisted))).scalar_one()  # type: ignore[arg-type]


async def _out(session: AsyncSession, registration: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=registration.id, event_id=registration.event_id, name=registration.name, email=registration.email,
        phone=registration.phone, party_size=registration.party_size, status=registration.status,
        waitlist_position=await waitlist_position(session, registration), check_in_code=registration.check_in_code,
        checked_in_at=registration.checked_in_at, allowed_actions=registration.allowed_actions,
        version=registration.version, created_at=registration.created_at, updated_at=registration.updated_at,
    )


def may_see(caller: Caller, registration: Registration) -> bool:
    if caller.is_staff:
        return True
    return registration.applicant is not None and registration.applicant == caller.subject


async def visible_registration(session: AsyncSession, registration_id: uuid.UUID, caller: Caller,
                               *, for_update: bool = False) -> Registration:
    registration = await session.get(Registration, registration_id, with_for_update=for_update)
    if registration is None or not may_see(caller, registration):
        raise not_found(f"no registration {registration_id}")
    return registration


@router.post("/events/{event_id}/registrations", status_code=201, response_model=RegistrationOut)
async def register(event_id: uuid.UUID, body: RegistrationIn, caller: SignedInDep, uow: UnitOfWorkDep,
                   clock: ClockDep, request: Request, response: Response) -> RegistrationOut:
    """Book places for a party: `confirmed` while its whole party fits, else `waitlisted` with a position."""
    caller.require(Role.coordinator, Role.member, Role.partner)
    event = await visible_event(uow.session, event_id, caller, for_update=True)
    now = clock.now()
    registration = Registration.apply(event_id=event.id, name=body.name, email=body.email, phone=body.phone,
                                      party_size=body.party_size, applicant=caller.subject, now=now)
    ahead = await _parties_waiting(uow.session, event) if event.waiting_people else 0
    event.admit(registration, now, parties_waiting=ahead)
    uow.session.add(registration)
    await uow.session.flush()
    out = await _out(uow.session, registration)
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_registration", registration_id=registration.id).path)
    set_etag(response, registration.version)
    return out


@router.get("/events/{event_id}/registrations", response_model=Page[RegistrationOut])
async def list_event_registrations(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                                   limit: Limit = 50, cursor: Cursor = None,
                                   status: RegistrationStatus | None = None) -> Page[RegistrationOut]:
    caller.require(*SIGNED_IN)
    await visible_event(session, event_id, caller)
    return await _list(caller, session, limit, cursor, event_id=event_id, status=status)


@router.get("/registrations", response_model=Page[RegistrationOut])
async def list_registrations(caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
                             event_id: uuid.UUID | None = None, status: RegistrationStatus | None = None
                             ) -> Page[RegistrationOut]:
    """Staff: every registration; anyone else signed in: the ones it made."""
    caller.require(*SIGNED_IN)
    return await _list(caller, session, limit, cursor, event_id=event_id, status=status)


async def _list(caller: Caller, session: AsyncSession, limit: int, cursor: str | None, **filters: Any
                ) -> Page[RegistrationOut]:
    r = Registration
    stmt = select(r)
    if not caller.is_staff:
        stmt = stmt.where(r.applicant == caller.subject)  # type: ignore[arg-type]
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(r, name) == value)
    rows, next_cursor = await keyset_page(session, stmt, [r.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[await _out(session, row) for row in rows], next_cursor=next_cursor)


@router.get("/registrations/{registration_id}", response_model=RegistrationOut, name="read_registration")
async def read_registration(registration_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                            request: Request, response: Response) -> Any:
    caller.require(*SIGNED_IN)
    registration = await visible_registration(session, registration_id, caller)
    if (unchanged := not_modified(request, registration.version)) is not None:
        return unchanged
    set_etag(response, registration.version)
    return await _out(session, registration)


async def _check_in(uow: UnitOfWork, event: OutreachEvent, registration: Registration, now: dt.datetime) -> None:
    event.check_in(registration, now)


async def _cancel(uow: UnitOfWork, event: OutreachEvent, registration: Registration, now: dt.datetime) -> None:
    if event.release(registration, now):
        waiting = list((await uow.session.execute(
            select(Registration).where(Registration.event_id == event.id,  # type: ignore[arg-type]
                                       Registration.status == RegistrationStatus.waitlisted)  # type: ignore[arg-type]
            .order_by(Registration.waitlist_ticket))).scalars())  # type: ignore[arg-type]
        event.promote(waiting, now)


@router.post("/registrations/{registration_id}/transitions", response_model=RegistrationOut)
async def transition_registration(registration_id: uuid.UUID, body: RegistrationAction, caller: SignedInDep,
                                  uow: UnitOfWorkDep, clock: ClockDep, request: Request,
                                  response: Response) -> RegistrationOut:
    """cancel (whoever registered, or staff: the places go to the waitlist in order), check_in (staff)."""
    found = await visible_registration(uow.session, registration_id, caller)
    if body.action == "check_in":
        caller.require(Role.coordinator)
    elif not (caller.role in (Role.admin, Role.coordinator) or (not caller.is_staff and may_see(caller, found))):
        raise forbidden("a registration is cancelled by whoever made it, or a coordinator")
    # The event first, then the registration: the order every writer takes the locks in.
    event = await uow.session.get(OutreachEvent, found.event_id, with_for_update=True)
    assert event is not None
    registration = await visible_registration(uow.session, registration_id, caller, for_update=True)
    check_if_match(request, registration.version)
    now = clock.now()
    if body.action == "check_in":
        await _check_in(uow, event, registration, now)
    else:
        await _cancel(uow, event, registration, now)
    out = await _out(uow.session, registration)
    await uow.commit()
    set_etag(response, registration.version)
    return out


@router.post("/events/{event_id}/check-ins", response_model=RegistrationOut)
async def check_in_by_code(event_id: uuid.UUID, body: CheckIn, caller: SignedInDep, uow: UnitOfWorkDep,
                           clock: ClockDep, response: Response) -> RegistrationOut:
    """At the door: the scanned check-in code of a registration for this event. Twice is a 409."""
    caller.require(Role.coordinator)
    event = await visible_event(uow.session, event_id, caller, for_update=True)
    registration = (await uow.session.execute(select(Registration).where(
        Registration.event_id == event.id, Registration.check_in_code == body.code.upper()  # type: ignore[arg-type]
    ).with_for_update())).scalar_one_or_none()
    if registration is None:
        raise not_found("no registration for this event has that check-in code")
    await _check_in(uow, event, registration, clock.now())
    out = await _out(uow.session, registration)
    await uow.commit()
    set_etag(response, registration.version)
    return out
