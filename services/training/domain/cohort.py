"""A cohort: one run of a program, with its dates, place, capacity and enrollment window.

Seats: `capacity` in all, of which `reserved_seats` are kept for partner institutions' staff under their
training cooperation quota. Whoever applies while a seat they may take is free is accepted; everyone else is
waitlisted in the order they applied, and a freed seat goes to the first on the waitlist who may take it.
The cohort's counters are the truth the decisions are made on: the enrollment transaction locks the cohort,
decides, and writes the counters and the enrollment together, so capacity holds under any concurrency.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from services.training.domain import notices
from services.training.domain.enrollment import Enrollment, EnrollmentStatus, Seat
from services.training.domain.program import Program
from shared.contracts.training import CohortScheduled, CohortUpdated
from shared.domain import Aggregate, Conflict, RuleViolated
from shared.ids import new_id


@dataclass(eq=False, kw_only=True)
class Cohort(Aggregate):
    EDITABLE = ("starts_on", "ends_on", "location", "online_url", "capacity", "reserved_seats",
                "enrollment_opens_at", "enrollment_closes_at")
    UPDATED = CohortUpdated

    id: uuid.UUID
    program_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    location: dict[str, Any] | None
    online_url: str | None
    capacity: int
    reserved_seats: int
    enrollment_opens_at: dt.datetime
    enrollment_closes_at: dt.datetime
    general_taken: int
    reserved_taken: int
    waitlist_length: int
    waitlist_issued: int  # the last waitlist ticket handed out: orders the waitlist
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def schedule(
        cls,
        program: Program,
        *,
        starts_on: dt.date,
        ends_on: dt.date,
        capacity: int,
        now: dt.datetime,
        reserved_seats: int = 0,
        location: dict[str, Any] | None = None,
        online_url: str | None = None,
        enrollment_opens_at: dt.datetime | None = None,
        enrollment_closes_at: dt.datetime | None = None,
    ) -> Cohort:
        if program.status.value == "archived":
            raise Conflict("an archived program gets no new cohorts")
        cohort = cls(
            id=new_id(), program_id=program.id, starts_on=starts_on, ends_on=ends_on, location=location,
            online_url=online_url, capacity=capacity, reserved_seats=reserved_seats,
            # Unless a window is given: open from now until the cohort starts.
            enrollment_opens_at=enrollment_opens_at or now,
            enrollment_closes_at=enrollment_closes_at or dt.datetime.combine(starts_on, dt.time(), dt.UTC),
            general_taken=0, reserved_taken=0, waitlist_length=0, waitlist_issued=0, version=1,
            created_at=now, updated_at=now,
        )
        cohort.check()
        cohort.record(CohortScheduled.of(cohort))
        return cohort

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """The fields given; the seats it gains then go to its waitlist (the caller promotes, in order)."""
        moves_year = "starts_on" in changes and changes["starts_on"].year != self.starts_on.year
        if moves_year and (self.seats_taken or self.waitlist_length):
            # Partner quotas and the figures count enrollments by the cohort's year.
            raise Conflict("people have enrolled: the cohort cannot move to another year")
        return super().update(changes, now)

    def check(self) -> None:
        if self.starts_on > self.ends_on:
            raise RuleViolated("starts_on must not be after ends_on", ("body", "ends_on"))
        if self.enrollment_opens_at >= self.enrollment_closes_at:
            raise RuleViolated("the enrollment window must open before it closes", ("body", "enrollment_closes_at"))
        if self.reserved_seats > self.capacity:
            raise RuleViolated("reserved_seats cannot exceed capacity", ("body", "reserved_seats"))
        if self.capacity < self.seats_taken:
            raise Conflict(f"{self.seats_taken} seats are taken already; capacity cannot go below that")
        if self.general_taken > self.capacity - self.reserved_seats:
            raise Conflict(f"{self.general_taken} open seats are taken already; reserve fewer seats")
        if self.reserved_taken > self.reserved_seats:
            # Else the taken reserved seats would be counted as open ones again, and capacity exceeded.
            raise Conflict(f"{self.reserved_taken} reserved seats are taken already; reserve at least that many")

    # --- seats ---------------------------------------------------------------------------------------------------

    @property
    def seats_taken(self) -> int:
        return self.general_taken + self.reserved_taken

    @property
    def seats_unfilled(self) -> int:
        """Capacity not taken, whether or not anyone waits for it."""
        return self.capacity - self.seats_taken

    @property
    def seats_left(self) -> int:
        """What a newcomer can get now: nothing while anyone waits (the waitlist goes first), else the seats not
        taken (a reserved one only for a partner's staff within its quota: `reserved_seats_left`)."""
        return 0 if self.waitlist_length > 0 else self.seats_unfilled

    @property
    def general_seats_left(self) -> int:
        return self.capacity - self.reserved_seats - self.general_taken

    @property
    def reserved_seats_left(self) -> int:
        return self.reserved_seats - self.reserved_taken

    def is_open(self, now: dt.datetime) -> bool:
        return self.enrollment_opens_at <= now < self.enrollment_closes_at

    def check_open(self, program: Program, now: dt.datetime) -> None:
        if not program.takes_enrollments:
            raise Conflict(f"the program is {program.status.value}; enrollments open once it is published")
        if now < self.enrollment_opens_at:
            raise Conflict(f"enrollment opens at {self.enrollment_opens_at.isoformat()}")
        if now >= self.enrollment_closes_at:
            raise Conflict(f"enrollment closed at {self.enrollment_closes_at.isoformat()}")

    def admit(self, enrollment: Enrollment, program: Program, *, quota_agreement: uuid.UUID | None,
              now: dt.datetime, promoted: bool = False) -> None:
        """Accept `enrollment` into a seat it may take, else put it at the end of the waitlist; the participant
        is told which (`notices`). `quota_agreement`: the training cooperation whose quota already gave it one of
        the reserved seats."""
        if quota_agreement is not None:
            if self.reserved_seats_left <= 0:
                raise ValueError("no reserved seat is left to grant")
            self.reserved_taken += 1
            enrollment.accept(Seat.reserved, quota_agreement, now, promoted=promoted)
        elif self.general_seats_left > 0:
            self.general_taken += 1
            enrollment.accept(Seat.general, None, now, promoted=promoted)
        else:
            self.waitlist_length += 1
            self.waitlist_issued += 1
            enrollment.join_waitlist(self.waitlist_issued, self.waitlist_length, now)
            self.record(notices.waitlisted(self, program, enrollment, self.waitlist_length))
        if enrollment.status is EnrollmentStatus.accepted:
            self.record(notices.accepted(self, program, enrollment, promoted=promoted))
        self.touch(now)

    def release(self, enrollment: Enrollment, now: dt.datetime) -> None:
        """`enrollment` gave up its place (withdrawn, rejected): its seat or waitlist ticket is free again."""
        if enrollment.seat is Seat.reserved:
            self.reserved_taken -= 1
        elif enrollment.seat is Seat.general:
            self.general_taken -= 1
        elif enrollment.waitlist_ticket is not None:
            self.waitlist_length -= 1
        enrollment.vacate()
        self.touch(now)

    def promote(self, enrollment: Enrollment, program: Program, *, quota_agreement: uuid.UUID | None,
                now: dt.datetime) -> bool:
        """Give a freed seat to `enrollment`, the first on the waitlist who may take one. False: no seat for it."""
        if enrollment.status is not EnrollmentStatus.waitlisted:
            raise ValueError("only a waitlisted enrollment is promoted")
        if quota_agreement is None and self.general_seats_left <= 0:
            return False
        self.waitlist_length -= 1
        self.admit(enrollment, program, quota_agreement=quota_agreement, now=now, promoted=True)
        return True

    @property
    def has_free_seats(self) -> bool:
        return self.general_seats_left > 0 or self.reserved_seats_left > 0

