"""An enrollment: a participant's place in a cohort, from application to completion.

    accepted --attend--> attended --complete--> completed (a certificate is issued)
       |  \\--no_show--> no_show
       +--withdraw / reject--> withdrawn / rejected
    waitlisted --(a seat frees)--> accepted;  waitlisted --withdraw / reject--> withdrawn / rejected
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid

from shared.domain import StateMachine
from shared.ids import new_id


class EnrollmentStatus(enum.StrEnum):
    accepted = "accepted"
    waitlisted = "waitlisted"
    withdrawn = "withdrawn"
    rejected = "rejected"
    attended = "attended"
    completed = "completed"
    no_show = "no_show"


class Seat(enum.StrEnum):
    general = "general"
    reserved = "reserved"  # one of the seats kept for partner institutions, under their quota


E = EnrollmentStatus
PROGRESS = StateMachine(
    "enrollment",
    {
        "withdraw": ({E.accepted, E.waitlisted}, E.withdrawn),
        "reject": ({E.accepted, E.waitlisted}, E.rejected),
        "attend": ({E.accepted}, E.attended),
        "no_show": ({E.accepted}, E.no_show),
        "complete": ({E.attended}, E.completed),
        "promote": ({E.waitlisted}, E.accepted),
    },
    automatic={"promote"},
)
HOLDS_SEAT = frozenset({E.accepted, E.attended, E.completed, E.no_show})
GIVES_UP_PLACE = frozenset({"withdraw", "reject"})


def certificate_code() -> str:
    """Unique and unguessable: 100 random bits, in groups a person can read out (`PC-7KQ2-...`)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "PC-" + "-".join(raw[i:i + 5] for i in range(0, 20, 5))


class Enrollment:
    def __init__(
        self,
        *,
        id: uuid.UUID,
        cohort_id: uuid.UUID,
        program_id: uuid.UUID,
        year: int,
        name: str,
        email: str,
        country: str,
        partner_id: uuid.UUID | None,
        applicant: str | None,
        status: EnrollmentStatus,
        seat: Seat | None,
        agreement_id: uuid.UUID | None,
        waitlist_ticket: int | None,
        certificate_code: str | None,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.cohort_id = cohort_id
        self.program_id = program_id
        self.year = year  # the cohort's year: partner quotas and stats count by it
        self.name = name
        self.email = email
        self.country = country
        self.partner_id = partner_id
        self.applicant = applicant  # who applied: a member's own enrollments are the ones it applied for
        self.status = status
        self.seat = seat
        self.agreement_id = agreement_id  # the training cooperation whose quota gave the reserved seat
        self.waitlist_ticket = waitlist_ticket
        self.certificate_code = certificate_code
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def apply(cls, *, cohort_id: uuid.UUID, program_id: uuid.UUID, year: int, name: str, email: str, country: str,
              partner_id: uuid.UUID | None, applicant: str | None, now: dt.datetime) -> Enrollment:
        """A new application; the cohort then admits it (`Cohort.admit`)."""
        return cls(
            id=new_id(), cohort_id=cohort_id, program_id=program_id, year=year, name=name, email=email.lower(),
            country=country, partner_id=partner_id, applicant=applicant, status=E.waitlisted, seat=None,
            agreement_id=None, waitlist_ticket=None, certificate_code=None, version=1, created_at=now,
            updated_at=now,
        )

    def accept(self, seat: Seat, now: dt.datetime) -> None:
        self.status, self.seat, self.waitlist_ticket = E.accepted, seat, None
        self._touch(now)

    def waitlist(self, ticket: int, now: dt.datetime) -> None:
        self.status, self.seat, self.waitlist_ticket = E.waitlisted, None, ticket
        self._touch(now)

    def act(self, action: str, now: dt.datetime) -> None:
        """withdraw, reject, attend, no_show, complete. Giving up a place keeps `seat` until the cohort has
        released it; completing issues the certificate code."""
        self.status = EnrollmentStatus(PROGRESS.next_state(self.status, action))
        if action == "complete":
            self.certificate_code = certificate_code()
        self._touch(now)

    def vacate(self) -> None:
        """After the cohort released this enrollment's seat or waitlist ticket."""
        self.seat = None
        self.waitlist_ticket = None

    @property
    def allowed_actions(self) -> list[str]:
        return PROGRESS.allowed(self.status)

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now
