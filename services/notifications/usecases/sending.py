"""Sending: every replica takes queued messages that are due, claims each (so two replicas never send one message
at once), sends it on its channel and records the outcome: sent, or a failed attempt retried with backoff until
the time to give up, then failed.

The claim and the record are two transactions around the send: a process that dies after the SMTP server took the
message and before the record sends it again once the claim lapses. That window is the only way to a second copy,
and the copy carries the same `Message-ID`, by which mail systems recognise it as one message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from typing import Any

import httpx
from itsdangerous import URLSafeSerializer
from prometheus_client import Counter, Gauge
from sqlalchemy import func, or_, select, update

from services.notifications.channels import SendFailed
from services.notifications.channels.fcm import AccessToken, send_push
from services.notifications.channels.smtp import send_email
from services.notifications.db.models import messages
from services.notifications.domain.message import Channel, Message, MessageStatus
from services.notifications.formats.email import QR_CID, compose
from services.notifications.formats.templates import render
from services.notifications.settings import NotificationsSettings
from shared.contracts.notifications import TRANSACTIONAL
from shared.db.engine import Database
from shared.db.types import utcnow
from shared.language import best_translation

log = logging.getLogger("notifications")

SENT = Counter("notifications_sent_total", "Messages the SMTP server or FCM accepted", ["channel"])
FAILED = Counter("notifications_failed_total", "Messages given up on", ["channel"])
RETRIED = Counter("notifications_retried_total", "Failed sends that will be tried again", ["channel"])
PENDING = Gauge("notifications_pending", "Messages queued and not yet sent", ["channel"])
CLAIM = dt.timedelta(seconds=60)  # longer than any one send takes (the SMTP and FCM timeouts are shorter)


def unsubscribe_token(secret: str, recipient: str, category: str) -> str:
    """The signed token of a one-click unsubscribe link: whom (the recipient key, never the address) and from
    what. No sign-in: whoever has the link may use it, as RFC 8058 intends."""
    return URLSafeSerializer(secret, salt="unsubscribe").dumps({"r": recipient, "c": category})


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str] | None:
    """(recipient key, category), or None for a token this service did not sign."""
    try:
        data: Any = URLSafeSerializer(secret, salt="unsubscribe").loads(token)
        return str(data["r"]), str(data["c"])
    except Exception:
        return None


class Sender:
    def __init__(self, settings: NotificationsSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.http = httpx.AsyncClient()
        self.fcm_access = AccessToken(settings)
        self._slots = asyncio.Semaphore(settings.send_concurrency)
        for channel in Channel:  # every series from the start, at 0: a dashboard sees "none failed", not nothing
            for metric in (SENT, FAILED, RETRIED, PENDING):
                metric.labels(channel.value)

    async def send_due(self) -> int:
        """Claim and send the due messages (up to a few batches' worth); answers how many were tried."""
        now = utcnow()
        m = messages
        async with self.db.read() as s:
            due = list((await s.execute(
                select(m.c.id).where(m.c.status == MessageStatus.queued, m.c.next_attempt_at <= now,
                                     or_(m.c.claimed_until.is_(None), m.c.claimed_until < now))
                .order_by(m.c.next_attempt_at).limit(self.settings.send_concurrency * 8))).scalars())
        if not due:
            return 0
        await asyncio.gather(*(self._send_one(message_id) for message_id in due))
        return len(due)

    async def _send_one(self, message_id: Any) -> None:
        async with self._slots:
            message = await self._claim(message_id)
            if message is None:
                return  # another replica has it, or it was sent meanwhile
            try:
                await self._deliver(message)
            except SendFailed as exc:
                await self._record_failure(message, str(exc), exc.permanent)
            except Exception as exc:  # a template that does not render: no retry makes it render
                log.exception("message could not be built", extra={"message_id": str(message.id)})
                await self._record_failure(message, f"could not be built: {exc!r}", True)
            else:
                await self._record(message, lambda msg: msg.mark_sent(utcnow()))
                SENT.labels(message.channel.value).inc()
                log.info("message sent", extra={"message_id": str(message.id), "channel": message.channel.value,
                                                "template": message.template, "fact_id": message.fact_id})

    async def _claim(self, message_id: Any) -> Message | None:
        now = utcnow()
        m = messages
        async with self.db.write_session() as s, s.begin():
            claimed = (await s.execute(update(m).where(
                m.c.id == message_id, m.c.status == MessageStatus.queued,
                or_(m.c.claimed_until.is_(None), m.c.claimed_until < now)).values(claimed_until=now + CLAIM))).rowcount
            if not claimed:
                return None
            row = (await s.execute(select(m).where(m.c.id == message_id))).one()
        return _message(row._mapping)

    async def _record(self, message: Message, change: Any) -> None:
        change(message)
        m = messages
        async with self.db.write_session() as s, s.begin():
            await s.execute(update(m).where(m.c.id == message.id).values(
                status=message.status, attempts=message.attempts, last_error=message.last_error,
                next_attempt_at=message.next_attempt_at, sent_at=message.sent_at, claimed_until=None))

    async def _record_failure(self, message: Message, error: str, permanent: bool) -> None:
        s = self.settings
        await self._record(message, lambda msg: msg.mark_failed_attempt(
            error, utcnow(), initial=s.retry_initial_seconds, maximum=s.retry_max_seconds,
            give_up_after=dt.timedelta(seconds=s.give_up_seconds), permanent=permanent))
        if message.status is MessageStatus.failed:
            FAILED.labels(message.channel.value).inc()
            log.warning("message failed", extra={"message_id": str(message.id), "error": error,
                                                 "attempts": message.attempts})
        else:
            RETRIED.labels(message.channel.value).inc()

    async def _deliver(self, message: Message) -> None:
        if message.address is None or message.context is None:
            raise SendFailed("its contact data was erased", permanent=True)
        base_url = self.settings.public_base_url.rstrip("/")
        values = {**message.context, "name": message.name or "", "unsubscribe_url": None, "qr_cid": None,
                  "base_url": base_url}
        if message.channel is Channel.email and message.category != TRANSACTIONAL:
            token = unsubscribe_token(self.settings.unsubscribe_secret.get_secret_value(),  # type: ignore[union-attr]
                                      message.recipient, message.category)
            values["unsubscribe_url"] = f"{base_url}/api/v1/notifications/unsubscribe?token={token}"
        if message.channel is Channel.email and message.context.get("check_in_code"):
            values["qr_cid"] = QR_CID
        rendered = render(message.template, message.language, values)
        if message.channel is Channel.email:
            title = best_translation(message.context.get("title"), [message.language])
            mail = compose(message_id=str(message.id), sender=self.settings.mail_from, to=message.address,
                           language=message.language, rendered=rendered, template=message.template,
                           context=message.context, unsubscribe_url=values["unsubscribe_url"], now=utcnow(),
                           summary=title[1] if title else rendered.subject)
            await send_email(self.settings, mail)
        else:
            data = {k: str(v) for k, v in message.context.items() if k.endswith("_id")}
            data["message"] = message.template
            await send_push(self.settings, self.http, self.fcm_access, message.address, rendered.subject,
                            rendered.push, data)

    async def refresh_pending(self) -> None:
        m = messages
        async with self.db.read() as s:
            counts = dict((await s.execute(select(m.c.channel, func.count()).where(
                m.c.status == MessageStatus.queued).group_by(m.c.channel))).all())
        for channel in Channel:
            PENDING.labels(channel.value).set(counts.get(channel, 0))


def _message(row: Any) -> Message:
    return Message(**{f.name: row[f.name] for f in dataclasses.fields(Message)})


