"""What a registered party is told, and when: the notification requests the event records beside the public facts
(`shared/contracts/notifications.py`). They go on `outreach.notifications`, the private topic only the
notifications service reads, because they carry the party's name, email, phone and check-in code.

    confirmed      → registration_confirmed (check-in code, QR code, the event as .ics); a reminder 24 h before
    waitlisted     → registration_waitlisted (the position)
    promoted       → registration_promoted (check-in code); the reminder
    cancelled      → registration_cancelled; the reminder called off
    event cancelled → event_cancelled to each party holding or awaiting a place; reminders called off
    event moved    → event_moved (new time or place) to each; the reminder moved with it
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.contracts.notifications import TRANSACTIONAL, NotificationRequested, Recipient, Reminder


class OutreachEvent(Protocol):
    """What a notice reads of the event (`event.OutreachEvent`, which records the notices: it is not imported
    here, so that the two modules do not import each other)."""

    id: uuid.UUID
    title: dict[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    venue: dict[str, Any] | None
    online_url: str | None
    version: int

REMINDER_BEFORE = dt.timedelta(hours=24)
# The contact is kept a week past the event's end: long enough for a late "moved" or "cancelled", no longer.
KEEP_AFTER_END = dt.timedelta(days=7)
# What the event's time or place is: a change of these is a move the parties are told about.
MOVING_FIELDS = frozenset({"starts_at", "ends_at", "timezone", "venue", "online_url"})


def _reminder_key(registration: Registration) -> str:
    return f"outreach.reminder:{registration.id}"


def _context(event: OutreachEvent, registration: Registration) -> dict[str, Any]:
    """What the templates show: the event as the party will find it, and the registration's own figures."""
    return {
        "event_id": str(event.id),
        "registration_id": str(registration.id),
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "timezone": event.timezone,
        "venue": event.venue,
        "online_url": event.online_url,
        "party_size": registration.party_size,
        "check_in_code": registration.check_in_code,
    }


def _request(event: OutreachEvent, registration: Registration, message: str | None, fact_id: str, *,
             category: str = TRANSACTIONAL, remind: bool = False, call_off: bool = False,
             **context: Any) -> NotificationRequested:
    due = event.starts_at - REMINDER_BEFORE
    return NotificationRequested(
        subject=str(registration.id),
        fact_id=fact_id,
        message=message,
        category=category,
        recipient=Recipient(name=registration.name, email=registration.email, phone=registration.phone,
                            language=registration.language, member=registration.applicant),
        context={**_context(event, registration), **context},
        remind=[Reminder(key=_reminder_key(registration), message="outreach.event_reminder", category="reminders",
                         due_at=due)] if remind else [],
        cancel_reminders=[_reminder_key(registration)] if call_off else [],
        keep_until=event.ends_at + KEEP_AFTER_END,
    )


def confirmed(event: OutreachEvent, registration: Registration, *, promoted: bool) -> NotificationRequested:
    message = "outreach.registration_promoted" if promoted else "outreach.registration_confirmed"
    return _request(event, registration, message, f"{message}:{registration.id}", remind=True)


def waitlisted(event: OutreachEvent, registration: Registration, position: int) -> NotificationRequested:
    return _request(event, registration, "outreach.registration_waitlisted",
                    f"outreach.registration_waitlisted:{registration.id}", category="waitlist",
                    waitlist_position=position)


def cancelled(event: OutreachEvent, registration: Registration) -> NotificationRequested:
    return _request(event, registration, "outreach.registration_cancelled",
                    f"outreach.registration_cancelled:{registration.id}", call_off=True)


def event_cancelled(event: OutreachEvent, registration: Registration, reason: str | None) -> NotificationRequested:
    return _request(event, registration, "outreach.event_cancelled", f"outreach.event_cancelled:{event.id}",
                    call_off=True, reason=reason)


def event_moved(event: OutreachEvent, registration: Registration, changed: list[str]) -> NotificationRequested:
    """Told once per version of the event that moved it; a confirmed party's reminder moves with the start."""
    return _request(event, registration, "outreach.event_moved", f"outreach.event_moved:{event.id}:v{event.version}",
                    remind=registration.status is RegistrationStatus.confirmed,
                    changed=sorted(set(changed) & MOVING_FIELDS))
