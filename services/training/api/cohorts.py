"""`/api/v1/training/programs/{id}/cohorts` and `/cohorts/{id}`: the runs of a program, with their seats taken
and waitlist length. A cohort is seen by whoever may see its program; coordinators and admins write."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, Strict

from services.training.domain.cohort import Cohort
from services.training.usecases import cohorts
from shared.auth import CallerDep, GuardedRoute, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import Cursor, Limit, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, CountryCode, Day, Instant, ShortText, WebUrl, stored

router = APIRouter(route_class=GuardedRoute, tags=["cohorts"])

# Strict: pydantic alone reads `true` as 1.
Capacity = Annotated[int, Strict(), Field(ge=1, le=10_000)]
Reserved = Annotated[int, Strict(), Field(ge=0, le=10_000, description="Seats kept for partner institutions' staff")]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    venue: ShortText | None = None
    city: ShortText
    country: CountryCode


class CohortIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"starts_on": "2027-04-01",
         "ends_on": "2027-04-14",
         "capacity": 30,
         "reserved_seats": 10,
         "location": {"venue": "Research base, lecture hall", "city": "Chengdu", "country": "CN"}},
    ]})
    starts_on: Day
    ends_on: Day
    capacity: Capacity
    reserved_seats: Reserved = 0
    location: Location | None = None
    online_url: WebUrl | None = None
    enrollment_opens_at: Instant | None = None
    enrollment_closes_at: Instant | None = None

    def fields(self) -> dict[str, Any]:
        return {name: stored(getattr(self, name)) for name in type(self).model_fields}


class CohortPatch(Changes):
    model_config = ConfigDict(json_schema_extra={"examples": [{"capacity": 36}]})
    REQUIRED = ("starts_on", "ends_on", "capacity", "reserved_seats", "enrollment_opens_at", "enrollment_closes_at")
    starts_on: Day | None = None
    ends_on: Day | None = None
    capacity: Capacity | None = None
    reserved_seats: Reserved | None = None
    location: Location | None = None
    online_url: WebUrl | None = None
    enrollment_opens_at: Instant | None = None
    enrollment_closes_at: Instant | None = None


class CohortOut(Representation):
    id: uuid.UUID
    program_id: uuid.UUID
    starts_on: Day
    ends_on: Day
    location: dict[str, Any] | None
    online_url: str | None
    capacity: int
    reserved_seats: int
    seats_taken: int
    seats_left: int = Field(description="What a newcomer can get now: 0 while anyone waits")
    seats_unfilled: int = Field(description="Capacity not taken, whether or not anyone waits for it")
    reserved_seats_left: int
    waitlist_length: int
    enrollment_opens_at: dt.datetime
    enrollment_closes_at: dt.datetime
    enrollment_open: bool = Field(description="Whether the enrollment window is open now")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime, cohort: Cohort, response: Response | None = None) -> CohortOut:
        return cls.of(cohort, response, enrollment_open=cohort.is_open(now))


@router.post("/programs/{program_id}/cohorts", status_code=201, response_model=CohortOut)
async def schedule_cohort(program_id: uuid.UUID, body: CohortIn, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep, reply: ReplyDep) -> CohortOut:
    """Schedule a cohort of a program: dates, capacity, seats reserved for partners, enrollment window
    (coordinators)."""
    now = clock.now()
    cohort = await cohorts.schedule_cohort(uow, caller, program_id, body.fields(), now)
    return CohortOut.at(now, cohort, reply.created("read_cohort", cohort_id=cohort.id))


@router.get("/programs/{program_id}/cohorts", response_model=Page[CohortOut])
async def list_cohorts(program_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep,
                       limit: Limit = 50, cursor: Cursor = None, open_now: bool | None = None) -> Page[CohortOut]:
    """A program's cohorts; `open_now` keeps those taking applications now."""
    now = clock.now()
    found = await cohorts.list_cohorts(session, caller, program_id, open_now, now, limit, cursor)
    return Page.of(found, lambda c: CohortOut.at(now, c))


@router.get("/cohorts", response_model=Page[CohortOut])
async def list_every_cohort(caller: CallerDep, session: ReadSessionDep, clock: ClockDep, limit: Limit = 50,
                            cursor: Cursor = None,
                            ends_from: Annotated[Day | None, Query(description="Ending on or after this day")] = None,
                            ) -> Page[CohortOut]:
    """Every program's cohorts in one list (those of draft programs for staff only): seats and waitlists across
    the base, as a dashboard shows them."""
    now = clock.now()
    found = await cohorts.list_every_cohort(session, caller, ends_from, limit, cursor)
    return Page.of(found, lambda c: CohortOut.at(now, c))


@router.get("/cohorts/{cohort_id}", response_model=CohortOut, name="read_cohort")
async def read_cohort(cohort_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep,
                      reply: ReplyDep) -> Any:
    """One cohort with its seats left and the length of its waitlist."""
    cohort, _ = await cohorts.visible_cohort(session, caller, cohort_id)
    return reply.current(cohort, partial(CohortOut.at, clock.now()))


@router.patch("/cohorts/{cohort_id}", response_model=CohortOut)
async def update_cohort(cohort_id: uuid.UUID, body: CohortPatch, caller: WriterDep, uow: UnitOfWorkDep,
                        clock: ClockDep, expected: IfMatchDep, response: Response) -> CohortOut:
    """Change a cohort (coordinators), with `If-Match`; seats it gains go to its waitlist in order."""
    now = clock.now()
    cohort = await cohorts.update_cohort(uow, caller, cohort_id, body.changes(), expected, now)
    return CohortOut.at(now, cohort, response)
