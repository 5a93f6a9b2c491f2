"""Insert-or-update in one statement (`INSERT ... ON CONFLICT DO UPDATE`), the same on SQLite and PostgreSQL.

Counters that concurrent writers advance (gapless numbering, quotas) use it: the row is created or advanced
atomically inside the caller's transaction, with no read-then-write race and no duplicate-key failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement


def _insert(session: AsyncSession, table: Table) -> Any:
    """An INSERT in the session's dialect: both have `ON CONFLICT`, each in its own construct."""
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert(table)


async def upsert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    *,
    keys: Sequence[str],
    set_: Mapping[str, Any],
    where: ColumnElement[bool] | None = None,
    returning: Any = None,
) -> Any:
    """Insert `values`, or on a clash of `keys` update with `set_` (only where `where` holds). With
    `returning`, answer that column of the row written, or None if the row existed and `where` refused."""
    stmt = _insert(session, table).values(**values).on_conflict_do_update(
        index_elements=[table.c[k] for k in keys], set_=dict(set_), where=where)
    if returning is None:
        await session.execute(stmt)
        return None
    return (await session.execute(stmt.returning(returning))).scalar_one_or_none()


async def insert_once(session: AsyncSession, table: Table, values: Mapping[str, Any], *, keys: Sequence[str]) -> int:
    """Insert `values` unless a row with the same `keys` exists (`ON CONFLICT DO NOTHING`); answers 1 if the row
    was written, 0 if it was there already (a redelivered event's work, done once)."""
    stmt = _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=[table.c[k] for k in keys])
    return (await session.execute(stmt)).rowcount or 0


async def next_in_series(session: AsyncSession, table: Table, series: str) -> int:
    """Gapless numbering (`AGR-2026-0001`): `table` has `series` (primary key) and `last`. A rolled-back
    write gives its number back with everything else."""
    return await upsert(session, table, {"series": series, "last": 1}, keys=("series",),
                        set_={"last": table.c.last + 1}, returning=table.c.last)
