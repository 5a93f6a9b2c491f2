"""`/api/v1/partnerships/agreements`: agreements with partner institutions and their lifecycle.

Anyone may read signed (and later) agreements; draft and negotiating ones only staff and the partners they
name, and to everyone else they do not exist (404). Coordinators and admins write; every state change goes
through `POST /agreements/{id}/transitions`. The rules are in `usecases/agreements.py` and the domain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, Strict

from services.partnerships.domain.agreement import AgreementKind, AgreementState
from services.partnerships.usecases import agreements
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import ListQuery, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, Day, LocalizedLongText, LocalizedText, Text, stored

router = APIRouter(route_class=GuardedRoute, prefix="/agreements", tags=["agreements"])

# Strict: pydantic alone reads `true` as 1.
SeatsPerYear = Annotated[int, Strict(), Field(ge=1, le=10_000)]
CubReturnAge = Annotated[int, Strict(),
                         Field(ge=1, le=10, description="Age in years at which a cub born on loan goes home")]
Note = Text(2000)


class KeyProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: LocalizedText
    description: LocalizedLongText | None = None


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": {"en": "Joint breeding research", "zh": "联合繁育研究"},
         "kind": "research_cooperation",
         "partner_ids": ["0192f0a4-7c1e-7d3a-9b2e-3f4a5b6c7d8e"],
         "effective_from": "2026-01-01",
         "effective_until": "2030-12-31",
         "key_projects": [{"title": {"en": "Cub survival in the first year"}}]},
    ]})
    title: LocalizedText
    kind: AgreementKind
    partner_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    effective_from: Day
    effective_until: Day
    training_seats_per_year: SeatsPerYear | None = None
    key_projects: list[KeyProject] = Field(default_factory=list, max_length=50)
    cub_return_age_years: CubReturnAge | None = None

    def terms(self) -> dict[str, Any]:
        return {name: stored(getattr(self, name)) for name in type(self).model_fields}


class AgreementPatch(Changes):
    """Terms to change while the agreement is draft or negotiating; an absent field stays as it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"effective_until": "2031-12-31"}]})
    REQUIRED = ("title", "partner_ids", "effective_from", "effective_until", "key_projects")
    title: LocalizedText | None = None
    partner_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=50)
    effective_from: Day | None = None
    effective_until: Day | None = None
    training_seats_per_year: SeatsPerYear | None = None
    key_projects: list[KeyProject] | None = Field(None, max_length=50)
    cub_return_age_years: CubReturnAge | None = None

    def stored_field(self, name: str, value: Any) -> Any:
        if name == "key_projects":  # as sent, as a PATCH has always kept them (a description sent as null too)
            return [p.model_dump(mode="json", exclude_unset=True) for p in value]
        return stored(value)


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note | None = None  # type: ignore[valid-type]


class Submit(_Step):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "submit"}]})
    action: Literal["submit"]


class Sign(_Step):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "sign", "signed_on": "2026-03-01"}]})
    action: Literal["sign"]
    signed_on: Day


class Activate(_Step):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "activate"}]})
    action: Literal["activate"]


class Renew(_Step):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "renew", "effective_until": "2035-12-31"}]})
    action: Literal["renew"]
    effective_until: Day


class Terminate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "terminate", "reason": "Both parties agreed to end the loan early"},
    ]})
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


class AgreementOut(Representation):
    id: uuid.UUID
    code: str
    title: dict[str, str]
    kind: AgreementKind
    state: AgreementState
    partner_ids: list[uuid.UUID]
    signed_on: Day | None
    effective_from: Day
    effective_until: Day
    training_seats_per_year: int | None
    key_projects: list[dict[str, Any]]
    cub_return_age_years: int | None
    termination_reason: str | None
    allowed_actions: list[str] = Field(description="The actions the current state allows")
    history: list[TransitionOut] = Field(description="Every transition, oldest first")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime



@router.post("", status_code=201, response_model=AgreementOut)
async def draft_agreement(body: AgreementIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                          reply: ReplyDep) -> AgreementOut:
    """Draft a cooperation agreement naming its partners (coordinators); it is then submitted, signed and activated
    through `/transitions`."""
    agreement = await agreements.draft_agreement(uow, caller, body.terms(), clock.now())
    return AgreementOut.of(agreement, reply.created("read_agreement", agreement_id=agreement.id))


@router.get("", response_model=Page[AgreementOut])
async def list_agreements(caller: CallerDep, session: ReadSessionDep,
                          query: ListQuery[agreements.AgreementQuery]) -> Page[AgreementOut]:
    """Agreements, filtered by state, kind, partner, country or the day they are in force: staff see all,
    others the signed ones, and a partner also the unsigned ones that name it."""
    return Page.of(await agreements.list_agreements(session, caller, query), AgreementOut.of)


@router.get("/{agreement_id}", response_model=AgreementOut, name="read_agreement")
async def read_agreement(agreement_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One agreement with its state and the actions it allows now."""
    return reply.current(await agreements.visible_agreement(session, caller, agreement_id), AgreementOut.of)


@router.patch("/{agreement_id}", response_model=AgreementOut)
async def update_agreement(agreement_id: uuid.UUID, body: AgreementPatch, caller: WriterDep, uow: UnitOfWorkDep,
                           clock: ClockDep, expected: IfMatchDep, response: Response) -> AgreementOut:
    """Change a draft's fields (coordinators), with `If-Match`."""
    agreement = await agreements.update_agreement(uow, caller, agreement_id, body.changes(), expected, clock.now())
    return AgreementOut.of(agreement, response)


@router.post("/{agreement_id}/transitions", response_model=AgreementOut)
async def transition_agreement(agreement_id: uuid.UUID, body: AgreementAction, caller: WriterDep, uow: UnitOfWorkDep,
                               clock: ClockDep, expected: IfMatchDep, response: Response) -> AgreementOut:
    """Move the agreement along its lifecycle: submit, sign (`signed_on`), activate, renew (`effective_until`),
    terminate (`reason`). A 409 names the current state and the actions it allows."""
    fields = body.model_dump(exclude={"action"})
    agreement = await agreements.take_agreement_step(uow, caller, agreement_id, body.action, fields, expected,
                                                     clock.now())
    return AgreementOut.of(agreement, response)
