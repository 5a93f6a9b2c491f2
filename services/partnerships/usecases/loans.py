"""Panda loans under panda_loan agreements, and the cubs born on them.

Any signed-in caller reads loans; coordinators and admins start and return them and record cubs born on loan. A
panda is never on two loans at once: the domain refuses a second loan it can see, and the database's unique
index on active loans refuses the one it cannot (two requests at the same instant).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.agreement import Agreement
from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda
from services.partnerships.domain.partner import Partner
from services.partnerships.usecases.pandas import (
    check_studbook_number_free,
    commit_entry,
    referenced_panda,
)
from shared.db.lookup import get_referenced, get_visible
from shared.domain import Conflict, ExpectedVersion
from shared.pagination import PageQuery, keyset_page
from shared.service import UnitOfWork
from shared.usecases import where_given


async def visible_loan(session: AsyncSession, loan_id: uuid.UUID, *, for_update: bool = False) -> Loan:
    return await get_visible(session, Loan, loan_id, what="loan", for_update=for_update)


class LoanQuery(PageQuery):
    panda_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    host_partner_id: uuid.UUID | None = None
    state: LoanState | None = None


async def list_loans(session: AsyncSession, filters: LoanQuery) -> tuple[list[Loan], str | None]:
    stmt = where_given(select(Loan), Loan, panda_id=filters.panda_id, agreement_id=filters.agreement_id,
                       host_partner_id=filters.host_partner_id)
    if filters.state:
        stmt = stmt.where(Loan.state == filters.state.value)  # type: ignore[arg-type]
    return await keyset_page(session, stmt, [Loan.id], [uuid.UUID], filters.limit, filters.cursor)  # type: ignore[list-item]


async def start_loan(uow: UnitOfWork, *, panda_id: uuid.UUID, agreement_id: uuid.UUID, host_partner_id: uuid.UUID,
                     start_date: dt.date, planned_end_date: dt.date, now: dt.datetime) -> Loan:
    session = uow.session
    # The panda's row is locked for the rest of the transaction: two loans of one panda queue here, and the
    # second sees the first (on SQLite the write transaction already holds the database's write lock).
    panda = await get_referenced(session, Panda, panda_id, field="panda_id", what="panda", for_update=True)
    agreement = await get_referenced(session, Agreement, agreement_id, field="agreement_id", what="agreement")
    await get_referenced(session, Partner, host_partner_id, field="host_partner_id", what="partner")
    current = (await session.execute(select(Loan).where(
        Loan.panda_id == panda.id, Loan.state == LoanState.active.value))).scalars().first()  # type: ignore[arg-type]
    last_returned_on = await session.scalar(
        select(func.max(Loan.returned_on)).where(Loan.panda_id == panda.id))  # type: ignore[arg-type]
    loan = Loan.start(panda, agreement, host_partner_id, start_date, planned_end_date, now, current_loan=current,
                      last_returned_on=last_returned_on)
    session.add(loan)
    try:
        await uow.commit()
    except IntegrityError as exc:
        # The unique index on active loans: another request started a loan of this panda at the same instant.
        raise Conflict("panda is already on loan") from exc
    return loan


def _return(loan: Loan, now: dt.datetime, returned_on: dt.date | None = None) -> None:
    loan.return_(returned_on or now.date(), now)  # today, unless given


STEPS = {"return": _return}


async def take_loan_step(uow: UnitOfWork, loan_id: uuid.UUID, action: str, fields: dict[str, Any],
                         expected: ExpectedVersion, now: dt.datetime) -> Loan:
    """return (`returned_on`: today, unless given)."""
    loan = await visible_loan(uow.session, loan_id, for_update=True)
    return await uow.commit_change(loan, expected, lambda held: STEPS[action](held, now, **fields))


async def record_cub(uow: UnitOfWork, loan_id: uuid.UUID, birth: dict[str, Any], now: dt.datetime
                     ) -> tuple[Panda, Loan]:
    """A cub born to the panda on the loan `loan_id` (`birth`: its studbook number, names, sex, birth date and
    sire's id): the cub, and its own loan until the agreement's return age for cubs."""
    session = uow.session
    mother_loan = await visible_loan(session, loan_id, for_update=True)
    mother = await session.get(Panda, mother_loan.panda_id)
    agreement = await session.get(Agreement, mother_loan.agreement_id)
    host = await session.get(Partner, mother_loan.host_partner_id)
    if mother is None or agreement is None or host is None:  # foreign keys make this impossible
        raise RuntimeError(f"loan {loan_id} names a panda, agreement or partner that does not exist")
    sire = await referenced_panda(session, birth.pop("sire_id", None), "sire_id")
    await check_studbook_number_free(session, birth["studbook_number"])
    cub, cub_loan = mother_loan.record_cub(mother=mother, agreement=agreement, host=host, sire=sire, now=now, **birth)
    session.add(cub)
    await commit_entry(uow, cub.studbook_number, cub_loan)
    return cub, cub_loan
