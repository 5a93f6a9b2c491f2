"""`/api/v1/outreach/events/{id}/registrations` and `/registrations/{id}`: booking places at an event, reading
registrations, their transitions, and check-in at the door. Who may do what, and the locks that keep capacity,
are in `usecases/registrations.py`; the seats' rules in `domain/event.py`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, Strict, model_validator

from services.outreach.domain.registration import RegistrationStatus
from services.outreach.usecases import registrations
from services.outreach.usecases.registrations import Party
from shared.auth import CallerDep, GuardedRoute, SignedInDep
from shared.http import IfMatchDep, PlacedRepresentation, not_modified
from shared.language import language_asked
from shared.pagination import Cursor, Limit, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import LanguageTag, Phone, ShortText

router = APIRouter(route_class=GuardedRoute, tags=["registrations"])

# Strict: pydantic alone reads `true` as 1 person.
PartySize = Annotated[int, Strict(),
                     Field(ge=1, le=1000, description="People in the party: a school class is one of 30")]


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Li Na (class 3B)", "email": "li.na@school.example", "party_size": 28},
    ], "anyOf": [{"required": ["email"], "properties": {"email": {"type": "string"}}},  # someone to tell
                 {"required": ["phone"], "properties": {"phone": {"type": "string"}}}]})
    name: ShortText
    email: EmailStr | None = Field(None, max_length=254)
    phone: Phone | None = None
    party_size: PartySize = 1
    language: LanguageTag | None = Field(None, description="What the party is told in (its confirmation, "
                                         "reminder...): a BCP 47 tag; by default the request's Accept-Language, "
                                         "else English")

    @model_validator(mode="after")
    def _reachable(self) -> RegistrationIn:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone number")
        return self


class RegistrationAction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "cancel"}]})
    action: Literal["cancel", "check_in"]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "K7Q2MX"}]})
    code: Annotated[str, Field(min_length=4, max_length=16, pattern=r"^[A-Za-z0-9]+$")]


class RegistrationOut(PlacedRepresentation):
    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    language: str = Field(description="What the party is told in (BCP 47)")
    party_size: int
    status: RegistrationStatus
    waitlist_position: int | None = Field(description="1 is next when places free up; set while waitlisted")
    check_in_code: str = Field(description="Shown at the door")
    checked_in_at: dt.datetime | None
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@router.post("/events/{event_id}/registrations", status_code=201, response_model=RegistrationOut)
async def register(event_id: uuid.UUID, body: RegistrationIn, caller: SignedInDep, uow: UnitOfWorkDep,
                   clock: ClockDep, request: Request, response: Response) -> RegistrationOut:
    """Book places for a party: `confirmed` while its whole party fits, else `waitlisted` with a position."""
    party = Party(**body.model_dump(exclude={"language"}),
                  language=language_asked(body.language, request.headers.get("accept-language")))
    placed = await registrations.register(uow, caller, event_id, party, clock.now())
    response.headers["Location"] = str(
        request.url_for("read_registration", registration_id=placed.item.id).path)
    return RegistrationOut.placed(placed, response)


@router.get("/events/{event_id}/registrations", response_model=Page[RegistrationOut])
async def list_event_registrations(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                                   limit: Limit = 50, cursor: Cursor = None,
                                   status: RegistrationStatus | None = None) -> Page[RegistrationOut]:
    """An event's registrations (staff), with each waitlisted party's position."""
    return Page.of(await registrations.list_event_registrations(session, caller, event_id, limit, cursor, status),
                   RegistrationOut.placed)


@router.get("/registrations", response_model=Page[RegistrationOut])
async def list_registrations(caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
                             event_id: uuid.UUID | None = None, status: RegistrationStatus | None = None
                             ) -> Page[RegistrationOut]:
    """Staff: every registration; anyone else signed in: the ones it made."""
    return Page.of(await registrations.list_registrations(session, caller, limit, cursor, event_id=event_id,
                                                          status=status), RegistrationOut.placed)


@router.get("/registrations/{registration_id}", response_model=RegistrationOut, name="read_registration")
async def read_registration(registration_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
                            request: Request, response: Response) -> Any:
    """One registration, to the party that made it or to staff."""
    placed = await registrations.read_registration(session, caller, registration_id)
    return not_modified(request, placed.item.version) or RegistrationOut.placed(placed, response)


@router.post("/registrations/{registration_id}/transitions", response_model=RegistrationOut)
async def transition_registration(registration_id: uuid.UUID, body: RegistrationAction, caller: SignedInDep,
                                  uow: UnitOfWorkDep, clock: ClockDep, expected: IfMatchDep,
                                  response: Response) -> RegistrationOut:
    """cancel (whoever registered, or staff: the places go to the waitlist in order), check_in (staff)."""
    placed = await registrations.take_step(uow, caller, registration_id, body.action, expected, clock.now())
    return RegistrationOut.placed(placed, response)


@router.post("/events/{event_id}/check-ins", response_model=RegistrationOut)
async def check_in_by_code(event_id: uuid.UUID, body: CheckIn, caller: SignedInDep, uow: UnitOfWorkDep,
                           clock: ClockDep, response: Response) -> RegistrationOut:
    """At the door: the scanned check-in code of a registration for this event. Twice is a 409."""
    placed = await registrations.check_in_by_code(uow, caller, event_id, body.code, clock.now())
    return RegistrationOut.placed(placed, response)
