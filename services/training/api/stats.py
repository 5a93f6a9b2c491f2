"""`/api/v1/training/stats`: who took part in the base's training and who completed it, for dashboards.

For staff (analyst, coordinator, admin); a partner gets the same figures for its own institution's staff only
(`partner_id` = the caller's partner). Optional filters: `year` (the cohort's year) and `program_id`.

The figures, in total and by country, partner, program and year:

    participants   distinct people (by email) with an enrollment that holds or held a seat and was taken up:
                   accepted, attended or completed. Waitlisted, withdrawn, rejected and no_show enrollments do
                   not count. Someone in two programs counts once in the total and once in each program, so
                   a breakdown's rows may add up to more than the total.
    completions    completed enrollments (one person completing two programs is two completions)
    certificates   completion certificates issued for those enrollments

Every figure is one `GROUP BY` over the enrollments, joined to their certificates: the same SQL on SQLite and
PostgreSQL. A breakdown lists only the groups with at least one participant; `by_partner` covers participants
enrolled as a partner institution's staff.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.training.db.models import certificates, enrollments, programs
from services.training.domain.enrollment import EnrollmentStatus
from shared.auth import STAFF, Caller, CallerDep, GuardedRoute, Role
from shared.problems import forbidden
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["stats"])

E = EnrollmentStatus
PARTICIPATING = (E.accepted, E.attended, E.completed)


class Figures(BaseModel):
    participants: int
    completions: int
    certificates: int


class CountryFigures(Figures):
    country: str


class PartnerFigures(Figures):
    partner_id: uuid.UUID


class ProgramFigures(Figures):
    program_id: uuid.UUID
    title: dict[str, str]


class YearFigures(Figures):
    year: int


class TrainingStats(Figures):
    by_country: list[CountryFigures]
    by_partner: list[PartnerFigures]
    by_program: list[ProgramFigures]
    by_year: list[YearFigures]


def _scope(caller: Caller, year: int | None, program_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """Who may ask, and the rows their answer is counted from."""
    caller.require(*STAFF, Role.partner)  # anonymous 401, member 403
    e = enrollments.c
    where: list[ColumnElement[bool]] = [e.status.in_(PARTICIPATING)]
    if not caller.is_staff:
        if caller.partner_id is None:
            raise forbidden("this partner key is bound to no partner institution")
        where.append(e.partner_id == caller.partner_id)
    if year is not None:
        where.append(e.year == year)
    if program_id is not None:
        where.append(e.program_id == program_id)
    return where


async def _figures(session: AsyncSession, where: list[ColumnElement[bool]], *dimension: Any) -> list[Any]:
    """(dimension..., participants, completions, certificates) per group, or one total row without a dimension."""
    e = enrollments.c
    stmt = (
        select(
            *dimension,
            func.count(distinct(e.email)),
            func.count(case((e.status == E.completed, 1))),
            func.count(certificates.c.code),
        )
        .select_from(enrollments.outerjoin(certificates, certificates.c.enrollment_id == e.id))
        .where(*where)
    )
    if dimension:
        stmt = stmt.where(*(d.is_not(None) for d in dimension)).group_by(*dimension)
    return list((await session.execute(stmt)).all())


def _counts(row: Any) -> dict[str, int]:
    participants, completions, issued = row[-3:]
    return {"participants": participants or 0, "completions": completions or 0, "certificates": issued or 0}


def _busiest_first(items: list[Any], key: str) -> list[Any]:
    return sorted(items, key=lambda f: (-f.participants, str(getattr(f, key))))


@router.get("/stats", response_model=TrainingStats)
async def training_stats(
    caller: CallerDep,
    session: ReadSessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="The cohorts' year")] = None,
    program_id: uuid.UUID | None = None,
) -> TrainingStats:
    where = _scope(caller, year, program_id)
    e = enrollments.c
    total = (await _figures(session, where))[0]
    by_country = [CountryFigures(country=r[0], **_counts(r)) for r in await _figures(session, where, e.country)]
    by_partner = [PartnerFigures(partner_id=r[0], **_counts(r)) for r in await _figures(session, where, e.partner_id)]
    by_year = [YearFigures(year=r[0], **_counts(r)) for r in await _figures(session, where, e.year)]
    program_rows = await _figures(session, where, e.program_id)
    # Titles are looked up apart, so the GROUP BY stays on plain columns.
    titles = dict((await session.execute(
        select(programs.c.id, programs.c.title).where(programs.c.id.in_([r[0] for r in program_rows]))
    )).all()) if program_rows else {}
    by_program = [ProgramFigures(program_id=r[0], title=titles.get(r[0]) or {}, **_counts(r)) for r in program_rows]
    return TrainingStats(
        **_counts(total),
        by_country=_busiest_first(by_country, "country"),
        by_partner=_busiest_first(by_partner, "partner_id"),
        by_program=_busiest_first(by_program, "program_id"),
        by_year=sorted(by_year, key=lambda f: f.year),
    )
