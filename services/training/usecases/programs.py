"""Programs: drafted and changed by coordinators, published to open their cohorts, archived when retired.
Anyone reads published (and archived) programs; drafts are for staff."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.db.models import program_tags
from services.training.domain.program import Program, ProgramFormat, ProgramStatus
from shared.auth import Caller
from shared.db.lookup import get_visible
from shared.db.search import contains
from shared.domain import ExpectedVersion
from shared.pagination import PageQuery, keyset_page
from shared.service import UnitOfWork
from shared.usecases import where_given
from shared.validation import LanguageTag


def may_see(caller: Caller, program: Program) -> bool:
    return caller.is_staff or program.is_public


async def visible_program(session: AsyncSession, caller: Caller, program_id: uuid.UUID, *,
                          for_update: bool = False) -> Program:
    """The program, or NotFound (404) if it does not exist or the caller may not see it."""
    return await get_visible(session, Program, program_id, what="program", for_update=for_update,
                             may_see=lambda p: may_see(caller, p))


class ProgramQuery(PageQuery):
    status: ProgramStatus | None = None
    format: ProgramFormat | None = None
    language: LanguageTag | None = None
    topic: str | None = Field(None, min_length=1, max_length=100)
    q: str | None = Field(None, min_length=1, max_length=100, description="Part of a title or topic")


async def list_programs(session: AsyncSession, caller: Caller, filters: ProgramQuery
                        ) -> tuple[list[Program], str | None]:
    stmt = where_given(select(Program), Program, status=filters.status, format=filters.format)
    if not caller.is_staff:
        stmt = stmt.where(Program.status != ProgramStatus.draft)  # type: ignore[arg-type]
    if filters.q:
        stmt = stmt.where(contains(Program.search_text, filters.q))  # type: ignore[attr-defined]
    if filters.topic:
        stmt = stmt.where(contains(Program.tags, program_tags([filters.topic], [])))  # type: ignore[attr-defined]
    if filters.language:
        stmt = stmt.where(contains(Program.tags, program_tags([], [filters.language])))  # type: ignore[attr-defined]
    return await keyset_page(session, stmt, [Program.id], [uuid.UUID], filters.limit, filters.cursor)  # type: ignore[list-item]


async def draft_program(uow: UnitOfWork, fields: dict[str, Any], now: dt.datetime) -> Program:
    return await uow.commit_new(Program.draft(now=now, **fields))


async def update_program(uow: UnitOfWork, caller: Caller, program_id: uuid.UUID, changes: dict[str, Any],
                         expected: ExpectedVersion, now: dt.datetime) -> Program:
    program = await visible_program(uow.session, caller, program_id, for_update=True)
    return await uow.commit_change(program, expected, lambda p: p.update(changes, now))


STEPS = {"publish": Program.publish, "archive": Program.archive}


async def take_program_step(uow: UnitOfWork, caller: Caller, program_id: uuid.UUID, action: str,
                            expected: ExpectedVersion, now: dt.datetime) -> Program:
    """publish (its cohorts take enrollments from then on) or archive."""
    program = await visible_program(uow.session, caller, program_id, for_update=True)
    return await uow.commit_change(program, expected, lambda p: STEPS[action](p, now))
