"""A science-popularization event: a panda classroom, a hands-on course, a lecture, an exhibition, a bookstore
event abroad, an online broadcast... often co-hosted with a partner institution.

    draft --schedule--> scheduled --complete--> completed
                            |
                            +--cancel--> cancelled          (a draft may be cancelled too)

Capacity is in people. A registration is a party (a school class of 30 is one registration): it is confirmed
while its whole party fits and nobody is waiting before it, else it waits its turn; a freed place goes to the
waitlist in order, and a party is never split. The event's counters are what these decisions are made on: the
registration transaction locks the event, decides, and writes counters and registration together.

The seats' vocabulary is training's: the event `admit`s a registration (its places, or the end of the
waitlist), `release`s the places of one cancelled, and `promote`s from the waitlist into freed places. Every
change records the event on `outreach.events` it causes (`shared/contracts/outreach.py`).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.outreach.domain import notices
from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.contracts.outreach import EventCancelled, EventCompleted, EventDrafted, EventScheduled, EventUpdated
from shared.domain import Conflict, Incomplete, LifecycleAggregate, RuleViolated, StateMachine
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


@dataclass(eq=False, kw_only=True)
class OutreachEvent(LifecycleAggregate):
    EDITABLE = ("title", "description", "kind", "audiences", "languages", "venue", "online_url", "starts_at",
                "ends_at", "timezone", "capacity", "partner_ids", "agreement_ids", "work_ids")
    UPDATED = EventUpdated
    LIFECYCLE = LIFECYCLE

    id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    kind: EventKind
    audiences: list[str]
    languages: list[str]
    venue: dict[str, Any] | None  # name, address, city, country
    online_url: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    capacity: int
    partner_ids: list[str]  # the co-hosts
    agreement_ids: list[str]
    work_ids: list[str]
    status: EventStatus
    confirmed_people: int
    waiting_people: int
    waitlist_issued: int  # the last waitlist ticket handed out: orders the waitlist
    checked_in_people: int
    walk_ins: int | None
    attendance: int | None
    reach: int | None
    cancellation_reason: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def draft(cls, *, title: dict[str, str], kind: EventKind, starts_at: dt.datetime, ends_at: dt.datetime,
              timezone: str, capacity: int, now: dt.datetime, description: dict[str, str] | None = None,
              audiences: Iterable[str] = (), languages: Iterable[str] = (), venue: dict[str, Any] | None = None,
              online_url: str | None = None, partner_ids: Iterable[str] = (), agreement_ids: Iterable[str] = (),
              work_ids: Iterable[str] = ()) -> OutreachEvent:
        event = cls(
            id=new_id(), title=title, description=description, kind=EventKind(kind), audiences=list(audiences),
            languages=list(languages), venue=venue, online_url=online_url, starts_at=starts_at, ends_at=ends_at,
            timezone=timezone, capacity=capacity, partner_ids=list(partner_ids), agreement_ids=list(agreement_ids),
            work_ids=list(work_ids), status=S.draft, confirmed_people=0, waiting_people=0, waitlist_issued=0,
            checked_in_people=0, walk_ins=None, attendance=None, reach=None, cancellation_reason=None, version=1,
            created_at=now, updated_at=now,
        )
        event.check()
        event.record(EventDrafted.of(event))
        return event

    def check_changeable(self, fields: list[str]) -> None:
        if self.status not in (S.draft, S.scheduled):
            raise Conflict(f"a {self.status.value} event cannot be changed")

    def check(self) -> None:
        self.kind = EventKind(self.kind)
        zone(self.timezone)
        if self.starts_at >= self.ends_at:
            raise RuleViolated("ends_at must be after starts_at", ("body", "ends_at"))
        if self.status is S.scheduled and not self.has_a_place:
            raise RuleViolated("a scheduled event keeps a venue or an online URL", ("body", "venue"))
        if self.capacity < self.confirmed_people:
            raise Conflict(f"{self.confirmed_people} people are confirmed already; capacity cannot go below that")

    # --- the lifecycle -----------------------------------------------------------------------------------------

    def schedule(self, now: dt.datetime) -> None:
        """Registrations open. A draft may lack a venue; scheduling needs one, or an online URL (a 409 naming
        them otherwise: they are what the draft must be given first)."""
        if self.status is S.draft and not self.has_a_place:
            raise Incomplete("cannot schedule the event: it has neither a venue nor an online URL; give one first",
                             missing=["venue", "online_url"])
        self._move("schedule", now, EventScheduled)

    def cancel(self, now: dt.datetime, *, reason: str | None = None,
               registrations: Iterable[Registration] = ()) -> None:
        """Every registration is told: `registrations` are those that hold or await a place."""
        self._move("cancel", now)
        self.cancellation_reason = reason
        holding = list(registrations)
        self.record(EventCancelled.of(self, reason=reason, registration_ids=[r.id for r in holding]))
        for registration in holding:
            self.record(notices.event_cancelled(self, registration, reason))

    def tell_moved(self, registrations: Iterable[Registration], changed: list[str]) -> None:
        """After a change (`update`): if it moved the event (its time or place), each party holding or awaiting
        a place is told."""
        if notices.MOVING_FIELDS.isdisjoint(changed):
            return
        for registration in registrations:
            self.record(notices.event_moved(self, registration, changed))

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
        self._move("complete", now, EventCompleted)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def co_hosted_by(self, partner_id: uuid.UUID | None) -> bool:
        return partner_id is not None and str(partner_id) in self.partner_ids

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(zone(self.timezone))

    @property
    def city(self) -> str | None:
        """The venue's city, as given (an online event has none)."""
        return (self.venue or {}).get("city")

    @property
    def country(self) -> str | None:
        """The venue's country (ISO 3166-1 alpha-2)."""
        return (self.venue or {}).get("country")

    # --- places ------------------------------------------------------------------------------------------------

    @property
    def has_a_place(self) -> bool:
        """Where people go: a venue, or an online URL."""
        return self.venue is not None or self.online_url is not None

    @property
    def places_unfilled(self) -> int:
        """Capacity not taken by confirmed people, whether or not anyone waits for it."""
        return self.capacity - self.confirmed_people

    @property
    def places_left(self) -> int:
        """What a newcomer can get now: nothing while anyone waits (the waitlist goes first, a party is never
        split, so a party waiting for more places than are free keeps the free ones from newcomers)."""
        return 0 if self.waiting_people > 0 else self.places_unfilled

    def check_registrable(self) -> None:
        if self.status is not S.scheduled:
            raise Conflict(f"the event is {self.status.value}; registrations are taken while it is scheduled")

    def admit(self, registration: Registration, now: dt.datetime, *, parties_waiting: int = 0) -> None:
        """Places for the party if its whole party fits and nobody waits before it; else the end of the
        waitlist, behind the `parties_waiting` registrations there already."""
        self.check_registrable()
        if registration.party_size > self.capacity:
            raise RuleViolated(f"a party of {registration.party_size} is larger than the event ({self.capacity})",
                               ("body", "party_size"))
        if registration.party_size <= self.places_left:
            self.confirmed_people += registration.party_size
            registration.confirm(now)
            self.record(notices.confirmed(self, registration, promoted=False))
        else:
            self.waiting_people += registration.party_size
            self.waitlist_issued += 1
            registration.join_waitlist(self.waitlist_issued, parties_waiting + 1, now)
            self.record(notices.waitlisted(self, registration, parties_waiting + 1))
        self.touch(now)

    def release(self, registration: Registration, now: dt.datetime) -> bool:
        """The registration is cancelled: its places (or its place on the waitlist) are free again. True when
        confirmed places were freed: the waitlist may move up (`promote`)."""
        self.check_registrable()
        before = registration.status
        registration.cancel(now)
        self.record(notices.cancelled(self, registration))
        if before is RegistrationStatus.confirmed:
            self.confirmed_people -= registration.party_size
        elif before is RegistrationStatus.waitlisted:
            self.waiting_people -= registration.party_size
        self.touch(now)
        return before is RegistrationStatus.confirmed

    def promote(self, waiting: list[Registration], now: dt.datetime) -> list[Registration]:
        """Confirm from the head of the waitlist (in ticket order) while the head's whole party fits; a party
        that does not fit is not split and not overtaken. Answers who was confirmed."""
        confirmed = []
        for registration in sorted(waiting, key=lambda r: r.waitlist_ticket or 0):
            if registration.party_size > self.places_unfilled:
                break
            self.waiting_people -= registration.party_size
            self.confirmed_people += registration.party_size
            registration.confirm(now, promoted=True)
            self.record(notices.confirmed(self, registration, promoted=True))
            confirmed.append(registration)
        if confirmed:
            self.touch(now)
        return confirmed

    def check_in(self, registration: Registration, now: dt.datetime) -> None:
        if self.status is not S.scheduled:
            raise Conflict(f"the event is {self.status.value}; check-in happens while it is scheduled")
        registration.check_in(now)
        self.checked_in_people += registration.party_size
        self.touch(now)
