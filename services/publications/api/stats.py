"""`/api/v1/publications/stats`: what the cooperation has published, counted for dashboards and reports.

Public, like the published works themselves. Who sees what is what `GET /works` shows them: the public (and
partners and members) count published works only; staff (analysts, coordinators, admins) count every work,
drafts and retractions too, and narrow with `status` (`status=published` is the figure the public sees).
The filters are those of `GET /works` (`year_from`, `year_to`, `year`, `type`, `area`, `partner_id`,
`agreement_id`, `language`, `status`), so a figure here and the list it summarises agree.

Counted in the database (GROUP BY; areas and partners from the works' `tags`), alike on SQLite and PostgreSQL:
`by_type` and `by_area` name every type and area (0 included), `by_year` the years that have works; a work
counts once in each of its areas. `by_partner` names the partner institutions the works' authors belong to,
most works first; a work counts once for each. `open_access` counts the works with an `open_access_url`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.publications.api.works import WorkFilters
from services.publications.db.models import known_partners, work_tags
from services.publications.domain.work import ResearchArea, Work, WorkStatus, WorkType
from shared.auth import CallerDep, GuardedRoute
from shared.db.search import contains
from shared.problems import invalid
from shared.service import ReadSessionDep
from shared.validation import LanguageTag

router = APIRouter(route_class=GuardedRoute, tags=["stats"])


class PartnerWorks(BaseModel):
    partner_id: uuid.UUID
    name: dict[str, str] | None = Field(None, description="As this service knows the partner")
    works: int


class OpenAccess(BaseModel):
    works: int = Field(description="Works with an open-access URL")
    share: float = Field(ge=0, le=1, description="Their share of all works counted (0 when there are none)")


class WorkStats(BaseModel):
    works: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    by_year: dict[str, int]
    by_area: dict[str, int]
    by_partner: list[PartnerWorks]
    open_access: OpenAccess


def stats_filters(
    type: WorkType | None = None,
    year_from: Annotated[int | None, Query(ge=1000, le=9999)] = None,
    year_to: Annotated[int | None, Query(ge=1000, le=9999)] = None,
    year: Annotated[int | None, Query(ge=1000, le=9999, description="Shorthand for year_from = year_to")] = None,
    area: ResearchArea | None = None,
    language: LanguageTag | None = None,
    partner_id: uuid.UUID | None = None,
    agreement_id: uuid.UUID | None = None,
    status: Annotated[WorkStatus | None, Query(description="Staff only: the public counts published works")] = None,
) -> WorkFilters:
    """`GET /works`'s filters but `q` (what a full-text query matches is counted by the list's facets)."""
    if year is not None:
        year_from = year_to = year
    if year_from is not None and year_to is not None and year_from > year_to:
        raise invalid("year_from is after year_to", ("query", "year_from"))
    return WorkFilters(type=type, year_from=year_from, year_to=year_to, area=area, language=language,
                       partner_id=partner_id, agreement_id=agreement_id, status=status)


def _partner_id_text(session: AsyncSession) -> ColumnElement[str]:
    """A known partner's id as the works' tags write it (`xxxxxxxx-xxxx-...`): PostgreSQL's uuid cast to text
    is that; SQLite stores a uuid as 32 hex digits, so the dashes are put back."""
    column = known_partners.table.c.id
    if session.bind.dialect.name == "postgresql":
        return cast(column, String)
    hexa = func.lower(cast(column, String))
    return (func.substr(hexa, 1, 8) + "-" + func.substr(hexa, 9, 4) + "-" + func.substr(hexa, 13, 4) + "-"
            + func.substr(hexa, 17, 4) + "-" + func.substr(hexa, 21, 12))


async def _by_partner(session: AsyncSession, matching: Any) -> list[PartnerWorks]:
    found = matching.where(Work.tags.like("%|partner:%")).subquery()  # type: ignore[attr-defined]
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


@router.get("/stats", response_model=WorkStats)
async def work_stats(caller: CallerDep, session: ReadSessionDep,
                     filters: Annotated[WorkFilters, Depends(stats_filters)]) -> WorkStats:
    """Works by status, type, year, area and partner, and the open-access share, of what the filters match."""
    matching = filters.apply(select(Work), caller)
    found = matching.subquery()
    areas = list(ResearchArea)
    totals = (await session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((found.c.open_access_url.is_not(None), 1), else_=0)), 0),
        *[func.coalesce(func.sum(case((contains(found.c.tags, work_tags(areas=[a.value])), 1), else_=0)), 0)
          for a in areas],
    ))).one()
    works, open_access, *by_area = (int(n) for n in totals)
    by_type = dict((await session.execute(select(found.c.type, func.count()).group_by(found.c.type))).all())
    by_status = dict((await session.execute(select(found.c.status, func.count()).group_by(found.c.status))).all())
    by_year = (await session.execute(select(found.c.year, func.count()).group_by(found.c.year))).all()
    return WorkStats(
        works=works,
        by_status={s.value: by_status.get(s, 0) for s in WorkStatus},
        by_type={t.value: by_type.get(t, 0) for t in WorkType},
        by_year={str(y): n for y, n in sorted(by_year)},
        by_area={a.value: n for a, n in zip(areas, by_area, strict=True)},
        by_partner=await _by_partner(session, matching),
        open_access=OpenAccess(works=open_access, share=round(open_access / works, 4) if works else 0.0),
    )
