"""What partnerships reacts to: the other services' events that feed the impact ledger.

The event format is in `domain/impact.py`. Each handler runs in the consumer's transaction, beside the inbox
row of its event: it applies the event only if it is newer than what the ledger holds for its source, and
then replaces that source's contributions as a whole. Registering these handlers is what makes partnerships
consume `training.events`, `outreach.events` and `publications.events`.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import impact_contributions, impact_sources
from services.partnerships.domain import impact
from shared.db.types import utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent

handlers = EventHandlers()


async def record(session: AsyncSession, event: CloudEvent) -> None:
    """Apply `event` to the ledger if it is newer than what the ledger knows of its source."""
    report = impact.report_of(event.type, event.data, event.time)  # MalformedImpactEvent: to the DLQ
    s = impact_sources
    held = (
        await session.execute(
            select(s.c.version, s.c.occurred_at).where(s.c.source == report.source).with_for_update()
        )
    ).first()
    now = utcnow()
    if held is None:
        await session.execute(
            insert(s).values(source=report.source, version=report.version, occurred_at=report.occurred_at,
                             updated_at=now)
        )
    elif report.supersedes(held.version, held.occurred_at):
        await session.execute(
            update(s).where(s.c.source == report.source)
            .values(version=report.version, occurred_at=report.occurred_at, updated_at=now)
        )
        await session.execute(delete(impact_contributions).where(impact_contributions.c.source == report.source))
    else:
        return  # a repeat, or older than what the ledger has: the figures already say more
    if report.contributions:
        await session.execute(
            insert(impact_contributions),
            [
                {"source": report.source, "scope": c.scope.value, "scope_id": c.scope_id, "figure": c.figure,
                 "amount": c.amount}
                for c in report.contributions
            ],
        )


# --- publications ------------------------------------------------------------------------------------------


@handlers.on("publications.work.published")
async def work_published(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


@handlers.on("publications.work.retracted")
async def work_retracted(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


# --- training ----------------------------------------------------------------------------------------------


@handlers.on("training.enrollment.completed")
async def enrollment_completed(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


@handlers.on("training.certificate.issued")
async def certificate_issued(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


@handlers.on("training.certificate.revoked")
async def certificate_revoked(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


# --- outreach ----------------------------------------------------------------------------------------------


@handlers.on("outreach.event.completed")
async def outreach_event_completed(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)


@handlers.on("outreach.event.cancelled")
async def outreach_event_cancelled(session: AsyncSession, event: CloudEvent) -> None:
    await record(session, event)

