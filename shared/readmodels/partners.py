"""The partner institutions as a consuming service knows them, from `partnerships.partner.*` events.

Training, outreach and publications each keep this table so they can validate `partner_ids` (and show a
partner's name) without calling the partnerships service. `GET /api/v1/<service>/partners/{id}` shows the
local copy, which is also how a client (or a test) sees that the copy has caught up.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import GuardedRoute, SignedInDep
from shared.db.types import JSONType, UTCDateTime, utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.problems import not_found
from shared.readmodels import keep_newest
from shared.service import ReadSessionDep

PARTNER_EVENTS = ("partnerships.partner.registered", "partnerships.partner.updated")


def known_partners_table(metadata: MetaData) -> Table:
    return Table(
        "known_partners",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("name", JSONType, nullable=False),
        Column("kind", String(40), nullable=False),
        Column("country", String(2), nullable=False),
        Column("version", Integer, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )


class KnownPartner(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    kind: str
    country: str
    version: int
    updated_at: dt.datetime


class KnownPartners:
    """The table, the handlers that keep it, and the lookups the owning service needs."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = known_partners_table(metadata)
        self.handlers = EventHandlers()
        self.handlers.on(*PARTNER_EVENTS)(self._apply)

    async def _apply(self, session: AsyncSession, event: CloudEvent) -> None:
        data: dict[str, Any] = event.data
        t = self.table
        partner_id = uuid.UUID(data["id"])
        values = {
            "name": data["name"],
            "kind": data["kind"],
            "country": data["country"],
            "version": int(data["version"]),
            "updated_at": utcnow(),
        }
        await keep_newest(session, t, partner_id, values)

    async def get(self, session: AsyncSession, partner_id: uuid.UUID) -> KnownPartner | None:
        row = (await session.execute(select(self.table).where(self.table.c.id == partner_id))).mappings().first()
        return KnownPartner.model_validate(dict(row)) if row else None

    async def unknown_among(self, session: AsyncSession, partner_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not partner_ids:
            return []
        found = set((await session.execute(select(self.table.c.id).where(self.table.c.id.in_(partner_ids)))).scalars())
        return [p for p in partner_ids if p not in found]

    def router(self) -> APIRouter:
        router = APIRouter(route_class=GuardedRoute, tags=["partners (local copy)"])

        @router.get("/partners/{partner_id}", response_model=KnownPartner)
        async def get_known_partner(
            partner_id: uuid.UUID, _caller: SignedInDep, session: ReadSessionDep
        ) -> KnownPartner:
            """A partner institution as this service knows it from the partnerships events."""
            partner = await self.get(session, partner_id)
            if partner is None:
                raise not_found(f"partner {partner_id} is not known to this service")
            return partner

        return router
