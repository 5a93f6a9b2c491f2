"""`/api/v1/training/cohorts/{id}/enrollments` and `/enrollments/{id}`: applying to a cohort, reading
enrollments, and their transitions. What the rules are is in `usecases/enrollments.py` and the domain."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.training.domain.enrollment import EnrollmentStatus, Seat
from services.training.usecases import enrollments
from services.training.usecases.enrollments import Application
from shared.auth import CallerDep, GuardedRoute, SignedInDep
from shared.http import IfMatchDep, PlacedRepresentation, not_modified
from shared.language import language_asked
from shared.pagination import Cursor, Limit, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import CountryCode, LanguageTag, ShortText

router = APIRouter(route_class=GuardedRoute, tags=["enrollments"])


class EnrollmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Anna Huber", "email": "anna.huber@zoo.example", "country": "AT"},
    ]})
    name: ShortText
    email: EmailStr = Field(max_length=254)
    country: CountryCode
    partner_id: uuid.UUID | None = Field(None, description="The partner institution the participant works for")
    language: LanguageTag | None = Field(None, description="What the participant is told in (acceptance, reminder, "
                                         "certificate): a BCP 47 tag; by default the request's Accept-Language, "
                                         "else English")


class EnrollmentAction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "complete"}]})
    action: Literal["withdraw", "reject", "attend", "no_show", "complete"]


class EnrollmentOut(PlacedRepresentation):
    id: uuid.UUID
    cohort_id: uuid.UUID
    program_id: uuid.UUID
    name: str
    email: str
    country: str
    language: str = Field(description="What the participant is told in (BCP 47)")
    partner_id: uuid.UUID | None
    status: EnrollmentStatus
    seat: Seat | None = Field(description="general, or reserved (a partner seat under its quota) while it has one")
    waitlist_position: int | None = Field(description="1 is next for a freed seat; set while waitlisted")
    certificate_code: str | None = Field(description="Set once completed")
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@router.post("/cohorts/{cohort_id}/enrollments", status_code=201, response_model=EnrollmentOut)
async def enroll(cohort_id: uuid.UUID, body: EnrollmentIn, caller: SignedInDep, uow: UnitOfWorkDep,
                 clock: ClockDep, request: Request, response: Response) -> EnrollmentOut:
    """Apply to a cohort: `accepted` while a seat is free, else `waitlisted` with a position."""
    application = Application(**body.model_dump(exclude={"language"}),
                              language=language_asked(body.language, request.headers.get("accept-language")))
    placed = await enrollments.enroll(uow, caller, cohort_id, application, clock.now())
    response.headers["Location"] = str(request.url_for("read_enrollment", enrollment_id=placed.item.id).path)
    return EnrollmentOut.placed(placed, response)


@router.get("/cohorts/{cohort_id}/enrollments", response_model=Page[EnrollmentOut])
async def list_cohort_enrollments(
    cohort_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    status: EnrollmentStatus | None = None,
) -> Page[EnrollmentOut]:
    """A cohort's enrollments the caller may see, with each waitlisted one's position."""
    return Page.of(await enrollments.list_cohort_enrollments(session, caller, cohort_id, limit, cursor, status),
                   EnrollmentOut.placed)


@router.get("/enrollments", response_model=Page[EnrollmentOut])
async def list_enrollments(
    caller: CallerDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    status: EnrollmentStatus | None = None, cohort_id: uuid.UUID | None = None,
    program_id: uuid.UUID | None = None, partner_id: uuid.UUID | None = None,
    country: CountryCode | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> Page[EnrollmentOut]:
    """Enrollments the caller may see (staff all; a partner its staff's; a member its own), filtered by status,
    cohort, program, partner, country or year."""
    return Page.of(await enrollments.list_enrollments(
        session, caller, limit, cursor, status=status, cohort_id=cohort_id, program_id=program_id,
        partner_id=partner_id, country=country, year=year), EnrollmentOut.placed)


@router.get("/enrollments/{enrollment_id}", response_model=EnrollmentOut, name="read_enrollment")
async def read_enrollment(enrollment_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, request: Request,
                          response: Response) -> Any:
    """One enrollment with its waitlist position while it waits."""
    placed = await enrollments.read_enrollment(session, caller, enrollment_id)
    return not_modified(request, placed.item.version) or EnrollmentOut.placed(placed, response)


@router.post("/enrollments/{enrollment_id}/transitions", response_model=EnrollmentOut)
async def transition_enrollment(enrollment_id: uuid.UUID, body: EnrollmentAction, caller: SignedInDep,
                                uow: UnitOfWorkDep, clock: ClockDep, expected: IfMatchDep,
                                response: Response) -> EnrollmentOut:
    """withdraw (the participant's side: staff, its partner, or the member who applied), reject, attend,
    no_show, complete (coordinators). Withdrawing or rejecting frees the place for the waitlist at once."""
    placed = await enrollments.take_step(uow, caller, enrollment_id, body.action, expected, clock.now())
    return EnrollmentOut.placed(placed, response)
