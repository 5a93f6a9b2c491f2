"""Webhook deliveries: the job that sends what the consumer queued (`usecases/webhooks.py: queue_deliveries`), in
every replica.

Each round takes the due deliveries that are the oldest pending one of their (subscription, subject), so a
subject's events arrive in the order they happened, and claims each with a conditional update (`claim` bumped
while the lease is free): when two replicas race for the same attempt, one update matches no row and only
the other sends. The CloudEvent is POSTed signed as Standard Webhooks sign (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64>`), so the partner verifies with that standard's libraries; a 2xx is delivered,
anything else is retried with exponential backoff and jitter. A delivery failing for the give-up time is given
up (`failed`, a replay queues it again), and a subscription whose deliveries have failed that long is disabled
with a `subscription_disabled` entry in its log. The destination is checked again before each attempt: a
name that now resolves to a private address is refused like a failed attempt, and the attempt connects to the
addresses that were checked (`jobs/pinned_http.py`), never to a second resolution. A redirect is an answer
like any other non-2xx: a failed attempt, never followed.

The log keeps finished entries for `webhook_log_retention_days` (`forget_old_deliveries`, also in every replica).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy import and_, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.partnerships.db.models import webhook_deliveries, webhook_subscriptions
from services.partnerships.domain.webhook import DeliveryState, LogEntryKind, RetryPolicy, SubscriptionState, signature
from services.partnerships.jobs.pinned_http import PinnedTransport, pinned_to
from services.partnerships.usecases.webhooks import RESOLVE_TIMEOUT_SECONDS, checked_destination, queued
from shared.db.types import UTCDateTime, utcnow
from shared.ids import new_id
from shared.service import ServiceRuntime

log = logging.getLogger("webhooks")

DELIVERIES = Counter("webhook_deliveries_total", "Webhook delivery attempts, by outcome", ["outcome"])

USER_AGENT = "panda-coop-webhooks/1.0"
LEASE_MARGIN_SECONDS = 30.0
ERROR_MAX = 500

# --- the job --------------------------------------------------------------------------------------------------

PURGE_BATCH = 1000


async def forget_old_deliveries(runtime: ServiceRuntime) -> None:
    """Deletes the log's finished entries once they are older than the retention time, in batches, so that no
    write transaction holds the table for long. Pending deliveries are never deleted, however old: one that is
    replayed between the look and the delete is pending again and stays."""
    settings: Any = runtime.settings
    d = webhook_deliveries
    while True:
        horizon = runtime.clock.now() - dt.timedelta(days=settings.webhook_log_retention_days)
        finished_before = and_(d.c.state != DeliveryState.pending.value, d.c.created_at < horizon)
        forgotten = 0
        while True:
            async with runtime.db.read() as session:  # a look first: no write lock when there is nothing to do
                seqs = list((await session.execute(select(d.c.seq).where(finished_before).limit(PURGE_BATCH)))
                            .scalars())
            if seqs:
                async with runtime.db.write_session() as session, session.begin():
                    await session.execute(delete(d).where(d.c.seq.in_(seqs), finished_before))
                forgotten += len(seqs)
            if len(seqs) < PURGE_BATCH:
                break
        if forgotten:
            log.info("old delivery log entries forgotten", extra={"entries": forgotten})
        await asyncio.sleep(settings.webhook_log_purge_seconds)


def retry_policy(settings: Any) -> RetryPolicy:
    return RetryPolicy(settings.webhook_retry_initial_seconds, settings.webhook_retry_max_seconds,
                       settings.webhook_give_up_seconds)


async def deliver_webhooks(runtime: ServiceRuntime) -> None:
    settings: Any = runtime.settings
    async with httpx.AsyncClient(
        timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False,
        headers={"User-Agent": USER_AGENT}, transport=PinnedTransport(),
    ) as client:
        sender = Sender(runtime, client)
        while True:
            queued.clear()
            if await sender.deliver_due():
                continue  # the next delivery of a subject may be due at once
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.webhook_poll_seconds):
                    await queued.wait()


@dataclass
class _Claimed:
    seq: int
    id: uuid.UUID
    subscription_id: uuid.UUID
    url: str
    secret: str
    payload: str
    claim: int


@dataclass
class _Outcome:
    started_at: dt.datetime
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender:
    def __init__(self, runtime: ServiceRuntime, client: httpx.AsyncClient) -> None:
        settings: Any = runtime.settings
        self.db = runtime.db
        self.client = client
        self.policy = retry_policy(settings)
        self.allowlist: frozenset[str] = settings.webhook_allowlist
        self.batch = max(1, settings.webhook_concurrency)
        self.lease = dt.timedelta(seconds=settings.webhook_timeout_seconds + RESOLVE_TIMEOUT_SECONDS
                                  + LEASE_MARGIN_SECONDS)

    async def deliver_due(self) -> int:
        """One round: claim what is due, send it, record each outcome. Answers how many were attempted."""
        claimed = await self._claim(await self._due())
        if claimed:
            await asyncio.gather(*(self._attempt(c) for c in claimed))
        return len(claimed)

    async def _due(self) -> list[Any]:
        d, s, earlier = webhook_deliveries, webhook_subscriptions, aliased(webhook_deliveries)
        now = utcnow()
        ahead = exists().where(
            earlier.c.subscription_id == d.c.subscription_id, earlier.c.ordering_key == d.c.ordering_key,
            earlier.c.state == DeliveryState.pending.value, earlier.c.seq != d.c.seq,
            or_(earlier.c.seq < d.c.seq, earlier.c.lease_until > now),  # older, or in flight (a replay's newer)
        )
        stmt = (
            select(d.c.seq, d.c.id, d.c.subscription_id, d.c.payload, d.c.claim, s.c.url, s.c.secret)
            .join(s, s.c.id == d.c.subscription_id)
            .where(d.c.state == DeliveryState.pending.value, d.c.next_attempt_at <= now,
                   or_(d.c.lease_until.is_(None), d.c.lease_until <= now),
                   s.c.state == SubscriptionState.active.value, ~ahead)
            .order_by(d.c.next_attempt_at).limit(self.batch)
        )
        async with self.db.read() as session:
            return list((await session.execute(stmt)).all())

    async def _claim(self, rows: list[Any]) -> list[_Claimed]:
        if not rows:
            return []
        d = webhook_deliveries
        claimed = []
        now = utcnow()
        async with self.db.write_session() as session, session.begin():
            for row in rows:
                result = await session.execute(
                    update(d).where(d.c.seq == row.seq, d.c.claim == row.claim,
                                    d.c.state == DeliveryState.pending.value,
                                    or_(d.c.lease_until.is_(None), d.c.lease_until <= now))
                    .values(claim=row.claim + 1, lease_until=now + self.lease)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(_Claimed(row.seq, row.id, row.subscription_id, row.url, row.secret, row.payload,
                                            row.claim + 1))
        return claimed

    async def _attempt(self, delivery: _Claimed) -> None:
        try:
            outcome = await self._send(delivery)
            await self._record(delivery, outcome)
        except Exception:
            # Recording failed (the database is away): the lease runs out and the attempt is made again.
            log.exception("could not record a webhook attempt", extra={"delivery": str(delivery.id)})

    async def _send(self, delivery: _Claimed) -> _Outcome:
        outcome = _Outcome(started_at=utcnow())
        try:
            checked = await checked_destination(delivery.url, self.allowlist)
            refusal = checked.refusal
        except Exception as exc:  # RuleViolated: the allowlist changed since the subscription was made
            refusal = getattr(exc, "detail", None) or repr(exc)
        if refusal is not None:
            outcome.error = f"destination refused: {refusal}"[:ERROR_MAX]
            return outcome
        body = delivery.payload.encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/cloudevents+json",
            "webhook-id": str(delivery.id),
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(delivery.secret, str(delivery.id), timestamp, body),
        }
        try:
            # Streamed and closed unread: what the receiver answers beyond its status is not our business. The
            # connection goes to the addresses just checked, not to what the name resolves to a moment later.
            with pinned_to(delivery.url, checked.addresses):
                async with self.client.stream("POST", delivery.url, content=body, headers=headers) as response:
                    outcome.status = response.status_code
            if not outcome.delivered:
                outcome.error = f"the receiver answered {outcome.status}"
        except Exception as exc:  # a timeout, a refused connection, a broken answer: a failed attempt
            outcome.error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX] if str(exc) else type(exc).__name__
        return outcome

    async def _record(self, delivery: _Claimed, outcome: _Outcome) -> None:
        d, s = webhook_deliveries, webhook_subscriptions
        now = utcnow()
        mine = and_(d.c.seq == delivery.seq, d.c.claim == delivery.claim)  # not replayed or re-claimed since
        async with self.db.write_session() as session, session.begin():
            if outcome.delivered:
                result = await session.execute(update(d).where(mine).values(
                    state=DeliveryState.delivered.value, attempts=d.c.attempts + 1, last_status=outcome.status,
                    last_error=None,
                    first_attempt_at=func.coalesce(d.c.first_attempt_at, literal(outcome.started_at, UTCDateTime)),
                    last_attempt_at=outcome.started_at, next_attempt_at=None, delivered_at=now, lease_until=None,
                ))
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    await session.execute(update(s).where(s.c.id == delivery.subscription_id,
                                                          s.c.failing_since.is_not(None)).values(failing_since=None))
                    DELIVERIES.labels("delivered").inc()
                return
            row = (await session.execute(select(d.c.attempts, d.c.first_attempt_at).where(mine))).first()
            sub = (await session.execute(
                select(s.c.state, s.c.failing_since, s.c.version).where(s.c.id == delivery.subscription_id)
                .with_for_update()
            )).first()
            if row is None or sub is None:
                return  # replayed, or the subscription deleted, while the attempt was under way
            attempts = row.attempts + 1
            first_attempt = row.first_attempt_at or outcome.started_at
            failing_since = sub.failing_since or outcome.started_at
            values: dict[str, Any] = dict(
                attempts=attempts, last_status=outcome.status, last_error=outcome.error,
                first_attempt_at=first_attempt, last_attempt_at=outcome.started_at, lease_until=None,
            )
            if self.policy.gives_up(first_attempt, now):
                values |= dict(state=DeliveryState.failed.value, next_attempt_at=None)
                DELIVERIES.labels("gave_up").inc()
            else:
                values |= dict(next_attempt_at=now + self.policy.delay(attempts))
                DELIVERIES.labels("retrying").inc()
            await session.execute(update(d).where(mine).values(**values))
            if sub.failing_since is None:
                await session.execute(update(s).where(s.c.id == delivery.subscription_id)
                                      .values(failing_since=failing_since))
            if (values.get("state") == DeliveryState.failed.value and sub.state == SubscriptionState.active.value
                    and self.policy.gives_up(failing_since, now)):
                await _disable(session, delivery.subscription_id, sub.version, failing_since, outcome, now)


async def _disable(session: AsyncSession, subscription_id: uuid.UUID, version: int, failing_since: dt.datetime,
                   outcome: _Outcome, now: dt.datetime) -> None:
    s = webhook_subscriptions
    since = failing_since.isoformat().replace("+00:00", "Z")
    reason = f"deliveries failed since {since}; the last attempt: {outcome.error or outcome.status}"[:ERROR_MAX]
    await session.execute(update(s).where(s.c.id == subscription_id).values(
        state=SubscriptionState.disabled.value, disabled_reason=reason, disabled_at=now, version=version + 1,
        updated_at=now,
    ))
    entry_id = new_id()
    await session.execute(insert(webhook_deliveries).values(
        id=entry_id, subscription_id=subscription_id, kind=LogEntryKind.subscription_disabled.value,
        ordering_key=f"notice:{entry_id}", detail=f"The subscription was disabled: {reason}. Fix the receiver, "
        "then set `active` to true to resume; given-up deliveries can be replayed.",
        state=DeliveryState.notice.value, attempts=0, claim=0, created_at=now,
    ))
    log.warning("webhook subscription disabled", extra={"subscription": str(subscription_id), "reason": reason})
