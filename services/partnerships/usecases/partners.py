"""Partner institutions: registered and changed by coordinators and admins, read by any signed-in caller."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.partner import Partner, PartnerKind
from shared.db.lookup import get_visible
from shared.db.search import contains
from shared.domain import ExpectedVersion
from shared.pagination import PageQuery, keyset_page
from shared.service import UnitOfWork
from shared.usecases import where_given
from shared.validation import CountryCode


async def visible_partner(session: AsyncSession, partner_id: uuid.UUID, *, for_update: bool = False) -> Partner:
    return await get_visible(session, Partner, partner_id, what="partner", for_update=for_update)


class PartnerQuery(PageQuery):
    country: CountryCode | None = None
    kind: PartnerKind | None = None
    q: str | None = Field(None, min_length=1, max_length=100, description="Part of a name, any language")


async def list_partners(session: AsyncSession, filters: PartnerQuery) -> tuple[list[Partner], str | None]:
    stmt = where_given(select(Partner), Partner, country=filters.country, kind=filters.kind)
    if filters.q:
        stmt = stmt.where(contains(Partner.search_text, filters.q))  # type: ignore[attr-defined]
    return await keyset_page(session, stmt, [Partner.id], [uuid.UUID], filters.limit, filters.cursor)  # type: ignore[list-item]


async def register_partner(uow: UnitOfWork, fields: dict[str, Any], now: dt.datetime) -> Partner:
    return await uow.commit_new(Partner.register(now=now, **fields))


async def update_partner(uow: UnitOfWork, partner_id: uuid.UUID, changes: dict[str, Any], expected: ExpectedVersion,
                         now: dt.datetime) -> Partner:
    partner = await visible_partner(uow.session, partner_id, for_update=True)
    return await uow.commit_change(partner, expected, lambda p: p.update(changes, now))
