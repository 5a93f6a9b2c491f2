"""Certificates: anyone may verify one by its code. What is shown is what was issued, never the holder's email."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.training.db.models import certificates
from shared.domain import NotFound


async def verify_certificate(session: AsyncSession, code: str) -> dict[str, Any]:
    """The certificate with `code` (any letter case), or NotFound (404)."""
    c = certificates
    row = (await session.execute(
        select(c.c.code, c.c.holder_name, c.c.program_id, c.c.program_title, c.c.cohort_id, c.c.cohort_starts_on,
               c.c.cohort_ends_on, c.c.issued_at).where(c.c.code == code.upper())
    )).mappings().first()
    if row is None:
        raise NotFound("no certificate has this code")
    return dict(row)
