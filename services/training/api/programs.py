"""`/api/v1/training/programs`: what the base teaches. Anyone reads published (and archived) programs; drafts
are for staff. Coordinators and admins write; `publish` opens the program's cohorts to enrollment."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.training.domain.program import ProgramFormat, ProgramStatus
from services.training.usecases import programs
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import ListQuery, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, LanguageTag, LocalizedLongText, LocalizedText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/programs", tags=["programs"])

Topic = Text(100)


class ProgramIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": {"en": "Giant panda breeding", "zh": "大熊猫繁育"},
         "topics": ["breeding", "nutrition"],
         "format": "onsite",
         "languages": ["en", "zh"]},
    ]})
    title: LocalizedText
    description: LocalizedLongText | None = None
    topics: list[Topic] = Field(min_length=1, max_length=30)  # type: ignore[valid-type]
    format: ProgramFormat
    languages: list[LanguageTag] = Field(min_length=1, max_length=20)


class ProgramPatch(Changes):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"topics": ["breeding", "nutrition", "veterinary care"]},
    ]})
    REQUIRED = ("title", "topics", "format", "languages")
    title: LocalizedText | None = None
    description: LocalizedLongText | None = None
    topics: list[Topic] | None = Field(None, min_length=1, max_length=30)  # type: ignore[valid-type]
    format: ProgramFormat | None = None
    languages: list[LanguageTag] | None = Field(None, min_length=1, max_length=20)


class ProgramAction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "publish"}]})
    action: Literal["publish", "archive"]


class ProgramOut(Representation):
    id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    topics: list[str]
    format: ProgramFormat
    languages: list[str]
    status: ProgramStatus
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@router.post("", status_code=201, response_model=ProgramOut)
async def draft_program(body: ProgramIn, _caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                        reply: ReplyDep) -> ProgramOut:
    """Draft a training program (coordinators); published through `/transitions`."""
    program = await programs.draft_program(uow, body.model_dump(), clock.now())
    return ProgramOut.of(program, reply.created("read_program", program_id=program.id))


@router.get("", response_model=Page[ProgramOut])
async def list_programs(caller: CallerDep, session: ReadSessionDep,
                        query: ListQuery[programs.ProgramQuery]) -> Page[ProgramOut]:
    """Training programs: published ones for everyone, drafts for staff too."""
    return Page.of(await programs.list_programs(session, caller, query), ProgramOut.of)


@router.get("/{program_id}", response_model=ProgramOut, name="read_program")
async def read_program(program_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One training program."""
    return reply.current(await programs.visible_program(session, caller, program_id), ProgramOut.of)


@router.patch("/{program_id}", response_model=ProgramOut)
async def update_program(program_id: uuid.UUID, body: ProgramPatch, caller: WriterDep, uow: UnitOfWorkDep,
                         clock: ClockDep, expected: IfMatchDep, response: Response) -> ProgramOut:
    """Change a program's fields (coordinators), with `If-Match`."""
    program = await programs.update_program(uow, caller, program_id, body.changes(), expected, clock.now())
    return ProgramOut.of(program, response)


@router.post("/{program_id}/transitions", response_model=ProgramOut)
async def transition_program(program_id: uuid.UUID, body: ProgramAction, caller: WriterDep, uow: UnitOfWorkDep,
                             clock: ClockDep, expected: IfMatchDep, response: Response) -> ProgramOut:
    """Publish or retire a program: 409 names the actions its state allows."""
    program = await programs.take_program_step(uow, caller, program_id, body.action, expected, clock.now())
    return ProgramOut.of(program, response)
