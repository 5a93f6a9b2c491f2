"""`/api/v1/partnerships/loans`: pandas placed with host partners under panda_loan agreements, and the cubs
born on loan. Any signed-in caller reads them; coordinators and admins start and return loans and record cubs.
The rules are in `usecases/loans.py` and the domain."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from services.partnerships.api.studbook import LoanOut, PandaOut, StudbookNumber
from services.partnerships.domain.panda import Sex
from services.partnerships.usecases import loans
from shared.auth import GuardedRoute, SignedInDep, WriterDep
from shared.http import IfMatchDep, ReplyDep
from shared.pagination import ListQuery, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Day, LocalizedText

router = APIRouter(route_class=GuardedRoute, prefix="/loans", tags=["loans"])


class LoanIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"panda_id": "0192f0a4-7c1e-7d3a-9b2e-3f4a5b6c7d8e",
         "agreement_id": "0192f0a4-8a2b-7c4d-8e5f-6a7b8c9d0e1f",
         "host_partner_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a",
         "start_date": "2026-05-01",
         "planned_end_date": "2036-04-30"},
    ]})
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: Day
    planned_end_date: Day


class LoanAction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "return", "returned_on": "2036-04-30"},
    ]})
    action: Literal["return"]
    returned_on: Day | None = None  # today, unless given


class CubIn(BaseModel):
    """A cub born to the panda on this loan; its dam is that panda and its birthplace the host institution."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"studbook_number": "SB-1101",
         "name": {"en": "Fu Bao"},
         "sex": "male",
         "birth_date": "2026-08-20",
         "sire_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a"},
    ]})
    studbook_number: StudbookNumber
    name: LocalizedText
    sex: Sex
    birth_date: Day
    sire_id: uuid.UUID | None = None


class CubOut(BaseModel):
    panda: PandaOut
    loan: LoanOut


@router.post("", status_code=201, response_model=LoanOut)
async def start_loan(body: LoanIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                     reply: ReplyDep) -> LoanOut:
    """Send pandas abroad under an active panda loan agreement (coordinators)."""
    loan = await loans.start_loan(uow, now=clock.now(), **body.model_dump())
    return LoanOut.of(loan, reply.created("read_loan", loan_id=loan.id))


@router.get("", response_model=Page[LoanOut])
async def list_loans(caller: SignedInDep, session: ReadSessionDep, query: ListQuery[loans.LoanQuery]) -> Page[LoanOut]:
    """Loans, filtered by panda, agreement, host partner or state; a page at a time."""
    return Page.of(await loans.list_loans(session, query), LoanOut.of)


@router.get("/{loan_id}", response_model=LoanOut, name="read_loan")
async def read_loan(loan_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One loan with its pandas and dates."""
    return reply.current(await loans.visible_loan(session, loan_id), LoanOut.of)


@router.post("/{loan_id}/transitions", response_model=LoanOut)
async def transition_loan(loan_id: uuid.UUID, body: LoanAction, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep, expected: IfMatchDep, response: Response) -> LoanOut:
    """return (`returned_on`: today, unless given)."""
    fields = body.model_dump(exclude={"action"})
    loan = await loans.take_loan_step(uow, loan_id, body.action, fields, expected, clock.now())
    return LoanOut.of(loan, response)


@router.post("/{loan_id}/cubs", status_code=201, response_model=CubOut)
async def record_cub(loan_id: uuid.UUID, body: CubIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                     reply: ReplyDep) -> CubOut:
    """Record a cub born to a panda on loan (coordinators): it joins the studbook with its parents."""
    cub, cub_loan = await loans.record_cub(uow, loan_id, body.model_dump(), clock.now())
    reply.created("read_panda", panda_id=cub.id)
    return CubOut(panda=PandaOut.of(cub), loan=LoanOut.of(cub_loan))

