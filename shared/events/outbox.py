"""The transactional outbox.

A change and the events it causes are written in one transaction (`Outbox.add` on the unit of work's
session), so an event exists if and only if its change was committed. The relay publishes new rows right
after each commit (the unit of work wakes it) and polls as a fallback for rows other replicas wrote.

Order: rows are published in id order and only the prefix before the first failure is marked published, so a
later row of an aggregate never overtakes an earlier one. Writes to one aggregate are serialized by its row
(lock or version check), so their ids are in commit order. Only one replica relays at a time (a lease row),
so two relays cannot interleave one aggregate's rows either.

A broker that lost what it acknowledged: the embedded dev broker keeps its log in memory, so after a restart
(or a `kill -9` of `make run`) its topics start again empty, though the outbox says "published". The relay
remembers, per topic partition, the offset after the last event it published there (`relay_positions`). When it
starts, after every broker failure, and with every publish, it compares: a partition whose log now ends (or
whose new event landed) below that offset lost events, and then every row the outbox still retains is marked
unpublished and published again, in id order; the consumers' inbox makes the copies they already handled no-ops.
A real Kafka never moves an end offset backwards, so there this never triggers.

Marking is off the publishing path: once the broker acknowledged a batch, the relay goes on to the next one while
a marker (`_mark_sent`) marks the acknowledged batches published, one at a time, in the order they were sent. On
SQLite that mark is a write and waits its turn behind the API's writes (p50 34 ms under load, docs/performance.md);
rows committed meanwhile no longer wait for it. Rows sent but not yet marked are kept out of the next read, so
nothing is sent twice by a running relay; a crash before the mark sends them again at the next start, as it
always could between the acknowledgement and the mark, and the consumers' inbox absorbs the copies.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Counter, Gauge
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.backoff import Backoff
from shared.db.engine import Database, after_commit
from shared.db.types import BigIntId, UTCDateTime, utcnow
from shared.events.envelope import CloudEvent, PublishedEvent

log = logging.getLogger("outbox")

OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_AGE = Gauge("outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"])
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["service"])
OUTBOX_FAILURES = Counter("outbox_publish_failures_total", "Failed relay attempts", ["service"])
OUTBOX_REPUBLISHED = Counter("outbox_republished_total", "Outbox rows published again because the broker lost "
                             "them", ["service"])

LEASE_SECONDS = 10.0


@dataclass(frozen=True)
class _Sent:
    """A batch the broker acknowledged, waiting to be marked published: its row ids, when the broker acknowledged
    it (the rows' `published_at`), and per topic partition the lowest and highest offset it landed at."""

    ids: tuple[int, ...]
    acknowledged_at: dt.datetime
    landed: dict[tuple[str, int], tuple[int, int]]


def outbox_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigIntId, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime, nullable=True),
        Index(
            "ix_outbox_unpublished", "id",
            sqlite_where=Column("published_at").is_(None),
            postgresql_where=Column("published_at").is_(None),
        ),
    )
    lease = Table(
        "relay_lease",
        metadata,
        Column("name", String(50), primary_key=True),
        Column("owner", String(200), nullable=False),
        Column("expires_at", UTCDateTime, nullable=False),
    )
    positions = Table(
        "relay_positions",
        metadata,
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True, autoincrement=False),
        Column("next_offset", BigInteger, nullable=False),  # the offset after the last event published there
    )
    return outbox, lease, positions


class Outbox:
    """Writes a service's events into its outbox table, inside the caller's transaction."""

    def __init__(self, table: Table, source: str, topic: str) -> None:
        self.table = table
        self.source = source
        self.topic = topic
        self.service = topic.split(".", 1)[0]
        self.committed = asyncio.Event()  # set after each commit that wrote rows: wakes the relay

    async def add(
        self, session: AsyncSession, event: PublishedEvent | CloudEvent, topic: str | None = None
    ) -> CloudEvent:
        ce = event if isinstance(event, CloudEvent) else event.to_cloudevent(self.source)
        if topic is None and (suffix := getattr(event, "topic_suffix", None)):
            topic = f"{self.service}.{suffix}"  # a private topic of the service's own: `outreach.notifications`
        await session.execute(
            insert(self.table).values(
                event_id=ce.id,
                topic=topic or self.topic,
                key=ce.subject or ce.id,
                payload=ce.to_json().decode(),
                created_at=utcnow(),
            )
        )
        if not session.info.get("wakes_relay"):
            session.info["wakes_relay"] = True

            def wake() -> None:
                session.info.pop("wakes_relay", None)
                self.committed.set()

            after_commit(session, wake)
        return ce


async def publish_in(session: AsyncSession, event: PublishedEvent) -> CloudEvent:
    """Publish `event` from an event handler: into the service's outbox, in the consumer's transaction (so it is
    published exactly when the handled event's inbox row commits)."""
    outbox = session.info.get("outbox")
    if outbox is None:
        raise RuntimeError("publish_in needs the consumer's session (its outbox is in session.info)")
    return await outbox.add(session, event)


class OutboxRelay:
    def __init__(
        self,
        service: str,
        db: Database,
        outbox: Outbox,
        lease_table: Table,
        positions_table: Table,
        producer: Any,
        bootstrap_servers: str,
        *,
        poll_seconds: float = 1.0,
        batch_size: int = 500,
        retention: dt.timedelta = dt.timedelta(days=7),
        repair: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.db = db
        self.outbox = outbox
        self.table = outbox.table
        self.lease = lease_table
        self.positions = positions_table
        self.producer = producer
        self.bootstrap_servers = bootstrap_servers
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.retention = retention
        self.repair = repair  # e.g. re-create topics a restarted broker no longer has
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease_until: dt.datetime | None = None
        self._last_gauges = 0.0
        self._last_purge = 0.0
        self._broker_checked = False  # whether the broker was checked for lost events since (re)connecting
        self._unmarked: deque[_Sent] = deque()  # acknowledged, in the order sent; the first is being marked
        self._unmarked_ids: set[int] = set()
        self._sent = asyncio.Event()  # set when a batch joins `_unmarked`: wakes the marker
        self._marking = asyncio.Lock()  # one mark at a time: the marker's, or one the relay needs done now

    async def run(self) -> None:
        self._sent.set()  # batches a previous run acknowledged and did not mark yet
        marker = asyncio.create_task(self._mark_sent(), name=f"{self.service}-outbox-marker")
        try:
            await self._publish_continuously()
        finally:
            marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await marker

    async def _publish_continuously(self) -> None:
        backoff = Backoff(first=0.1)
        while True:
            try:
                published = 0
                if await self._hold_lease():
                    if not self._broker_checked:
                        await self.republish_if_broker_lost_events()
                        self._broker_checked = True
                    published = await self.publish_pending()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                OUTBOX_FAILURES.labels(self.service).inc()
                log.warning("relay could not publish; will retry", extra={"error": repr(exc)})
                await backoff.wait()
                if self.repair is not None:
                    with contextlib.suppress(Exception):
                        await self.repair()
                self._broker_checked = False  # a broker that failed may be a new, empty one
                continue
            if published >= self.batch_size:
                continue  # more waiting: don't sleep
            await self._refresh_gauges()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.outbox.committed.wait(), timeout=self.poll_seconds)
            self.outbox.committed.clear()

    async def _hold_lease(self) -> bool:
        """Become (or stay) the one relaying replica. The row expires if its owner dies."""
        now = utcnow()
        if self._lease_until and now < self._lease_until - dt.timedelta(seconds=LEASE_SECONDS / 2):
            return True
        until = now + dt.timedelta(seconds=LEASE_SECONDS)
        async with self.db.write_session() as s, s.begin():
            row = (await s.execute(select(self.lease).where(self.lease.c.name == "outbox"))).first()
            if row is None:
                await s.execute(insert(self.lease).values(name="outbox", owner=self.owner, expires_at=until))
            elif row.owner == self.owner or row.expires_at < now:
                await s.execute(
                    update(self.lease).where(self.lease.c.name == "outbox").values(owner=self.owner, expires_at=until)
                )
            else:
                self._lease_until = None
                return False
        self._lease_until = until
        return True

    async def publish_pending(self) -> int:
        """Send the unpublished rows (at most `batch_size`, in id order, leaving out those sent and not yet marked)
        and hand the acknowledged prefix to the marker. Answers how many were acknowledged; raises the first
        failure after handing on the prefix before it."""
        t = self.table
        # Taken before the read: a batch the marker marks while the read runs leaves `_unmarked_ids` at its
        # commit, yet the read may still see its rows unpublished; they must stay out all the same.
        sent = set(self._unmarked_ids)
        async with self.db.read() as s:
            rows = (
                await s.execute(
                    select(t.c.id, t.c.topic, t.c.key, t.c.payload)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self.batch_size + len(sent))
                )
            ).all()
        rows = [row for row in rows if row.id not in sent][: self.batch_size]
        if not rows:
            return 0
        futures = []
        for row in rows:
            payload = row.payload.encode()
            headers = [("content-type", b"application/cloudevents+json")]
            futures.append(await self.producer.send(row.topic, payload, key=row.key.encode(), headers=headers))
        results = await asyncio.gather(*futures, return_exceptions=True)
        done = []
        landed: dict[tuple[str, int], tuple[int, int]] = {}  # (topic, partition) -> lowest, highest offset
        failure: BaseException | None = None
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failure = result
                break
            done.append(row.id)
            tp = (result.topic, result.partition)
            low, high = landed.get(tp, (result.offset, result.offset))
            landed[tp] = (min(low, result.offset), max(high, result.offset))
        if done:
            self._unmarked.append(_Sent(tuple(done), utcnow(), landed))
            self._unmarked_ids.update(done)
            self._sent.set()
        if failure is not None:
            raise failure
        return len(done)

    async def _mark_sent(self) -> None:
        """The marker: marks each acknowledged batch published, in the order sent, for the life of the relay. A
        batch whose mark failed (the database away) is tried again, first, a moment later."""
        backoff = Backoff(first=0.1)
        while True:
            await self._sent.wait()
            self._sent.clear()
            try:
                await self._mark_unmarked()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay could not mark published rows; will retry", extra={"error": repr(exc)})
                await backoff.wait()
                self._sent.set()

    async def _mark_unmarked(self) -> None:
        """Mark every acknowledged batch published, all that are waiting in one transaction (one write turn on
        SQLite however many batches the relay sent meanwhile)."""
        async with self._marking:
            while self._unmarked:
                batches = list(self._unmarked)  # left in place until marked: a cancelled mark is redone, not lost
                await self._mark(batches)
                for batch in batches:
                    self._unmarked.popleft()
                    self._unmarked_ids.difference_update(batch.ids)

    async def _mark(self, batches: list[_Sent]) -> None:
        t = self.table
        landed: dict[tuple[str, int], tuple[int, int]] = {}
        async with self.db.write_session() as s, s.begin():
            marked = 0
            for batch in batches:
                result = await s.execute(update(t).where(t.c.id.in_(batch.ids), t.c.published_at.is_(None))
                                         .values(published_at=batch.acknowledged_at))
                if result.rowcount:  # else marked already, by a mark whose commit landed just before a cancel
                    marked += result.rowcount
                    for tp, (low, high) in batch.landed.items():
                        known_low, known_high = landed.get(tp, (low, high))
                        landed[tp] = (min(low, known_low), max(high, known_high))
            if not marked:
                return
            known = await self._positions(s)
            if any(low < known.get(tp, 0) for tp, (low, _) in landed.items()):
                # These landed below what the broker had already acknowledged: it lost its log meanwhile.
                await self._mark_all_unpublished(s, "a publish landed below the partition's known end")
            else:
                await self._advance_positions(s, {tp: high + 1 for tp, (_, high) in landed.items()}, known)
        OUTBOX_PUBLISHED.labels(self.service).inc(marked)

    async def republish_if_broker_lost_events(self) -> None:
        """Compare the broker's end offsets with the positions the relay reached; if any partition ends below
        its position, the broker lost acknowledged events: publish every retained row again. Batches acknowledged
        and not yet marked are marked first, so that the positions compared include them: a batch the lost broker
        had acknowledged is then published again with the rest, not marked published after the check."""
        await self._mark_unmarked()
        async with self.db.read() as s:
            known = await self._positions(s)
        if not known:
            return
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False,
                                    request_timeout_ms=10_000)
        await consumer.start()
        try:
            async with asyncio.timeout(15):
                ends = await consumer.end_offsets([TopicPartition(topic, p) for topic, p in known])
        finally:
            await consumer.stop()
        behind = {f"{tp.topic}/{tp.partition}": (end, known[(tp.topic, tp.partition)])
                  for tp, end in ends.items() if end < known[(tp.topic, tp.partition)]}
        if behind:
            async with self.db.write_session() as s, s.begin():
                await self._mark_all_unpublished(s, f"the broker's log ends below what it acknowledged: {behind}")

    async def _positions(self, session: AsyncSession) -> dict[tuple[str, int], int]:
        p = self.positions
        rows = (await session.execute(select(p.c.topic, p.c.partition, p.c.next_offset))).all()
        return {(r.topic, r.partition): r.next_offset for r in rows}

    async def _advance_positions(self, session: AsyncSession, reached: dict[tuple[str, int], int],
                                 known: dict[tuple[str, int], int]) -> None:
        p = self.positions
        for (topic, partition), next_offset in reached.items():
            if (topic, partition) in known:
                await session.execute(update(p).where(p.c.topic == topic, p.c.partition == partition)
                                      .values(next_offset=next_offset))
            else:
                await session.execute(insert(p).values(topic=topic, partition=partition, next_offset=next_offset))

    async def _mark_all_unpublished(self, session: AsyncSession, why: str) -> None:
        t = self.table
        again = (await session.execute(
            update(t).where(t.c.published_at.is_not(None)).values(published_at=None))).rowcount
        await session.execute(delete(self.positions))
        OUTBOX_REPUBLISHED.labels(self.service).inc(again)
        log.warning("broker lost published events; publishing every retained outbox row again",
                    extra={"rows": again, "reason": why})

    async def drain(self) -> int:
        """On shutdown: publish what is still waiting (the caller bounds the time; what is left stays in the
        outbox for the next start). Answers how many rows it published."""
        published = 0
        if self.producer is not None and await self._hold_lease():
            while (batch := await self.publish_pending()) > 0:
                published += batch
                if batch < self.batch_size:
                    break
        await self._mark_unmarked()  # the marker stopped with the relay: what the broker acknowledged is marked here
        return published

    async def _refresh_gauges(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_gauges < 5.0:
            return
        self._last_gauges = loop.time()
        t = self.table
        async with self.db.read() as s:
            count, oldest = (
                await s.execute(select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None)))
            ).one()
        OUTBOX_BACKLOG.labels(self.service).set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        OUTBOX_AGE.labels(self.service).set((utcnow() - oldest).total_seconds() if oldest else 0)
        if loop.time() - self._last_purge > 3600:
            self._last_purge = loop.time()
            async with self.db.write_session() as s, s.begin():
                await s.execute(t.delete().where(t.c.published_at < utcnow() - self.retention))
