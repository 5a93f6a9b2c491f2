"""`/api/v1/partnerships/stats`: the figures of the cooperation for dashboards (staff): partner institutions
by country and kind, agreements by state and kind, pandas and those on loan, the impact ledger per partner and
per agreement."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.partnerships.api.ledger import AgreementImpactOut, PartnerImpactOut
from services.partnerships.usecases.stats import partnership_stats as figures
from shared.auth import GuardedRoute, StaffDep
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["partnerships stats"])


class PartnershipStats(BaseModel):
    partners: int = Field(description="Partner institutions registered")
    partners_by_country: dict[str, int] = Field(description="By ISO 3166-1 alpha-2 country code")
    partners_by_kind: dict[str, int]
    agreements: int
    agreements_by_state: dict[str, int]
    agreements_by_kind: dict[str, int]
    pandas: int = Field(description="Pandas in the studbook")
    pandas_on_loan: int = Field(description="Pandas on an active loan (a loan is of one panda)")
    impact_by_partner: list[PartnerImpactOut] = Field(
        description="The impact ledger of each partner with any figure, the most works, trainees and events first")
    impact_by_agreement: list[AgreementImpactOut] = Field(
        description="The impact ledger of each agreement with any figure, the most works, trainees and events first")


@router.get("/stats", response_model=PartnershipStats)
async def partnership_stats(_caller: StaffDep, session: ReadSessionDep) -> PartnershipStats:
    """Counts of partners by kind and country, agreements by state and kind, pandas and loans (analysts and up)."""
    return PartnershipStats(**await figures(session))
