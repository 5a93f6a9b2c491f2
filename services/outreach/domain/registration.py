"""A registration for an outreach event: one party (a person, a family, a school class), confirmed or waiting
its turn, with a check-in code that staff scan at the door.

    confirmed --check_in--> checked_in
    waitlisted --(places free up)--> confirmed
    confirmed / waitlisted --cancel--> cancelled
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid

from shared.domain import StateMachine
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


def check_in_code() -> str:
    """Short enough to type, unguessable enough for a door: 10 characters, 50 random bits."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


class Registration:
    def __init__(
        self,
        *,
        id: uuid.UUID,
        event_id: uuid.UUID,
        name: str,
        email: str | None,
        phone: str | None,
        party_size: int,
        applicant: str | None,
        status: RegistrationStatus,
        waitlist_ticket: int | None,
        check_in_code: str,
        checked_in_at: dt.datetime | None,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.event_id = event_id
        self.name = name
        self.email = email
        self.phone = phone
        self.party_size = party_size
        self.applicant = applicant  # who registered: a member sees the registrations it made
        self.status = status
        self.waitlist_ticket = waitlist_ticket
        self.check_in_code = check_in_code
        self.checked_in_at = checked_in_at
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def apply(cls, *, event_id: uuid.UUID, name: str, email: str | None, phone: str | None, party_size: int,
              applicant: str | None, now: dt.datetime) -> Registration:
        return cls(id=new_id(), event_id=event_id, name=name, email=email.lower() if email else None, phone=phone,
                   party_size=party_size, applicant=applicant, status=R.waitlisted, waitlist_ticket=None,
                   check_in_code=check_in_code(), checked_in_at=None, version=1, created_at=now, updated_at=now)

    def confirm(self, now: dt.datetime) -> None:
        self.status, self.waitlist_ticket = R.confirmed, None
        self._touch(now)

    def wait(self, ticket: int, now: dt.datetime) -> None:
        self.status, self.waitlist_ticket = R.waitlisted, ticket
        self._touch(now)

    def cancel(self, now: dt.datetime) -> None:
        self.status = RegistrationStatus(ATTENDANCE.next_state(self.status, "cancel"))
        self.waitlist_ticket = None
        self._touch(now)

    def check_in(self, now: dt.datetime) -> None:
        self.status = RegistrationStatus(ATTENDANCE.next_state(self.status, "check_in"))
        self.checked_in_at = now
        self._touch(now)

    @property
    def allowed_actions(self) -> list[str]:
        return ATTENDANCE.allowed(self.status)

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now
