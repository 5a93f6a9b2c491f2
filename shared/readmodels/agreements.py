"""The agreements as a consuming service knows them, from the `partnerships.agreement.*` snapshots.

Training keeps them for partner seat quotas (an active `training_cooperation` agreement's
`training_seats_per_year`); outreach and publications to validate `agreement_ids`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.partnerships import AgreementSnapshot
from shared.db.types import JSONType
from shared.readmodels import ReadModel


class KnownAgreements(ReadModel):
    table_name = "known_agreements"
    contract = AgreementSnapshot
    columns = {"code": String(20), "kind": String(40), "state": String(20), "partner_ids": JSONType,
               "training_seats_per_year": Integer, "effective_from": Date, "effective_until": Date}
    optional = frozenset({"training_seats_per_year"})

    def copy(self, agreement: Any) -> dict[str, Any]:
        # The partner ids as the JSON strings `in_force_for_partner` looks for.
        return {**super().copy(agreement), "partner_ids": [str(p) for p in agreement.partner_ids]}

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
