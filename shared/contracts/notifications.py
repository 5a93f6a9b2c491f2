"""`<service>.notifications`: the private topics on which a service asks the notifications service to tell a person
something. Not part of the public contract: unlike `<service>.events`, these carry contact data (a name, an email
address, a phone number), so only the notifications service may read them (Kafka ACLs in deploy/k8s, retention
in docs/notifications.md), and no webhook ever delivers them.

The owning service writes a `NotificationRequested` into its outbox in the transaction that commits the fact it is
about (a registration confirmed, a certificate issued), so a person is told if and only if the fact happened. Its
`subject` (what the request is about: a registration, an enrollment) is the Kafka key, so the requests about one
thing are read in the order they were made: a reminder is scheduled before it is called off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from shared.events.envelope import PublishedEvent

TOPIC_SUFFIX = "notifications"
TRANSACTIONAL = "transactional"  # the category no one can unsubscribe from: a check-in code, a cancellation
# The categories a person may turn off (per channel, or by an email's unsubscribe link), and what each is.
CATEGORIES = {
    "waitlist": "A place on a waitlist and its position",
    "reminders": "Reminders before an event or a cohort starts",
    "certificates": "Certificates issued",
    "agreements": "Agreements signed, activated, expiring and expired (to a partner's contacts)",
}


def notifications_topic(service: str) -> str:
    """The private topic of `service`'s notification requests: `outreach.notifications`."""
    return f"{service}.{TOPIC_SUFFIX}"


class Recipient(BaseModel):
    """Whom to tell, as the owning service knows them. `member` is the signed-in subject that made the request
    (`key:<id>` or `jwt:<sub>`): its registered devices get the push, its preferences apply."""

    name: str
    email: str | None = None
    phone: str | None = None
    language: str = "en"  # a BCP 47 tag; the templates' closest language answers it
    member: str | None = None


class Reminder(BaseModel):
    """A message to send later, unless called off first: `key` names it (a later request with the same key moves
    it; `cancel_reminders` calls it off), `due_at` is when. It shows the request's `context` and its own."""

    key: str = Field(max_length=200)
    message: str
    category: str
    due_at: dt.datetime
    context: dict[str, Any] = Field(default_factory=dict)


class NotificationRequested(PublishedEvent):
    """Tell `recipient` about `fact_id` with the template `message` (none: only schedule or call off reminders).
    `context` is what the template shows (the event's title in its languages, times in UTC with the `timezone` to
    show them in, a check-in code...). Exactly one message goes per fact, recipient and channel."""

    event_type = "notification.requested"
    subject_field = "subject"
    topic_suffix: ClassVar[str] = TOPIC_SUFFIX

    subject: str
    fact_id: str
    message: str | None
    category: str = TRANSACTIONAL
    recipient: Recipient
    context: dict[str, Any] = Field(default_factory=dict)
    remind: list[Reminder] = Field(default_factory=list)
    cancel_reminders: list[str] = Field(default_factory=list)
    # Until when the notifications service may keep the contact (the event's end, the cohort's): then it is erased.
    keep_until: dt.datetime | None = None
