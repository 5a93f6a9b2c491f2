"""`/api/v1/partnerships/loans`: pandas placed with host partners under panda_loan agreements.

Any signed-in caller reads them; coordinators and admins start and return loans and record cubs born on loan.
A panda is never on two loans at once: the domain refuses a second loan it can see, and the database's unique
index on active loans refuses the one it cannot (two requests at the same instant).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.api.pandas import (
    PandaOut,
    StudbookNumber,
    check_studbook_number_free,
    referenced_panda,
)
from services.partnerships.domain.agreement import Agreement
from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex
from services.partnerships.domain.partner import Partner
from services.partnerships.events.published import LoanReturned, LoanStarted, PandaBorn
from shared.auth import GuardedRoute, SignedInDep, WriterDep
from shared.domain import Conflict
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LocalizedText

router = APIRouter(route_class=GuardedRoute, prefix="/loans", tags=["loans"])


class LoanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: dt.date
    planned_end_date: dt.date


class LoanAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["return"]
    returned_on: dt.date | None = None  # today, unless given


class CubIn(BaseModel):
    """A cub born to the panda on this loan; its dam is that panda and its birthplace the host institution."""

    model_config = ConfigDict(extra="forbid")
    studbook_number: StudbookNumber
    name: LocalizedText
    sex: Sex
    birth_date: dt.date
    sire_id: uuid.UUID | None = None


class LoanOut(BaseModel):
    id: uuid.UUID
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: dt.date
    planned_end_date: dt.date
    returned_on: dt.date | None
    state: LoanState
    mother_loan_id: uuid.UUID | None
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, loan: Loan) -> LoanOut:
        return cls(
            id=loan.id, panda_id=loan.panda_id, agreement_id=loan.agreement_id,
            host_partner_id=loan.host_partner_id, start_date=loan.start_date,
            planned_end_date=loan.planned_end_date, returned_on=loan.returned_on, state=LoanState(loan.state),
            mother_loan_id=loan.mother_loan_id, allowed_actions=loan.allowed_actions, version=loan.version,
            created_at=loan.created_at, updated_at=loan.updated_at,
        )


class CubOut(BaseModel):
    panda: PandaOut
    loan: LoanOut


async def _referenced(session: AsyncSession, cls: type, id_: uuid.UUID, field: str, what: str, **kw: Any) -> Any:
    found = await session.get(cls, id_, **kw)
    if found is None:
        raise invalid(f"no {what} {id_}", ("body", field), "not_found")
    return found


async def _active_loan_of(session: AsyncSession, panda_id: uuid.UUID) -> Loan | None:
    stmt = select(Loan).where(Loan.panda_id == panda_id, Loan.state == LoanState.active.value)  # type: ignore[arg-type]
    return (await session.execute(stmt)).scalars().first()


@router.post("", status_code=201, response_model=LoanOut)
async def start_loan(
    body: LoanIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request, response: Response
) -> LoanOut:
    session = uow.session
    # The panda's row is locked for the rest of the transaction: two loans of one panda queue here, and the
    # second sees the first (on SQLite the write transaction already holds the database's write lock).
    panda = await _referenced(session, Panda, body.panda_id, "panda_id", "panda", with_for_update=True)
    agreement = await _referenced(session, Agreement, body.agreement_id, "agreement_id", "agreement")
    await _referenced(session, Partner, body.host_partner_id, "host_partner_id", "partner")
    loan = Loan.start(
        panda, agreement, body.host_partner_id, body.start_date, body.planned_end_date, clock.now(),
        current_loan=await _active_loan_of(session, panda.id),
        last_returned_on=await session.scalar(
            select(func.max(Loan.returned_on)).where(Loan.panda_id == panda.id)  # type: ignore[arg-type]
        ),
    )
    try:
        session.add(loan)
        await uow.publish(LoanStarted.of(loan))
        await uow.commit()
    except IntegrityError as exc:
        # The unique index on active loans: another request started a loan of this panda at the same instant.
        raise Conflict("panda is already on loan") from exc
    response.headers["Location"] = str(request.url_for("read_loan", loan_id=loan.id).path)
    set_etag(response, loan.version)
    return LoanOut.of(loan)


@router.get("", response_model=Page[LoanOut])
async def list_loans(
    caller: SignedInDep,
    session: ReadSessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    panda_id: uuid.UUID | None = None,
    agreement_id: uuid.UUID | None = None,
    host_partner_id: uuid.UUID | None = None,
    state: LoanState | None = None,
) -> Page[LoanOut]:
    stmt = select(Loan)
    if panda_id:
        stmt = stmt.where(Loan.panda_id == panda_id)  # type: ignore[arg-type]
    if agreement_id:
        stmt = stmt.where(Loan.agreement_id == agreement_id)  # type: ignore[arg-type]
    if host_partner_id:
        stmt = stmt.where(Loan.host_partner_id == host_partner_id)  # type: ignore[arg-type]
    if state:
        stmt = stmt.where(Loan.state == state.value)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(session, stmt, [Loan.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[LoanOut.of(loan) for loan in rows], next_cursor=next_cursor)


@router.get("/{loan_id}", response_model=LoanOut, name="read_loan")
async def read_loan(
    loan_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    loan = await session.get(Loan, loan_id)
    if loan is None:
        raise not_found(f"no loan {loan_id}")
    if (unchanged := not_modified(request, loan.version)) is not None:
        return unchanged
    set_etag(response, loan.version)
    return LoanOut.of(loan)


@router.post("/{loan_id}/transitions", response_model=LoanOut)
async def transition_loan(
    loan_id: uuid.UUID, body: LoanAction, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> LoanOut:
    loan = await uow.session.get(Loan, loan_id, with_for_update=True)
    if loan is None:
        raise not_found(f"no loan {loan_id}")
    check_if_match(request, loan.version)
    now = clock.now()
    loan.return_(body.returned_on or now.date(), now)
    await uow.publish(LoanReturned.of(loan))
    await uow.commit()
    set_etag(response, loan.version)
    return LoanOut.of(loan)


@router.post("/{loan_id}/cubs", status_code=201, response_model=CubOut)
async def record_cub(
    loan_id: uuid.UUID, body: CubIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request,
    response: Response,
) -> CubOut:
    session = uow.session
    mother_loan = await session.get(Loan, loan_id, with_for_update=True)
    if mother_loan is None:
        raise not_found(f"no loan {loan_id}")
    mother = await session.get(Panda, mother_loan.panda_id)
    agreement = await session.get(Agreement, mother_loan.agreement_id)
    host = await session.get(Partner, mother_loan.host_partner_id)
    if mother is None or agreement is None or host is None:  # foreign keys make this impossible
        raise RuntimeError(f"loan {loan_id} names a panda, agreement or partner that does not exist")
    sire = await referenced_panda(session, body.sire_id, "sire_id")
    await check_studbook_number_free(session, body.studbook_number)
    cub, cub_loan = mother_loan.record_cub(
        mother=mother, agreement=agreement, host=host, studbook_number=body.studbook_number, name=body.name,
        sex=body.sex, birth_date=body.birth_date, sire=sire, now=clock.now(),
    )
    try:
        session.add(cub)
        await session.flush()  # the cub before its loan: no relationship tells the ORM the order
        session.add(cub_loan)
        await uow.publish(PandaBorn.of(cub, mother_loan_id=mother_loan.id, loan_id=cub_loan.id))
        await uow.publish(LoanStarted.of(cub_loan))
        await uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"studbook number {body.studbook_number} is already registered") from exc
    response.headers["Location"] = str(request.url_for("read_panda", panda_id=cub.id).path)
    return CubOut(panda=PandaOut.of(cub), loan=LoanOut.of(cub_loan))
