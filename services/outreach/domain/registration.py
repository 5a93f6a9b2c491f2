"""A registration for an outreach event: one party (a person, a family, a school class), confirmed or waiting
its turn, with a check-in code that staff scan at the door.

    confirmed --check_in--> checked_in
    waitlisted --(places free up: the event promotes it)--> confirmed
    confirmed / waitlisted --cancel--> cancelled

Whether it gets places or a place on the waitlist is the event's decision (`OutreachEvent.admit`,
`OutreachEvent.promote`); giving its places up goes through the event too (`OutreachEvent.release`), which has
them free again for the waitlist. Each change records the event on `outreach.events` it causes.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid
from dataclasses import dataclass

from shared.contracts.outreach import (
    RegistrationCancelled,
    RegistrationCheckedIn,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)
from shared.domain import LifecycleAggregate, StateMachine
from shared.ids import new_id


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    checked_in = "checked_in"
    cancelled = "cancelled"


R = RegistrationStatus
ATTENDANCE = StateMachine(
    "registration",
    {
        "check_in": ({R.confirmed}, R.checked_in),
        "cancel": ({R.confirmed, R.waitlisted}, R.cancelled),
        "confirm": ({R.waitlisted}, R.confirmed),
    },
    automatic={"confirm"},
)
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I: read at a door, typed by hand


def new_check_in_code() -> str:
    """Short enough to type, unguessable enough for a door: 10 characters, 50 random bits."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


@dataclass(eq=False, kw_only=True)
class Registration(LifecycleAggregate):
    LIFECYCLE = ATTENDANCE

    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    language: str  # a BCP 47 tag: what the party is told in
    party_size: int
    applicant: str | None  # who registered: a member sees the registrations it made
    status: RegistrationStatus
    waitlist_ticket: int | None  # orders the event's waitlist while it waits
    check_in_code: str
    checked_in_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def apply(cls, *, event_id: uuid.UUID, name: str, email: str | None, phone: str | None, party_size: int,
              applicant: str | None, now: dt.datetime, language: str = "en") -> Registration:
        """A new registration; the event then admits it (`OutreachEvent.admit`)."""
        return cls(id=new_id(), event_id=event_id, name=name, email=email.lower() if email else None, phone=phone,
                   language=language, party_size=party_size, applicant=applicant, status=R.waitlisted,
                   waitlist_ticket=None, check_in_code=new_check_in_code(), checked_in_at=None, version=1,
                   created_at=now, updated_at=now)

    # --- what the event decides ------------------------------------------------------------------------------

    def confirm(self, now: dt.datetime, *, promoted: bool = False) -> None:
        """It has its places (`promoted`: from the waitlist, when places freed)."""
        self.status, self.waitlist_ticket = R.confirmed, None
        self.touch(now)
        self.record(RegistrationConfirmed.of(self, promoted=promoted))

    def join_waitlist(self, ticket: int, position: int, now: dt.datetime) -> None:
        """It waits its turn: `ticket` orders the waitlist, `position` is its place on it now (1 is next)."""
        self.status, self.waitlist_ticket = R.waitlisted, ticket
        self.touch(now)
        self.record(RegistrationWaitlisted.of(self, waitlist_position=position))

    def cancel(self, now: dt.datetime) -> None:
        """Called by the event, which has the places free again (`OutreachEvent.release`)."""
        self._move("cancel", now)
        self.waitlist_ticket = None
        self.record(RegistrationCancelled.of(self))

    def check_in(self, now: dt.datetime) -> None:
        """Called by the event, which counts the party in (`OutreachEvent.check_in`)."""
        self._move("check_in", now)
        self.checked_in_at = now
        self.record(RegistrationCheckedIn.of(self))

    @property
    def is_waiting(self) -> bool:
        return self.status is R.waitlisted and self.waitlist_ticket is not None
