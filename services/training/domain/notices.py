"""What a participant is told, and when: the notification requests recorded beside the public facts
(`shared/contracts/notifications.py`), on `training.notifications`, the private topic only the notifications
service reads (they carry the participant's name and email).

    accepted    → application_accepted; a reminder 7 days before the cohort starts
    waitlisted  → application_waitlisted (the position)
    promoted    → application_promoted; the reminder
    withdrawn / rejected → the reminder called off
    completed   → certificate_issued, with its public verification link
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from services.training.domain.program import Program
from shared.contracts.notifications import TRANSACTIONAL, NotificationRequested, Recipient, Reminder

# What the notices read of the cohort and the enrollment, which record them (and so are not imported here: the
# modules would import each other).


class Cohort(Protocol):
    id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    location: dict[str, Any] | None
    online_url: str | None


class Enrollment(Protocol):
    id: uuid.UUID
    name: str
    email: str
    language: str
    applicant: str | None
    certificate_code: str | None
    updated_at: dt.datetime

REMINDER_BEFORE = dt.timedelta(days=7)
# The contact is kept a month past the cohort's end: its certificate comes after the last day.
KEEP_AFTER_END = dt.timedelta(days=30)
KEEP_AFTER_CERTIFICATE = dt.timedelta(days=30)


def _reminder_key(enrollment: Enrollment) -> str:
    return f"training.reminder:{enrollment.id}"


def _recipient(enrollment: Enrollment) -> Recipient:
    return Recipient(name=enrollment.name, email=enrollment.email, language=enrollment.language,
                     member=enrollment.applicant)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _request(cohort: Cohort, program: Program, enrollment: Enrollment, message: str, *,
             category: str = TRANSACTIONAL, remind: bool = False, **context: Any) -> NotificationRequested:
    return NotificationRequested(
        subject=str(enrollment.id),
        fact_id=f"{message}:{enrollment.id}",
        message=message,
        category=category,
        recipient=_recipient(enrollment),
        context={"enrollment_id": str(enrollment.id), "cohort_id": str(cohort.id), "title": program.title,
                 "starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat(),
                 "location": cohort.location, "online_url": cohort.online_url, **context},
        remind=[Reminder(key=_reminder_key(enrollment), message="training.cohort_reminder", category="reminders",
                         due_at=_midnight(cohort.starts_on) - REMINDER_BEFORE)] if remind else [],
        keep_until=_midnight(cohort.ends_on) + KEEP_AFTER_END,
    )


def accepted(cohort: Cohort, program: Program, enrollment: Enrollment, *, promoted: bool) -> NotificationRequested:
    message = "training.application_promoted" if promoted else "training.application_accepted"
    return _request(cohort, program, enrollment, message, remind=True)


def waitlisted(cohort: Cohort, program: Program, enrollment: Enrollment, position: int) -> NotificationRequested:
    return _request(cohort, program, enrollment, "training.application_waitlisted", category="waitlist",
                    waitlist_position=position)


def place_given_up(enrollment: Enrollment) -> NotificationRequested:
    """Withdrawn or rejected: nothing to say (the decision was the participant's side's, or said in person),
    but the cohort's reminder is called off."""
    return NotificationRequested(subject=str(enrollment.id), fact_id=f"training.place_given_up:{enrollment.id}",
                                 message=None, recipient=_recipient(enrollment),
                                 cancel_reminders=[_reminder_key(enrollment)])


def certificate_issued(enrollment: Enrollment, program_title: dict[str, str]) -> NotificationRequested:
    code = enrollment.certificate_code
    return NotificationRequested(
        subject=str(enrollment.id),
        fact_id=f"training.certificate_issued:{code}",
        message="training.certificate_issued",
        category="certificates",
        recipient=_recipient(enrollment),
        context={"enrollment_id": str(enrollment.id), "title": program_title, "certificate_code": code,
                 "verify_path": f"/api/v1/training/certificates/{code}"},
        cancel_reminders=[_reminder_key(enrollment)],
        keep_until=enrollment.updated_at + KEEP_AFTER_CERTIFICATE,
    )
