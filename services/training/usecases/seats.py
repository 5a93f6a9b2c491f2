"""Who gets a cohort's seats: the partner quota of reserved seats, and the waitlist moving up. Every function
here runs inside a transaction that holds the cohort's lock, so seats and waitlist tickets are decided one at
a time."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.db.models import known_agreements, partner_seat_usage
from services.training.domain.cohort import Cohort
from services.training.domain.enrollment import Enrollment, EnrollmentStatus, Seat
from services.training.domain.program import Program
from shared.db.upsert import upsert

TRAINING_COOPERATION = "training_cooperation"


async def take_partner_seat(session: AsyncSession, cohort: Cohort, partner_id: uuid.UUID | None) -> uuid.UUID | None:
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


async def give_back_partner_seat(session: AsyncSession, enrollment: Enrollment) -> None:
    if enrollment.seat is not Seat.reserved or enrollment.agreement_id is None or enrollment.partner_id is None:
        return
    u = partner_seat_usage
    await session.execute(update(u).where(
        u.c.agreement_id == enrollment.agreement_id, u.c.partner_id == enrollment.partner_id,
        u.c.year == enrollment.year, u.c.used > 0).values(used=u.c.used - 1))


async def agreements_counted(session: AsyncSession, enrollment: Enrollment, cohort: Cohort) -> list[uuid.UUID]:
    """The training cooperations a completion counts toward: the one whose quota gave the seat, else those in
    force for the participant's partner when the cohort started."""
    if enrollment.agreement_id is not None:
        return [enrollment.agreement_id]
    if enrollment.partner_id is None:
        return []
    return [a["id"] for a in await known_agreements.in_force_for_partner(
        session, enrollment.partner_id, TRAINING_COOPERATION, cohort.starts_on)]


async def promote_first_waiting(session: AsyncSession, cohort: Cohort, program: Program, now: dt.datetime) -> bool:
    """The freed seat goes to the first on the waitlist who may take it (a reserved seat only to a partner's
    staff with quota left). False: nobody could take one."""
    waiting = (await session.execute(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id,  # type: ignore[arg-type]
                                 Enrollment.status == EnrollmentStatus.waitlisted)  # type: ignore[arg-type]
        .order_by(Enrollment.waitlist_ticket)  # type: ignore[arg-type]
    )).scalars()
    for candidate in waiting:
        if not cohort.has_free_seats:
            return False
        quota_agreement = await take_partner_seat(session, cohort, candidate.partner_id)
        if cohort.promote(candidate, program, quota_agreement=quota_agreement, now=now):
            return True
    return False


async def fill_free_seats(session: AsyncSession, cohort: Cohort, program: Program, now: dt.datetime) -> None:
    """Seats a cohort gained go to its waitlist in order, as freed ones do: no new applicant overtakes those
    waiting."""
    while cohort.waitlist_length > 0 and await promote_first_waiting(session, cohort, program, now):
        pass
