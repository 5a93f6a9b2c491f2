"""The works (papers, books) as a consuming service knows them, from `publications.work.*` events: enough to
validate `work_ids` (outreach events that launch a book) and to show a title, without calling publications."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import JSONType, UTCDateTime, utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.readmodels import keep_newest

WORK_EVENTS = tuple(f"publications.work.{verb}" for verb in ("drafted", "updated", "published", "retracted"))


class KnownWorks:
    def __init__(self, metadata: MetaData) -> None:
        self.table = Table(
            "known_works",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("title", JSONType, nullable=True),
            Column("status", String(20), nullable=True),
            Column("version", Integer, nullable=False),
            Column("updated_at", UTCDateTime, nullable=False),
        )
        self.handlers = EventHandlers()
        self.handlers.on(*WORK_EVENTS)(self._apply)

    async def _apply(self, session: AsyncSession, event: CloudEvent) -> None:
        data: dict[str, Any] = event.data
        t = self.table
        work_id = uuid.UUID(str(data["id"]))
        values = {"title": data.get("title"), "status": data.get("status") or event.type.rsplit(".", 1)[1],
                  "version": int(data.get("version") or 0), "updated_at": utcnow()}
        await keep_newest(session, t, work_id, values)

    async def unknown_among(self, session: AsyncSession, work_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not work_ids:
            return []
        found = set((await session.execute(select(self.table.c.id).where(self.table.c.id.in_(work_ids)))).scalars())
        return [w for w in work_ids if w not in found]
