"""`outreach.events`: science-popularization events and their registrations. The impact ledger in
partnerships reads `outreach.event.completed` and `.cancelled` (`id`, `version`, `attendance`, `partner_ids`,
`agreement_ids`)."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.events.envelope import PublishedEvent

TOPIC = "outreach.events"


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


class RegistrationConfirmed(RegistrationSnapshot):
    event_type = "outreach.registration.confirmed"
    promoted: bool = False  # from the waitlist, when places freed


class RegistrationWaitlisted(RegistrationSnapshot):
    event_type = "outreach.registration.waitlisted"


class RegistrationCancelled(RegistrationSnapshot):
    event_type = "outreach.registration.cancelled"


class RegistrationCheckedIn(RegistrationSnapshot):
    event_type = "outreach.registration.checked_in"
