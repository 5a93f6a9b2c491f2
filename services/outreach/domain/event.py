"""A science-popularization event: a panda classroom, a hands-on course, a lecture, an exhibition, a bookstore
event abroad, an online broadcast... often co-hosted with a partner institution.

    draft --schedule--> scheduled --complete--> completed
                            |
                            +--cancel--> cancelled          (a draft may be cancelled too)

Capacity is in people. A registration is a party (a school class of 30 is one registration): it is confirmed
while its whole party fits and nobody is waiting before it, else it waits its turn; a freed place goes to the
waitlist in order, and a party is never split. The event's counters are what these decisions are made on: the
registration transaction locks the event, decides, and writes counters and registration together.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
import zoneinfo
from typing import Any

from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.domain import Conflict, RuleViolated, StateMachine
from shared.ids import new_id


class EventKind(enum.StrEnum):
    classroom = "classroom"
    hands_on_course = "hands_on_course"
    lecture = "lecture"
    exhibition = "exhibition"
    museum_tour = "museum_tour"
    bookstore_event = "bookstore_event"
    online_broadcast = "online_broadcast"
    school_visit = "school_visit"
    festival = "festival"


class Audience(enum.StrEnum):
    children = "children"
    students = "students"
    teachers = "teachers"
    families = "families"
    tourists = "tourists"
    professionals = "professionals"
    general = "general"


class EventStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    cancelled = "cancelled"
    completed = "completed"


S = EventStatus
LIFECYCLE = StateMachine(
    "event",
    {
        "schedule": ({S.draft}, S.scheduled),
        "cancel": ({S.draft, S.scheduled}, S.cancelled),
        "complete": ({S.scheduled}, S.completed),
    },
)
PUBLIC_STATUSES = frozenset({S.scheduled, S.completed})


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder such as "Europe"
        raise RuleViolated(f"{name!r} is not an IANA timezone", ("body", "timezone")) from exc


class OutreachEvent:
    EDITABLE = ("title", "description", "kind", "audiences", "languages", "venue", "online_url", "starts_at",
                "ends_at", "timezone", "capacity", "partner_ids", "agreement_ids", "work_ids")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        title: dict[str, str],
        description: dict[str, str] | None,
        kind: EventKind,
        audiences: list[str],
        languages: list[str],
        venue: dict[str, Any] | None,
        online_url: str | None,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        timezone: str,
        capacity: int,
        partner_ids: list[str],
        agreement_ids: list[str],
        work_ids: list[str],
        status: EventStatus,
        confirmed_people: int,
        waiting_people: int,
        waitlist_issued: int,
        checked_in_people: int,
        walk_ins: int | None,
        attendance: int | None,
        reach: int | None,
        cancellation_reason: str | None,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.title = title
        self.description = description
        self.kind = kind
        self.audiences = audiences
        self.languages = languages
        self.venue = venue
        self.online_url = online_url
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.timezone = timezone
        self.capacity = capacity
        self.partner_ids = partner_ids
        self.agreement_ids = agreement_ids
        self.work_ids = work_ids
        self.status = status
        self.confirmed_people = confirmed_people
        self.waiting_people = waiting_people
        self.waitlist_issued = waitlist_issued
        self.checked_in_people = checked_in_people
        self.walk_ins = walk_ins
        self.attendance = attendance
        self.reach = reach
        self.cancellation_reason = cancellation_reason
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def draft(cls, *, title: dict[str, str], kind: EventKind, starts_at: dt.datetime, ends_at: dt.datetime,
              timezone: str, capacity: int, now: dt.datetime, **optional: Any) -> OutreachEvent:
        """`optional`: description, audiences, languages, venue, online_url, partner_ids, agreement_ids,
        work_ids."""
        fields: dict[str, Any] = {"description": None, "audiences": [], "languages": [], "venue": None,
                                  "online_url": None, "partner_ids": [], "agreement_ids": [], "work_ids": []}
        unknown = set(optional) - set(fields)
        if unknown:
            raise RuleViolated(f"unknown fields {', '.join(sorted(unknown))}")
        fields.update(optional)
        event = cls(
            id=new_id(), title=title, kind=EventKind(kind), starts_at=starts_at, ends_at=ends_at, timezone=timezone,
            capacity=capacity, status=S.draft, confirmed_people=0, waiting_people=0, waitlist_issued=0,
            checked_in_people=0, walk_ins=None, attendance=None, reach=None, cancellation_reason=None, version=1,
            created_at=now, updated_at=now, **fields,
        )
        event._check()
        return event

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        if self.status not in (S.draft, S.scheduled):
            raise Conflict(f"a {self.status.value} event cannot be changed")
        for k in changed:
            setattr(self, k, EventKind(changes[k]) if k == "kind" else changes[k])
        self._check()
        self._touch(now)
        return changed

    def _check(self) -> None:
        zone(self.timezone)
        if self.starts_at >= self.ends_at:
            raise RuleViolated("ends_at must be after starts_at", ("body", "ends_at"))
        if self.venue is None and self.online_url is None:
            raise RuleViolated("an event has a venue or an online URL", ("body", "venue"))
        if self.capacity < self.confirmed_people:
            raise Conflict(f"{self.confirmed_people} people are confirmed already; capacity cannot go below that")

    # --- the lifecycle -----------------------------------------------------------------------------------------

    def schedule(self, now: dt.datetime) -> None:
        self._move("schedule", now)

    def cancel(self, reason: str | None, now: dt.datetime) -> None:
        self._move("cancel", now)
        self.cancellation_reason = reason

    def complete(self, now: dt.datetime, *, walk_ins: int = 0, attendance: int | None = None,
                 reach: int | None = None) -> None:
        """Attendance is who came: the registered people checked in plus walk-ins, unless counted at the door
        and given outright. Reach is for online events: how many followed it."""
        LIFECYCLE.next_state(self.status, "complete")
        if reach is not None and self.online_url is None:
            raise RuleViolated("reach is counted for online events", ("body", "reach"))
        self.walk_ins = walk_ins
        self.attendance = attendance if attendance is not None else self.checked_in_people + walk_ins
        self.reach = reach
        self._move("complete", now)

    def _move(self, action: str, now: dt.datetime) -> None:
        self.status = EventStatus(LIFECYCLE.next_state(self.status, action))
        self._touch(now)

    @property
    def allowed_actions(self) -> list[str]:
        return LIFECYCLE.allowed(self.status)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def co_hosted_by(self, partner_id: uuid.UUID | None) -> bool:
        return partner_id is not None and str(partner_id) in self.partner_ids

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(zone(self.timezone))

    # --- places ------------------------------------------------------------------------------------------------

    @property
    def places_left(self) -> int:
        return self.capacity - self.confirmed_people

    def check_registrable(self) -> None:
        if self.status is not S.scheduled:
            raise Conflict(f"the event is {self.status.value}; registrations are taken while it is scheduled")

    def register(self, registration: Registration, now: dt.datetime) -> None:
        """Confirm the party if it fits and nobody waits before it; otherwise it waits its turn."""
        self.check_registrable()
        if registration.party_size > self.capacity:
            raise RuleViolated(f"a party of {registration.party_size} is larger than the event ({self.capacity})",
                               ("body", "party_size"))
        if self.waiting_people == 0 and registration.party_size <= self.places_left:
            self.confirmed_people += registration.party_size
            registration.confirm(now)
        else:
            self.waiting_people += registration.party_size
            self.waitlist_issued += 1
            registration.wait(self.waitlist_issued, now)
        self._touch(now)

    def give_up(self, registration: Registration, now: dt.datetime) -> bool:
        """The registration is cancelled: its places are free again. True when confirmed places were freed
        (the waitlist may move up)."""
        self.check_registrable()
        before = registration.status
        registration.cancel(now)
        if before is RegistrationStatus.confirmed:
            self.confirmed_people -= registration.party_size
        elif before is RegistrationStatus.waitlisted:
            self.waiting_people -= registration.party_size
        self._touch(now)
        return before is RegistrationStatus.confirmed

    def move_up(self, waiting: list[Registration], now: dt.datetime) -> list[Registration]:
        """Confirm from the head of the waitlist (in ticket order) while the head's whole party fits; a party
        that does not fit is not split and not overtaken. Answers who was confirmed."""
        confirmed = []
        for registration in sorted(waiting, key=lambda r: r.waitlist_ticket or 0):
            if registration.party_size > self.places_left:
                break
            self.waiting_people -= registration.party_size
            self.confirmed_people += registration.party_size
            registration.confirm(now)
            confirmed.append(registration)
        if confirmed:
            self._touch(now)
        return confirmed

    def check_in(self, registration: Registration, now: dt.datetime) -> None:
        if self.status is not S.scheduled:
            raise Conflict(f"the event is {self.status.value}; check-in happens while it is scheduled")
        registration.check_in(now)
        self.checked_in_people += registration.party_size
        self._touch(now)

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now

