"""One message to one recipient on one channel, about one fact: an email to an address, or a push to a device.

    queued --sent--> sent
       |  \\--a send failed--> queued again, later (backoff), until the time to give up: failed
       \\--the recipient opted out of the category--> suppressed (never sent)

Exactly one message exists per fact, recipient and channel (`dedupe_key`, unique in the table): a request read
twice, or a reminder found by two replicas, queues nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import Any

from shared.ids import new_id


class Channel(enum.StrEnum):
    email = "email"
    push = "push"


class MessageStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"
    suppressed = "suppressed"


def recipient_key(address: str) -> str:
    """Whom a message goes to, as the log keys it: a digest of the address (an email lower-cased, a device
    token), so that the unique key and the opt-outs outlive the address itself, which erasure removes."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


@dataclass(eq=False, kw_only=True)
class Message:
    id: uuid.UUID
    fact_id: str  # the fact it tells of: `outreach.registration_confirmed:<registration id>`
    subject: str  # what the fact is about (a registration id): the delivery log is read by it
    channel: Channel
    template: str  # `outreach.registration_confirmed`
    category: str
    language: str
    recipient: str  # recipient_key(address)
    address: str | None  # the email address or device token; None once erased
    name: str | None  # whom it addresses; None once erased
    member: str | None
    context: dict[str, Any] | None  # what the template shows; None once erased
    status: MessageStatus
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    sent_at: dt.datetime | None
    keep_until: dt.datetime | None  # when its contact data is erased by itself

    @property
    def dedupe_key(self) -> str:
        return f"{self.fact_id}|{self.channel.value}|{self.recipient}"

    @classmethod
    def queue(cls, *, fact_id: str, subject: str, channel: Channel, template: str, category: str, language: str,
              address: str, name: str | None, member: str | None, context: dict[str, Any],
              keep_until: dt.datetime | None, suppressed: bool, now: dt.datetime) -> Message:
        return cls(id=new_id(), fact_id=fact_id, subject=subject, channel=channel, template=template,
                   category=category, language=language, recipient=recipient_key(address), address=address,
                   name=name, member=member, context=context,
                   status=MessageStatus.suppressed if suppressed else MessageStatus.queued, attempts=0,
                   last_error=None, next_attempt_at=now, created_at=now,
                   sent_at=None, keep_until=keep_until)

    def mark_sent(self, now: dt.datetime) -> None:
        self.status, self.sent_at, self.last_error = MessageStatus.sent, now, None
        self.attempts += 1

    def mark_failed_attempt(self, error: str, now: dt.datetime, *, initial: float, maximum: float,
                            give_up_after: dt.timedelta, permanent: bool = False) -> None:
        """A send failed: tried again after an exponential backoff with full jitter (AWS Architecture Blog,
        "Exponential Backoff and Jitter"), unless the failure is permanent or the next try would come more than
        `give_up_after` after the message was queued."""
        self.attempts += 1
        self.last_error = error[:1000]
        delay = random.uniform(0, min(maximum, initial * 2 ** (self.attempts - 1)))
        retry_at = now + dt.timedelta(seconds=max(delay, initial / 10))
        if permanent or retry_at >= self.created_at + give_up_after:
            self.status = MessageStatus.failed
        else:
            self.next_attempt_at = retry_at

    def erase(self) -> None:
        """Forget whom it went to and what it said; the log keeps that a message of this kind was sent."""
        self.address = self.name = self.member = None
        self.context = None
