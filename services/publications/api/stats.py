"""`/api/v1/publications/stats`: what the cooperation has published, counted for dashboards and reports.

Public, like the published works themselves. Who sees what is what `GET /works` shows them: the public (and
partners and members) count published works only; staff (analysts, coordinators, admins) count every work,
drafts and retractions too, and narrow with `status` (`status=published` is the figure the public sees).
The filters are those of `GET /works` (`year_from`, `year_to`, `year`, `type`, `area`, `partner_id`,
`agreement_id`, `language`, `status`), so a figure here and the list it summarises agree.

Counted in the database (GROUP BY; areas and partners from the works' `tags`), alike on SQLite and PostgreSQL:
`by_type` and `by_area` name every type and area (0 included), `by_year` the years that have works; a work
counts once in each of its areas. `by_partner` names the partner institutions the works' authors belong to,
most works first; a work counts once for each. `open_access` counts the works with an `open_access_url`.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.publications.api.inputs import filters_query
from services.publications.usecases.search import WorkFilters
from services.publications.usecases.stats import WorkCounts, count_works
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["publications stats"])


class PartnerWorks(BaseModel):
    partner_id: uuid.UUID
    name: dict[str, str] | None = Field(None, description="As this service knows the partner")
    works: int


class OpenAccess(BaseModel):
    works: int = Field(description="Works with an open-access URL")
    share: float = Field(ge=0, le=1, description="Their share of all works counted (0 when there are none)")


class WorkStats(BaseModel):
    works: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    by_year: dict[str, int]
    by_area: dict[str, int]
    by_partner: list[PartnerWorks]
    open_access: OpenAccess

    @classmethod
    def of(cls, counts: WorkCounts) -> WorkStats:
        return cls.model_validate(counts, from_attributes=True)


@router.get("/stats", response_model=WorkStats)
async def work_stats(caller: CallerDep, session: ReadSessionDep,
                     filters: Annotated[WorkFilters, Depends(filters_query)]) -> WorkStats:
    """Works by status, type, year, area and partner, and the open-access share, of what the filters match
    (`GET /works`'s filters but `q`: what a full-text query matches is counted by the list's facets)."""
    return WorkStats.of(await count_works(session, caller, filters))
