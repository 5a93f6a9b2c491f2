"""The partner institutions as a consuming service knows them, from `partnerships.partner.*` events.

Training, outreach and publications each keep this table so they can validate `partner_ids` (and show a
partner's name) without calling the partnerships service. `GET /api/v1/<service>/partners/{id}` shows the
local copy (`shared/routers.py`), which is also how a client (or a test) sees that the copy has caught up.
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.partnerships import PartnerSnapshot
from shared.db.types import JSONType
from shared.readmodels import ReadModel


class KnownPartner(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    kind: str
    country: str
    version: int
    updated_at: dt.datetime


class KnownPartners(ReadModel):
    """The table, the event handler that keeps it, and the lookups the owning service needs."""

    table_name = "known_partners"
    contract = PartnerSnapshot
    columns = {"name": JSONType, "kind": String(40), "country": String(2)}

    async def get(self, session: AsyncSession, partner_id: uuid.UUID) -> KnownPartner | None:
        row = await self.row(session, partner_id)
        return KnownPartner.model_validate(row) if row else None
