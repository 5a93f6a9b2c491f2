"""`/api/v1/training/programs`: what the base teaches. Anyone reads published (and archived) programs; drafts
are for staff. Coordinators and admins write; `publish` opens the program's cohorts to enrollment."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.db.models import program_tags
from services.training.domain.program import Program, ProgramFormat, ProgramStatus
from services.training.events.published import PROGRAM_STEP_EVENTS, ProgramDrafted, ProgramUpdated
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.db.search import contains
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LanguageTag, LocalizedLongText, LocalizedText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/programs", tags=["programs"])

Topic = Text(100)


class ProgramIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    description: LocalizedLongText | None = None
    topics: list[Topic] = Field(min_length=1, max_length=30)  # type: ignore[valid-type]
    format: ProgramFormat
    languages: list[LanguageTag] = Field(min_length=1, max_length=20)


class ProgramPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText | None = None
    description: LocalizedLongText | None = None
    topics: list[Topic] | None = Field(None, min_length=1, max_length=30)  # type: ignore[valid-type]
    format: ProgramFormat | None = None
    languages: list[LanguageTag] | None = Field(None, min_length=1, max_length=20)

    def changes(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in self.model_fields_set}
        for required in ("title", "topics", "format", "languages"):
            if required in values and values[required] is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        return values


class ProgramAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["publish", "archive"]


class ProgramOut(BaseModel):
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

    @classmethod
    def of(cls, program: Program) -> ProgramOut:
        return cls.model_validate(program, from_attributes=True)


def may_see(caller: Caller, program: Program) -> bool:
    return caller.is_staff or program.is_public


async def visible_program(session: AsyncSession, program_id: uuid.UUID, caller: Caller, *,
                          for_update: bool = False) -> Program:
    program = await session.get(Program, program_id, with_for_update=for_update)
    if program is None or not may_see(caller, program):
        raise not_found(f"no program {program_id}")
    return program


def _answer(response: Response, program: Program) -> ProgramOut:
    set_etag(response, program.version)
    return ProgramOut.of(program)


@router.post("", status_code=201, response_model=ProgramOut)
async def draft_program(body: ProgramIn, _caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request,
                        response: Response) -> ProgramOut:
    program = Program.draft(now=clock.now(), **body.model_dump())
    uow.session.add(program)
    await uow.publish(ProgramDrafted.of(program))
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_program", program_id=program.id).path)
    return _answer(response, program)


@router.get("", response_model=Page[ProgramOut])
async def list_programs(
    caller: CallerDep,
    session: ReadSessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: ProgramStatus | None = None,
    format: ProgramFormat | None = None,
    language: LanguageTag | None = None,
    topic: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of a title or topic")] = None,
) -> Page[ProgramOut]:
    stmt = select(Program)
    if not caller.is_staff:
        stmt = stmt.where(Program.status != ProgramStatus.draft)  # type: ignore[arg-type]
    if status:
        stmt = stmt.where(Program.status == status)  # type: ignore[arg-type]
    if format:
        stmt = stmt.where(Program.format == format)  # type: ignore[arg-type]
    if q:
        stmt = stmt.where(contains(Program.search_text, q))  # type: ignore[attr-defined]
    if topic:
        stmt = stmt.where(contains(Program.tags, program_tags([topic], [])))  # type: ignore[attr-defined]
    if language:
        stmt = stmt.where(contains(Program.tags, program_tags([], [language])))  # type: ignore[attr-defined]
    rows, next_cursor = await keyset_page(session, stmt, [Program.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[ProgramOut.of(p) for p in rows], next_cursor=next_cursor)


@router.get("/{program_id}", response_model=ProgramOut, name="read_program")
async def read_program(program_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                       response: Response) -> Any:
    program = await visible_program(session, program_id, caller)
    if (unchanged := not_modified(request, program.version)) is not None:
        return unchanged
    return _answer(response, program)


@router.patch("/{program_id}", response_model=ProgramOut)
async def update_program(program_id: uuid.UUID, body: ProgramPatch, caller: WriterDep, uow: UnitOfWorkDep,
                         clock: ClockDep, request: Request, response: Response) -> ProgramOut:
    program = await visible_program(uow.session, program_id, caller, for_update=True)
    check_if_match(request, program.version)
    changed = program.update(body.changes(), clock.now())
    if changed:
        await uow.publish(ProgramUpdated.of(program, changed=changed))
    await uow.commit()
    return _answer(response, program)


@router.post("/{program_id}/transitions", response_model=ProgramOut)
async def transition_program(program_id: uuid.UUID, body: ProgramAction, caller: WriterDep, uow: UnitOfWorkDep,
                             clock: ClockDep, request: Request, response: Response) -> ProgramOut:
    program = await visible_program(uow.session, program_id, caller, for_update=True)
    check_if_match(request, program.version)
    program.act(body.action, clock.now())
    await uow.publish(PROGRAM_STEP_EVENTS[body.action].of(program))
    await uow.commit()
    return _answer(response, program)
