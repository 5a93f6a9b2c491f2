"""Events on `training.events`, one schema class per type. Consumers rely on these fields; the impact ledger
in partnerships reads `training.enrollment.completed` and `training.certificate.issued` (`id`, `version`,
`partner_id`, `agreement_ids`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.training.domain.cohort import Cohort
from services.training.domain.enrollment import Enrollment
from services.training.domain.program import Program
from shared.events.envelope import PublishedEvent

# --- programs and cohorts --------------------------------------------------------------------------------------


class ProgramSnapshot(PublishedEvent):
    id: uuid.UUID
    title: dict[str, str]
    topics: list[str]
    format: str
    languages: list[str]
    status: str
    version: int

    @classmethod
    def of(cls, program: Program, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(id=program.id, title=program.title, topics=program.topics, format=program.format.value,
                   languages=program.languages, status=program.status.value, version=program.version, **extra)


class ProgramDrafted(ProgramSnapshot):
    event_type = "training.program.drafted"


class ProgramUpdated(ProgramSnapshot):
    event_type = "training.program.updated"
    changed: list[str]


class ProgramPublished(ProgramSnapshot):
    event_type = "training.program.published"


class ProgramArchived(ProgramSnapshot):
    event_type = "training.program.archived"


PROGRAM_STEP_EVENTS: dict[str, type[ProgramSnapshot]] = {"publish": ProgramPublished, "archive": ProgramArchived}


class CohortSnapshot(PublishedEvent):
    id: uuid.UUID
    program_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    reserved_seats: int
    enrollment_opens_at: dt.datetime
    enrollment_closes_at: dt.datetime
    version: int

    @classmethod
    def of(cls, cohort: Cohort, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(id=cohort.id, program_id=cohort.program_id, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
                   capacity=cohort.capacity, reserved_seats=cohort.reserved_seats,
                   enrollment_opens_at=cohort.enrollment_opens_at, enrollment_closes_at=cohort.enrollment_closes_at,
                   version=cohort.version, **extra)


class CohortScheduled(CohortSnapshot):
    event_type = "training.cohort.scheduled"


class CohortUpdated(CohortSnapshot):
    event_type = "training.cohort.updated"
    changed: list[str]


# --- enrollments -----------------------------------------------------------------------------------------------


class EnrollmentSnapshot(PublishedEvent):
    """No email or name: an event is read by every consumer; the enrollment's id is enough to find it."""

    id: uuid.UUID
    cohort_id: uuid.UUID
    program_id: uuid.UUID
    year: int
    country: str
    partner_id: uuid.UUID | None
    status: str
    seat: str | None
    agreement_ids: list[uuid.UUID]  # the training cooperations it counts toward
    waitlist_position: int | None = None
    version: int

    @classmethod
    def of(cls, enrollment: Enrollment, agreement_ids: list[uuid.UUID] | None = None, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=enrollment.id, cohort_id=enrollment.cohort_id, program_id=enrollment.program_id, year=enrollment.year,
            country=enrollment.country, partner_id=enrollment.partner_id, status=enrollment.status.value,
            seat=enrollment.seat.value if enrollment.seat else None,
            agreement_ids=agreement_ids if agreement_ids is not None
            else ([enrollment.agreement_id] if enrollment.agreement_id else []),
            version=enrollment.version, **extra,
        )


class EnrollmentAccepted(EnrollmentSnapshot):
    event_type = "training.enrollment.accepted"
    promoted: bool = False  # from the waitlist, when a seat freed


class EnrollmentWaitlisted(EnrollmentSnapshot):
    event_type = "training.enrollment.waitlisted"


class EnrollmentWithdrawn(EnrollmentSnapshot):
    event_type = "training.enrollment.withdrawn"


class EnrollmentRejected(EnrollmentSnapshot):
    event_type = "training.enrollment.rejected"


class EnrollmentAttended(EnrollmentSnapshot):
    event_type = "training.enrollment.attended"


class EnrollmentNoShow(EnrollmentSnapshot):
    event_type = "training.enrollment.no_show"


class EnrollmentCompleted(EnrollmentSnapshot):
    event_type = "training.enrollment.completed"


ENROLLMENT_STEP_EVENTS: dict[str, type[EnrollmentSnapshot]] = {
    "withdraw": EnrollmentWithdrawn, "reject": EnrollmentRejected, "attend": EnrollmentAttended,
    "no_show": EnrollmentNoShow, "complete": EnrollmentCompleted,
}


class CertificateIssued(PublishedEvent):
    event_type = "training.certificate.issued"
    subject_field = "code"

    id: str  # the certificate's code: the impact ledger keys its sources by `id`
    code: str
    enrollment_id: uuid.UUID
    program_id: uuid.UUID
    cohort_id: uuid.UUID
    country: str
    partner_id: uuid.UUID | None
    agreement_ids: list[uuid.UUID]
    issued_at: dt.datetime
    version: int = 1
