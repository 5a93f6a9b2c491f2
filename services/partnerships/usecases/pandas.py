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

from services.partnerships.db.models import pandas as panda_rows
from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex, animal_of
from services.partnerships.domain.pedigree import ParentOrigin, parents_first
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


async def possible_sires(session: AsyncSession, named: list[dict[str, Any]] | None) -> list[tuple[Panda, float]] | None:
    """The pandas a body names as possible sires (`[{"panda_id", "probability"}]`), with their probabilities."""
    if not named:
        return None
    return [(await get_referenced(session, Panda, c["panda_id"], field="possible_sires", what="panda"),
             c["probability"]) for c in named]


async def register_panda(uow: UnitOfWork, entry: dict[str, Any], now: dt.datetime) -> Panda:
    """`entry`: the studbook number, names, sex, birth date (estimated or not) and place, death date, whether
    managed, and its parents (ids, origins, possible sires). A new panda has no offspring yet, so it cannot close a
    cycle."""
    session = uow.session
    dam = await referenced_panda(session, entry.pop("dam_id", None), "dam_id")
    sire = await referenced_panda(session, entry.pop("sire_id", None), "sire_id")
    entry["possible_sires"] = await possible_sires(session, entry.get("possible_sires"))
    await check_studbook_number_free(session, entry["studbook_number"])
    panda = Panda.register(dam=dam, sire=sire, today=now.date(), now=now, **entry)
    session.add(panda)
    await commit_entry(uow, panda.studbook_number)
    return panda


async def update_panda(uow: UnitOfWork, panda_id: uuid.UUID, changes: dict[str, Any], expected: ExpectedVersion,
                       now: dt.datetime) -> Panda:
    """Correct a panda's record: names, birthplace, estimated birth, death, management, and its parents (a
    parent given replaces that parent; the other stays). Raises RuleViolated (422) for a parent that breaks the
    pedigree's rules, `PedigreeCycle` (422) for one that would make a panda its own ancestor."""
    session = uow.session
    panda = await visible_panda(session, panda_id, for_update=True)
    parents = await _corrected_parents(session, panda, {k: changes.pop(k) for k in Panda.PEDIGREE if k in changes})
    expected.check(panda.version)
    panda.correct(changes, parents, now)
    if parents is not None:
        await check_no_cycle(session, panda)
    await uow.commit()
    return panda


async def _corrected_parents(session: AsyncSession, panda: Panda, given: dict[str, Any]) -> dict[str, Any] | None:
    """`Panda.set_parents`' arguments for a PATCH that names parents: each parent given replaces that one."""
    if not given:
        return None
    out: dict[str, Any] = {}
    for role in ("dam", "sire"):
        if f"{role}_id" in given or f"{role}_origin" in given:
            parent_id, origin = given.get(f"{role}_id"), given.get(f"{role}_origin")
        else:
            parent_id, origin = getattr(panda, f"{role}_id"), getattr(panda, f"{role}_origin")
        out[role] = await referenced_panda(session, parent_id, f"{role}_id")
        out[f"{role}_origin"] = ParentOrigin(origin) if origin else None
    named = given["possible_sires"] if "possible_sires" in given else (
        panda.possible_sires if out["sire_origin"] is ParentOrigin.multiple else None)
    out["possible_sires"] = await possible_sires(session, named)
    return out


async def check_no_cycle(session: AsyncSession, changed: Panda) -> None:
    """Raise `PedigreeCycle` if the studbook, with `changed` as it is now, makes a panda its own ancestor. Reads
    every panda's parents (a few columns of a few thousand rows)."""
    t = panda_rows.c
    rows = (await session.execute(select(t.id, t.sex, t.dam_id, t.sire_id, t.dam_origin, t.sire_origin,
                                         t.possible_sires))).all()
    animals = {r.id: animal_of(r.id, r.sex, r.dam_id, r.sire_id, r.dam_origin, r.sire_origin, r.possible_sires,
                               True, True) for r in rows}
    animals[changed.id] = changed.as_animal()
    parents_first(animals)
