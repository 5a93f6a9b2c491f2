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
from typing import Any

from services.training.domain.enrollment import Enrollment, EnrollmentStatus, Seat
from services.training.domain.program import Program
from shared.domain import Conflict, RuleViolated
from shared.ids import new_id


class Cohort:
    EDITABLE = ("starts_on", "ends_on", "location", "online_url", "capacity", "reserved_seats",
                "enrollment_opens_at", "enrollment_closes_at")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        program_id: uuid.UUID,
        starts_on: dt.date,
        ends_on: dt.date,
        location: dict[str, Any] | None,
        online_url: str | None,
        capacity: int,
        reserved_seats: int,
        enrollment_opens_at: dt.datetime,
        enrollment_closes_at: dt.datetime,
        general_taken: int,
        reserved_taken: int,
        waitlist_length: int,
        waitlist_issued: int,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.program_id = program_id
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.location = location
        self.online_url = online_url
        self.capacity = capacity
        self.reserved_seats = reserved_seats
        self.enrollment_opens_at = enrollment_opens_at
        self.enrollment_closes_at = enrollment_closes_at
        self.general_taken = general_taken
        self.reserved_taken = reserved_taken
        self.waitlist_length = waitlist_length
        self.waitlist_issued = waitlist_issued  # the last waitlist ticket handed out: orders the waitlist
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

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
        cohort._check()
        return cohort

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        moves_year = "starts_on" in changed and changes["starts_on"].year != self.starts_on.year
        if moves_year and (self.seats_taken or self.waitlist_length):
            # Partner quotas and the figures count enrollments by the cohort's year.
            raise Conflict("people have enrolled: the cohort cannot move to another year")
        for k in changed:
            setattr(self, k, changes[k])
        self._check()
        self._touch(now)
        return changed

    def _check(self) -> None:
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
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken

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

    def admit(self, enrollment: Enrollment, *, reserved_seat_granted: bool, now: dt.datetime) -> None:
        """Accept `enrollment` into a seat it may take, else put it at the end of the waitlist.
        `reserved_seat_granted`: its partner's quota already gave it one of the reserved seats."""
        if reserved_seat_granted:
            if self.reserved_seats_left <= 0:
                raise ValueError("no reserved seat is left to grant")
            self.reserved_taken += 1
            enrollment.accept(Seat.reserved, now)
        elif self.general_seats_left > 0:
            self.general_taken += 1
            enrollment.accept(Seat.general, now)
        else:
            self.waitlist_length += 1
            self.waitlist_issued += 1
            enrollment.waitlist(self.waitlist_issued, now)
        self._touch(now)

    def release(self, enrollment: Enrollment, now: dt.datetime) -> None:
        """`enrollment` gave up its place (withdrawn, rejected): its seat or waitlist ticket is free again."""
        if enrollment.seat is Seat.reserved:
            self.reserved_taken -= 1
        elif enrollment.seat is Seat.general:
            self.general_taken -= 1
        elif enrollment.waitlist_ticket is not None:
            self.waitlist_length -= 1
        enrollment.vacate()
        self._touch(now)

    def promote(self, enrollment: Enrollment, *, reserved_seat_granted: bool, now: dt.datetime) -> bool:
        """Give a freed seat to `enrollment`, the first on the waitlist who may take one. False: no seat for it."""
        if enrollment.status is not EnrollmentStatus.waitlisted:
            raise ValueError("only a waitlisted enrollment is promoted")
        if not reserved_seat_granted and self.general_seats_left <= 0:
            return False
        self.waitlist_length -= 1
        self.admit(enrollment, reserved_seat_granted=reserved_seat_granted, now=now)
        return True

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now

