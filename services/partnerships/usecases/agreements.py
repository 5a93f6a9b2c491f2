"""Agreements with partner institutions and their lifecycle.

Anyone may read signed (and later) agreements; draft and negotiating ones only staff and the partners they
name, and to everyone else they do not exist (404). Coordinators and admins write; every state change is a
named step of the agreement (`STEPS`), and the expiry job takes the automatic one, `expire`, the same way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import Field
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreement_partners, code_sequences, partners
from services.partnerships.domain.agreement import (
    PUBLIC_STATES,
    Agreement,
    AgreementKind,
    AgreementState,
    Transition,
    agreement_code,
)
from services.partnerships.domain.partner import Partner
from shared.auth import Caller
from shared.db.lookup import get_visible
from shared.db.search import contains
from shared.db.upsert import next_in_series
from shared.domain import ExpectedVersion, RuleViolated
from shared.pagination import PageQuery, keyset_page
from shared.service import UnitOfWork
from shared.validation import Day


def may_see(caller: Caller, agreement: Agreement) -> bool:
    return caller.is_staff or agreement.is_public or agreement.names(caller.partner_id)


async def visible_agreement(session: AsyncSession, caller: Caller, agreement_id: uuid.UUID, *,
                            for_update: bool = False) -> Agreement:
    """The agreement, or NotFound (404) if it does not exist or the caller may not know it exists."""
    return await get_visible(session, Agreement, agreement_id, what="agreement", for_update=for_update,
                             may_see=lambda a: may_see(caller, a))


async def check_partners_known(session: AsyncSession, partner_ids: list[uuid.UUID]) -> None:
    found = set((await session.execute(select(partners.c.id).where(partners.c.id.in_(partner_ids)))).scalars())
    for i, partner_id in enumerate(partner_ids):
        if partner_id not in found:
            raise RuleViolated(f"no partner {partner_id}", ("body", "partner_ids", i), "unknown_partner")


# --- reading ---------------------------------------------------------------------------------------------------


class AgreementQuery(PageQuery):
    state: list[AgreementState] | None = Field(None, description="One or more states")
    kind: AgreementKind | None = None
    partner_id: uuid.UUID | None = None
    country: str | None = Field(None, min_length=2, max_length=2, pattern="^[A-Za-z]{2}$",
                                description="A named partner's country")
    effective_on: Day | None = Field(None, description="In its term on this day")
    signed_from: Day | None = None
    signed_to: Day | None = None
    q: str | None = Field(None, min_length=1, max_length=100, description="Part of the code or a title")


def _names(partner_id: Any) -> Any:
    return exists().where(agreement_partners.c.agreement_id == Agreement.id,  # type: ignore[arg-type]
                          agreement_partners.c.partner_id == partner_id)


async def list_agreements(session: AsyncSession, caller: Caller, filters: AgreementQuery
                          ) -> tuple[list[Agreement], str | None]:
    a, f = Agreement, filters
    stmt = select(a)
    if not caller.is_staff:
        public = a.state.in_([s.value for s in PUBLIC_STATES])  # type: ignore[attr-defined]
        stmt = stmt.where(or_(public, _names(caller.partner_id)) if caller.partner_id is not None else public)
    if f.state:
        stmt = stmt.where(a.state.in_([s.value for s in f.state]))  # type: ignore[attr-defined]
    if f.kind:
        stmt = stmt.where(a.kind == f.kind)  # type: ignore[arg-type]
    if f.partner_id:
        stmt = stmt.where(_names(f.partner_id))
    if f.country:
        stmt = stmt.where(exists().where(and_(
            agreement_partners.c.agreement_id == a.id, agreement_partners.c.partner_id == Partner.id,
            Partner.country == f.country.upper())))  # type: ignore[arg-type]
    if f.effective_on:
        stmt = stmt.where(a.effective_from <= f.effective_on, a.effective_until >= f.effective_on)  # type: ignore[operator]
    if f.signed_from:
        stmt = stmt.where(a.signed_on >= f.signed_from)  # type: ignore[operator]
    if f.signed_to:
        stmt = stmt.where(a.signed_on <= f.signed_to)  # type: ignore[operator]
    if f.q:
        stmt = stmt.where(contains(a.search_text, f.q))  # type: ignore[attr-defined]
    return await keyset_page(session, stmt, [a.id], [uuid.UUID], f.limit, f.cursor)  # type: ignore[list-item]


# --- writing ---------------------------------------------------------------------------------------------------


def actor_of(caller: Caller) -> str:
    """Who a step of the history names: the key or person, else the role."""
    return caller.subject or caller.role.value


async def draft_agreement(uow: UnitOfWork, caller: Caller, terms: dict[str, Any], now: dt.datetime) -> Agreement:
    """A new agreement, numbered in the year's series (`AGR-2026-0001`): a refused draft gives its number back
    when its transaction rolls back."""
    session = uow.session
    await check_partners_known(session, terms["partner_ids"])
    code = agreement_code(now.year, await next_in_series(session, code_sequences, f"AGR-{now.year}"))
    return await uow.commit_new(Agreement.draft(code=code, actor=actor_of(caller), now=now, **terms))


async def update_agreement(uow: UnitOfWork, caller: Caller, agreement_id: uuid.UUID, changes: dict[str, Any],
                           expected: ExpectedVersion, now: dt.datetime) -> Agreement:
    """The terms, while the agreement is draft or negotiating; named partners must exist."""
    agreement = await visible_agreement(uow.session, caller, agreement_id, for_update=True)
    expected.check(agreement.version)
    if "partner_ids" in changes:
        await check_partners_known(uow.session, [uuid.UUID(str(p)) for p in changes["partner_ids"]])
    agreement.update(changes, now)
    await uow.commit()
    return agreement


# Each step as the agreement takes it, with the step's own fields (`signed_on`, `effective_until`, `reason`,
# `note`) as keywords. `expire` is never a client's to ask for: only the expiry job takes it.
STEPS: dict[str, Callable[..., Transition]] = {
    "submit": Agreement.submit,
    "sign": Agreement.sign,
    "activate": Agreement.activate,
    "renew": Agreement.renew,
    "terminate": Agreement.terminate,
    "expire": Agreement.expire,
}


async def take_agreement_step(uow: UnitOfWork, caller: Caller, agreement_id: uuid.UUID, action: str,
                              fields: dict[str, Any], expected: ExpectedVersion, now: dt.datetime) -> Agreement:
    """Move the agreement along its lifecycle. A 409 names the current state and the actions it allows."""
    agreement = await visible_agreement(uow.session, caller, agreement_id, for_update=True)
    named = list((await uow.session.execute(select(Partner).where(
        Partner.id.in_([uuid.UUID(p) for p in agreement.partner_ids])))).scalars())  # type: ignore[attr-defined]

    def step(a: Agreement) -> None:
        a.tell(named, STEPS[action](a, actor=actor_of(caller), now=now, **fields))

    return await uow.commit_change(agreement, expected, step)
