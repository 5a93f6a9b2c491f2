"""`training.events`: programs, cohorts, enrollments and certificates. The impact ledger in partnerships reads
`training.enrollment.completed` and `training.certificate.issued` (`id`, `version`, `partner_id`,
`agreement_ids`)."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.events.envelope import PublishedEvent

TOPIC = "training.events"

# --- programs and cohorts --------------------------------------------------------------------------------------


class ProgramSnapshot(PublishedEvent):
    id: uuid.UUID
    title: dict[str, str]
    topics: list[str]
    format: str
    languages: list[str]
    status: str
    version: int


class ProgramDrafted(ProgramSnapshot):
    event_type = "training.program.drafted"


class ProgramUpdated(ProgramSnapshot):
    event_type = "training.program.updated"
    changed: list[str]


class ProgramPublished(ProgramSnapshot):
    event_type = "training.program.published"


class ProgramArchived(ProgramSnapshot):
    event_type = "training.program.archived"


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


class CertificateRevoked(PublishedEvent):
    """A certificate withdrawn: it counts for nothing any more (the impact ledger reads it; `id` is the code as
    when it was issued)."""

    event_type = "training.certificate.revoked"
    subject_field = "code"

    id: str
    code: str
    version: int
