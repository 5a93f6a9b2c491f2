"""The works (papers, books) as a consuming service knows them, from the `publications.work.*` snapshots:
enough to validate `work_ids` (outreach events that launch a book) and to show a title, without calling
publications."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.publications import WorkSnapshot
from shared.db.types import JSONType
from shared.events.envelope import CloudEvent
from shared.readmodels import ReadModel


class _WorkReference(BaseModel):
    """What a copy needs of a work event that does not carry the whole snapshot."""

    id: uuid.UUID
    version: int = Field(0, ge=0)
    title: dict[str, str] | None = None
    status: str | None = None


class KnownWorks(ReadModel):
    table_name = "known_works"
    contract = WorkSnapshot
    columns = {"title": JSONType, "status": String(20)}
    optional = frozenset(columns)  # a copy made from a `_WorkReference` may know neither

    async def apply(self, session: AsyncSession, event: CloudEvent) -> None:
        # The impact ledger's events about works (publications.work.published with ids, partners and agreements
        # only) are on this topic too: a copy is kept from the id and version alone, as it always was, rather
        # than parking them, since all outreach needs is to know the work exists.
        work: Any = _WorkReference.model_validate(event.data)
        status = work.status or event.type.rsplit(".", 1)[1]
        await self.keep(session, work.id, {"title": work.title, "status": status, "version": work.version})
