"""`partnerships.events`: partner institutions, agreements and their projects, pandas and loans."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from shared.events.envelope import PublishedEvent

TOPIC = "partnerships.events"

# --- partners ------------------------------------------------------------------------------------------------


class PartnerSnapshot(PublishedEvent):
    id: uuid.UUID
    name: dict[str, str]
    kind: str
    country: str
    city: str | None
    website: str | None
    version: int
    updated_at: dt.datetime


class PartnerRegistered(PartnerSnapshot):
    event_type = "partnerships.partner.registered"


class PartnerUpdated(PartnerSnapshot):
    event_type = "partnerships.partner.updated"
    changed: list[str]


# --- agreements ----------------------------------------------------------------------------------------------


class AgreementSnapshot(PublishedEvent):
    """The agreement as it is after the change; what training (seat quotas) and the others rely on."""

    id: uuid.UUID
    code: str
    title: dict[str, str]
    kind: str
    state: str
    partner_ids: list[uuid.UUID]
    signed_on: dt.date | None
    effective_from: dt.date
    effective_until: dt.date
    training_seats_per_year: int | None
    version: int
    updated_at: dt.datetime


class AgreementDrafted(AgreementSnapshot):
    event_type = "partnerships.agreement.drafted"


class AgreementUpdated(AgreementSnapshot):
    event_type = "partnerships.agreement.updated"
    changed: list[str]


class AgreementTransitioned(AgreementSnapshot):
    """Base of the lifecycle events: the snapshot plus the step that was taken."""

    action: str
    from_state: str | None
    actor: str
    note: str | None


class AgreementSubmitted(AgreementTransitioned):
    event_type = "partnerships.agreement.submitted"


class AgreementSigned(AgreementTransitioned):
    event_type = "partnerships.agreement.signed"


class AgreementActivated(AgreementTransitioned):
    event_type = "partnerships.agreement.activated"


class AgreementRenewed(AgreementTransitioned):
    event_type = "partnerships.agreement.renewed"


class AgreementTerminated(AgreementTransitioned):
    event_type = "partnerships.agreement.terminated"


class AgreementExpired(AgreementTransitioned):
    event_type = "partnerships.agreement.expired"


# --- projects ------------------------------------------------------------------------------------------------


class ProjectSnapshot(PublishedEvent):
    id: uuid.UUID
    agreement_id: uuid.UUID
    title: dict[str, str]
    area: str
    lead_partner_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    status: str
    version: int


class ProjectPlanned(ProjectSnapshot):
    event_type = "partnerships.project.planned"


class ProjectUpdated(ProjectSnapshot):
    event_type = "partnerships.project.updated"
    changed: list[str]


class ProjectStarted(ProjectSnapshot):
    event_type = "partnerships.project.started"


class ProjectCompleted(ProjectSnapshot):
    event_type = "partnerships.project.completed"


class ProjectCancelled(ProjectSnapshot):
    event_type = "partnerships.project.cancelled"


# --- pandas and loans ----------------------------------------------------------------------------------------


class PossibleSire(BaseModel):
    panda_id: uuid.UUID
    probability: float


class PandaSnapshot(PublishedEvent):
    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: str
    birth_date: dt.date
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
    # The studbook's genetics fields (added without a new schema version: a reader of version 1 ignores them,
    # and their defaults are what a version-1 panda was: an exact birth date, alive, managed, parents known
    # where named and unknown where not).
    birth_date_estimated: bool = False
    death_date: dt.date | None = None
    managed: bool = True
    dam_origin: str = "known"
    sire_origin: str = "known"
    possible_sires: list[PossibleSire] | None = None
    version: int
    updated_at: dt.datetime


class PandaRegistered(PandaSnapshot):
    event_type = "partnerships.panda.registered"


class PandaUpdated(PandaSnapshot):
    event_type = "partnerships.panda.updated"
    changed: list[str]


class PandaBorn(PandaSnapshot):
    """A cub born on loan: the cub, the loan of its mother, and the cub's own loan."""

    event_type = "partnerships.panda.born"
    mother_loan_id: uuid.UUID
    loan_id: uuid.UUID


class LoanSnapshot(PublishedEvent):
    id: uuid.UUID
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: dt.date
    planned_end_date: dt.date
    returned_on: dt.date | None
    state: str
    mother_loan_id: uuid.UUID | None
    version: int
    updated_at: dt.datetime


class LoanStarted(LoanSnapshot):
    event_type = "partnerships.loan.started"


class LoanReturned(LoanSnapshot):
    event_type = "partnerships.loan.returned"


# --- the studbook's genetics ---------------------------------------------------------------------------------


class StudbookUpdated(PublishedEvent):
    """The living managed population's genetic figures changed (a birth, a death, a panda in or out of the
    managed population, a corrected parent, a loan that moved a panda between holders). `subject` is
    `studbook`; `revision` grows with each (and with a corrected parent that moves no population figure: the
    numbers may skip); `cause` is the event type and `panda_id` the panda that caused
    it. Figures as on `GET /partnerships/studbook/genetics`."""

    event_type = "partnerships.studbook.updated"
    subject_field = "studbook"
    studbook: str = "studbook"
    revision: int
    cause: str
    panda_id: uuid.UUID
    living: int
    gene_diversity: float
    founder_genome_equivalents: float | None
    founder_equivalents: float | None
    founders_represented: int
    mean_inbreeding: float
    living_by_institution: list[LivingAt]


class LivingAt(BaseModel):
    """Living pandas (managed or not) held by a partner (`holder_id`) or the base (null)."""

    holder_id: uuid.UUID | None
    living: int
