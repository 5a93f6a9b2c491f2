"""`/api/v1/publications/works`: the joint research's papers and books, searchable with ranking and facets.

The public sees published works; staff see drafts and retractions too. Coordinators and admins write;
`publish` and `retract` credit (or take back credit from) the agreements and partner institutions concerned.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.publications.db.models import known_agreements, known_partners, known_projects, work_tags
from services.publications.db.search import index_work, ranked_ids
from services.publications.domain.identifiers import normalize_doi, normalize_isbn, normalize_orcid
from services.publications.domain.work import ResearchArea, Work, WorkStatus, WorkType
from services.publications.formats.citation import MEDIA_TYPES as CITATION_MEDIA_TYPES
from services.publications.formats.citation import negotiate as negotiate_citation
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.db.search import contains
from shared.domain import Conflict
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, decode_cursor, encode_cursor, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LanguageTag, LocalizedLongText, LocalizedText, ShortText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])

Keyword = Text(100)
Short = Text(40)


class Author(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    orcid: Annotated[str, Field(max_length=60)] | None = None
    affiliation_partner_id: uuid.UUID | None = Field(None, description="A partner institution")
    affiliation: Text(300) | None = Field(None, description="Free text, when not a partner")  # type: ignore[valid-type]
    corresponding: bool = False

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        return normalize_orcid(value) if value is not None else None


class WorkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: WorkType
    title: LocalizedText
    abstract: LocalizedLongText | None = None
    authors: list[Author] = Field(min_length=1, max_length=500, description="In order")
    venue: Text(500) | None = Field(None, description="Journal, conference or series")  # type: ignore[valid-type]
    publisher: Text(300) | None = None  # type: ignore[valid-type]
    date: Annotated[str, Field(min_length=4, max_length=10, description="YYYY-MM-DD, YYYY-MM or YYYY")]
    volume: Short | None = None  # type: ignore[valid-type]
    issue: Short | None = None  # type: ignore[valid-type]
    pages: Short | None = None  # type: ignore[valid-type]
    doi: Annotated[str, Field(max_length=300)] | None = None
    isbn: Annotated[str, Field(max_length=20)] | None = None
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]
    research_areas: list[ResearchArea] = Field(default_factory=list, max_length=9)
    language: LanguageTag | None = None
    open_access_url: HttpUrl | None = Field(None, max_length=500)
    agreement_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    project_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value) if value is not None else None

    @field_validator("isbn")
    @classmethod
    def _isbn(cls, value: str | None) -> str | None:
        return normalize_isbn(value) if value is not None else None

    def fields(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values["authors"] = [a.model_dump(mode="json", exclude_none=True) for a in self.authors]
        values["research_areas"] = list(dict.fromkeys(a.value for a in self.research_areas))
        values["keywords"] = list(dict.fromkeys(self.keywords))
        values["open_access_url"] = str(self.open_access_url) if self.open_access_url else None
        for name in ("agreement_ids", "project_ids"):
            values[name] = [str(i) for i in dict.fromkeys(values[name])]
        return values


class WorkPatch(WorkIn):
    type: WorkType | None = None  # type: ignore[assignment]
    title: LocalizedText | None = None  # type: ignore[assignment]
    authors: list[Author] | None = Field(None, min_length=1, max_length=500)  # type: ignore[assignment]
    date: Annotated[str, Field(min_length=4, max_length=10)] | None = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        given = self.model_fields_set
        for required in ("type", "title", "authors", "date", "keywords", "research_areas", "agreement_ids",
                         "project_ids"):
            if required in given and getattr(self, required) is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        filled = self.model_copy(update={k: v for k, v in {"type": WorkType.report, "title": {"en": "-"},
                                                           "authors": [], "date": "2000"}.items() if k not in given})
        return {k: v for k, v in filled.fields().items() if k in given}


class Publish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["publish"]


class Retract(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["retract"]
    reason: Text(2000)  # type: ignore[valid-type]


WorkAction = Annotated[Publish | Retract, Field(discriminator="action")]


class WorkOut(BaseModel):
    id: uuid.UUID
    type: WorkType
    title: dict[str, str]
    abstract: dict[str, str] | None
    authors: list[dict[str, Any]]
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

    @classmethod
    def of(cls, work: Work) -> WorkOut:
        return cls.model_validate(work, from_attributes=True)


class WorkPage(BaseModel):
    items: list[WorkOut]
    next_cursor: str | None = None
    facets: dict[str, dict[str, int]] = Field(
        description="Counts by type, year and area of everything the query and filters match")


def may_see(caller: Caller, work: Work) -> bool:
    return caller.is_staff or work.is_public


async def visible_work(session: AsyncSession, work_id: uuid.UUID, caller: Caller, *, for_update: bool = False
                       ) -> Work:
    work = await session.get(Work, work_id, with_for_update=for_update)
    if work is None or not may_see(caller, work):
        raise not_found(f"no work {work_id}")
    return work


async def check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    """Affiliations, agreements and projects must be known here (from partnerships' events)."""
    for i, author in enumerate(fields.get("authors") or []):
        partner = author.get("affiliation_partner_id")
        if partner and await known_partners.get(session, uuid.UUID(str(partner))) is None:
            raise invalid(f"no partner {partner} is known to the publications service",
                          ("body", "authors", i, "affiliation_partner_id"), "unknown_partner")
    for name, model, what in (("agreement_ids", known_agreements, "agreement"),
                              ("project_ids", known_projects, "project")):
        ids = [uuid.UUID(i) for i in fields.get(name) or []]
        unknown = await model.unknown_among(session, ids)
        if unknown:
            raise invalid(f"no {what} {unknown[0]} is known to the publications service",
                          ("body", name, ids.index(unknown[0])), f"unknown_{what}")


async def check_doi_free(session: AsyncSession, doi: str | None, except_id: uuid.UUID | None = None) -> None:
    if doi is None:
        return
    other = (await session.execute(select(Work.id).where(Work.doi == doi))).scalar_one_or_none()  # type: ignore[call-overload,arg-type]
    if other is not None and other != except_id:
        raise Conflict(f"work {other} already has DOI {doi}")


def _answer(response: Response, work: Work) -> WorkOut:
    set_etag(response, work.version)
    return WorkOut.of(work)


async def save_new_work(session: AsyncSession, work: Work) -> None:
    """Store a new work and its search entry; a DOI taken meanwhile is a 409."""
    session.add(work)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a work with DOI {work.doi} exists already") from exc
    await index_work(session, work, new=True)


@router.post("", status_code=201, response_model=WorkOut)
async def draft_work(body: WorkIn, _caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request,
                     response: Response) -> WorkOut:
    fields = body.fields()
    await check_references(uow.session, fields)
    await check_doi_free(uow.session, fields["doi"])
    work = Work.draft(now=clock.now(), **fields)
    await save_new_work(uow.session, work)
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_work", work_id=work.id).path)
    return _answer(response, work)


class WorkFilters(BaseModel):
    q: str | None = None
    type: WorkType | None = None
    year_from: int | None = None
    year_to: int | None = None
    area: ResearchArea | None = None
    language: str | None = None
    partner_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    status: WorkStatus | None = None

    def apply(self, stmt: Select[Any], caller: Caller) -> Select[Any]:
        w = Work
        if not caller.is_staff:
            stmt = stmt.where(w.status == WorkStatus.published)  # type: ignore[arg-type]
        if self.status:
            stmt = stmt.where(w.status == self.status)  # type: ignore[arg-type]
        if self.type:
            stmt = stmt.where(w.type == self.type)  # type: ignore[arg-type]
        if self.year_from is not None:
            stmt = stmt.where(w.year >= self.year_from)  # type: ignore[operator]
        if self.year_to is not None:
            stmt = stmt.where(w.year <= self.year_to)  # type: ignore[operator]
        if self.language:
            stmt = stmt.where(w.language == self.language)  # type: ignore[arg-type]
        for tag in (work_tags(areas=[self.area.value]) if self.area else None,
                    work_tags(partner_ids=[str(self.partner_id)]) if self.partner_id else None,
                    work_tags(agreement_ids=[str(self.agreement_id)]) if self.agreement_id else None):
            if tag:
                stmt = stmt.where(contains(w.tags, tag))  # type: ignore[attr-defined]
        return stmt


def work_filters(
    q: Annotated[str | None, Query(min_length=1, max_length=200,
                                   description="Words in the title, abstract, keywords or author names")] = None,
    type: WorkType | None = None,
    year_from: Annotated[int | None, Query(ge=1000, le=9999)] = None,
    year_to: Annotated[int | None, Query(ge=1000, le=9999)] = None,
    year: Annotated[int | None, Query(ge=1000, le=9999, description="Shorthand for year_from = year_to")] = None,
    area: ResearchArea | None = None,
    language: LanguageTag | None = None,
    partner_id: uuid.UUID | None = None,
    agreement_id: uuid.UUID | None = None,
    status: WorkStatus | None = None,
) -> WorkFilters:
    if year is not None:
        year_from = year_to = year
    return WorkFilters(q=q, type=type, year_from=year_from, year_to=year_to, area=area, language=language,
                       partner_id=partner_id, agreement_id=agreement_id, status=status)


FiltersDep = Annotated[WorkFilters, Depends(work_filters)]


async def _facets(session: AsyncSession, matching: Select[Any]) -> dict[str, dict[str, int]]:
    found = matching.subquery()
    by_type = await session.execute(select(found.c.type, func.count()).group_by(found.c.type))
    by_year = await session.execute(select(found.c.year, func.count()).group_by(found.c.year))
    areas = list(ResearchArea)
    by_area = (await session.execute(select(*[
        func.coalesce(func.sum(case((contains(found.c.tags, work_tags(areas=[a.value])), 1), else_=0)), 0)
        for a in areas]))).one()
    return {
        "type": {str(WorkType(t).value): n for t, n in by_type.all()},
        "year": {str(y): n for y, n in sorted(by_year.all())},
        "area": {a.value: int(n) for a, n in zip(areas, by_area, strict=True) if n},
    }


@router.get("", response_model=WorkPage)
async def list_works(caller: CallerDep, session: ReadSessionDep, filters: FiltersDep, limit: Limit = 50,
                     cursor: Cursor = None) -> WorkPage:
    """Without `q`: newest first. With `q`: best match first (full-text search, title above abstract)."""
    matching = filters.apply(select(Work), caller)
    if filters.q is None:
        rows, next_cursor = await keyset_page(session, matching, [Work.sort_date, Work.id],  # type: ignore[list-item]
                                              [dt.date, uuid.UUID], limit, cursor, descending=True)
        return WorkPage(items=[WorkOut.of(w) for w in rows], next_cursor=next_cursor,
                        facets=await _facets(session, matching))
    scores = await ranked_ids(session, filters.q)
    matching = matching.where(Work.id.in_(list(scores)))  # type: ignore[attr-defined]
    ids = sorted((scores[i], i) for i in (await session.execute(matching.with_only_columns(Work.id))).scalars())  # type: ignore[arg-type]
    ranked = sorted(ids, key=lambda s: (-s[0], s[1]))
    if cursor:
        after = decode_cursor(cursor, [float, uuid.UUID])
        ranked = [s for s in ranked if (-s[0], s[1]) > (-after[0], after[1])]
    page = ranked[:limit]
    works = {w.id: w for w in (await session.execute(select(Work).where(
        Work.id.in_([i for _, i in page])))).scalars()}  # type: ignore[attr-defined]
    next_cursor = encode_cursor(list(page[-1])) if len(ranked) > limit else None
    return WorkPage(items=[WorkOut.of(works[i]) for _, i in page], next_cursor=next_cursor,
                    facets=await _facets(session, matching))


@router.get("/{work_id}", response_model=WorkOut, name="read_work",
            responses={200: {"content": {media: {} for media in CITATION_MEDIA_TYPES.values()}}})
async def read_work(work_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                    response: Response) -> Any:
    """The work as JSON; as BibTeX, RIS or CSL-JSON when `Accept` prefers `application/x-bibtex`,
    `application/x-research-info-systems` or `application/vnd.citationstyles.csl+json` (as `.../citation`)."""
    # Imported here: the citations module builds on this one (visible_work).
    from services.publications.api.citations import citation_response

    work = await visible_work(session, work_id, caller)
    if (fmt := negotiate_citation(request.headers.get("accept"))) is not None:
        return citation_response(request, work, fmt, vary=True)
    if (unchanged := not_modified(request, work.version)) is not None:
        unchanged.headers["Vary"] = "Accept"
        return unchanged
    response.headers["Vary"] = "Accept"
    return _answer(response, work)


@router.patch("/{work_id}", response_model=WorkOut)
async def update_work(work_id: uuid.UUID, body: WorkPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                      request: Request, response: Response) -> WorkOut:
    work = await visible_work(uow.session, work_id, caller, for_update=True)
    check_if_match(request, work.version)
    changes = body.changes()
    await check_references(uow.session, changes)
    await check_doi_free(uow.session, changes.get("doi"), except_id=work.id)
    if work.update(changes, clock.now()):
        await index_work(uow.session, work)
    await uow.commit()
    return _answer(response, work)


@router.post("/{work_id}/transitions", response_model=WorkOut)
async def transition_work(work_id: uuid.UUID, body: WorkAction, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep, request: Request, response: Response) -> WorkOut:
    """publish (public from now on, credited to its agreements and its authors' partners), retract (`reason`:
    the credit is taken back)."""
    work = await visible_work(uow.session, work_id, caller, for_update=True)
    check_if_match(request, work.version)
    match body:
        case Publish():
            work.publish(clock.now())
        case Retract():
            work.retract(body.reason, clock.now())
    await uow.commit()
    return _answer(response, work)
