"""The agreements as a consuming service knows them, from `partnerships.agreement.*` events.

Training keeps them for partner seat quotas (an active `training_cooperation` agreement's
`training_seats_per_year`); outreach and publications to validate `agreement_ids`. Every agreement event carries
the whole snapshot, so each one simply replaces an older copy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import JSONType, UTCDateTime, utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.readmodels import keep_newest

AGREEMENT_EVENTS = tuple(
    f"partnerships.agreement.{verb}"
    for verb in ("drafted", "updated", "submitted", "signed", "activated", "renewed", "terminated", "expired")
)


def known_agreements_table(metadata: MetaData) -> Table:
    return Table(
        "known_agreements",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("code", String(20), nullable=False),
        Column("kind", String(40), nullable=False),
        Column("state", String(20), nullable=False),
        Column("partner_ids", JSONType, nullable=False),
        Column("training_seats_per_year", Integer, nullable=True),
        Column("effective_from", Date, nullable=False),
        Column("effective_until", Date, nullable=False),
        Column("version", Integer, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )


class KnownAgreements:
    """The table, the handlers that keep it, and the lookups the owning service needs."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = known_agreements_table(metadata)
        self.handlers = EventHandlers()
        self.handlers.on(*AGREEMENT_EVENTS)(self._apply)

    async def _apply(self, session: AsyncSession, event: CloudEvent) -> None:
        data: dict[str, Any] = event.data
        t = self.table
        agreement_id = uuid.UUID(data["id"])
        values = {
            "code": str(data["code"]),
            "kind": str(data["kind"]),
            "state": str(data["state"]),
            "partner_ids": [str(uuid.UUID(str(p))) for p in data["partner_ids"]],
            "training_seats_per_year": data.get("training_seats_per_year"),
            "effective_from": dt.date.fromisoformat(data["effective_from"]),
            "effective_until": dt.date.fromisoformat(data["effective_until"]),
            "version": int(data["version"]),
            "updated_at": utcnow(),
        }
        await keep_newest(session, t, agreement_id, values)

    async def unknown_among(self, session: AsyncSession, agreement_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if not agreement_ids:
            return []
        found = set((await session.execute(
            select(self.table.c.id).where(self.table.c.id.in_(agreement_ids)))).scalars())
        return [a for a in agreement_ids if a not in found]

    async def in_force_for_partner(self, session: AsyncSession, partner_id: uuid.UUID, kind: str, on: dt.date
                                   ) -> list[dict[str, Any]]:
        """Active agreements of `kind` naming `partner_id` whose term includes `on`, oldest first."""
        t = self.table
        rows = (await session.execute(
            select(t).where(t.c.kind == kind, t.c.state == "active", t.c.effective_from <= on,
                            t.c.effective_until >= on).order_by(t.c.effective_from, t.c.id)
        )).mappings().all()
        # The partner list is JSON: filtered here, on a handful of active agreements of one kind.
        return [dict(r) for r in rows if str(partner_id) in r["partner_ids"]]
