"""Training figures for dashboards, counted in the database (see `api/stats.py` for what each figure means)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.training.db.models import certificates, enrollments, programs
from services.training.domain.enrollment import EnrollmentStatus
from shared.auth import STAFF, Caller, Role
from shared.problems import forbidden

E = EnrollmentStatus
PARTICIPATING = (E.accepted, E.attended, E.completed)


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


def _busiest_first(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda f: (-f["participants"], str(f[key])))


async def training_figures(session: AsyncSession, caller: Caller, year: int | None,
                           program_id: uuid.UUID | None) -> dict[str, Any]:
    """The totals and the breakdowns by country, partner, program (with its title) and year, busiest first
    (years in order). Staff see everyone; a partner only its own staff (anonymous 401, member 403)."""
    where = _scope(caller, year, program_id)
    e = enrollments.c

    async def by(column: Any, key: str) -> list[dict[str, Any]]:
        return [{key: r[0], **_counts(r)} for r in await _figures(session, where, column)]

    by_program = await by(e.program_id, "program_id")
    # Titles are looked up apart, so the GROUP BY stays on plain columns.
    titles = dict((await session.execute(
        select(programs.c.id, programs.c.title).where(programs.c.id.in_([p["program_id"] for p in by_program]))
    )).all()) if by_program else {}
    return {
        **_counts((await _figures(session, where))[0]),
        "by_country": _busiest_first(await by(e.country, "country"), "country"),
        "by_partner": _busiest_first(await by(e.partner_id, "partner_id"), "partner_id"),
        "by_program": _busiest_first([p | {"title": titles.get(p["program_id"]) or {}} for p in by_program],
                                     "program_id"),
        "by_year": sorted(await by(e.year, "year"), key=lambda f: f["year"]),
    }
