"""Tables of the training database, and how the domain classes map onto them (imperative mapping keeps the
domain free of ORM imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import registry

from services.training.domain.cohort import Cohort
from services.training.domain.enrollment import Enrollment, EnrollmentStatus, Seat
from services.training.domain.program import Program, ProgramFormat, ProgramStatus
from shared.db.naming import NAMING
from shared.db.search import fold
from shared.db.tables import aggregate_table, before_save, map_aggregate
from shared.db.types import JSONType, UTCDateTime, enum_column
from shared.messaging import messaging_tables
from shared.readmodels.agreements import KnownAgreements
from shared.readmodels.partners import KnownPartners

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)
known_partners = KnownPartners(metadata)
known_agreements = KnownAgreements(metadata)



programs = aggregate_table(
    "programs",
    metadata,
    Column("title", JSONType, nullable=False),
    Column("description", JSONType, nullable=True),
    Column("topics", JSONType, nullable=False),
    Column("format", enum_column(ProgramFormat, 20), nullable=False),
    Column("languages", JSONType, nullable=False),
    Column("status", enum_column(ProgramStatus, 20), nullable=False),
    Column("search_text", Text, nullable=False),  # titles and topics, lower-cased, for `q`
    # Each topic and language as a whole token (`|topic:breeding|lang:en|`): exact filters that page like the rest.
    Column("tags", Text, nullable=False),
    Index("ix_programs_status_id", "status", "id"),
)

cohorts = aggregate_table(
    "cohorts",
    metadata,
    Column("program_id", Uuid, ForeignKey("programs.id"), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("location", JSONType, nullable=True),
    Column("online_url", String(500), nullable=True),
    Column("capacity", Integer, nullable=False),
    Column("reserved_seats", Integer, nullable=False),
    Column("enrollment_opens_at", UTCDateTime, nullable=False),
    Column("enrollment_closes_at", UTCDateTime, nullable=False),
    Column("general_taken", Integer, nullable=False),
    Column("reserved_taken", Integer, nullable=False),
    Column("waitlist_length", Integer, nullable=False),
    Column("waitlist_issued", Integer, nullable=False),
    Index("ix_cohorts_program_id_id", "program_id", "id"),
)

enrollments = aggregate_table(
    "enrollments",
    metadata,
    Column("cohort_id", Uuid, ForeignKey("cohorts.id"), nullable=False),
    Column("program_id", Uuid, ForeignKey("programs.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("country", String(2), nullable=False),
    Column("language", String(35), nullable=False),  # what the participant is told in
    Column("partner_id", Uuid, nullable=True),
    Column("applicant", String(200), nullable=True),
    Column("status", enum_column(EnrollmentStatus, 20), nullable=False),
    Column("seat", enum_column(Seat, 20), nullable=True),
    Column("agreement_id", Uuid, nullable=True),
    Column("waitlist_ticket", Integer, nullable=True),
    Column("certificate_code", String(40), nullable=True, unique=True),
    # One enrollment per email per cohort, whatever the concurrency.
    UniqueConstraint("cohort_id", "email", name="uq_enrollments_cohort_id_email"),
    Index("ix_enrollments_cohort_id_waitlist_ticket", "cohort_id", "waitlist_ticket"),
    Index("ix_enrollments_partner_id_id", "partner_id", "id"),
    Index("ix_enrollments_applicant_id", "applicant", "id"),
)

# A completion certificate as issued: what public verification shows (never the holder's email).
certificates = Table(
    "certificates",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("enrollment_id", Uuid, ForeignKey("enrollments.id"), nullable=False, unique=True),
    Column("holder_name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("program_id", Uuid, nullable=False),
    Column("program_title", JSONType, nullable=False),
    Column("cohort_id", Uuid, nullable=False),
    Column("cohort_starts_on", Date, nullable=False),
    Column("cohort_ends_on", Date, nullable=False),
    Column("partner_id", Uuid, nullable=True),
    Column("agreement_ids", JSONType, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
)

# Reserved seats a partner has used under one training cooperation agreement in one calendar year: advanced
# and checked against the quota in one statement, so two cohorts enrolling at once cannot both take the last.
partner_seat_usage = Table(
    "partner_seat_usage",
    metadata,
    Column("agreement_id", Uuid, primary_key=True),
    Column("partner_id", Uuid, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("used", Integer, nullable=False),
)

mapper_registry = registry(metadata=metadata)
map_aggregate(mapper_registry, Program, programs)
map_aggregate(mapper_registry, Cohort, cohorts)
map_aggregate(mapper_registry, Enrollment, enrollments)


@before_save(Program)
def _index_program(_mapper: Any, _conn: Any, program: Program) -> None:
    program.search_text = fold(*program.title.values(), *program.topics)  # type: ignore[attr-defined]
    program.tags = program_tags(program.topics, program.languages)  # type: ignore[attr-defined]


def program_tags(topics: list[str], languages: list[str]) -> str:
    return "|" + "".join(f"topic:{t.lower()}|" for t in topics) + "".join(f"lang:{lang.lower()}|" for lang in languages)
