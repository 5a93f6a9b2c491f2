"""The figures of the cooperation for dashboards: partner institutions by country and kind, agreements by
state and kind, pandas and those on loan, and the impact ledger per partner and per agreement."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreements, impact_contributions, loans, pandas, partners
from services.partnerships.domain.impact import Impact, Scope


async def partnership_stats(session: AsyncSession) -> dict[str, Any]:
    async def counts(column: Any) -> dict[str, int]:
        rows = await session.execute(select(column, func.count()).group_by(column))
        return {str(getattr(key, "value", key)): n for key, n in sorted(rows.all(), key=lambda r: str(r[0]))}

    async def total(table: Any, *where: Any) -> int:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()

    return {
        "partners": await total(partners),
        "partners_by_country": await counts(partners.c.country),
        "partners_by_kind": await counts(partners.c.kind),
        "agreements": await total(agreements),
        "agreements_by_state": await counts(agreements.c.state),
        "agreements_by_kind": await counts(agreements.c.kind),
        "pandas": await total(pandas),
        "pandas_on_loan": await total(loans, loans.c.state == "active"),
        **await _impact_ledger(session),
    }


async def _impact_ledger(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Every partner's and agreement's five figures (`Impact`), one `GROUP BY` over the ledger; those with any
    figure only, the most works, trainees and events first."""
    c = impact_contributions
    rows = await session.execute(
        select(c.c.scope, c.c.scope_id, c.c.figure, func.sum(c.c.amount))
        .group_by(c.c.scope, c.c.scope_id, c.c.figure)
    )
    totals: dict[tuple[str, Any], list[tuple[str, int]]] = defaultdict(list)
    for scope, scope_id, figure, amount in rows.all():
        totals[(scope, scope_id)].append((figure, amount))
    ledger: dict[str, list[dict[str, Any]]] = {"impact_by_partner": [], "impact_by_agreement": []}
    for (scope, scope_id), figures in totals.items():
        impact = Impact.from_totals(figures)
        if scope == Scope.partner.value:
            ledger["impact_by_partner"].append({"partner_id": scope_id, **asdict(impact)})
        elif scope == Scope.agreement.value:
            ledger["impact_by_agreement"].append({"agreement_id": scope_id, **asdict(impact)})
    for rows_ in ledger.values():
        rows_.sort(key=lambda r: (-(r["works_published"] + r["trainees_completed"] + r["outreach_events_held"]),
                                  str(r.get("partner_id", r.get("agreement_id")))))
    return ledger
