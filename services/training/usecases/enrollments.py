"""Enrollments: where an enrollment is accepted, and what happens to it after.

Applying locks the cohort row for the length of the transaction (FOR UPDATE on PostgreSQL, the write lock on
SQLite), so the cohort's seat counters and waitlist tickets are decided one application at a time: capacity
is never exceeded and no two waitlisted enrollments get the same position, whatever the concurrency. The same
lock is taken, cohort first, whenever a place is given up, and the freed seat goes to the first on the
waitlist who may take it, in that transaction.

Who: staff see every enrollment; a partner enrolls and sees only its own staff; a member enrolls itself and
sees the enrollments it applied for. Attendance, completion and rejection are the coordinators' to record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.db.models import certificates, known_partners
from services.training.domain.cohort import Cohort
from services.training.domain.enrollment import Enrollment, EnrollmentStatus
from services.training.domain.program import Program
from services.training.usecases.cohorts import visible_cohort
from services.training.usecases.seats import (
    agreements_counted,
    give_back_partner_seat,
    promote_first_waiting,
    take_partner_seat,
)
from shared.auth import SIGNED_IN, Caller, Role
from shared.db.lookup import Placed, get_visible, lock_in_turn, placed
from shared.domain import Conflict, ExpectedVersion
from shared.pagination import keyset_page
from shared.problems import forbidden
from shared.service import UnitOfWork
from shared.usecases import check_known_id, where_given


@dataclass(frozen=True)
class Application:
    name: str
    email: str
    country: str
    partner_id: uuid.UUID | None = None
    language: str = "en"  # what the participant is told in


def may_see(caller: Caller, enrollment: Enrollment) -> bool:
    if caller.is_staff:
        return True
    if caller.role is Role.partner:
        return enrollment.partner_id is not None and enrollment.partner_id == caller.partner_id
    return caller.role is Role.member and enrollment.applicant is not None and enrollment.applicant == caller.subject


async def visible_enrollment(session: AsyncSession, caller: Caller, enrollment_id: uuid.UUID, *,
                             for_update: bool = False) -> Enrollment:
    return await get_visible(session, Enrollment, enrollment_id, what="enrollment", for_update=for_update,
                             may_see=lambda e: may_see(caller, e))


def partner_of_applicant(caller: Caller, requested: uuid.UUID | None) -> uuid.UUID | None:
    """A partner enrolls its own staff (its partner_id, said or not); a member enrolls itself as nobody's
    staff; coordinators and admins name any partner."""
    caller.require(Role.coordinator, Role.partner, Role.member)
    if caller.role is Role.partner:
        if requested is not None and requested != caller.partner_id:
            raise forbidden("a partner enrolls only its own staff")
        return caller.partner_id
    if caller.role is Role.member and requested is not None:
        raise forbidden("a member enrolls itself; a partner institution enrolls its staff")
    return requested


# --- applying --------------------------------------------------------------------------------------------------


async def enroll(uow: UnitOfWork, caller: Caller, cohort_id: uuid.UUID, application: Application,
                 now: dt.datetime) -> Placed[Enrollment]:
    """Apply to a cohort: accepted while a seat is free, else waitlisted at the end of the line.

    What can refuse the application without the seat counts is checked before the cohort is locked: the lock
    is held only for the seat, the insert and the commit, and the applicants of a burst take it in the order
    they asked (`lock_in_turn`)."""
    partner_id = partner_of_applicant(caller, application.partner_id)
    session = uow.session
    cohort, program = await visible_cohort(session, caller, cohort_id)
    cohort.check_open(program, now)
    if partner_id is not None:
        await check_known_id(session, partner_id, known_partners, "partner", ("body", "partner_id"), service="training")
    email = application.email.lower()
    existing = (await session.execute(select(Enrollment).where(  # type: ignore[call-overload]
        Enrollment.cohort_id == cohort.id, Enrollment.email == email))).scalar_one_or_none()  # type: ignore[arg-type]
    if existing is not None:
        raise _already_applied(caller, email, existing)
    cohort = await lock_in_turn(session, cohort)
    cohort.check_open(program, now)  # as it is now: a coordinator may have just closed it
    enrollment = Enrollment.apply(
        cohort_id=cohort.id, program_id=program.id, year=cohort.starts_on.year, name=application.name,
        email=email, country=application.country, partner_id=partner_id, applicant=caller.subject, now=now,
        language=application.language,
    )
    cohort.admit(enrollment, program, quota_agreement=await take_partner_seat(session, cohort, partner_id), now=now)
    session.add(enrollment)
    try:
        await session.flush()
    except IntegrityError as exc:  # applied a moment ago (the unique email per cohort says so)
        raise _already_applied(caller, email, None) from exc
    await uow.commit()
    # Someone who waits was put at the end of the line.
    waiting = enrollment.status is EnrollmentStatus.waitlisted
    return Placed(enrollment, cohort.waitlist_length if waiting else None)


def _already_applied(caller: Caller, email: str, existing: Enrollment | None) -> Conflict:
    """The refusal of a second application of one email to one cohort. It says so only to a caller who may read
    the first (staff; the partner or member who made it): to anyone else, whose application may concern another
    partner's staff, it names neither the email nor what became of it."""
    if caller.is_staff or (existing is not None and may_see(caller, existing)):
        return Conflict(f"{email} has already applied to this cohort")
    return Conflict("this cohort cannot take this application from this caller; the person can apply in their "
                    "own name, or the base's training office can help")


# --- reading ---------------------------------------------------------------------------------------------------


async def with_positions(session: AsyncSession, enrollments: list[Enrollment]) -> list[Placed[Enrollment]]:
    """Each enrollment with its waitlist position (one query for them all)."""
    return await placed(session, enrollments, waiting=lambda e: e.status is EnrollmentStatus.waitlisted,
                        group=Enrollment.cohort_id, ticket=Enrollment.waitlist_ticket,
                        is_waiting=Enrollment.status == EnrollmentStatus.waitlisted)  # type: ignore[arg-type]


async def read_enrollment(session: AsyncSession, caller: Caller, enrollment_id: uuid.UUID) -> Placed[Enrollment]:
    caller.require(*SIGNED_IN)
    return (await with_positions(session, [await visible_enrollment(session, caller, enrollment_id)]))[0]


async def list_enrollments(session: AsyncSession, caller: Caller, limit: int, cursor: str | None,
                           **filters: object) -> tuple[list[Placed[Enrollment]], str | None]:
    """A page of the enrollments the caller may see, with the filters given (column name: value)."""
    caller.require(*SIGNED_IN)  # anonymous is a 401
    e = Enrollment
    stmt = where_given(select(e), e, **filters)
    if not caller.is_staff:
        if caller.role is Role.partner:
            stmt = stmt.where(e.partner_id == caller.partner_id)  # type: ignore[arg-type]
        elif caller.role is Role.member:
            stmt = stmt.where(e.applicant == caller.subject)  # type: ignore[arg-type]
        else:
            raise forbidden("enrollments are for staff, partners and members")
    rows, next_cursor = await keyset_page(session, stmt, [e.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return await with_positions(session, rows), next_cursor


async def list_cohort_enrollments(session: AsyncSession, caller: Caller, cohort_id: uuid.UUID, limit: int,
                                  cursor: str | None, status: EnrollmentStatus | None
                                  ) -> tuple[list[Placed[Enrollment]], str | None]:
    await visible_cohort(session, caller, cohort_id)
    return await list_enrollments(session, caller, limit, cursor, cohort_id=cohort_id, status=status)


# --- what happens to an enrollment -----------------------------------------------------------------------------


Step = Callable[[AsyncSession, Enrollment, Cohort, Program, dt.datetime], Awaitable[None]]


def _giving_up(give_up: Callable[[Enrollment, Cohort, dt.datetime], None]) -> Step:
    """Withdrawing or rejecting: the place is free again at once, and a freed seat goes to the waitlist."""

    async def step(session: AsyncSession, enrollment: Enrollment, cohort: Cohort, program: Program,
                   now: dt.datetime) -> None:
        held_a_seat = enrollment.seat is not None
        await give_back_partner_seat(session, enrollment)
        give_up(enrollment, cohort, now)
        if held_a_seat:
            await promote_first_waiting(session, cohort, program, now)

    return step


def _plain(move: Callable[[Enrollment, dt.datetime], None]) -> Step:
    async def step(_session: AsyncSession, enrollment: Enrollment, _cohort: Cohort, _program: Program,
                   now: dt.datetime) -> None:
        move(enrollment, now)

    return step


async def _complete(session: AsyncSession, enrollment: Enrollment, cohort: Cohort, program: Program,
                    now: dt.datetime) -> None:
    """Completed: the certificate is issued, and kept for public verification (never with the email)."""
    counted = await agreements_counted(session, enrollment, cohort)
    enrollment.complete(now, counted, program_title=program.title)
    await session.execute(certificates.insert().values(
        code=enrollment.certificate_code, enrollment_id=enrollment.id, holder_name=enrollment.name,
        country=enrollment.country, program_id=program.id, program_title=program.title, cohort_id=cohort.id,
        cohort_starts_on=cohort.starts_on, cohort_ends_on=cohort.ends_on, partner_id=enrollment.partner_id,
        agreement_ids=[str(a) for a in counted], issued_at=now,
    ))


STEPS: dict[str, Step] = {
    "withdraw": _giving_up(Enrollment.withdraw),
    "reject": _giving_up(Enrollment.reject),
    "attend": _plain(Enrollment.attend),
    "no_show": _plain(Enrollment.no_show),
    "complete": _complete,
}


async def take_step(uow: UnitOfWork, caller: Caller, enrollment_id: uuid.UUID, action: str,
                    expected: ExpectedVersion, now: dt.datetime) -> Placed[Enrollment]:
    """withdraw (the participant's side: staff, its partner, or the member who applied), reject, attend,
    no_show, complete (coordinators). Withdrawing or rejecting frees the place for the waitlist at once."""
    session = uow.session
    found = await visible_enrollment(session, caller, enrollment_id)
    if action != "withdraw":
        caller.require(Role.coordinator)
    elif not (caller.role in (Role.admin, Role.coordinator) or (not caller.is_staff and may_see(caller, found))):
        raise forbidden("an enrollment is withdrawn by the participant's side or a coordinator")
    # Cohort first, then the enrollment: the order every writer takes the locks in.
    cohort, program = await visible_cohort(session, caller, found.cohort_id, for_update=True)
    # Read again under the lock: what was read before it may have changed since (a concurrent withdrawal), and
    # the session would otherwise keep the old copy (and refuse the locked read as stale: a 500).
    session.expunge(found)
    enrollment = await visible_enrollment(session, caller, enrollment_id, for_update=True)
    expected.check(enrollment.version)
    await STEPS[action](session, enrollment, cohort, program, now)
    await uow.commit()
    return Placed(enrollment)  # no step leaves it waiting
