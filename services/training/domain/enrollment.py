"""An enrollment: a participant's place in a cohort, from application to completion.

    accepted --attend--> attended --complete--> completed (a certificate is issued)
       |  \\--no_show--> no_show
       +--withdraw / reject--> withdrawn / rejected
    waitlisted --(a seat frees: the cohort promotes it)--> accepted;  waitlisted --withdraw / reject--> ...

Whether it gets a seat or a place on the waitlist is the cohort's decision (`Cohort.admit`, `Cohort.promote`);
giving up a place is told to the cohort too (`Cohort.release`), which frees the seat for the waitlist.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid
from dataclasses import dataclass
from typing import Protocol

from services.training.domain import notices
from shared.contracts.training import (
    CertificateIssued,
    EnrollmentAccepted,
    EnrollmentAttended,
    EnrollmentCompleted,
    EnrollmentNoShow,
    EnrollmentRejected,
    EnrollmentWaitlisted,
    EnrollmentWithdrawn,
)
from shared.domain import LifecycleAggregate, StateMachine
from shared.ids import new_id


class Places(Protocol):
    """What holds the places an enrollment gives up: its cohort."""

    def release(self, enrollment: Enrollment, now: dt.datetime) -> None: ...


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


def certificate_code() -> str:
    """Unique and unguessable: 100 random bits, in groups a person can read out (`PC-7KQ2-...`)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "PC-" + "-".join(raw[i:i + 5] for i in range(0, 20, 5))


@dataclass(eq=False, kw_only=True)
class Enrollment(LifecycleAggregate):
    LIFECYCLE = PROGRESS

    id: uuid.UUID
    cohort_id: uuid.UUID
    program_id: uuid.UUID
    year: int  # the cohort's year: partner quotas and stats count by it
    name: str
    email: str
    country: str
    language: str  # a BCP 47 tag: what the participant is told in
    partner_id: uuid.UUID | None
    applicant: str | None  # who applied: a member's own enrollments are the ones it applied for
    status: EnrollmentStatus
    seat: Seat | None
    agreement_id: uuid.UUID | None  # the training cooperation whose quota gave the reserved seat
    waitlist_ticket: int | None
    certificate_code: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def apply(cls, *, cohort_id: uuid.UUID, program_id: uuid.UUID, year: int, name: str, email: str, country: str,
              partner_id: uuid.UUID | None, applicant: str | None, now: dt.datetime,
              language: str = "en") -> Enrollment:
        """A new application; the cohort then admits it (`Cohort.admit`)."""
        return cls(
            id=new_id(), cohort_id=cohort_id, program_id=program_id, year=year, name=name, email=email.lower(),
            country=country, language=language, partner_id=partner_id, applicant=applicant, status=E.waitlisted,
            seat=None, agreement_id=None, waitlist_ticket=None, certificate_code=None, version=1, created_at=now,
            updated_at=now,
        )

    # --- what the cohort decides -----------------------------------------------------------------------------

    def accept(self, seat: Seat, agreement_id: uuid.UUID | None, now: dt.datetime, *, promoted: bool) -> None:
        """It has a seat (`agreement_id`: the training cooperation whose quota gave a reserved one)."""
        self.status, self.seat, self.agreement_id, self.waitlist_ticket = E.accepted, seat, agreement_id, None
        self.touch(now)
        self.record(EnrollmentAccepted.of(self, agreement_ids=self.counts_toward, promoted=promoted))

    def join_waitlist(self, ticket: int, position: int, now: dt.datetime) -> None:
        self.status, self.seat, self.waitlist_ticket = E.waitlisted, None, ticket
        self.touch(now)
        self.record(EnrollmentWaitlisted.of(self, agreement_ids=self.counts_toward, waitlist_position=position))

    def vacate(self) -> None:
        """After the cohort released this enrollment's seat or waitlist ticket."""
        self.seat = None
        self.waitlist_ticket = None

    # --- its own steps ---------------------------------------------------------------------------------------

    def withdraw(self, cohort: Places, now: dt.datetime) -> None:
        """The participant's side gives up its place; the cohort has it free again."""
        self._give_up("withdraw", cohort, now)
        self.record(EnrollmentWithdrawn.of(self, agreement_ids=self.counts_toward))

    def reject(self, cohort: Places, now: dt.datetime) -> None:
        """Staff refuse the participant; the cohort has the place free again."""
        self._give_up("reject", cohort, now)
        self.record(EnrollmentRejected.of(self, agreement_ids=self.counts_toward))

    def _give_up(self, action: str, cohort: Places, now: dt.datetime) -> None:
        self._move(action, now)
        cohort.release(self, now)
        self.record(notices.place_given_up(self))

    def attend(self, now: dt.datetime) -> None:
        self._move("attend", now, EnrollmentAttended, agreement_ids=self.counts_toward)

    def no_show(self, now: dt.datetime) -> None:
        self._move("no_show", now, EnrollmentNoShow, agreement_ids=self.counts_toward)

    def complete(self, now: dt.datetime, counts_toward: list[uuid.UUID], *, program_title: dict[str, str]) -> None:
        """Completed: a certificate is issued, and the participant told (with its verification link).
        `counts_toward`: the training cooperations the completion counts for (the one whose quota gave the seat,
        else those in force for the participant's partner)."""
        self._move("complete", now)
        self.certificate_code = certificate_code()
        self.record(CertificateIssued.of(self, id=self.certificate_code, code=self.certificate_code,
                                         enrollment_id=self.id, agreement_ids=counts_toward, issued_at=now))
        self.record(EnrollmentCompleted.of(self, agreement_ids=counts_toward))
        self.record(notices.certificate_issued(self, program_title))

    @property
    def counts_toward(self) -> list[uuid.UUID]:
        """The training cooperations it counts for while it holds a seat from one's quota."""
        return [self.agreement_id] if self.agreement_id else []
