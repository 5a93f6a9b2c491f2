"""`/api/v1/training/stats`: who took part in the base's training and who completed it, for dashboards.

For staff (analyst, coordinator, admin); a partner gets the same figures for its own institution's staff only
(`partner_id` = the caller's partner). Optional filters: `year` (the cohort's year) and `program_id`.

The figures, in total and by country, partner, program and year:

    participants   distinct people (by email) with an enrollment that holds or held a seat and was taken up:
                   accepted, attended or completed. Waitlisted, withdrawn, rejected and no_show enrollments do
                   not count. Someone in two programs counts once in the total and once in each program, so
                   a breakdown's rows may add up to more than the total.
    completions    completed enrollments (one person completing two programs is two completions)
    certificates   completion certificates issued for those enrollments

Every figure is one `GROUP BY` over the enrollments, joined to their certificates: the same SQL on SQLite and
PostgreSQL. A breakdown lists only the groups with at least one participant; `by_partner` covers participants
enrolled as a partner institution's staff.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.training.usecases import stats
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["training stats"])


class Figures(BaseModel):
    participants: int
    completions: int
    certificates: int


class CountryFigures(Figures):
    country: str


class PartnerFigures(Figures):
    partner_id: uuid.UUID


class ProgramFigures(Figures):
    program_id: uuid.UUID
    title: dict[str, str]


class YearFigures(Figures):
    year: int


class TrainingStats(Figures):
    by_country: list[CountryFigures]
    by_partner: list[PartnerFigures]
    by_program: list[ProgramFigures]
    by_year: list[YearFigures]


@router.get("/stats", response_model=TrainingStats)
async def training_stats(
    caller: CallerDep,
    session: ReadSessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="The cohorts' year")] = None,
    program_id: uuid.UUID | None = None,
) -> TrainingStats:
    """Participants and completions by year and country, and seat use per cohort (analysts and up)."""
    return TrainingStats.model_validate(await stats.training_figures(session, caller, year, program_id))
