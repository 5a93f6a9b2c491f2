"""Finding works: the filters `GET /works` and the stats share, the full-text search ranked by `db/search.py`
(best match first, title above abstract), and facet counts of everything the query and filters match. Who sees
what: the public published works only, staff every work."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.elements import ColumnElement

from services.publications.db.models import work_tags
from services.publications.db.search import ranked_ids
from services.publications.domain.work import Work, WorkStatus, WorkType
from shared.auth import Caller
from shared.db.search import contains
from shared.pagination import decode_cursor, encode_cursor, keyset_page
from shared.research import ResearchArea


@dataclass(frozen=True)
class WorkFilters:
    q: str | None = None  # words in the title, abstract, keywords or author names (the list only)
    type: WorkType | None = None
    year_from: int | None = None
    year_to: int | None = None
    area: ResearchArea | None = None
    language: str | None = None
    partner_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    status: WorkStatus | None = None


def matching(caller: Caller, filters: WorkFilters) -> Select[Any]:
    """The works the caller may see that the filters (but `q`) match."""
    w = Work
    stmt = select(w)
    if not caller.is_staff:
        stmt = stmt.where(w.status == WorkStatus.published)  # type: ignore[arg-type]
    if filters.status:
        stmt = stmt.where(w.status == filters.status)  # type: ignore[arg-type]
    if filters.type:
        stmt = stmt.where(w.type == filters.type)  # type: ignore[arg-type]
    if filters.year_from is not None:
        stmt = stmt.where(w.year >= filters.year_from)  # type: ignore[operator]
    if filters.year_to is not None:
        stmt = stmt.where(w.year <= filters.year_to)  # type: ignore[operator]
    if filters.language:
        stmt = stmt.where(w.language == filters.language)  # type: ignore[arg-type]
    for tag in (work_tags(areas=[filters.area.value]) if filters.area else None,
                work_tags(partner_ids=[str(filters.partner_id)]) if filters.partner_id else None,
                work_tags(agreement_ids=[str(filters.agreement_id)]) if filters.agreement_id else None):
        if tag:
            stmt = stmt.where(contains(w.tags, tag))  # type: ignore[attr-defined]
    return stmt


def area_counts(found: FromClause) -> list[ColumnElement[int]]:
    """How many of `found` are in each research area (in `ResearchArea`'s order): a work counts once in each of
    its areas."""
    return [func.coalesce(func.sum(case((contains(found.c.tags, work_tags(areas=[a.value])), 1), else_=0)), 0)
            for a in ResearchArea]


@dataclass(frozen=True)
class Found:
    works: list[Work]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]  # counts by type, year and area of everything matched


async def _facets(session: AsyncSession, matched: Select[Any]) -> dict[str, dict[str, int]]:
    found = matched.subquery()
    by_type = await session.execute(select(found.c.type, func.count()).group_by(found.c.type))
    by_year = await session.execute(select(found.c.year, func.count()).group_by(found.c.year))
    by_area = (await session.execute(select(*area_counts(found)))).one()
    return {
        "type": {str(WorkType(t).value): n for t, n in by_type.all()},
        "year": {str(y): n for y, n in sorted(by_year.all())},
        "area": {a.value: int(n) for a, n in zip(ResearchArea, by_area, strict=True) if n},
    }


async def list_works(session: AsyncSession, caller: Caller, filters: WorkFilters, limit: int, cursor: str | None
                     ) -> Found:
    """Without `q`: newest first. With `q`: best match first (full-text search, title above abstract)."""
    matched = matching(caller, filters)
    if filters.q is None:
        rows, next_cursor = await keyset_page(session, matched, [Work.sort_date, Work.id],  # type: ignore[list-item]
                                              [dt.date, uuid.UUID], limit, cursor, descending=True)
        return Found(rows, next_cursor, await _facets(session, matched))
    scores = await ranked_ids(session, filters.q)
    matched = matched.where(Work.id.in_(list(scores)))  # type: ignore[attr-defined]
    ids = sorted((scores[i], i) for i in (await session.execute(matched.with_only_columns(Work.id))).scalars())  # type: ignore[arg-type]
    ranked = sorted(ids, key=lambda s: (-s[0], s[1]))
    if cursor:
        after = decode_cursor(cursor, [float, uuid.UUID])
        ranked = [s for s in ranked if (-s[0], s[1]) > (-after[0], after[1])]
    page = ranked[:limit]
    works = {w.id: w for w in (await session.execute(select(Work).where(
        Work.id.in_([i for _, i in page])))).scalars()}  # type: ignore[attr-defined]
    next_cursor = encode_cursor(list(page[-1])) if len(ranked) > limit else None
    return Found([works[i] for _, i in page], next_cursor, await _facets(session, matched))
