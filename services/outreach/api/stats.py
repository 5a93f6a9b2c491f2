"""`/api/v1/outreach/stats`: the events held and the people who came, for dashboards. Who may ask and how the
figures are counted is in `usecases/stats.py`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.outreach.usecases import stats
from services.outreach.usecases.stats import Groups, OutreachFigures
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep
from shared.validation import Day

router = APIRouter(route_class=GuardedRoute, tags=["outreach stats"])


class Figures(BaseModel):
    events_held: int = 0
    attendance: int = 0


class KindFigures(Figures):
    kind: str


class AudienceFigures(Figures):
    audience: str


class CountryFigures(Figures):
    country: str


class PartnerFigures(Figures):
    partner_id: uuid.UUID


class MonthFigures(Figures):
    month: str  # YYYY-MM of starts_at in UTC


def _rows(make: Callable[..., Figures], name: str, groups: Groups) -> list[Any]:
    return [make(**{name: key}, **asdict(figures)) for key, figures in groups]


class OutreachStats(Figures):
    by_kind: list[KindFigures]
    by_audience: list[AudienceFigures]
    by_country: list[CountryFigures]
    by_partner: list[PartnerFigures]
    by_month: list[MonthFigures]

    @classmethod
    def of(cls, found: OutreachFigures) -> OutreachStats:
        return cls(
            **asdict(found.total),
            by_kind=_rows(KindFigures, "kind", found.by_kind),
            by_audience=_rows(AudienceFigures, "audience", found.by_audience),
            by_country=_rows(CountryFigures, "country", found.by_country),
            by_partner=_rows(PartnerFigures, "partner_id", found.by_partner),
            by_month=_rows(MonthFigures, "month", found.by_month),
        )


@router.get("/stats", response_model=OutreachStats)
async def outreach_stats(
    caller: CallerDep,
    session: ReadSessionDep,
    from_: Annotated[Day | None, Query(alias="from", description="Starting on or after this day (UTC)")] = None,
    to: Annotated[Day | None, Query(description="Starting on or before this day (UTC)")] = None,
) -> OutreachStats:
    """Completed events and their attendance, in total and by kind, audience, country, co-host partner and
    month (of `starts_at` in UTC)."""
    return OutreachStats.of(await stats.outreach_stats(session, caller, from_, to))
