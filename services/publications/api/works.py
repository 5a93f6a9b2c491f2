"""`/api/v1/publications/works`: the joint research's papers and books, searchable with ranking and facets.

The public sees published works; staff see drafts and retractions too. Coordinators and admins write;
`publish` and `retract` credit (or take back credit from) the agreements and partner institutions concerned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.publications.api.citing import CITATION_CONTENT, citation_response
from services.publications.api.inputs import WorkIn, WorkPatch, filters_query
from services.publications.domain.work import WorkStatus, WorkType
from services.publications.formats.citation import negotiate
from services.publications.usecases import search, works
from services.publications.usecases.search import WorkFilters
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation, not_modified
from shared.pagination import Cursor, Limit, PageBase
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Text

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])


class Publish(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "publish"}]})
    action: Literal["publish"]


class Retract(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "retract", "reason": "Duplicate of an earlier record"},
    ]})
    action: Literal["retract"]
    reason: Text(2000)  # type: ignore[valid-type]


WorkAction = Annotated[Publish | Retract, Field(discriminator="action")]


class WorkOut(Representation):
    id: uuid.UUID
    type: WorkType
    title: dict[str, str]
    abstract: dict[str, str] | None
    authors: list[dict[str, Any]] = Field(description="The contributors in order: name, type (person or "
                                         "organization), role (author, editor or translator), orcid, affiliation")
    venue: str | None
    publisher: str | None
    date: str
    year: int
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    isbn: str | None
    keywords: list[str]
    research_areas: list[str]
    language: str | None
    open_access_url: str | None
    agreement_ids: list[uuid.UUID]
    project_ids: list[uuid.UUID]
    partner_ids: list[uuid.UUID] = Field(description="The partner institutions its authors belong to")
    status: WorkStatus
    retraction_reason: str | None
    allowed_actions: list[str]
    published_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @field_validator("authors")
    @classmethod
    def _contributors(cls, authors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Works stored before contributors had a type and a role show the defaults they had."""
        return [{"type": "person", "role": "author", **a} for a in authors]


class WorkPage(PageBase):
    items: list[WorkOut]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts by type, year and area of everything the query and filters match")


async def work_filters(
    filters: Annotated[WorkFilters, Depends(filters_query)],
    q: Annotated[str | None, Query(min_length=1, max_length=200,
                                   description="Words in the title, abstract, keywords or author names")] = None,
) -> WorkFilters:
    return dataclasses.replace(filters, q=q)


@router.post("", status_code=201, response_model=WorkOut)
async def draft_work(body: WorkIn, _caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                     reply: ReplyDep) -> WorkOut:
    """Record a paper, book or other work of the joint research (coordinators); published through `/transitions`."""
    work = await works.draft_work(uow, body.fields(), clock.now())
    return WorkOut.of(work, reply.created("read_work", work_id=work.id))


@router.get("", response_model=WorkPage)
async def list_works(caller: CallerDep, session: ReadSessionDep, filters: Annotated[WorkFilters, Depends(work_filters)],
                     limit: Limit = 50, cursor: Cursor = None) -> WorkPage:
    """Without `q`: newest first. With `q`: best match first (full-text search, title above abstract)."""
    found = await search.list_works(session, caller, filters, limit, cursor)
    return WorkPage(items=[WorkOut.of(w) for w in found.works], next_cursor=found.next_cursor, facets=found.facets)


@router.get("/{work_id}", response_model=WorkOut, name="read_work",
            responses={200: {"content": CITATION_CONTENT}})
async def read_work(work_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                    response: Response) -> Any:
    """The work as JSON; as BibTeX, RIS or CSL-JSON when `Accept` prefers `application/x-bibtex`,
    `application/x-research-info-systems` or `application/vnd.citationstyles.csl+json` (as `.../citation`)."""
    work = await works.visible_work(session, caller, work_id)
    if (fmt := negotiate(request.headers.get("accept"))) is not None:
        return citation_response(request, work, fmt, vary=True)
    if (unchanged := not_modified(request, work.version)) is not None:
        unchanged.headers["Vary"] = "Accept"
        return unchanged
    response.headers["Vary"] = "Accept"
    return WorkOut.of(work, response)


@router.patch("/{work_id}", response_model=WorkOut)
async def update_work(work_id: uuid.UUID, body: WorkPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                      expected: IfMatchDep, response: Response) -> WorkOut:
    """Change a work's record (coordinators), with `If-Match`."""
    work = await works.update_work(uow, caller, work_id, body.changes(), expected, clock.now())
    return WorkOut.of(work, response)


@router.post("/{work_id}/transitions", response_model=WorkOut)
async def transition_work(work_id: uuid.UUID, body: WorkAction, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep, expected: IfMatchDep, response: Response) -> WorkOut:
    """publish (public from now on, credited to its agreements and its authors' partners), retract (`reason`:
    the credit is taken back)."""
    details = body.model_dump(exclude={"action"})
    work = await works.take_work_step(uow, caller, work_id, body.action, expected, clock.now(), **details)
    return WorkOut.of(work, response)
