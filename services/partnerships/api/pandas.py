"""`/api/v1/partnerships/pandas`: the studbook of giant pandas, with their pedigree.

Pandas are public data: anyone reads them, signed in or not. Coordinators and admins register and correct them.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.partnerships.api.studbook import PandaOut, PossibleSire, StudbookNumber
from services.partnerships.domain.panda import Sex
from services.partnerships.domain.pedigree import ParentOrigin
from services.partnerships.usecases import pandas
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep
from shared.pagination import ListQuery, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, Day, LocalizedText, ShortText

router = APIRouter(route_class=GuardedRoute, prefix="/pandas", tags=["pandas"])


class PandaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"studbook_number": "SB-1024",
         "name": {"en": "Mei Lan", "zh": "美兰"},
         "sex": "female",
         "birth_date": "2019-08-12",
         "birthplace": "Chengdu",
         "dam_id": "0192f0a4-8a2b-7c4d-8e5f-6a7b8c9d0e1f",
         "sire_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a"},
        {"studbook_number": "SB-1187",
         "name": {"en": "Xiao Qi"},
         "sex": "male",
         "birth_date": "2021-09-01",
         "birth_date_estimated": True,
         "dam_id": "0192f0a4-8a2b-7c4d-8e5f-6a7b8c9d0e1f",
         "sire_origin": "multiple",
         "possible_sires": [{"panda_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a", "probability": 0.7},
                            {"panda_id": "0192f0a4-ac4d-7e6f-8a7b-8c9d0e1f2a3b", "probability": 0.3}]},
    ]})
    studbook_number: StudbookNumber
    name: LocalizedText
    sex: Sex
    birth_date: Day
    birth_date_estimated: bool = Field(False, description="The birth date is an estimate (a wild-born founder's)")
    birthplace: ShortText | None = None
    death_date: Day | None = None
    managed: bool = Field(True, description="In the managed (breeding) population the genetics are taken over")
    dam_id: uuid.UUID | None = None
    sire_id: uuid.UUID | None = None
    dam_origin: ParentOrigin | None = Field(
        None, description="known (dam_id names it; the default when it does), unknown (SPARKS UNK, the default "
                          "otherwise) or wild (SPARKS WILD: a wild-born founder)")
    sire_origin: ParentOrigin | None = Field(
        None, description="As dam_origin, or multiple (SPARKS MULT): possible_sires name the candidates")
    possible_sires: list[PossibleSire] | None = Field(None, min_length=2, max_length=10)


class PandaPatch(Changes):
    """Corrections: names, birthplace, an estimated birth, a death, management, and the parents (a parent given
    replaces that parent, the other stays). The studbook number, sex and birth date are of record."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": {"en": "Mei Lan", "zh": "美兰"}},
                                                              {"death_date": "2026-03-02"},
                                                              {"sire_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a"}]})
    REQUIRED = ("name", "birth_date_estimated", "managed")
    name: LocalizedText | None = None
    birthplace: ShortText | None = None
    birth_date_estimated: bool | None = None
    death_date: Day | None = None
    managed: bool | None = None
    dam_id: uuid.UUID | None = None
    sire_id: uuid.UUID | None = None
    dam_origin: ParentOrigin | None = None
    sire_origin: ParentOrigin | None = None
    possible_sires: list[PossibleSire] | None = Field(None, min_length=2, max_length=10)


@router.post("", status_code=201, response_model=PandaOut)
async def register_panda(body: PandaIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                         reply: ReplyDep) -> PandaOut:
    """Add a giant panda to the studbook (coordinators): name, sex, birth, parents."""
    panda = await pandas.register_panda(uow, body.model_dump(), clock.now())
    return PandaOut.of(panda, reply.created("read_panda", panda_id=panda.id))


@router.get("", response_model=Page[PandaOut])
async def list_pandas(caller: CallerDep, session: ReadSessionDep,
                      query: ListQuery[pandas.PandaQuery]) -> Page[PandaOut]:
    """The studbook: pandas filtered by sex, by whether they are on loan, or by part of a name."""
    return Page.of(await pandas.list_pandas(session, query), PandaOut.of)


@router.get("/{panda_id}", response_model=PandaOut, name="read_panda")
async def read_panda(panda_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One panda with its parents and where it lives now."""
    return reply.current(await pandas.visible_panda(session, panda_id), PandaOut.of)


@router.patch("/{panda_id}", response_model=PandaOut)
async def update_panda(panda_id: uuid.UUID, body: PandaPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                       expected: IfMatchDep, response: Response) -> PandaOut:
    """Correct a panda's record (coordinators), with `If-Match`: a death, a parent found out. A parent that
    would make a panda its own ancestor is refused (422)."""
    panda = await pandas.update_panda(uow, panda_id, body.changes(), expected, clock.now())
    return PandaOut.of(panda, response)
