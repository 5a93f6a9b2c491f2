"""Gapless numbering (`AGR-2026-0001`): one counter row a series, advanced inside the caller's transaction by
a single upsert, so two concurrent writers never get the same number and a rolled-back write leaves no gap."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def next_in_series(session: AsyncSession, table: Table, series: str) -> int:
    """`table` has columns `series` (primary key) and `last`."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(series=series, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.series], set_={"last": table.c.last + 1})
    return (await session.execute(stmt.returning(table.c.last))).scalar_one()
