"""`/api/v1/partnerships/agreements/{id}/projects`: the research projects of a cooperation plan.

A project is seen by whoever may see its agreement; coordinators and admins plan and change them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.partnerships.domain.project import ProjectStatus
from services.partnerships.usecases import projects
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import ListQuery, Page
from shared.research import ResearchArea
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, Day, LocalizedLongText, LocalizedText

router = APIRouter(route_class=GuardedRoute, prefix="/agreements/{agreement_id}/projects", tags=["projects"])


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": {"en": "Bamboo diet and gut flora"},
         "area": "breeding",
         "lead_partner_id": "0192f0a4-7c1e-7d3a-9b2e-3f4a5b6c7d8e",
         "start_date": "2026-03-01",
         "end_date": "2027-02-28"},
    ]})
    title: LocalizedText
    description: LocalizedLongText | None = None
    area: ResearchArea
    lead_partner_id: uuid.UUID
    start_date: Day
    end_date: Day


class ProjectPatch(Changes):
    model_config = ConfigDict(json_schema_extra={"examples": [{"end_date": "2027-06-30"}]})
    REQUIRED = ("title", "area", "lead_partner_id", "start_date", "end_date")
    title: LocalizedText | None = None
    description: LocalizedLongText | None = None
    area: ResearchArea | None = None
    lead_partner_id: uuid.UUID | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class ProjectAction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "start"}]})
    action: Literal["start", "complete", "cancel"]


class ProjectOut(Representation):
    id: uuid.UUID
    agreement_id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    area: ResearchArea
    lead_partner_id: uuid.UUID
    start_date: Day
    end_date: Day
    status: ProjectStatus
    allowed_actions: list[str] = Field(description="The actions the current status allows")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime



@router.post("", status_code=201, response_model=ProjectOut)
async def plan_project(agreement_id: uuid.UUID, body: ProjectIn, caller: WriterDep, uow: UnitOfWorkDep,
                       clock: ClockDep, reply: ReplyDep) -> ProjectOut:
    """Plan a research project under an agreement (coordinators)."""
    project = await projects.plan_project(uow, caller, agreement_id, body.model_dump(), clock.now())
    return ProjectOut.of(project, reply.created("read_project", agreement_id=agreement_id, project_id=project.id))


@router.get("", response_model=Page[ProjectOut])
async def list_projects(agreement_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                        query: ListQuery[projects.ProjectQuery]) -> Page[ProjectOut]:
    """The projects under an agreement, as the caller may see them."""
    return Page.of(await projects.list_projects(session, caller, agreement_id, query), ProjectOut.of)


@router.get("/{project_id}", response_model=ProjectOut, name="read_project")
async def read_project(agreement_id: uuid.UUID, project_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                       reply: ReplyDep) -> Any:
    """One project under an agreement."""
    project, _ = await projects.visible_project(session, caller, agreement_id, project_id)
    return reply.current(project, ProjectOut.of)


@router.patch("/{project_id}", response_model=ProjectOut)
async def update_project(agreement_id: uuid.UUID, project_id: uuid.UUID, body: ProjectPatch, caller: WriterDep,
                         uow: UnitOfWorkDep, clock: ClockDep, expected: IfMatchDep, response: Response) -> ProjectOut:
    """Change a project's fields (coordinators), with `If-Match`."""
    project = await projects.update_project(uow, caller, agreement_id, project_id, body.changes(), expected,
                                            clock.now())
    return ProjectOut.of(project, response)


ProjectActionBody = Annotated[ProjectAction, Field(description="start, complete or cancel")]


@router.post("/{project_id}/transitions", response_model=ProjectOut)
async def transition_project(agreement_id: uuid.UUID, project_id: uuid.UUID, body: ProjectActionBody,
                             caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, expected: IfMatchDep,
                             response: Response) -> ProjectOut:
    """Move a project on (start, complete, cancel): 409 names the actions its state allows."""
    project = await projects.take_project_step(uow, caller, agreement_id, project_id, body.action, expected,
                                               clock.now())
    return ProjectOut.of(project, response)
