"""`/api/v1/training/programs/{id}/cohorts` and `/cohorts/{id}`: the runs of a program, with their seats taken
and waitlist length. A cohort is seen by whoever may see its program; coordinators and admins write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.api.programs import may_see, visible_program
from services.training.domain.cohort import Cohort
from services.training.domain.program import Program
from services.training.events.published import CohortScheduled, CohortUpdated
from shared.auth import Caller, CallerDep, GuardedRoute, WriterDep
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import CountryCode, ShortText

router = APIRouter(route_class=GuardedRoute, tags=["cohorts"])

Capacity = Annotated[int, Field(ge=1, le=10_000)]
Reserved = Annotated[int, Field(ge=0, le=10_000, description="Seats kept for partner institutions' staff")]


def _in_utc(instant: dt.datetime) -> dt.datetime:
    try:
        return instant.astimezone(dt.UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+14:00 is before the first instant there is
        raise ValueError("instant out of range") from exc


Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    venue: ShortText | None = None
    city: ShortText
    country: CountryCode


class CohortIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_on: dt.date
    ends_on: dt.date
    capacity: Capacity
    reserved_seats: Reserved = 0
    location: Location | None = None
    online_url: HttpUrl | None = Field(None, max_length=500)
    enrollment_opens_at: Instant | None = None
    enrollment_closes_at: Instant | None = None

    def fields(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values["location"] = self.location.model_dump(exclude_none=True) if self.location else None
        values["online_url"] = str(self.online_url) if self.online_url else None
        return values


class CohortPatch(CohortIn):
    starts_on: dt.date | None = None  # type: ignore[assignment]
    ends_on: dt.date | None = None  # type: ignore[assignment]
    capacity: Capacity | None = None  # type: ignore[assignment]
    reserved_seats: Reserved | None = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        values = {k: v for k, v in self.fields().items() if k in self.model_fields_set}
        for required in ("starts_on", "ends_on", "capacity", "reserved_seats", "enrollment_opens_at",
                         "enrollment_closes_at"):
            if required in values and values[required] is None:
                raise invalid(f"{required} cannot be removed", ("body", required))
        return values


class CohortOut(BaseModel):
    id: uuid.UUID
    program_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    location: dict[str, Any] | None
    online_url: str | None
    capacity: int
    reserved_seats: int
    seats_taken: int
    seats_left: int
    reserved_seats_left: int
    waitlist_length: int
    enrollment_opens_at: dt.datetime
    enrollment_closes_at: dt.datetime
    enrollment_open: bool = Field(description="Whether the enrollment window is open now")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def _out(cohort: Cohort, now: dt.datetime) -> CohortOut:
    return CohortOut(
        id=cohort.id, program_id=cohort.program_id, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
        location=cohort.location, online_url=cohort.online_url, capacity=cohort.capacity,
        reserved_seats=cohort.reserved_seats, seats_taken=cohort.seats_taken, seats_left=cohort.seats_left,
        reserved_seats_left=cohort.reserved_seats_left, waitlist_length=cohort.waitlist_length,
        enrollment_opens_at=cohort.enrollment_opens_at, enrollment_closes_at=cohort.enrollment_closes_at,
        enrollment_open=cohort.is_open(now), version=cohort.version, created_at=cohort.created_at,
        updated_at=cohort.updated_at,
    )


async def visible_cohort(session: AsyncSession, cohort_id: uuid.UUID, caller: Caller, *, for_update: bool = False
                         ) -> tuple[Cohort, Program]:
    """The cohort and its program, or 404 if either does not exist or the caller may not see the program."""
    cohort = await session.get(Cohort, cohort_id, with_for_update=for_update)
    if cohort is None:
        raise not_found(f"no cohort {cohort_id}")
    program = await session.get(Program, cohort.program_id)
    if program is None or not may_see(caller, program):
        raise not_found(f"no cohort {cohort_id}")
    return cohort, program


@router.post("/programs/{program_id}/cohorts", status_code=201, response_model=CohortOut)
async def schedule_cohort(program_id: uuid.UUID, body: CohortIn, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep, request: Request, response: Response) -> CohortOut:
    program = await visible_program(uow.session, program_id, caller)
    now = clock.now()
    cohort = Cohort.schedule(program, now=now, **body.fields())
    uow.session.add(cohort)
    await uow.publish(CohortScheduled.of(cohort))
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_cohort", cohort_id=cohort.id).path)
    set_etag(response, cohort.version)
    return _out(cohort, now)


@router.get("/programs/{program_id}/cohorts", response_model=Page[CohortOut])
async def list_cohorts(program_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep,
                       limit: Limit = 50, cursor: Cursor = None, open_now: bool | None = None) -> Page[CohortOut]:
    await visible_program(session, program_id, caller)
    now = clock.now()
    stmt = select(Cohort).where(Cohort.program_id == program_id)  # type: ignore[arg-type]
    if open_now is not None:
        window = (Cohort.enrollment_opens_at <= now) & (Cohort.enrollment_closes_at > now)  # type: ignore[operator]
        stmt = stmt.where(window if open_now else ~window)
    rows, next_cursor = await keyset_page(session, stmt, [Cohort.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[_out(c, now) for c in rows], next_cursor=next_cursor)


@router.get("/cohorts/{cohort_id}", response_model=CohortOut, name="read_cohort")
async def read_cohort(cohort_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep,
                      request: Request, response: Response) -> Any:
    cohort, _ = await visible_cohort(session, cohort_id, caller)
    if (unchanged := not_modified(request, cohort.version)) is not None:
        return unchanged
    set_etag(response, cohort.version)
    return _out(cohort, clock.now())


@router.patch("/cohorts/{cohort_id}", response_model=CohortOut)
async def update_cohort(cohort_id: uuid.UUID, body: CohortPatch, caller: WriterDep, uow: UnitOfWorkDep,
                        clock: ClockDep, request: Request, response: Response) -> CohortOut:
    cohort, _ = await visible_cohort(uow.session, cohort_id, caller, for_update=True)
    check_if_match(request, cohort.version)
    now = clock.now()
    changed = cohort.update(body.changes(), now)
    if changed:
        from services.training.api.enrollments import fill_free_seats  # enrollments builds on this module

        await fill_free_seats(uow, cohort, now)
        await uow.publish(CohortUpdated.of(cohort, changed=changed))
    await uow.commit()
    set_etag(response, cohort.version)
    return _out(cohort, now)
