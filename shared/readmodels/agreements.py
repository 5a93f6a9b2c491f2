"""The agreements as a consuming service knows them, from the `partnerships.agreement.*` snapshots.

Training keeps them for partner seat quotas (an active `training_cooperation` agreement's
`training_seats_per_year`); outreach and publications to validate `agreement_ids`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.partnerships import AgreementSnapshot
from shared.db.tables import copy_table
from shared.db.types import JSONType
from shared.readmodels import ReadModel


class KnownAgreements(ReadModel):
    def __init__(self, metadata: MetaData) -> None:
        table = copy_table(
            "known_agreements",
            metadata,
            Column("code", String(20), nullable=False),
            Column("kind", String(40), nullable=False),
            Column("state", String(20), nullable=False),
            Column("partner_ids", JSONType, nullable=False),
            Column("training_seats_per_year", Integer, nullable=True),
            Column("effective_from", Date, nullable=False),
            Column("effective_until", Date, nullable=False),
        )
        super().__init__(table, AgreementSnapshot, lambda a: {
            "code": a.code, "kind": a.kind, "state": a.state, "partner_ids": [str(p) for p in a.partner_ids],
            "training_seats_per_year": a.training_seats_per_year, "effective_from": a.effective_from,
            "effective_until": a.effective_until,
        })

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
