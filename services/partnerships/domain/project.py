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
from dataclasses import dataclass
from typing import Any

from services.partnerships.domain.agreement import Agreement, AgreementState
from shared.contracts.partnerships import (
    ProjectCancelled,
    ProjectCompleted,
    ProjectPlanned,
    ProjectStarted,
    ProjectUpdated,
)
from shared.domain import Conflict, LifecycleAggregate, RuleViolated, StateMachine
from shared.ids import new_id
from shared.research import ResearchArea


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


@dataclass(eq=False, kw_only=True)
class Project(LifecycleAggregate):
    EDITABLE = ("title", "description", "area", "lead_partner_id", "start_date", "end_date")
    LIFECYCLE = PROGRESS

    id: uuid.UUID
    agreement_id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    area: ResearchArea
    lead_partner_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    status: ProjectStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

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
        project.check_fits(agreement)
        project.record(ProjectPlanned.of(project))
        return project

    def update(self, changes: dict[str, Any], now: dt.datetime, *, agreement: Agreement) -> list[str]:
        """The fields given, which must still fit `agreement` (its partners and term): the project's own."""
        changed = self.apply_changes(changes, now)
        if changed:
            self.check_fits(agreement)
            self.record(ProjectUpdated.of(self, changed=changed))
        return changed

    def check_changeable(self, fields: list[str]) -> None:
        if self.status in (P.completed, P.cancelled):
            raise Conflict(f"a {self.status} project cannot be changed")

    def check(self) -> None:
        self.area = ResearchArea(self.area)

    def check_fits(self, agreement: Agreement) -> None:
        if not agreement.names(self.lead_partner_id):
            raise RuleViolated("the lead partner must be one of the agreement's partners", ("body", "lead_partner_id"))
        if self.start_date > self.end_date:
            raise RuleViolated("start_date must not be after end_date", ("body", "end_date"))
        if self.start_date < agreement.effective_from or self.end_date > agreement.effective_until:
            raise RuleViolated(
                f"the project's dates must lie within the agreement's term "
                f"({agreement.effective_from} to {agreement.effective_until})", ("body", "start_date"),
            )

    # --- its progress ----------------------------------------------------------------------------------------

    def start(self, now: dt.datetime) -> None:
        self._move("start", now, ProjectStarted)

    def complete(self, now: dt.datetime) -> None:
        self._move("complete", now, ProjectCompleted)

    def cancel(self, now: dt.datetime) -> None:
        self._move("cancel", now, ProjectCancelled)
