"""Taking a notification request (`shared/contracts/notifications.py`) off a service's private topic: queue one
message per channel the recipient is reachable on, and schedule or call off its reminders.

Runs in the consumer's transaction with the inbox row of the request, so a request read twice queues nothing the
second time; and each message's `dedupe_key` (fact, channel, recipient) is unique in the table, so a fact told
twice (by two requests, or a reminder found by two replicas) still makes one message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.db.models import devices, messages, preferences, reminders, unsubscribes
from services.notifications.domain.message import Channel, Message, recipient_key
from services.notifications.formats.templates import language_of
from shared.contracts.notifications import TRANSACTIONAL, NotificationRequested, Recipient
from shared.db.engine import after_commit
from shared.db.types import utcnow
from shared.db.upsert import insert_once, upsert
from shared.events.envelope import CloudEvent

# Set after a commit that queued messages: wakes the sender at once instead of at its next poll.
queued = asyncio.Event()


async def take_request(session: AsyncSession, event: CloudEvent, now: dt.datetime) -> None:
    """The consumer's handler for `notification.requested` (raises pydantic's ValidationError for a request that
    does not fit the contract: it goes to the topic's DLQ)."""
    request = NotificationRequested.parse(event)
    if request.cancel_reminders:
        await session.execute(delete(reminders).where(reminders.c.key.in_(request.cancel_reminders)))
    for reminder in request.remind:
        if reminder.due_at <= now:
            # Too late for it (a party registering an hour before the start): no reminder, and none left over.
            await session.execute(delete(reminders).where(reminders.c.key == reminder.key))
            continue
        values = {"subject": request.subject, "template": reminder.message, "category": reminder.category,
                  "due_at": reminder.due_at, "recipient": request.recipient.model_dump(mode="json"),
                  "email_key": recipient_key(request.recipient.email) if request.recipient.email else None,
                  "phone_key": recipient_key(request.recipient.phone) if request.recipient.phone else None,
                  "member": request.recipient.member,
                  "context": {**request.context, **reminder.context}, "keep_until": request.keep_until}
        await upsert(session, reminders, {"key": reminder.key, **values}, keys=("key",), set_=values)
    if request.message:
        await queue_messages(session, fact_id=request.fact_id, subject=request.subject, template=request.message,
                             category=request.category, recipient=request.recipient, context=request.context,
                             keep_until=request.keep_until)


async def queue_messages(session: AsyncSession, *, fact_id: str, subject: str, template: str, category: str,
                         recipient: Recipient, context: dict[str, Any], keep_until: dt.datetime | None) -> int:
    """One message per channel the recipient is reachable on: email at its address, push to each device its
    member registered. Answers how many were queued (not counting those there already). Queued at the real time,
    whatever the service's clock says: sending and its retries run on real time."""
    targets: list[tuple[Channel, str]] = []
    if recipient.email:
        targets.append((Channel.email, recipient.email.lower()))
    if recipient.member:
        tokens = (await session.execute(select(devices.c.token).where(devices.c.member == recipient.member)
                                        .order_by(devices.c.created_at))).scalars()
        targets.extend((Channel.push, token) for token in tokens)
    written = 0
    for channel, address in targets:
        message = Message.queue(
            fact_id=fact_id, subject=subject, channel=channel, template=template, category=category,
            language=language_of(recipient.language), address=address, name=recipient.name,
            member=recipient.member, context=context, keep_until=keep_until, now=utcnow(),
            suppressed=await opted_out(session, channel, address, recipient.member, category),
        )
        row = {f: getattr(message, f) for f in Message.__dataclass_fields__}
        written += await insert_once(session, messages, {"dedupe_key": message.dedupe_key, **row},
                                     keys=["dedupe_key"])
    if written:
        after_commit(session, queued.set)
    return written


async def opted_out(session: AsyncSession, channel: Channel, address: str, member: str | None, category: str) -> bool:
    """Whether the recipient turned `category` off: by an unsubscribe link (email), or in its member preferences
    (per channel). A transactional message is always sent."""
    if category == TRANSACTIONAL:
        return False
    if channel is Channel.email:
        found = (await session.execute(select(unsubscribes.c.category).where(
            unsubscribes.c.recipient == recipient_key(address), unsubscribes.c.category == category))).first()
        if found:
            return True
    if member:
        enabled = (await session.execute(select(preferences.c.enabled).where(
            preferences.c.member == member, preferences.c.category == category,
            preferences.c.channel == channel))).scalar_one_or_none()
        if enabled is False:
            return True
    return False
