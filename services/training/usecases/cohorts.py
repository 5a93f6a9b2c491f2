"""Cohorts: the runs of a program. Seen by whoever may see the program; scheduled and changed by coordinators.
Seats a change gives a cohort (more capacity, fewer reserved) go to its waitlist, in order."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.domain.cohort import Cohort
from services.training.domain.program import Program, ProgramStatus
from services.training.usecases.programs import may_see, visible_program
from services.training.usecases.seats import fill_free_seats
from shared.auth import Caller
from shared.db.lookup import get_visible
from shared.domain import ExpectedVersion, NotFound
from shared.pagination import keyset_page
from shared.service import UnitOfWork


async def visible_cohort(session: AsyncSession, caller: Caller, cohort_id: uuid.UUID, *, for_update: bool = False
                         ) -> tuple[Cohort, Program]:
    """The cohort (locked for the transaction when `for_update`) and its program, or NotFound (404) if either
    does not exist or the caller may not see the program."""
    cohort = await get_visible(session, Cohort, cohort_id, what="cohort", for_update=for_update)
    program = await session.get(Program, cohort.program_id)
    if program is None or not may_see(caller, program):
        raise NotFound(f"no cohort {cohort_id}")
    return cohort, program


async def list_cohorts(session: AsyncSession, caller: Caller, program_id: uuid.UUID, open_now: bool | None,
                       now: dt.datetime, limit: int, cursor: str | None) -> tuple[list[Cohort], str | None]:
    await visible_program(session, caller, program_id)
    stmt = select(Cohort).where(Cohort.program_id == program_id)  # type: ignore[arg-type]
    if open_now is not None:
        window = (Cohort.enrollment_opens_at <= now) & (Cohort.enrollment_closes_at > now)  # type: ignore[operator]
        stmt = stmt.where(window if open_now else ~window)
    return await keyset_page(session, stmt, [Cohort.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]


async def list_every_cohort(session: AsyncSession, caller: Caller, ends_from: dt.date | None, limit: int,
                            cursor: str | None) -> tuple[list[Cohort], str | None]:
    """The cohorts of every program the caller may see (staff: all; others: those of programs not in draft),
    `ends_from` keeping those ending on or after that day; one query a page, for dashboards (no N+1 over the
    programs)."""
    stmt = select(Cohort)
    if not caller.is_staff:
        public = select(Program.id).where(Program.status != ProgramStatus.draft)  # type: ignore[arg-type]
        stmt = stmt.where(Cohort.program_id.in_(public))  # type: ignore[attr-defined]
    if ends_from is not None:
        stmt = stmt.where(Cohort.ends_on >= ends_from)  # type: ignore[arg-type,operator]
    return await keyset_page(session, stmt, [Cohort.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]


async def schedule_cohort(uow: UnitOfWork, caller: Caller, program_id: uuid.UUID, fields: dict[str, Any],
                          now: dt.datetime) -> Cohort:
    program = await visible_program(uow.session, caller, program_id)
    return await uow.commit_new(Cohort.schedule(program, now=now, **fields))


async def update_cohort(uow: UnitOfWork, caller: Caller, cohort_id: uuid.UUID, changes: dict[str, Any],
                        expected: ExpectedVersion, now: dt.datetime) -> Cohort:
    cohort, program = await visible_cohort(uow.session, caller, cohort_id, for_update=True)
    expected.check(cohort.version)
    if cohort.update(changes, now):
        await fill_free_seats(uow.session, cohort, program, now)
    await uow.commit()
    return cohort
