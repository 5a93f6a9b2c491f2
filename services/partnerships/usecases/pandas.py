"""The studbook of giant pandas, with their pedigree. Pandas are public: anyone reads them; coordinators and
admins register and correct them. A studbook number is registered once, whatever the concurrency."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex
from shared.db.lookup import get_referenced, get_visible
from shared.db.search import contains
from shared.domain import Conflict, ExpectedVersion
from shared.pagination import PageQuery, keyset_page
from shared.service import UnitOfWork


async def referenced_panda(session: AsyncSession, panda_id: uuid.UUID | None, field: str) -> Panda | None:
    """A dam or sire a body names, if it names one."""
    return None if panda_id is None else await get_referenced(session, Panda, panda_id, field=field, what="panda")


async def check_studbook_number_free(session: AsyncSession, studbook_number: str) -> None:
    taken = await session.scalar(select(Panda.id).where(Panda.studbook_number == studbook_number))  # type: ignore[arg-type]
    if taken is not None:
        raise Conflict(f"studbook number {studbook_number} is already registered (panda {taken})")


async def commit_entry(uow: UnitOfWork, studbook_number: str, *after: object) -> None:
    """Commit a new studbook entry (with `after`, what goes in once the entry is written: a cub's loan, which
    no relationship orders after it). The check above gives the clear answer; the unique index is what holds
    when another request registers the same number at the same instant."""
    try:
        if after:
            await uow.session.flush()
            uow.session.add_all(after)
        await uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"studbook number {studbook_number} is already registered") from exc


async def visible_panda(session: AsyncSession, panda_id: uuid.UUID, *, for_update: bool = False) -> Panda:
    return await get_visible(session, Panda, panda_id, what="panda", for_update=for_update)


class PandaQuery(PageQuery):
    sex: Sex | None = None
    on_loan: bool | None = Field(None, description="Only pandas on an active loan (true) or not (false)")
    q: str | None = Field(None, min_length=1, max_length=100,
                          description="Part of a studbook number or a name, any language")


async def list_pandas(session: AsyncSession, filters: PandaQuery) -> tuple[list[Panda], str | None]:
    stmt = select(Panda)
    if filters.sex:
        stmt = stmt.where(Panda.sex == filters.sex.value)  # type: ignore[arg-type]
    if filters.on_loan is not None:
        active = exists().where(Loan.panda_id == Panda.id, Loan.state == LoanState.active.value)  # type: ignore[arg-type]
        stmt = stmt.where(active if filters.on_loan else ~active)
    if filters.q:
        stmt = stmt.where(contains(Panda.search_text, filters.q))  # type: ignore[attr-defined]
    return await keyset_page(session, stmt, [Panda.id], [uuid.UUID], filters.limit, filters.cursor)  # type: ignore[list-item]


async def register_panda(uow: UnitOfWork, entry: dict[str, Any], now: dt.datetime) -> Panda:
    """`entry`: the studbook number, names, sex, birth date and place, and the ids of its dam and sire."""
    session = uow.session
    dam = await referenced_panda(session, entry.pop("dam_id", None), "dam_id")
    sire = await referenced_panda(session, entry.pop("sire_id", None), "sire_id")
    await check_studbook_number_free(session, entry["studbook_number"])
    panda = Panda.register(dam=dam, sire=sire, today=now.date(), now=now, **entry)
    session.add(panda)
    await commit_entry(uow, panda.studbook_number)
    return panda


async def update_panda(uow: UnitOfWork, panda_id: uuid.UUID, changes: dict[str, Any], expected: ExpectedVersion,
                       now: dt.datetime) -> Panda:
    """Names and the birthplace may be corrected; the rest is of record."""
    panda = await visible_panda(uow.session, panda_id, for_update=True)
    return await uow.commit_change(panda, expected, lambda p: p.update(changes, now))
