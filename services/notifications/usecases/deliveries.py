"""The delivery log, as staff read it: every message queued, with its status (queued, sent, failed, suppressed),
by the fact it tells of, by what the fact is about, or by recipient."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.db.models import messages
from services.notifications.domain.message import Channel, MessageStatus, recipient_key
from shared.auth import Caller, Role
from shared.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class LogFilters:
    subject: str | None = None
    fact_id: str | None = None
    recipient: str | None = None  # an email address or a device token, as given
    channel: Channel | None = None
    status: MessageStatus | None = None


async def list_deliveries(session: AsyncSession, caller: Caller, filters: LogFilters, limit: int,
                          cursor: str | None) -> tuple[list[Any], str | None]:
    """Newest first. Coordinators (and admins) only: the log names people."""
    caller.require(Role.coordinator)
    m = messages
    stmt = select(m)
    if filters.subject:
        stmt = stmt.where(m.c.subject == filters.subject)
    if filters.fact_id:
        stmt = stmt.where(m.c.fact_id == filters.fact_id)
    if filters.recipient:
        stmt = stmt.where(m.c.recipient == recipient_key(filters.recipient))
    if filters.channel:
        stmt = stmt.where(m.c.channel == filters.channel)
    if filters.status:
        stmt = stmt.where(m.c.status == filters.status)
    if cursor:
        created, message_id = decode_cursor(cursor, [dt.datetime, uuid.UUID])
        stmt = stmt.where(tuple_(m.c.created_at, m.c.id) < tuple_(created, message_id))
    rows = (await session.execute(stmt.order_by(m.c.created_at.desc(), m.c.id.desc()).limit(limit + 1))).all()
    if len(rows) <= limit:
        return list(rows), None
    rows = rows[:limit]
    return list(rows), encode_cursor([rows[-1].created_at, rows[-1].id])
