"""What partnerships reacts to: the other services' events that feed the impact ledger, and every event on the
four topics for the partners' webhooks.

The event format is in `domain/impact.py`. Each handler runs in the consumer's transaction, beside the inbox
row of its event: it applies the event only if it is newer than what the ledger holds for its source, and
then replaces that source's contributions as a whole. Registering these handlers is what makes partnerships
consume `training.events`, `outreach.events` and `publications.events`; the webhook handler takes every event
of those topics and of `partnerships.events` and queues a delivery for each subscription it concerns.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import impact_contributions, impact_sources
from services.partnerships.domain import impact
from services.partnerships.usecases.webhooks import queue_deliveries
from shared.db.types import utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.settings import SERVICES

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


# The ledger reads the event types its domain knows (`impact.EVENT_TYPES`: works published and retracted,
# enrollments completed, certificates issued and revoked, outreach events completed and cancelled).
handlers.on(*impact.EVENT_TYPES)(record)

# The partners' webhooks take every event of the four topics (`usecases/webhooks.py`).
handlers.on_topic(*(f"{service}.events" for service in SERVICES))(queue_deliveries)
