"""What partnerships reacts to: the other services' events that feed the impact ledger, and every event on the
four topics for the partners' webhooks.

The event format is in `domain/impact.py`. Each handler runs in the consumer's transaction, beside the inbox
row of its event: it applies the event only if it is newer than what the ledger holds for its source, and
then replaces that source's contributions as a whole. Registering these handlers is what makes partnerships
consume `training.events`, `outreach.events` and `publications.events`; the webhook handler takes every event
of those topics and of `partnerships.events` and queues a delivery for each subscription it concerns.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import (
    impact_contributions,
    impact_sources,
    webhook_deliveries,
    webhook_subscriptions,
)
from services.partnerships.domain import impact, webhook
from services.partnerships.webhooks import wake_after_commit
from shared.db.types import utcnow
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.ids import new_id
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


# --- webhooks ----------------------------------------------------------------------------------------------

KEY_MAX = 200


def _key(value: str) -> str:
    """A subject as a column value: as it is, or its digest when it is too long to index."""
    return value if len(value) <= KEY_MAX else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@handlers.on_topic(*(f"{service}.events" for service in SERVICES))
async def queue_webhook_deliveries(session: AsyncSession, event: CloudEvent) -> None:
    """One delivery per active subscription of each partner the event concerns that takes its type, in the
    consumer's transaction: the inbox makes it once per event, and the delivery job sends it after commit."""
    partners = webhook.concerned_partners(event.type, event.data)
    if not partners:
        return
    s = webhook_subscriptions
    rows = (await session.execute(
        select(s.c.id, s.c.event_types)
        .where(s.c.partner_id.in_(partners), s.c.state == webhook.SubscriptionState.active.value)
    )).all()
    targets = [row.id for row in rows if webhook.takes(row.event_types, event.type)]
    if not targets:
        return
    now, payload = utcnow(), event.to_json().decode()
    subject = _key(event.subject) if event.subject else None
    await session.execute(insert(webhook_deliveries), [
        {"id": new_id(), "subscription_id": subscription_id, "kind": webhook.LogEntryKind.event.value,
         "event_id": event.id, "event_type": event.type[:KEY_MAX], "subject": subject,
         "ordering_key": subject or f"event:{_key(event.id)}"[:KEY_MAX], "payload": payload,
         "state": webhook.DeliveryState.pending.value, "attempts": 0, "claim": 0, "next_attempt_at": now,
         "created_at": now}
        for subscription_id in targets
    ])
    wake_after_commit(session)
