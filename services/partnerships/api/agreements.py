"""`/api/v1/partnerships/agreements`: agreements with partner institutions and their lifecycle.

Anyone may read signed (and later) agreements; draft and negotiating ones only staff and the partners they
name, and to everyone else they do not exist (404). Coordinators and admins write; every state change goes
through `POST /agreements/{id}/transitions`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreement_partners, code_sequences, partners
from services.partnerships.domain.agreement import (
    PUBLIC_STATES,
    Agreement,
    AgreementKind,
    AgreementState,
    agreement_code,
)
from services.partnerships.domain.partner import Partner
from services.partnerships.events.published import AGREEMENT_STEP_EVENTS, AgreementDrafted, AgreementUpdated
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.db.search import contains
from shared.db.upsert import next_in_series
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LocalizedLongText, LocalizedText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/agreements", tags=["agreements"])

SeatsPerYear = Annotated[int, Field(ge=1, le=10_000)]
CubReturnAge = Annotated[int, Field(ge=1, le=10, description="Age in years at which a cub born on loan goes home")]
Note = Text(2000)


class KeyProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    description: LocalizedLongText | None = None


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    kind: AgreementKind
    partner_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    effective_from: dt.date
    effective_until: dt.date
    training_seats_per_year: SeatsPerYear | None = None
    key_projects: list[KeyProject] = Field(default_factory=list, max_length=50)
    cub_return_age_years: CubReturnAge | None = None


class AgreementPatch(BaseModel):
    """Terms to change while the agreement is draft or negotiating; an absent field stays as it is."""

    model_config = ConfigDict(extra="forbid")
    title: LocalizedText | None = None
    partner_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=50)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    training_seats_per_year: SeatsPerYear | None = None
    key_projects: list[KeyProject] | None = Field(None, max_length=50)
    cub_return_age_years: CubReturnAge | None = None

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(mode="json", exclude_unset=True)
        for required in ("title", "partner_ids", "effective_from", "effective_until", "key_projects"):
            if required in values and values[required] is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        for day in ("effective_from", "effective_until"):
            if day in values:
                values[day] = getattr(self, day)
        return values


class Submit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["submit"]
    note: Note | None = None  # type: ignore[valid-type]


class Sign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["sign"]
    signed_on: dt.date
    note: Note | None = None  # type: ignore[valid-type]


class Activate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["activate"]
    note: Note | None = None  # type: ignore[valid-type]


class Renew(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["renew"]
    effective_until: dt.date
    note: Note | None = None  # type: ignore[valid-type]


class Terminate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["terminate"]
    reason: Note  # type: ignore[valid-type]


AgreementAction = Annotated[Submit | Sign | Activate | Renew | Terminate, Field(discriminator="action")]


class TransitionOut(BaseModel):
    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: dt.datetime
    note: str | None


class AgreementOut(BaseModel):
    id: uuid.UUID
    code: str
    title: dict[str, str]
    kind: AgreementKind
    state: AgreementState
    partner_ids: list[uuid.UUID]
    signed_on: dt.date | None
    effective_from: dt.date
    effective_until: dt.date
    training_seats_per_year: int | None
    key_projects: list[dict[str, Any]]
    cub_return_age_years: int | None
    termination_reason: str | None
    allowed_actions: list[str] = Field(description="The actions the current state allows")
    history: list[TransitionOut] = Field(description="Every transition, oldest first")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOut:
        return cls(
            id=agreement.id, code=agreement.code, title=agreement.title, kind=agreement.kind,
            state=agreement.state, partner_ids=[uuid.UUID(p) for p in agreement.partner_ids],
            signed_on=agreement.signed_on, effective_from=agreement.effective_from,
            effective_until=agreement.effective_until, training_seats_per_year=agreement.training_seats_per_year,
            key_projects=agreement.key_projects, cub_return_age_years=agreement.cub_return_age_years,
            termination_reason=agreement.termination_reason, allowed_actions=agreement.allowed_actions,
            history=[TransitionOut.model_validate(t, from_attributes=True) for t in agreement.history],
            version=agreement.version, created_at=agreement.created_at, updated_at=agreement.updated_at,
        )


def may_see(caller: Caller, agreement: Agreement) -> bool:
    return caller.is_staff or agreement.is_public or agreement.names(caller.partner_id)


async def visible_agreement(session: AsyncSession, agreement_id: uuid.UUID, caller: Caller,
                            *, for_update: bool = False) -> Agreement:
    """The agreement, or 404 if it does not exist or the caller may not know it exists."""
    agreement = await session.get(Agreement, agreement_id, with_for_update=for_update)
    if agreement is None or not may_see(caller, agreement):
        raise not_found(f"no agreement {agreement_id}")
    return agreement


async def _check_partners_known(session: AsyncSession, partner_ids: list[uuid.UUID]) -> None:
    found = set((await session.execute(select(partners.c.id).where(partners.c.id.in_(partner_ids)))).scalars())
    for i, partner_id in enumerate(partner_ids):
        if partner_id not in found:
            raise invalid(f"no partner {partner_id}", ("body", "partner_ids", i), "unknown_partner")


def _answer(response: Response, agreement: Agreement) -> AgreementOut:
    set_etag(response, agreement.version)
    return AgreementOut.of(agreement)


@router.post("", status_code=201, response_model=AgreementOut)
async def draft_agreement(
    body: AgreementIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request, response: Response
) -> AgreementOut:
    await _check_partners_known(uow.session, body.partner_ids)
    now = clock.now()
    agreement = Agreement.draft(
        code="", title=body.title, kind=body.kind, partner_ids=body.partner_ids,
        effective_from=body.effective_from, effective_until=body.effective_until,
        training_seats_per_year=body.training_seats_per_year, cub_return_age_years=body.cub_return_age_years,
        key_projects=[p.model_dump(mode="json", exclude_none=True) for p in body.key_projects],
        actor=caller.subject or caller.role.value, now=now,
    )
    # Numbered only once the agreement is valid: a refused draft uses up no number.
    agreement.code = agreement_code(now.year, await next_in_series(uow.session, code_sequences, f"AGR-{now.year}"))
    uow.session.add(agreement)
    await uow.publish(AgreementDrafted.of(agreement))
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_agreement", agreement_id=agreement.id).path)
    return _answer(response, agreement)


@router.get("", response_model=Page[AgreementOut])
async def list_agreements(
    caller: CallerDep,
    session: ReadSessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: Annotated[list[AgreementState] | None, Query(description="One or more states")] = None,
    kind: AgreementKind | None = None,
    partner_id: uuid.UUID | None = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$",
                                         description="A named partner's country")] = None,
    effective_on: Annotated[dt.date | None, Query(description="In its term on this day")] = None,
    signed_from: dt.date | None = None,
    signed_to: dt.date | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of the code or a title")] = None,
) -> Page[AgreementOut]:
    a = Agreement
    stmt = select(a)
    if not caller.is_staff:
        public = a.state.in_([s.value for s in PUBLIC_STATES])  # type: ignore[attr-defined]
        if caller.partner_id is not None:
            own = exists().where(agreement_partners.c.agreement_id == a.id,
                                 agreement_partners.c.partner_id == caller.partner_id)
            stmt = stmt.where(or_(public, own))
        else:
            stmt = stmt.where(public)
    if state:
        stmt = stmt.where(a.state.in_([s.value for s in state]))  # type: ignore[attr-defined]
    if kind:
        stmt = stmt.where(a.kind == kind)  # type: ignore[arg-type]
    if partner_id:
        stmt = stmt.where(exists().where(agreement_partners.c.agreement_id == a.id,
                                         agreement_partners.c.partner_id == partner_id))
    if country:
        stmt = stmt.where(exists().where(and_(
            agreement_partners.c.agreement_id == a.id, agreement_partners.c.partner_id == Partner.id,
            Partner.country == country.upper())))  # type: ignore[arg-type]
    if effective_on:
        stmt = stmt.where(a.effective_from <= effective_on, a.effective_until >= effective_on)  # type: ignore[operator]
    if signed_from:
        stmt = stmt.where(a.signed_on >= signed_from)  # type: ignore[operator]
    if signed_to:
        stmt = stmt.where(a.signed_on <= signed_to)  # type: ignore[operator]
    if q:
        stmt = stmt.where(contains(a.search_text, q))  # type: ignore[attr-defined]
    rows, next_cursor = await keyset_page(session, stmt, [a.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[AgreementOut.of(r) for r in rows], next_cursor=next_cursor)


@router.get("/{agreement_id}", response_model=AgreementOut, name="read_agreement")
async def read_agreement(
    agreement_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    agreement = await visible_agreement(session, agreement_id, caller)
    if (unchanged := not_modified(request, agreement.version)) is not None:
        return unchanged
    return _answer(response, agreement)


@router.patch("/{agreement_id}", response_model=AgreementOut)
async def update_agreement(
    agreement_id: uuid.UUID, body: AgreementPatch, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> AgreementOut:
    agreement = await visible_agreement(uow.session, agreement_id, caller, for_update=True)
    check_if_match(request, agreement.version)
    changes = body.changes()
    if "partner_ids" in changes:
        await _check_partners_known(uow.session, [uuid.UUID(p) for p in changes["partner_ids"]])
    changed = agreement.update(changes, clock.now())
    if changed:
        await uow.publish(AgreementUpdated.of(agreement, changed=changed))
    await uow.commit()
    return _answer(response, agreement)


@router.post("/{agreement_id}/transitions", response_model=AgreementOut)
async def transition_agreement(
    agreement_id: uuid.UUID, body: AgreementAction, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> AgreementOut:
    """Move the agreement along its lifecycle: submit, sign (`signed_on`), activate, renew (`effective_until`),
    terminate (`reason`). A 409 names the current state and the actions it allows."""
    agreement = await visible_agreement(uow.session, agreement_id, caller, for_update=True)
    check_if_match(request, agreement.version)
    actor, now = caller.subject or caller.role.value, clock.now()
    match body:
        case Submit():
            step = agreement.submit(actor, now, body.note)
        case Sign():
            step = agreement.sign(body.signed_on, actor, now, body.note)
        case Activate():
            step = agreement.activate(actor, now, body.note)
        case Renew():
            step = agreement.renew(body.effective_until, actor, now, body.note)
        case Terminate():
            step = agreement.terminate(body.reason, actor, now)
    await uow.publish(AGREEMENT_STEP_EVENTS[step.action].of_step(agreement, step))
    await uow.commit()
    return _answer(response, agreement)
