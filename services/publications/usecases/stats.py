"""What the cooperation has published, counted for dashboards and reports: the works `GET /works` would show
the caller with the same filters (but `q`), by status, type, year, area and partner, and the open-access share.

Counted in the database (GROUP BY; areas and partners from the works' `tags`), alike on SQLite and PostgreSQL:
every status, type and area is named (0 included), the years that have works; a work counts once in each of its
areas, and once for each partner institution its authors belong to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.publications.db.models import known_partners
from services.publications.domain.work import Work, WorkStatus, WorkType
from services.publications.usecases.search import WorkFilters, area_counts, matching
from shared.auth import Caller
from shared.domain import RuleViolated
from shared.research import ResearchArea


@dataclass(frozen=True)
class PartnerWorks:
    partner_id: uuid.UUID
    name: dict[str, str] | None  # as this service knows the partner
    works: int


@dataclass(frozen=True)
class OpenAccess:
    works: int  # with an open-access URL
    share: float  # of all works counted (0 when there are none)


@dataclass(frozen=True)
class WorkCounts:
    works: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    by_year: dict[str, int]
    by_area: dict[str, int]
    by_partner: list[PartnerWorks]  # most works first
    open_access: OpenAccess


def _partner_id_text(session: AsyncSession) -> ColumnElement[str]:
    """A known partner's id as the works' tags write it (`xxxxxxxx-xxxx-...`): PostgreSQL's uuid cast to text
    is that; SQLite stores a uuid as 32 hex digits, so the dashes are put back."""
    column = known_partners.table.c.id
    if session.bind.dialect.name == "postgresql":
        return cast(column, String)
    hexa = func.lower(cast(column, String))
    return (func.substr(hexa, 1, 8) + "-" + func.substr(hexa, 9, 4) + "-" + func.substr(hexa, 13, 4) + "-"
            + func.substr(hexa, 17, 4) + "-" + func.substr(hexa, 21, 12))


async def _by_partner(session: AsyncSession, matched: Any) -> list[PartnerWorks]:
    found = matched.where(Work.tags.like("%|partner:%")).subquery()  # type: ignore[attr-defined]
    partners = known_partners.table
    token = literal("%|partner:") + _partner_id_text(session) + literal("|%")
    rows = await session.execute(
        select(partners.c.id, partners.c.name, func.count())
        .select_from(partners)
        .join(found, found.c.tags.like(token))
        .group_by(partners.c.id, partners.c.name)
    )
    counted = [PartnerWorks(partner_id=pid, name=name, works=n) for pid, name, n in rows.all()]
    return sorted(counted, key=lambda p: (-p.works, str(p.partner_id)))


async def count_works(session: AsyncSession, caller: Caller, filters: WorkFilters) -> WorkCounts:
    """Works by status, type, year, area and partner, and the open-access share, of what the filters match."""
    if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
        raise RuleViolated("year_from is after year_to", ("query", "year_from"))
    matched = matching(caller, filters)
    found = matched.subquery()
    totals = (await session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((found.c.open_access_url.is_not(None), 1), else_=0)), 0),
        *area_counts(found),
    ))).one()
    works, open_access, *by_area = (int(n) for n in totals)
    by_type = dict((await session.execute(select(found.c.type, func.count()).group_by(found.c.type))).all())
    by_status = dict((await session.execute(select(found.c.status, func.count()).group_by(found.c.status))).all())
    by_year = (await session.execute(select(found.c.year, func.count()).group_by(found.c.year))).all()
    return WorkCounts(
        works=works,
        by_status={s.value: by_status.get(s, 0) for s in WorkStatus},
        by_type={t.value: by_type.get(t, 0) for t in WorkType},
        by_year={str(y): n for y, n in sorted(by_year)},
        by_area={a.value: n for a, n in zip(ResearchArea, by_area, strict=True)},
        by_partner=await _by_partner(session, matched),
        open_access=OpenAccess(works=open_access, share=round(open_access / works, 4) if works else 0.0),
    )
