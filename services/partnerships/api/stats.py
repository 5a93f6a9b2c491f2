"""`/api/v1/partnerships/stats`: the figures of the cooperation for dashboards (staff): partner institutions
by country and kind, agreements by state and kind, pandas and those on loan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.partnerships.usecases.stats import partnership_stats as figures
from shared.auth import GuardedRoute, StaffDep
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["partnerships stats"])


@router.get("/stats")
async def partnership_stats(_caller: StaffDep, session: ReadSessionDep) -> dict[str, Any]:
    """Counts of partners by kind and country, agreements by state and kind, pandas and loans (analysts and up)."""
    return await figures(session)
