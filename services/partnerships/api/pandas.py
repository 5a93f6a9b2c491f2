"""`/api/v1/partnerships/pandas`: the studbook of giant pandas, with their pedigree.

Pandas are public data: anyone reads them, signed in or not. Coordinators and admins register and correct them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex
from services.partnerships.events.published import PandaRegistered, PandaUpdated
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.db.search import contains
from shared.domain import Conflict
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LocalizedText, ShortText

router = APIRouter(route_class=GuardedRoute, prefix="/pandas", tags=["pandas"])

StudbookNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$"),
]


class PandaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    studbook_number: StudbookNumber
    name: LocalizedText
    sex: Sex
    birth_date: dt.date
    birthplace: ShortText | None = None
    dam_id: uuid.UUID | None = None
    sire_id: uuid.UUID | None = None


class PandaPatch(BaseModel):
    """Names and the birthplace may be corrected; the studbook number, sex, birth and parents are of record."""

    model_config = ConfigDict(extra="forbid")
    name: LocalizedText | None = None
    birthplace: ShortText | None = None

    @model_validator(mode="after")
    def _required_stay(self) -> PandaPatch:
        for name in Panda.REQUIRED:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class PandaOut(BaseModel):
    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: Sex
    birth_date: dt.date
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, panda: Panda) -> PandaOut:
        return cls(
            id=panda.id, studbook_number=panda.studbook_number, name=panda.name, sex=Sex(panda.sex),
            birth_date=panda.birth_date, birthplace=panda.birthplace, dam_id=panda.dam_id, sire_id=panda.sire_id,
            version=panda.version, created_at=panda.created_at, updated_at=panda.updated_at,
        )


async def referenced_panda(session: AsyncSession, panda_id: uuid.UUID | None, field: str) -> Panda | None:
    """The panda a body names in `field`; an unknown id is invalid input pointing at that field."""
    if panda_id is None:
        return None
    panda = await session.get(Panda, panda_id)
    if panda is None:
        raise invalid(f"no panda {panda_id}", ("body", field), "not_found")
    return panda


async def check_studbook_number_free(session: AsyncSession, studbook_number: str) -> None:
    taken = await session.scalar(select(Panda.id).where(Panda.studbook_number == studbook_number))  # type: ignore[arg-type]
    if taken is not None:
        raise Conflict(f"studbook number {studbook_number} is already registered (panda {taken})")


def duplicate_studbook_number(studbook_number: str) -> Conflict:
    """What a unique violation on insert means here: another request registered the number first."""
    return Conflict(f"studbook number {studbook_number} is already registered")


@router.post("", status_code=201, response_model=PandaOut)
async def register_panda(
    body: PandaIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request, response: Response
) -> PandaOut:
    dam = await referenced_panda(uow.session, body.dam_id, "dam_id")
    sire = await referenced_panda(uow.session, body.sire_id, "sire_id")
    await check_studbook_number_free(uow.session, body.studbook_number)
    now = clock.now()
    panda = Panda.register(
        studbook_number=body.studbook_number, name=body.name, sex=body.sex, birth_date=body.birth_date,
        birthplace=body.birthplace, dam=dam, sire=sire, today=now.date(), now=now,
    )
    try:
        uow.session.add(panda)
        await uow.publish(PandaRegistered.of(panda))
        await uow.commit()
    except IntegrityError as exc:
        raise duplicate_studbook_number(body.studbook_number) from exc
    response.headers["Location"] = str(request.url_for("read_panda", panda_id=panda.id).path)
    set_etag(response, panda.version)
    return PandaOut.of(panda)


@router.get("", response_model=Page[PandaOut])
async def list_pandas(
    caller: CallerDep,
    session: ReadSessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    sex: Sex | None = None,
    on_loan: Annotated[bool | None, Query(description="Only pandas on an active loan (true) or not (false)")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100,
                                   description="Part of a studbook number or a name, any language")] = None,
) -> Page[PandaOut]:
    stmt = select(Panda)
    if sex:
        stmt = stmt.where(Panda.sex == sex.value)  # type: ignore[arg-type]
    if on_loan is not None:
        active = exists().where(Loan.panda_id == Panda.id, Loan.state == LoanState.active.value)  # type: ignore[arg-type]
        stmt = stmt.where(active if on_loan else ~active)
    if q:
        stmt = stmt.where(contains(Panda.search_text, q))  # type: ignore[attr-defined]
    rows, next_cursor = await keyset_page(session, stmt, [Panda.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[PandaOut.of(p) for p in rows], next_cursor=next_cursor)


@router.get("/{panda_id}", response_model=PandaOut, name="read_panda")
async def read_panda(
    panda_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    panda = await session.get(Panda, panda_id)
    if panda is None:
        raise not_found(f"no panda {panda_id}")
    if (unchanged := not_modified(request, panda.version)) is not None:
        return unchanged
    set_etag(response, panda.version)
    return PandaOut.of(panda)


@router.patch("/{panda_id}", response_model=PandaOut)
async def update_panda(
    panda_id: uuid.UUID, body: PandaPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> PandaOut:
    panda = await uow.session.get(Panda, panda_id, with_for_update=True)
    if panda is None:
        raise not_found(f"no panda {panda_id}")
    check_if_match(request, panda.version)
    changed = panda.update(body.model_dump(exclude_unset=True), clock.now())
    if changed:
        await uow.publish(PandaUpdated.of(panda, changed=changed))
    await uow.commit()
    set_etag(response, panda.version)
    return PandaOut.of(panda)
