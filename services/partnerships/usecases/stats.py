"""The figures of the cooperation for dashboards: partner institutions by country and kind, agreements by
state and kind, pandas and those on loan."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreements, loans, pandas, partners


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
    }
