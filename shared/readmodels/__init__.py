"""Local copies of other services' data, kept current from their events (never fetched over HTTP).

A read model is a table of the consuming service, filled from one snapshot contract of another service's topic
(every event of the aggregate carries the whole snapshot): the newest version of each aggregate wins, whatever
order its events arrive in, and a repeated event changes nothing. The service's `events/handlers.py` names the
contract it follows: `handlers.on(PartnerSnapshot)(known_partners.apply)`.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from sqlalchemy import Column, MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from shared.db.tables import copy_table
from shared.db.types import utcnow
from shared.events.envelope import CloudEvent, PublishedEvent


async def keep_newest(session: AsyncSession, table: Table, row_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Insert the copy, or replace it if `values["version"]` is newer: an older or repeated event never
    overwrites a newer copy, whatever order the events arrive in."""
    current = (await session.execute(select(table.c.version).where(table.c.id == row_id))).scalar_one_or_none()
    if current is None:
        await session.execute(table.insert().values(id=row_id, **values))
    elif current < values["version"]:
        await session.execute(table.update().where(table.c.id == row_id).values(**values))


class ReadModel:
    """A table of copies of another service's aggregates, kept from the events of one snapshot `contract` (parsed
    with it, so an event that does not fit the contract is a poison message for the DLQ).

    A subclass names the table (`table_name`), the `contract` and the snapshot's fields it copies (`columns`:
    each field's name, which is its column's, and the column's type; NOT NULL unless named in `optional`). The
    table holds the copied aggregate's `id`, those columns, its `version` and `updated_at` (`copy_table`)."""

    table_name: ClassVar[str]
    contract: ClassVar[type[PublishedEvent]]
    columns: ClassVar[dict[str, TypeEngine[Any] | type[TypeEngine[Any]]]]
    optional: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, metadata: MetaData) -> None:
        self.table = copy_table(self.table_name, metadata, *(
            Column(name, type_, nullable=name in self.optional) for name, type_ in self.columns.items()))

    def copy(self, snapshot: Any) -> dict[str, Any]:
        """The copied columns' values: the snapshot's fields of the same names."""
        return {name: getattr(snapshot, name) for name in self.columns}

    async def apply(self, session: AsyncSession, event: CloudEvent) -> None:
        snapshot: Any = self.contract.parse(event)
        await self.keep(session, snapshot.id, {**self.copy(snapshot), "version": snapshot.version})

    async def keep(self, session: AsyncSession, row_id: uuid.UUID, values: dict[str, Any]) -> None:
        await keep_newest(session, self.table, row_id, {**values, "updated_at": utcnow()})

    async def row(self, session: AsyncSession, row_id: uuid.UUID) -> dict[str, Any] | None:
        found = (await session.execute(select(self.table).where(self.table.c.id == row_id))).mappings().first()
        return dict(found) if found else None

    async def unknown_among(self, session: AsyncSession, ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """Those of `ids` this service has no copy of (yet)."""
        if not ids:
            return []
        found = set((await session.execute(select(self.table.c.id).where(self.table.c.id.in_(ids)))).scalars())
        return [i for i in ids if i not in found]
