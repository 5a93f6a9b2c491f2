"""Webhooks: a partner's subscriptions, the deliveries the consumer queues for them, and their log
(docs/webhooks.md). The delivery job (`jobs/webhooks.py`) sends what is queued here.

A partner key manages its own institution's subscriptions; coordinators and admins manage any partner's
(naming `partner_id`), analysts read them all. Another partner's subscription does not exist for a partner
caller (404). A URL must be https (plain http only to an allowlisted host) and must not resolve to a loopback,
private or link-local address unless the allowlist names it: checked before any lock is taken, since it resolves
the host.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import partners, webhook_deliveries, webhook_subscriptions
from services.partnerships.domain import webhook
from services.partnerships.domain.webhook import DeliveryState, Destination, LogEntryKind, Subscription
from shared.auth import Caller, Role
from shared.db.engine import after_commit
from shared.db.lookup import get_visible
from shared.db.types import utcnow
from shared.domain import Conflict, ExpectedVersion, NotFound, RuleViolated
from shared.events.envelope import CloudEvent
from shared.ids import new_id
from shared.pagination import decode_cursor, encode_cursor, keyset_page
from shared.problems import forbidden
from shared.service import UnitOfWork

MAX_SUBSCRIPTIONS_PER_PARTNER = 25
RESOLVE_TIMEOUT_SECONDS = 5.0
KEY_MAX = 200

# Set after a commit that queued deliveries (or replayed one): wakes this process's delivery job before its next
# poll.
queued = asyncio.Event()


# --- destinations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedDestination:
    """A destination as checked now: why deliveries may not go there (None if they may), and the addresses the
    check approved, which are where a delivery connects (`jobs/pinned_http.py`): a host the allowlist names is
    connected to by its name, since it may resolve to anything."""

    refusal: str | None
    addresses: tuple[str, ...]


async def checked_destination(url: str, allowlist: frozenset[str]) -> CheckedDestination:
    """Resolves `url`'s host (within RESOLVE_TIMEOUT_SECONDS) and checks every address it has (a loopback,
    private, link-local... address, or one that embeds one, is refused unless the allowlist names it).
    RuleViolated if it is not an acceptable URL."""
    destination = Destination.parse(url, allowlist)
    literal = destination.literal_address()
    if literal is not None:
        addresses = [str(literal)]
    elif destination.host in allowlist:
        return CheckedDestination(None, (destination.host,))
    else:
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                infos = await asyncio.get_running_loop().getaddrinfo(
                    destination.host, destination.port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError, UnicodeError):
            return CheckedDestination(f"{destination.host} does not resolve", ())
        addresses = sorted({str(info[4][0]) for info in infos})
    refusal = destination.refusal(addresses, allowlist)
    return CheckedDestination(refusal, () if refusal else tuple(addresses))


async def check_destination(url: str, allowlist: frozenset[str]) -> None:
    """RuleViolated (422 on `url`) unless deliveries may go to `url`."""
    refusal = (await checked_destination(url, allowlist)).refusal
    if refusal is not None:
        raise RuleViolated(refusal, ("body", "url"), "url_refused")


# --- queueing (the consumer) ------------------------------------------------------------------------------------


def _key(value: str) -> str:
    """A subject as a column value: as it is, or its digest when it is too long to index."""
    return value if len(value) <= KEY_MAX else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


async def queue_deliveries(session: AsyncSession, event: CloudEvent) -> None:
    """One delivery per active subscription of each partner the event concerns that takes its type, in the
    consumer's transaction: the inbox makes it once per event, and the delivery job sends it after commit."""
    concerned = webhook.concerned_partners(event.type, event.data)
    if not concerned:
        return
    s = webhook_subscriptions
    rows = (await session.execute(
        select(s.c.id, s.c.event_types)
        .where(s.c.partner_id.in_(concerned), s.c.state == webhook.SubscriptionState.active.value)
    )).all()
    targets = [row.id for row in rows if webhook.takes(row.event_types, event.type)]
    if not targets:
        return
    now, payload = utcnow(), event.to_json().decode()
    subject = _key(event.subject) if event.subject else None
    await session.execute(insert(webhook_deliveries), [
        {"id": new_id(), "subscription_id": subscription_id, "kind": LogEntryKind.event.value,
         "event_id": event.id, "event_type": event.type[:KEY_MAX], "subject": subject,
         "ordering_key": subject or f"event:{_key(event.id)}"[:KEY_MAX], "payload": payload,
         "state": DeliveryState.pending.value, "attempts": 0, "claim": 0, "next_attempt_at": now,
         "created_at": now}
        for subscription_id in targets
    ])
    after_commit(session, queued.set)  # not before: the job would find nothing


# --- subscriptions --------------------------------------------------------------------------------------------


def own_partner(caller: Caller) -> uuid.UUID:
    if caller.partner_id is None:
        raise forbidden("this partner credential belongs to no partner institution")
    return caller.partner_id


async def visible_subscription(session: AsyncSession, caller: Caller, subscription_id: uuid.UUID, *,
                               for_update: bool = False) -> Subscription:
    """The subscription, or NotFound (404) if it does not exist or belongs to another partner than the
    caller's."""
    return await get_visible(session, Subscription, subscription_id, what="webhook subscription",
                             for_update=for_update, may_see=lambda s: caller.may_see_partner(s.partner_id))


async def _subscriber(session: AsyncSession, caller: Caller, requested: uuid.UUID | None) -> uuid.UUID:
    """Whose subscription a new one is: a partner's own; the partner staff name."""
    if caller.role is Role.partner:
        partner_id = own_partner(caller)
        if requested not in (None, partner_id):
            raise forbidden("a partner subscribes for its own institution only")
        return partner_id
    if requested is None:
        raise RuleViolated("name the partner whose subscription this is", ("body", "partner_id"), "missing")
    if (await session.execute(select(partners.c.id).where(partners.c.id == requested))).first() is None:
        raise RuleViolated(f"no partner {requested}", ("body", "partner_id"), "unknown_partner")
    return requested


async def create_subscription(uow: UnitOfWork, caller: Caller, fields: dict[str, Any],
                              allowlist: frozenset[str], now: dt.datetime) -> Subscription:
    """Subscribe a URL to the events that concern a partner (`fields`: url, event_types, description and
    partner_id). Its `secret` is for the answer to show this once."""
    await check_destination(fields["url"], allowlist)  # resolves the host: before the transaction takes any lock
    partner_id = await _subscriber(uow.session, caller, fields.pop("partner_id", None))
    s = webhook_subscriptions
    count = (await uow.session.execute(select(func.count()).where(s.c.partner_id == partner_id))).scalar_one()
    if count >= MAX_SUBSCRIPTIONS_PER_PARTNER:
        raise Conflict(f"a partner has at most {MAX_SUBSCRIPTIONS_PER_PARTNER} webhook subscriptions")
    return await uow.commit_new(Subscription.create(partner_id=partner_id, now=now, **fields))


async def list_subscriptions(session: AsyncSession, caller: Caller, partner_id: uuid.UUID | None,
                             active: bool | None, limit: int, cursor: str | None
                             ) -> tuple[list[Subscription], str | None]:
    """A partner's own subscriptions; staff see every partner's (`partner_id` filters)."""
    s = webhook_subscriptions
    stmt = select(Subscription)
    if not caller.is_staff:
        stmt = stmt.where(s.c.partner_id == own_partner(caller))
    if partner_id is not None:
        stmt = stmt.where(s.c.partner_id == partner_id)
    if active is not None:
        stmt = stmt.where(s.c.state == ("active" if active else "disabled"))
    return await keyset_page(session, stmt, [s.c.id], [uuid.UUID], limit, cursor)


async def update_subscription(uow: UnitOfWork, caller: Caller, subscription_id: uuid.UUID, changes: dict[str, Any],
                              expected: ExpectedVersion, allowlist: frozenset[str], now: dt.datetime
                              ) -> Subscription:
    """Change the URL, the event types or the description; `active: false` pauses the subscription and
    `active: true` resumes it (a disabled one too): its pending deliveries are then attempted at once."""
    if "url" in changes:
        await check_destination(changes["url"], allowlist)  # resolves the host: before any lock is taken
    subscription = await visible_subscription(uow.session, caller, subscription_id, for_update=True)
    expected.check(subscription.version)
    was_active = subscription.active
    changed = subscription.update(changes, now)
    resumed = subscription.active and not was_active
    if resumed:
        # A fresh start: the pending deliveries are due now, and their give-up clock starts again.
        d = webhook_deliveries
        await uow.session.execute(
            update(d).where(d.c.subscription_id == subscription.id, d.c.state == DeliveryState.pending.value)
            .values(first_attempt_at=None, next_attempt_at=utcnow(), lease_until=None, claim=d.c.claim + 1)
        )
    await uow.commit()
    if resumed and changed:
        queued.set()
    return subscription


async def delete_subscription(uow: UnitOfWork, caller: Caller, subscription_id: uuid.UUID,
                              expected: ExpectedVersion) -> None:
    """Remove the subscription and its delivery log; nothing more is sent to its URL."""
    subscription = await visible_subscription(uow.session, caller, subscription_id, for_update=True)
    expected.check(subscription.version)
    await uow.session.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subscription_id == subscription.id))
    await uow.session.delete(subscription)
    await uow.commit()


# --- the delivery log -----------------------------------------------------------------------------------------


async def list_deliveries(session: AsyncSession, caller: Caller, subscription_id: uuid.UUID,
                          states: list[DeliveryState] | None, event_id: str | None, limit: int, cursor: str | None
                          ) -> tuple[list[Any], str | None]:
    """The subscription's delivery log, newest first: each event queued for it with its attempts, and notices
    (`kind: subscription_disabled`)."""
    await visible_subscription(session, caller, subscription_id)
    d = webhook_deliveries
    stmt = select(d).where(d.c.subscription_id == subscription_id)
    if states:
        stmt = stmt.where(d.c.state.in_([s.value for s in states]))
    if event_id:
        stmt = stmt.where(d.c.event_id == event_id)
    if cursor:
        (after,) = decode_cursor(cursor, [int])
        stmt = stmt.where(d.c.seq < after)
    rows = list((await session.execute(stmt.order_by(d.c.seq.desc()).limit(limit + 1))).all())
    next_cursor = encode_cursor([rows[limit - 1].seq]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def _log_entry(session: AsyncSession, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> Any:
    d = webhook_deliveries
    row = (await session.execute(
        select(d).where(d.c.id == delivery_id, d.c.subscription_id == subscription_id)
    )).first()
    if row is None:
        raise NotFound(f"no delivery {delivery_id} of webhook subscription {subscription_id}")
    return row


async def read_delivery(session: AsyncSession, caller: Caller, subscription_id: uuid.UUID,
                        delivery_id: uuid.UUID) -> Any:
    """One entry of the log, with the CloudEvent it sends (`payload`)."""
    await visible_subscription(session, caller, subscription_id)
    return await _log_entry(session, subscription_id, delivery_id)


async def replay_delivery(uow: UnitOfWork, caller: Caller, subscription_id: uuid.UUID,
                          delivery_id: uuid.UUID) -> Any:
    """Send the event again (a delivered one too, or a given-up one): it is queued at once, before any later
    event of its subject. A disabled subscription sends it once it is active again."""
    await visible_subscription(uow.session, caller, subscription_id)
    row = await _log_entry(uow.session, subscription_id, delivery_id)
    if row.kind != LogEntryKind.event.value:
        raise Conflict("only an event's delivery can be replayed; this entry is a notice")
    d = webhook_deliveries
    await uow.session.execute(
        update(d).where(d.c.seq == row.seq).values(
            state=DeliveryState.pending.value, next_attempt_at=utcnow(), first_attempt_at=None,
            delivered_at=None, lease_until=None, claim=d.c.claim + 1,
        )
    )
    row = await _log_entry(uow.session, subscription_id, delivery_id)
    await uow.commit()
    queued.set()
    return row
