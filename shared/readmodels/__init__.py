"""Local copies of other services' data, kept current from their events (never fetched over HTTP)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession


async def keep_newest(session: AsyncSession, table: Table, row_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Insert the copy, or replace it if `values["version"]` is newer: an older or repeated event never
    overwrites a newer copy, whatever order the events arrive in."""
    current = (await session.execute(select(table.c.version).where(table.c.id == row_id))).scalar_one_or_none()
    if current is None:
        await session.execute(table.insert().values(id=row_id, **values))
    elif current < values["version"]:
        await session.execute(table.update().where(table.c.id == row_id).values(**values))
