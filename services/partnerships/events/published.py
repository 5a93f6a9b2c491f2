"""Events on `partnerships.events`, one schema class per type. Consumers rely on these fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.partnerships.domain.agreement import Agreement, Transition
from services.partnerships.domain.partner import Partner
from services.partnerships.domain.project import Project
from shared.events.envelope import PublishedEvent

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

    @classmethod
    def of(cls, partner: Partner, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=partner.id, name=partner.name, kind=partner.kind.value, country=partner.country,
            city=partner.city, website=partner.website, version=partner.version, updated_at=partner.updated_at,
            **extra,
        )


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

    @classmethod
    def of(cls, agreement: Agreement, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=agreement.id, code=agreement.code, title=agreement.title, kind=agreement.kind.value,
            state=agreement.state.value, partner_ids=[uuid.UUID(p) for p in agreement.partner_ids],
            signed_on=agreement.signed_on, effective_from=agreement.effective_from,
            effective_until=agreement.effective_until, training_seats_per_year=agreement.training_seats_per_year,
            version=agreement.version, updated_at=agreement.updated_at, **extra,
        )


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

    @classmethod
    def of_step(cls, agreement: Agreement, step: Transition):  # type: ignore[no-untyped-def]
        return cls.of(agreement, action=step.action, from_state=step.from_state, actor=step.actor, note=step.note)


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


AGREEMENT_STEP_EVENTS: dict[str, type[AgreementTransitioned]] = {
    "submit": AgreementSubmitted,
    "sign": AgreementSigned,
    "activate": AgreementActivated,
    "renew": AgreementRenewed,
    "terminate": AgreementTerminated,
    "expire": AgreementExpired,
}


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

    @classmethod
    def of(cls, project: Project, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=project.id, agreement_id=project.agreement_id, title=project.title, area=project.area.value,
            lead_partner_id=project.lead_partner_id, start_date=project.start_date, end_date=project.end_date,
            status=project.status.value, version=project.version, **extra,
        )


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


PROJECT_STEP_EVENTS: dict[str, type[ProjectSnapshot]] = {
    "start": ProjectStarted,
    "complete": ProjectCompleted,
    "cancel": ProjectCancelled,
}


# --- pandas and loans ----------------------------------------------------------------------------------------

from services.partnerships.domain.loan import Loan  # noqa: E402  (kept with the events that use it)
from services.partnerships.domain.panda import Panda  # noqa: E402


class PandaSnapshot(PublishedEvent):
    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: str
    birth_date: dt.date
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
    version: int
    updated_at: dt.datetime

    @classmethod
    def of(cls, panda: Panda, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=panda.id, studbook_number=panda.studbook_number, name=panda.name, sex=str(panda.sex),
            birth_date=panda.birth_date, birthplace=panda.birthplace, dam_id=panda.dam_id, sire_id=panda.sire_id,
            version=panda.version, updated_at=panda.updated_at, **extra,
        )


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

    @classmethod
    def of(cls, loan: Loan, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=loan.id, panda_id=loan.panda_id, agreement_id=loan.agreement_id,
            host_partner_id=loan.host_partner_id, start_date=loan.start_date,
            planned_end_date=loan.planned_end_date, returned_on=loan.returned_on, state=str(loan.state),
            mother_loan_id=loan.mother_loan_id, version=loan.version, updated_at=loan.updated_at, **extra,
        )


class LoanStarted(LoanSnapshot):
    event_type = "partnerships.loan.started"


class LoanReturned(LoanSnapshot):
    event_type = "partnerships.loan.returned"
