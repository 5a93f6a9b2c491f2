"""`/api/v1/training/cohorts/{id}/enrollments` and `/enrollments/{id}`: where an enrollment is accepted.

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
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.api.cohorts import visible_cohort
from services.training.db.models import certificates, known_agreements, known_partners, partner_seat_usage
from services.training.domain.cohort import Cohort
from services.training.domain.enrollment import GIVES_UP_PLACE, Enrollment, EnrollmentStatus, Seat
from services.training.domain.program import Program
from services.training.events.published import (
    ENROLLMENT_STEP_EVENTS,
    CertificateIssued,
    EnrollmentAccepted,
    EnrollmentWaitlisted,
)
from shared.auth import SIGNED_IN, Caller, CallerDep, GuardedRoute, Role, SignedInDep
from shared.db.upsert import upsert
from shared.domain import Conflict
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import forbidden, invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWork, UnitOfWorkDep
from shared.validation import CountryCode, ShortText

router = APIRouter(route_class=GuardedRoute, tags=["enrollments"])

TRAINING_COOPERATION = "training_cooperation"


class EnrollmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    email: EmailStr = Field(max_length=254)
    country: CountryCode
    partner_id: uuid.UUID | None = Field(None, description="The partner institution the participant works for")


class EnrollmentAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["withdraw", "reject", "attend", "no_show", "complete"]


class EnrollmentOut(BaseModel):
    id: uuid.UUID
    cohort_id: uuid.UUID
    program_id: uuid.UUID
    name: str
    email: str
    country: str
    partner_id: uuid.UUID | None
    status: EnrollmentStatus
    seat: Seat | None = Field(description="general, or reserved (a partner seat under its quota) while it has one")
    waitlist_position: int | None = Field(description="1 is next for a freed seat; set while waitlisted")
    certificate_code: str | None = Field(description="Set once completed")
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


async def waitlist_position(session: AsyncSession, enrollment: Enrollment) -> int | None:
    if enrollment.status is not EnrollmentStatus.waitlisted or enrollment.waitlist_ticket is None:
        return None
    return (await session.execute(
        select(func.count()).select_from(Enrollment).where(
            Enrollment.cohort_id == enrollment.cohort_id,  # type: ignore[arg-type]
            Enrollment.status == EnrollmentStatus.waitlisted,  # type: ignore[arg-type]
            Enrollment.waitlist_ticket <= enrollment.waitlist_ticket,  # type: ignore[operator]
        ))).scalar_one()


async def _out(session: AsyncSession, enrollment: Enrollment) -> EnrollmentOut:
    return EnrollmentOut(
        id=enrollment.id, cohort_id=enrollment.cohort_id, program_id=enrollment.program_id, name=enrollment.name,
        email=enrollment.email, country=enrollment.country, partner_id=enrollment.partner_id,
        status=enrollment.status, seat=enrollment.seat, waitlist_position=await waitlist_position(session, enrollment),
        certificate_code=enrollment.certificate_code, allowed_actions=enrollment.allowed_actions,
        version=enrollment.version, created_at=enrollment.created_at, updated_at=enrollment.updated_at,
    )


def may_see(caller: Caller, enrollment: Enrollment) -> bool:
    if caller.is_staff:
        return True
    if caller.role is Role.partner:
        return enrollment.partner_id is not None and enrollment.partner_id == caller.partner_id
    return caller.role is Role.member and enrollment.applicant is not None and enrollment.applicant == caller.subject


async def visible_enrollment(session: AsyncSession, enrollment_id: uuid.UUID, caller: Caller,
                             *, for_update: bool = False) -> Enrollment:
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=for_update)
    if enrollment is None or not may_see(caller, enrollment):
        raise not_found(f"no enrollment {enrollment_id}")
    return enrollment


def _partner_of_applicant(caller: Caller, requested: uuid.UUID | None) -> uuid.UUID | None:
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


# --- partner seats ---------------------------------------------------------------------------------------------


async def _take_partner_seat(session: AsyncSession, cohort: Cohort, partner_id: uuid.UUID | None
                             ) -> uuid.UUID | None:
    """One of the cohort's reserved seats for this partner's staff, if one is free and a training cooperation
    in force still has quota this year: the agreement whose quota it used, else None."""
    if partner_id is None or cohort.reserved_seats_left <= 0:
        return None
    year = cohort.starts_on.year
    for agreement in await known_agreements.in_force_for_partner(session, partner_id, TRAINING_COOPERATION,
                                                                 cohort.starts_on):
        quota = agreement["training_seats_per_year"] or 0
        if quota <= 0:
            continue
        u = partner_seat_usage
        # Advanced only while below the quota, in one statement: the check and the count cannot drift apart.
        taken = await upsert(
            session, u, {"agreement_id": agreement["id"], "partner_id": partner_id, "year": year, "used": 1},
            keys=("agreement_id", "partner_id", "year"), set_={"used": u.c.used + 1}, where=u.c.used < quota,
            returning=u.c.used,
        )
        if taken is not None:
            return agreement["id"]
    return None


async def _give_back_partner_seat(session: AsyncSession, enrollment: Enrollment) -> None:
    if enrollment.seat is not Seat.reserved or enrollment.agreement_id is None or enrollment.partner_id is None:
        return
    u = partner_seat_usage
    await session.execute(update(u).where(
        u.c.agreement_id == enrollment.agreement_id, u.c.partner_id == enrollment.partner_id,
        u.c.year == enrollment.year, u.c.used > 0).values(used=u.c.used - 1))


# --- applying --------------------------------------------------------------------------------------------------


@router.post("/cohorts/{cohort_id}/enrollments", status_code=201, response_model=EnrollmentOut)
async def enroll(cohort_id: uuid.UUID, body: EnrollmentIn, caller: SignedInDep, uow: UnitOfWorkDep,
                 clock: ClockDep, request: Request, response: Response) -> EnrollmentOut:
    """Apply to a cohort: `accepted` while a seat is free, else `waitlisted` with a position."""
    partner_id = _partner_of_applicant(caller, body.partner_id)
    session = uow.session
    cohort, program = await visible_cohort(session, cohort_id, caller, for_update=True)
    now = clock.now()
    cohort.check_open(program, now)
    if partner_id is not None and await known_partners.get(session, partner_id) is None:
        raise invalid(f"no partner {partner_id} is known to the training service", ("body", "partner_id"),
                      "unknown_partner")
    email = body.email.lower()
    if (await session.execute(select(Enrollment.id).where(  # type: ignore[call-overload]
            Enrollment.cohort_id == cohort.id, Enrollment.email == email))).first() is not None:  # type: ignore[arg-type]
        raise Conflict(f"{email} has already applied to this cohort")
    enrollment = Enrollment.apply(
        cohort_id=cohort.id, program_id=program.id, year=cohort.starts_on.year, name=body.name, email=email,
        country=body.country, partner_id=partner_id, applicant=caller.subject, now=now,
    )
    enrollment.agreement_id = await _take_partner_seat(session, cohort, partner_id)
    cohort.admit(enrollment, reserved_seat_granted=enrollment.agreement_id is not None, now=now)
    session.add(enrollment)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{email} has already applied to this cohort") from exc
    out = await _out(session, enrollment)
    if enrollment.status is EnrollmentStatus.accepted:
        await uow.publish(EnrollmentAccepted.of(enrollment))
    else:
        await uow.publish(EnrollmentWaitlisted.of(enrollment, waitlist_position=out.waitlist_position))
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_enrollment", enrollment_id=enrollment.id).path)
    set_etag(response, enrollment.version)
    return out


# --- reading ---------------------------------------------------------------------------------------------------


async def _list(caller: Caller, session: AsyncSession, limit: int, cursor: str | None, **filters: Any
                ) -> Page[EnrollmentOut]:
    caller.require(*SIGNED_IN)  # anonymous is a 401
    e = Enrollment
    stmt = select(e)
    if not caller.is_staff:
        if caller.role is Role.partner:
            stmt = stmt.where(e.partner_id == caller.partner_id)  # type: ignore[arg-type]
        elif caller.role is Role.member:
            stmt = stmt.where(e.applicant == caller.subject)  # type: ignore[arg-type]
        else:
            raise forbidden("enrollments are for staff, partners and members")
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(e, name) == value)
    rows, next_cursor = await keyset_page(session, stmt, [e.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[await _out(session, r) for r in rows], next_cursor=next_cursor)


@router.get("/cohorts/{cohort_id}/enrollments", response_model=Page[EnrollmentOut])
async def list_cohort_enrollments(
    cohort_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    status: EnrollmentStatus | None = None,
) -> Page[EnrollmentOut]:
    await visible_cohort(session, cohort_id, caller)
    return await _list(caller, session, limit, cursor, cohort_id=cohort_id, status=status)


@router.get("/enrollments", response_model=Page[EnrollmentOut])
async def list_enrollments(
    caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    status: EnrollmentStatus | None = None, cohort_id: uuid.UUID | None = None,
    program_id: uuid.UUID | None = None, partner_id: uuid.UUID | None = None,
    country: CountryCode | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> Page[EnrollmentOut]:
    return await _list(caller, session, limit, cursor, status=status, cohort_id=cohort_id, program_id=program_id,
                       partner_id=partner_id, country=country, year=year)


@router.get("/enrollments/{enrollment_id}", response_model=EnrollmentOut, name="read_enrollment")
async def read_enrollment(enrollment_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                          response: Response) -> Any:
    caller.require(*SIGNED_IN)
    enrollment = await visible_enrollment(session, enrollment_id, caller)
    if (unchanged := not_modified(request, enrollment.version)) is not None:
        return unchanged
    set_etag(response, enrollment.version)
    return await _out(session, enrollment)


# --- what happens to an enrollment -----------------------------------------------------------------------------


async def _promote_first_waiting(uow: UnitOfWork, cohort: Cohort, now: dt.datetime) -> bool:
    """The freed seat goes to the first on the waitlist who may take it (a reserved seat only to a partner's
    staff with quota left)."""
    waiting = (await uow.session.execute(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id,  # type: ignore[arg-type]
                                 Enrollment.status == EnrollmentStatus.waitlisted)  # type: ignore[arg-type]
        .order_by(Enrollment.waitlist_ticket)  # type: ignore[arg-type]
    )).scalars()
    for candidate in waiting:
        if cohort.general_seats_left <= 0 and cohort.reserved_seats_left <= 0:
            return False
        agreement_id = await _take_partner_seat(uow.session, cohort, candidate.partner_id)
        if cohort.promote(candidate, reserved_seat_granted=agreement_id is not None, now=now):
            candidate.agreement_id = agreement_id
            await uow.publish(EnrollmentAccepted.of(candidate, promoted=True))
            return True
    return False


async def fill_free_seats(uow: UnitOfWork, cohort: Cohort, now: dt.datetime) -> None:
    """Seats a cohort gained (more capacity, fewer reserved) go to its waitlist in order, as freed ones do: no
    new applicant overtakes those waiting. The caller holds the cohort's lock."""
    while cohort.waitlist_length > 0 and await _promote_first_waiting(uow, cohort, now):
        pass


async def _issue_certificate(uow: UnitOfWork, enrollment: Enrollment, cohort: Cohort, program: Program,
                             now: dt.datetime) -> list[uuid.UUID]:
    """The completion certificate, and the training cooperations the completion counts toward: the one whose
    quota gave the seat, else those in force for the participant's partner when the cohort started."""
    if enrollment.agreement_id is not None:
        agreement_ids = [enrollment.agreement_id]
    elif enrollment.partner_id is not None:
        agreement_ids = [a["id"] for a in await known_agreements.in_force_for_partner(
            uow.session, enrollment.partner_id, TRAINING_COOPERATION, cohort.starts_on)]
    else:
        agreement_ids = []
    assert enrollment.certificate_code is not None
    await uow.session.execute(certificates.insert().values(
        code=enrollment.certificate_code, enrollment_id=enrollment.id, holder_name=enrollment.name,
        country=enrollment.country, program_id=program.id, program_title=program.title, cohort_id=cohort.id,
        cohort_starts_on=cohort.starts_on, cohort_ends_on=cohort.ends_on, partner_id=enrollment.partner_id,
        agreement_ids=[str(a) for a in agreement_ids], issued_at=now,
    ))
    await uow.publish(CertificateIssued(
        id=enrollment.certificate_code, code=enrollment.certificate_code, enrollment_id=enrollment.id,
        program_id=program.id, cohort_id=cohort.id, country=enrollment.country, partner_id=enrollment.partner_id,
        agreement_ids=agreement_ids, issued_at=now,
    ))
    return agreement_ids


@router.post("/enrollments/{enrollment_id}/transitions", response_model=EnrollmentOut)
async def transition_enrollment(enrollment_id: uuid.UUID, body: EnrollmentAction, caller: SignedInDep,
                                uow: UnitOfWorkDep, clock: ClockDep, request: Request,
                                response: Response) -> EnrollmentOut:
    """withdraw (the participant's side: staff, its partner, or the member who applied), reject, attend,
    no_show, complete (coordinators). Withdrawing or rejecting frees the place for the waitlist at once."""
    session = uow.session
    found = await visible_enrollment(session, enrollment_id, caller)
    if body.action != "withdraw":
        caller.require(Role.coordinator)
    elif not (caller.role in (Role.admin, Role.coordinator) or (not caller.is_staff and may_see(caller, found))):
        raise forbidden("an enrollment is withdrawn by the participant's side or a coordinator")
    # Cohort first, then the enrollment: the order every writer takes the locks in.
    cohort, program = await visible_cohort(session, found.cohort_id, caller, for_update=True)
    # Read again under the lock: what was read before it may have changed since (a concurrent withdrawal), and
    # the session would otherwise keep the old copy (and refuse the locked read as stale: a 500).
    session.expunge(found)
    enrollment = await visible_enrollment(session, enrollment_id, caller, for_update=True)
    check_if_match(request, enrollment.version)
    now = clock.now()
    enrollment.act(body.action, now)
    agreement_ids = None
    if body.action in GIVES_UP_PLACE:
        freed_a_seat = enrollment.seat is not None
        await _give_back_partner_seat(session, enrollment)
        cohort.release(enrollment, now)
        if freed_a_seat:
            await _promote_first_waiting(uow, cohort, now)
    elif body.action == "complete":
        agreement_ids = await _issue_certificate(uow, enrollment, cohort, program, now)
    await uow.publish(ENROLLMENT_STEP_EVENTS[body.action].of(enrollment, agreement_ids))
    out = await _out(session, enrollment)
    await uow.commit()
    set_etag(response, enrollment.version)
    return out
