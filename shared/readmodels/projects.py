"""The research projects of the cooperation plans as a consuming service knows them, from
`partnerships.project.*` events: enough to validate `project_ids` without calling partnerships."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import JSONType, UTCDateTime, utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.readmodels import keep_newest

PROJECT_EVENTS = tuple(f"partnerships.project.{verb}"
                       for verb in ("planned", "updated", "started", "completed", "cancelled"))


class KnownProjects:
    def __init__(self, metadata: MetaData) -> None:
        self.table = Table(
            "known_projects",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("agreement_id", Uuid, nullable=False),
            Column("title", JSONType, nullable=False),
            Column("status", String(20), nullable=False),
            Column("version", Integer, nullable=False),
            Column("updated_at", UTCDateTime, nullable=False),
        )
        self.handlers = EventHandlers()
        self.handlers.on(*PROJECT_EVENTS)(self._apply)

    async def _apply(self, session: AsyncSession, event: CloudEvent) -> None:
        data: dict[str, Any] = event.data
        t = self.table
        project_id = uuid.UUID(str(data["id"]))
        values = {"agreement_id": uuid.UUID(str(data["agreement_id"])), "title": data["title"],
                  "status": str(data["status"]), "version": int(data["version"]), "updated_at": utcnow()}
        await keep_newest(session, t, project_id, values)

    async def unknown_among(self, session: AsyncSession, project_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not project_ids:
            return []
        found = set((await session.execute(select(self.table.c.id).where(self.table.c.id.in_(project_ids)))).scalars())
        return [p for p in project_ids if p not in found]
