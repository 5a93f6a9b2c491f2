"""Registrations: booking places at an event, giving them up, and checking in at the door.

Registering locks the event row for the transaction (FOR UPDATE on PostgreSQL, the write lock on SQLite), so
its people counters decide one registration at a time and capacity holds under any concurrency; cancelling
takes the same lock, event first, and moves the waitlist up in order in that transaction.

Who: members register themselves and see their own registrations; staff see all and check people in at the
door (by registration or by the scanned check-in code); co-hosting partners see the counts on the event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.outreach.domain.event import OutreachEvent
from services.outreach.domain.registration import Registration, RegistrationStatus
from services.outreach.usecases.events import visible_event
from shared.auth import SIGNED_IN, Caller, Role
from shared.db.lookup import Placed, get_visible, lock_in_turn, placed
from shared.domain import ExpectedVersion, NotFound
from shared.pagination import keyset_page
from shared.problems import forbidden
from shared.service import UnitOfWork
from shared.usecases import where_given


@dataclass(frozen=True)
class Party:
    """Who registers: one person, a family, a school class; reachable by email or phone."""

    name: str
    email: str | None
    phone: str | None
    party_size: int = 1
    language: str = "en"  # what the party is told in


def may_see(caller: Caller, registration: Registration) -> bool:
    if caller.is_staff:
        return True
    return registration.applicant is not None and registration.applicant == caller.subject


async def visible_registration(session: AsyncSession, caller: Caller, registration_id: uuid.UUID, *,
                               for_update: bool = False) -> Registration:
    return await get_visible(session, Registration, registration_id, what="registration", for_update=for_update,
                             may_see=lambda r: may_see(caller, r))


# --- registering -----------------------------------------------------------------------------------------------


async def _parties_waiting(session: AsyncSession, event: OutreachEvent) -> int:
    """How many registrations wait for the event (under its lock); none when no people wait."""
    if event.waiting_people == 0:
        return 0
    r = Registration
    return (await session.execute(select(func.count()).select_from(r).where(
        r.event_id == event.id, r.status == RegistrationStatus.waitlisted))).scalar_one()  # type: ignore[arg-type]


async def register(uow: UnitOfWork, caller: Caller, event_id: uuid.UUID, party: Party, now: dt.datetime
                   ) -> Placed[Registration]:
    """Book places for a party: confirmed while its whole party fits, else waitlisted at the end of the line."""
    caller.require(Role.coordinator, Role.member, Role.partner)
    # Locked in the order the parties asked: a popular event's registrations come in bursts.
    event = await lock_in_turn(uow.session, await visible_event(uow.session, caller, event_id))
    registration = Registration.apply(event_id=event.id, name=party.name, email=party.email, phone=party.phone,
                                      party_size=party.party_size, applicant=caller.subject, now=now,
                                      language=party.language)
    ahead = await _parties_waiting(uow.session, event)
    event.admit(registration, now, parties_waiting=ahead)
    uow.session.add(registration)
    await uow.commit()
    return Placed(registration, ahead + 1 if registration.is_waiting else None)


# --- reading ---------------------------------------------------------------------------------------------------


async def with_positions(session: AsyncSession, registrations: list[Registration]) -> list[Placed[Registration]]:
    """Each registration with its waitlist position (one query for them all)."""
    r = Registration
    return await placed(session, registrations, waiting=lambda x: x.is_waiting, group=r.event_id,
                        ticket=r.waitlist_ticket,
                        is_waiting=r.status == RegistrationStatus.waitlisted)  # type: ignore[arg-type]


async def read_registration(session: AsyncSession, caller: Caller, registration_id: uuid.UUID) -> Placed[Registration]:
    caller.require(*SIGNED_IN)
    return (await with_positions(session, [await visible_registration(session, caller, registration_id)]))[0]


async def list_registrations(session: AsyncSession, caller: Caller, limit: int, cursor: str | None,
                             **filters: object) -> tuple[list[Placed[Registration]], str | None]:
    """Staff: every registration; anyone else signed in: the ones it made. With the filters given (column
    name: value)."""
    caller.require(*SIGNED_IN)
    r = Registration
    stmt = where_given(select(r), r, **filters)
    if not caller.is_staff:
        stmt = stmt.where(r.applicant == caller.subject)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(session, stmt, [r.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return await with_positions(session, rows), next_cursor


async def list_event_registrations(session: AsyncSession, caller: Caller, event_id: uuid.UUID, limit: int,
                                   cursor: str | None, status: RegistrationStatus | None
                                   ) -> tuple[list[Placed[Registration]], str | None]:
    caller.require(*SIGNED_IN)
    await visible_event(session, caller, event_id)
    return await list_registrations(session, caller, limit, cursor, event_id=event_id, status=status)


# --- what happens to a registration ----------------------------------------------------------------------------


Step = Callable[[AsyncSession, OutreachEvent, Registration, dt.datetime], Awaitable[None]]


async def _cancel(session: AsyncSession, event: OutreachEvent, registration: Registration, now: dt.datetime
                  ) -> None:
    """The places are free again at once; freed confirmed places go to the waitlist, in order."""
    if event.release(registration, now):
        r = Registration
        waiting = list((await session.execute(
            select(r).where(r.event_id == event.id, r.status == RegistrationStatus.waitlisted)  # type: ignore[arg-type]
            .order_by(r.waitlist_ticket))).scalars())  # type: ignore[arg-type]
        event.promote(waiting, now)


async def _check_in(_session: AsyncSession, event: OutreachEvent, registration: Registration, now: dt.datetime
                    ) -> None:
    event.check_in(registration, now)


STEPS: dict[str, Step] = {"cancel": _cancel, "check_in": _check_in}


async def take_step(uow: UnitOfWork, caller: Caller, registration_id: uuid.UUID, action: str,
                    expected: ExpectedVersion, now: dt.datetime) -> Placed[Registration]:
    """cancel (whoever registered, or a coordinator: the places go to the waitlist in order), check_in
    (coordinators)."""
    session = uow.session
    found = await visible_registration(session, caller, registration_id)
    if action == "check_in":
        caller.require(Role.coordinator)
    elif not (caller.role in (Role.admin, Role.coordinator) or (not caller.is_staff and may_see(caller, found))):
        raise forbidden("a registration is cancelled by whoever made it, or a coordinator")
    # The event first, then the registration: the order every writer takes the locks in. Whoever may see the
    # registration may act on it, whatever the event's state now (a cancelled event refuses with a 409).
    event = await get_visible(session, OutreachEvent, found.event_id, what="event", for_update=True)
    # Read again under the lock: what was read before it may have changed since (a concurrent cancellation), and
    # the session would otherwise keep the old copy (and refuse the locked read as stale: a 500).
    session.expunge(found)
    registration = await visible_registration(session, caller, registration_id, for_update=True)
    expected.check(registration.version)
    await STEPS[action](session, event, registration, now)
    await uow.commit()
    return Placed(registration)  # no step leaves it waiting


async def check_in_by_code(uow: UnitOfWork, caller: Caller, event_id: uuid.UUID, code: str, now: dt.datetime
                           ) -> Placed[Registration]:
    """At the door: the scanned check-in code of a registration for this event. Twice is a 409."""
    caller.require(Role.coordinator)
    event = await visible_event(uow.session, caller, event_id, for_update=True)
    r = Registration
    registration = (await uow.session.execute(select(r).where(
        r.event_id == event.id, r.check_in_code == code.upper()  # type: ignore[arg-type]
    ).with_for_update())).scalar_one_or_none()
    if registration is None:
        raise NotFound("no registration for this event has that check-in code")
    event.check_in(registration, now)
    await uow.commit()
    return Placed(registration)
