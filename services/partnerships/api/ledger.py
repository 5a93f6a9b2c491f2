"""The impact ledger on the wire, as the impact router (one partner's or agreement's figures) and the stats router
(every partner's and agreement's) answer it. Shapes only."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class ImpactOut(BaseModel):
    works_published: int = Field(description="Works of the joint research published and not retracted")
    trainees_completed: int = Field(description="Training enrollments completed")
    certificates_issued: int = Field(description="Completion certificates issued")
    outreach_events_held: int = Field(description="Outreach events held (completed, not cancelled)")
    outreach_attendance: int = Field(description="People who came to those outreach events")


class PartnerImpactOut(ImpactOut):
    partner_id: uuid.UUID


class AgreementImpactOut(ImpactOut):
    agreement_id: uuid.UUID
