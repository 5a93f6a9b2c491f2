"""`/api/v1/partnerships/agreements/{id}/projects`: the research projects of a cooperation plan.

A project is seen by whoever may see its agreement; coordinators and admins plan and change them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.partnerships.api.agreements import visible_agreement
from services.partnerships.domain.project import Project, ProjectStatus, ResearchArea
from services.partnerships.events.published import PROJECT_STEP_EVENTS, ProjectPlanned, ProjectUpdated
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LocalizedLongText, LocalizedText

router = APIRouter(route_class=GuardedRoute, prefix="/agreements/{agreement_id}/projects", tags=["projects"])


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    description: LocalizedLongText | None = None
    area: ResearchArea
    lead_partner_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText | None = None
    description: LocalizedLongText | None = None
    area: ResearchArea | None = None
    lead_partner_id: uuid.UUID | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def changes(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in self.model_fields_set}
        for required in ("title", "area", "lead_partner_id", "start_date", "end_date"):
            if required in values and values[required] is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        return values


class ProjectAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["start", "complete", "cancel"]


class ProjectOut(BaseModel):
    id: uuid.UUID
    agreement_id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    area: ResearchArea
    lead_partner_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    status: ProjectStatus
    allowed_actions: list[str] = Field(description="The actions the current status allows")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
        return cls.model_validate(project, from_attributes=True)


def _answer(response: Response, project: Project) -> ProjectOut:
    set_etag(response, project.version)
    return ProjectOut.of(project)


async def _project(session: Any, agreement_id: uuid.UUID, project_id: uuid.UUID, *, for_update: bool = False
                   ) -> Project:
    project = await session.get(Project, project_id, with_for_update=for_update)
    if project is None or project.agreement_id != agreement_id:
        raise not_found(f"no project {project_id} under agreement {agreement_id}")
    return project


@router.post("", status_code=201, response_model=ProjectOut)
async def plan_project(
    agreement_id: uuid.UUID, body: ProjectIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> ProjectOut:
    agreement = await visible_agreement(uow.session, agreement_id, caller)
    project = Project.plan(agreement, now=clock.now(), **body.model_dump())
    uow.session.add(project)
    await uow.publish(ProjectPlanned.of(project))
    await uow.commit()
    response.headers["Location"] = str(
        request.url_for("read_project", agreement_id=agreement_id, project_id=project.id).path)
    return _answer(response, project)


@router.get("", response_model=Page[ProjectOut])
async def list_projects(
    agreement_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    area: ResearchArea | None = None, status: ProjectStatus | None = None,
) -> Page[ProjectOut]:
    await visible_agreement(session, agreement_id, caller)
    stmt = select(Project).where(Project.agreement_id == agreement_id)  # type: ignore[arg-type]
    if area:
        stmt = stmt.where(Project.area == area)  # type: ignore[arg-type]
    if status:
        stmt = stmt.where(Project.status == status)  # type: ignore[arg-type]
    rows, next_cursor = await keyset_page(session, stmt, [Project.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[ProjectOut.of(p) for p in rows], next_cursor=next_cursor)


@router.get("/{project_id}", response_model=ProjectOut, name="read_project")
async def read_project(
    agreement_id: uuid.UUID, project_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
    response: Response,
) -> Any:
    await visible_agreement(session, agreement_id, caller)
    project = await _project(session, agreement_id, project_id)
    if (unchanged := not_modified(request, project.version)) is not None:
        return unchanged
    return _answer(response, project)


@router.patch("/{project_id}", response_model=ProjectOut)
async def update_project(
    agreement_id: uuid.UUID, project_id: uuid.UUID, body: ProjectPatch, caller: WriterDep, uow: UnitOfWorkDep,
    clock: ClockDep, request: Request, response: Response,
) -> ProjectOut:
    agreement = await visible_agreement(uow.session, agreement_id, caller)
    project = await _project(uow.session, agreement_id, project_id, for_update=True)
    check_if_match(request, project.version)
    changed = project.update(agreement, body.changes(), clock.now())
    if changed:
        await uow.publish(ProjectUpdated.of(project, changed=changed))
    await uow.commit()
    return _answer(response, project)


ProjectActionBody = Annotated[ProjectAction, Field(description="start, complete or cancel")]


@router.post("/{project_id}/transitions", response_model=ProjectOut)
async def transition_project(
    agreement_id: uuid.UUID, project_id: uuid.UUID, body: ProjectActionBody, caller: WriterDep, uow: UnitOfWorkDep,
    clock: ClockDep, request: Request, response: Response,
) -> ProjectOut:
    await visible_agreement(uow.session, agreement_id, caller)
    project = await _project(uow.session, agreement_id, project_id, for_update=True)
    check_if_match(request, project.version)
    project.act(body.action, clock.now())
    await uow.publish(PROJECT_STEP_EVENTS[body.action].of(project))
    await uow.commit()
    return _answer(response, project)
