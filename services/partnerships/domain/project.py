"""A research project of a cooperation plan: carried out under one agreement, led by one of its partners,
within the agreement's term.

    planned --start--> active --complete--> completed
       |                  |
       +-----cancel-------+--> cancelled
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from services.partnerships.domain.agreement import Agreement, AgreementState
from shared.domain import Conflict, RuleViolated, StateMachine
from shared.ids import new_id


class ResearchArea(enum.StrEnum):
    protection = "protection"
    breeding = "breeding"
    disease_treatment = "disease_treatment"
    epidemic_prevention = "epidemic_prevention"
    wild_population = "wild_population"
    habitat = "habitat"
    genetics = "genetics"
    education = "education"
    other = "other"


class ProjectStatus(enum.StrEnum):
    planned = "planned"
    active = "active"
    completed = "completed"
    cancelled = "cancelled"


P = ProjectStatus
PROGRESS = StateMachine(
    "project",
    {
        "start": ({P.planned}, P.active),
        "complete": ({P.active}, P.completed),
        "cancel": ({P.planned, P.active}, P.cancelled),
    },
)
# A project is planned under an agreement that is being made or is in force, not one that has ended.
OPEN_AGREEMENT_STATES = frozenset({AgreementState.draft, AgreementState.negotiating, AgreementState.signed,
                                   AgreementState.active})


class Project:
    EDITABLE = ("title", "description", "area", "lead_partner_id", "start_date", "end_date")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        agreement_id: uuid.UUID,
        title: dict[str, str],
        description: dict[str, str] | None,
        area: ResearchArea,
        lead_partner_id: uuid.UUID,
        start_date: dt.date,
        end_date: dt.date,
        status: ProjectStatus,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.agreement_id = agreement_id
        self.title = title
        self.description = description
        self.area = area
        self.lead_partner_id = lead_partner_id
        self.start_date = start_date
        self.end_date = end_date
        self.status = status
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def plan(
        cls,
        agreement: Agreement,
        *,
        title: dict[str, str],
        area: ResearchArea,
        lead_partner_id: uuid.UUID,
        start_date: dt.date,
        end_date: dt.date,
        now: dt.datetime,
        description: dict[str, str] | None = None,
    ) -> Project:
        if agreement.state not in OPEN_AGREEMENT_STATES:
            raise Conflict(f"the agreement is {agreement.state}: no new projects under it")
        project = cls(
            id=new_id(), agreement_id=agreement.id, title=title, description=description, area=ResearchArea(area),
            lead_partner_id=lead_partner_id, start_date=start_date, end_date=end_date, status=P.planned,
            version=1, created_at=now, updated_at=now,
        )
        project._check_fits(agreement)
        return project

    def update(self, agreement: Agreement, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        if self.status in (P.completed, P.cancelled):
            raise Conflict(f"a {self.status} project cannot be changed")
        for k in changed:
            setattr(self, k, ResearchArea(changes[k]) if k == "area" else changes[k])
        self._check_fits(agreement)
        self._touch(now)
        return changed

    def act(self, action: str, now: dt.datetime) -> None:
        self.status = ProjectStatus(PROGRESS.next_state(self.status, action))
        self._touch(now)

    @property
    def allowed_actions(self) -> list[str]:
        return PROGRESS.allowed(self.status)

    def _check_fits(self, agreement: Agreement) -> None:
        if not agreement.names(self.lead_partner_id):
            raise RuleViolated("the lead partner must be one of the agreement's partners", ("body", "lead_partner_id"))
        if self.start_date > self.end_date:
            raise RuleViolated("start_date must not be after end_date", ("body", "end_date"))
        if self.start_date < agreement.effective_from or self.end_date > agreement.effective_until:
            raise RuleViolated(
                f"the project's dates must lie within the agreement's term "
                f"({agreement.effective_from} to {agreement.effective_until})", ("body", "start_date"),
            )

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now
