"""The research projects of a cooperation plan. A project is seen by whoever may see its agreement;
coordinators and admins plan and change them, within the agreement's term and partners."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.agreement import Agreement
from services.partnerships.domain.project import Project, ProjectStatus
from services.partnerships.usecases.agreements import visible_agreement
from shared.auth import Caller
from shared.domain import ExpectedVersion, NotFound
from shared.pagination import PageQuery, keyset_page
from shared.research import ResearchArea
from shared.service import UnitOfWork
from shared.usecases import where_given


async def visible_project(session: AsyncSession, caller: Caller, agreement_id: uuid.UUID, project_id: uuid.UUID,
                          *, for_update: bool = False) -> tuple[Project, Agreement]:
    """The project (locked for the transaction when `for_update`) and its agreement, or NotFound (404) if the
    caller may not see the agreement or the project is not one of its."""
    agreement = await visible_agreement(session, caller, agreement_id)
    project = await session.get(Project, project_id, with_for_update=for_update)
    if project is None or project.agreement_id != agreement_id:
        raise NotFound(f"no project {project_id} under agreement {agreement_id}")
    return project, agreement


class ProjectQuery(PageQuery):
    area: ResearchArea | None = None
    status: ProjectStatus | None = None


async def list_projects(session: AsyncSession, caller: Caller, agreement_id: uuid.UUID, filters: ProjectQuery
                        ) -> tuple[list[Project], str | None]:
    await visible_agreement(session, caller, agreement_id)
    stmt = select(Project).where(Project.agreement_id == agreement_id)  # type: ignore[arg-type]
    stmt = where_given(stmt, Project, area=filters.area, status=filters.status)
    return await keyset_page(session, stmt, [Project.id], [uuid.UUID], filters.limit, filters.cursor)  # type: ignore[list-item]


async def plan_project(uow: UnitOfWork, caller: Caller, agreement_id: uuid.UUID, fields: dict[str, Any],
                       now: dt.datetime) -> Project:
    agreement = await visible_agreement(uow.session, caller, agreement_id)
    return await uow.commit_new(Project.plan(agreement, now=now, **fields))


async def update_project(uow: UnitOfWork, caller: Caller, agreement_id: uuid.UUID, project_id: uuid.UUID,
                         changes: dict[str, Any], expected: ExpectedVersion, now: dt.datetime) -> Project:
    project, agreement = await visible_project(uow.session, caller, agreement_id, project_id, for_update=True)
    return await uow.commit_change(project, expected, lambda p: p.update(changes, now, agreement=agreement))


STEPS = {"start": Project.start, "complete": Project.complete, "cancel": Project.cancel}


async def take_project_step(uow: UnitOfWork, caller: Caller, agreement_id: uuid.UUID, project_id: uuid.UUID,
                            action: str, expected: ExpectedVersion, now: dt.datetime) -> Project:
    """start, complete or cancel."""
    project, _ = await visible_project(uow.session, caller, agreement_id, project_id, for_update=True)
    return await uow.commit_change(project, expected, lambda p: STEPS[action](p, now))
