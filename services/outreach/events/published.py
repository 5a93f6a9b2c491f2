"""Events on `outreach.events`, one schema class per type. The impact ledger in partnerships reads
`outreach.event.completed` and `.cancelled` (`id`, `version`, `attendance`, `partner_ids`, `agreement_ids`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.outreach.domain.event import OutreachEvent
from services.outreach.domain.registration import Registration
from shared.events.envelope import PublishedEvent


class EventSnapshot(PublishedEvent):
    id: uuid.UUID
    title: dict[str, str]
    kind: str
    audiences: list[str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    city: str | None
    country: str | None
    capacity: int
    status: str
    partner_ids: list[uuid.UUID]
    agreement_ids: list[uuid.UUID]
    work_ids: list[uuid.UUID]
    version: int

    @classmethod
    def of(cls, event: OutreachEvent, **extra: Any):  # type: ignore[no-untyped-def]
        venue = event.venue or {}
        return cls(
            id=event.id, title=event.title, kind=event.kind.value, audiences=event.audiences,
            starts_at=event.starts_at, ends_at=event.ends_at, timezone=event.timezone, city=venue.get("city"),
            country=venue.get("country"), capacity=event.capacity, status=event.status.value,
            partner_ids=[uuid.UUID(p) for p in event.partner_ids],
            agreement_ids=[uuid.UUID(a) for a in event.agreement_ids],
            work_ids=[uuid.UUID(w) for w in event.work_ids], version=event.version, **extra,
        )


class EventDrafted(EventSnapshot):
    event_type = "outreach.event.drafted"


class EventUpdated(EventSnapshot):
    event_type = "outreach.event.updated"
    changed: list[str]


class EventScheduled(EventSnapshot):
    event_type = "outreach.event.scheduled"


class EventCancelled(EventSnapshot):
    """Every registration is told: `registration_ids` are those that held or awaited a place."""

    event_type = "outreach.event.cancelled"
    reason: str | None
    registration_ids: list[uuid.UUID]


class EventCompleted(EventSnapshot):
    event_type = "outreach.event.completed"
    attendance: int
    walk_ins: int
    reach: int | None


class RegistrationSnapshot(PublishedEvent):
    """No name, email or phone: events are read by every consumer."""

    id: uuid.UUID
    event_id: uuid.UUID
    party_size: int
    status: str
    waitlist_position: int | None = None
    version: int

    @classmethod
    def of(cls, registration: Registration, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(id=registration.id, event_id=registration.event_id, party_size=registration.party_size,
                   status=registration.status.value, version=registration.version, **extra)


class RegistrationConfirmed(RegistrationSnapshot):
    event_type = "outreach.registration.confirmed"
    promoted: bool = False  # from the waitlist, when places freed


class RegistrationWaitlisted(RegistrationSnapshot):
    event_type = "outreach.registration.waitlisted"


class RegistrationCancelled(RegistrationSnapshot):
    event_type = "outreach.registration.cancelled"


class RegistrationCheckedIn(RegistrationSnapshot):
    event_type = "outreach.registration.checked_in"
