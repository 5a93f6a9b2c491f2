"""The consumer runner: Kafka in, exactly-once effects out.

For each partition's batch, the handlers' effects and the inbox rows of the handled event ids are written in
one database transaction; the offset is committed to Kafka only after that transaction. A crash anywhere
means the batch is read again, and the inbox makes the repeat a no-op. A batch that fails is retried one
event per transaction with backoff; an event that still fails goes to `<topic>.dlq` and the partition moves on.

Stopping (`stop`) lets the batch in hand finish, database and offsets both, before the consumer leaves its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord
from aiokafka.errors import CommitFailedError, KafkaError
from prometheus_client import Counter, Gauge
from pydantic import ValidationError
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from shared.context import TraceContext, traceparent_var
from shared.db.engine import Database
from shared.db.types import UTCDateTime, utcnow
from shared.events.envelope import CloudEvent, PublishedEvent
from shared.events.envelope import event_types as contract_types
from shared.events.kafka import dlq_topic
from shared.events.outbox import Outbox

log = logging.getLogger("consumer")

HANDLED = Counter("events_handled_total", "Events applied by a consumer", ["service", "type"])
DUPLICATES = Counter("events_duplicate_total", "Events skipped because the inbox had them", ["service"])
DEAD_LETTERED = Counter("events_dead_lettered_total", "Events sent to a DLQ", ["service", "topic"])
LAG = Gauge("consumer_lag", "Messages behind the partition's high watermark", ["service", "topic", "partition"])

STALL_CHECK_SECONDS = 5.0

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", UTCDateTime, nullable=False),
    )


class EventHandlers:
    """What a service reacts to: handlers by event type (`@handlers.on("partnerships.partner.registered")`), and
    handlers that take every event of a topic (`@handlers.on_topic("training.events")`). An event goes to each
    of its type's handlers, then to each of its topic's, in the order they were registered, all in one
    transaction."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[Handler]] = {}
        self._by_topic: dict[str, list[Handler]] = {}

    def on(self, *event_types: str | type[PublishedEvent]) -> Callable[[Handler], Handler]:
        """Register for event types, named or given by their contract class (which stands for every event type
        defined under it: `on(AgreementSnapshot)` is every agreement event)."""
        names = [n for t in event_types for n in ((t,) if isinstance(t, str) else contract_types(t))]

        def register(fn: Handler) -> Handler:
            for t in names:
                _add(self._by_type, t, fn)
            return fn

        return register

    def on_topic(self, *topics: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for topic in topics:
                _add(self._by_topic, topic, fn)
            return fn

        return register

    def include(self, other: EventHandlers) -> None:
        for t, fns in other._by_type.items():
            for fn in fns:
                _add(self._by_type, t, fn)
        for topic, fns in other._by_topic.items():
            for fn in fns:
                _add(self._by_topic, topic, fn)

    def handlers_for(self, event_type: str, topic: str | None = None) -> list[Handler]:
        """Every handler of an event of `event_type` read from `topic` (by default its service's topic)."""
        topic = topic or _topic_of(event_type)
        return [*self._by_type.get(event_type, ()), *self._by_topic.get(topic, ())]

    def get(self, event_type: str) -> Handler | None:
        """One handler that runs all of the event type's handlers in order, or None if nothing handles it."""
        fns = self.handlers_for(event_type)
        if not fns:
            return None
        if len(fns) == 1:
            return fns[0]

        async def each(session: AsyncSession, event: CloudEvent) -> None:
            for fn in fns:
                await fn(session, event)

        return each

    @property
    def topics(self) -> set[str]:
        return {_topic_of(t) for t in self._by_type} | set(self._by_topic)


def _topic_of(event_type: str) -> str:
    return event_type.split(".", 1)[0] + ".events"


def _add(registry: dict[str, list[Handler]], key: str, fn: Handler) -> None:
    fns = registry.setdefault(key, [])
    if fn not in fns:  # the same handler included twice still runs once
        fns.append(fn)


class _Rebalances(ConsumerRebalanceListener):
    """Logs rebalances and remembers the topics' partitions as they were at the last one."""

    def __init__(self, runner: ConsumerRunner, consumer: AIOKafkaConsumer) -> None:
        self.runner = runner
        self.consumer = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        log.info("partitions revoked", extra={"partitions": sorted(map(str, revoked))})

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.runner._partitions_at_rebalance = self.runner._topic_partitions(self.consumer)
        log.info("partitions assigned", extra={"partitions": sorted(map(str, assigned))})


class _Stalled(Exception):
    """The consumer stopped making progress although there is more to read."""


class _Poison(Exception):
    """The message is not a CloudEvent we can read: retrying cannot help."""


class ConsumerRunner:
    def __init__(
        self,
        service: str,
        db: Database,
        inbox: Table,
        handlers: EventHandlers,
        bootstrap_servers: str,
        producer: Any,
        *,
        batch_size: int = 200,
        max_attempts: int = 4,
        retry_initial: float = 0.2,
        retry_max: float = 5.0,
        fetch_max_wait_ms: int = 20,
        outbox: Outbox | None = None,
    ) -> None:
        self.service = service
        self.outbox = outbox  # a handler's own events go there, in its transaction (`outbox.publish_in`)
        self.db = db
        self.inbox = inbox
        self.handlers = handlers
        self.bootstrap = bootstrap_servers
        self.producer = producer
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.topics = sorted(handlers.topics)
        self.consumer: AIOKafkaConsumer | None = None
        self._partitions_at_rebalance: dict[str, frozenset[int]] = {}
        self._stopping = asyncio.Event()
        # Called after a batch's transaction committed and before its offset is committed to Kafka (metrics, or
        # a test's fault injection: a crash right there is the window the inbox exists for).
        self.on_batch_applied: Callable[[Sequence[ConsumerRecord]], None] | None = None

    def stop(self) -> None:
        """Ask `run` to return once the batch in hand is applied and its offsets committed."""
        self._stopping.set()

    async def run(self) -> None:
        if not self.topics:
            return
        while not self._stopping.is_set():
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer stopped; restarting", extra={"error": repr(exc)})
                await asyncio.sleep(0.5)

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.service,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_size,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
            metadata_max_age_ms=5_000,
            fetch_max_wait_ms=self.fetch_max_wait_ms,  # see `kafka_fetch_max_wait_ms` in shared/settings.py
        )
        self.consumer = consumer
        consumer.subscribe(self.topics, listener=_Rebalances(self, consumer))
        await consumer.start()
        loop = asyncio.get_running_loop()
        last_progress = last_check = loop.time()
        try:
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=self.batch_size)
                now = loop.time()
                if batches:
                    last_progress = now
                elif now - last_check > STALL_CHECK_SECONDS:
                    last_check = now
                    if now - last_progress > STALL_CHECK_SECONDS and await self._stalled(consumer):
                        # Seen after a broker restart: the group re-formed, partitions were assigned, and yet
                        # nothing is fetched although the log has more. A fresh consumer recovers; the inbox
                        # makes whatever it reads again a no-op.
                        raise _Stalled("consumer behind the log but fetching nothing; restarting it")
                for tp, records in batches.items():
                    await self._apply_batch(records)
                    if self.on_batch_applied is not None:
                        self.on_batch_applied(records)
                    next_offset = records[-1].offset + 1
                    try:
                        await consumer.commit({tp: next_offset})
                    except CommitFailedError:
                        # The partition moved to another replica during a rebalance; it reads from the last
                        # committed offset and the inbox turns the repeat into a no-op.
                        log.info("offset commit refused after rebalance", extra={"partition": str(tp)})
                    highwater = consumer.highwater(tp)
                    if highwater is not None:
                        LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(highwater - next_offset, 0))
        finally:
            self.consumer = None
            with contextlib.suppress(KafkaError):
                await consumer.stop()

    def _topic_partitions(self, consumer: AIOKafkaConsumer) -> dict[str, frozenset[int]]:
        return {t: frozenset(consumer.partitions_for_topic(t) or ()) for t in self.topics}

    async def _stalled(self, consumer: AIOKafkaConsumer) -> bool:
        if self._topic_partitions(consumer) != self._partitions_at_rebalance:
            # A topic gained partitions (or was re-created) and no rebalance followed: nobody in the group
            # would ever read the new ones.
            return True
        assigned = consumer.assignment()
        try:
            if not assigned:
                # Subscribed, yet no partitions: stalled if the broker has partitions of our topics.
                return any(consumer.partitions_for_topic(t) for t in self.topics)
            async with asyncio.timeout(5):
                ends = await consumer.end_offsets(list(assigned))
                positions = {tp: await consumer.position(tp) for tp in assigned}
                for tp in assigned:
                    if ends.get(tp, 0) > positions[tp]:
                        return True
        except (KafkaError, TimeoutError):
            return False  # the broker itself is away: a new consumer would not do better
        return False

    async def _apply_batch(self, records: Sequence[ConsumerRecord]) -> None:
        try:
            async with self.db.write_session() as session, session.begin():
                await self._apply(session, records)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("batch failed; retrying one event at a time", extra={"error": repr(exc), "size": len(records)})
        for record in records:
            await self._apply_one_with_retries(record)

    async def _apply_one_with_retries(self, record: ConsumerRecord) -> None:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_attempts),
                wait=wait_exponential_jitter(initial=self.retry_initial, max=self.retry_max),
                retry=retry_if_not_exception_type(_Poison),
                reraise=False,
            ):
                with attempt:
                    async with self.db.write_session() as session, session.begin():
                        await self._apply(session, [record])
            return
        except _Poison as exc:
            await self._dead_letter(record, exc)
        except RetryError as exc:
            await self._dead_letter(record, exc.last_attempt.exception() or exc)

    async def _apply(self, session: AsyncSession, records: Iterable[ConsumerRecord]) -> None:
        session.info["outbox"] = self.outbox
        events: list[tuple[str, CloudEvent]] = []
        for record in records:
            try:
                events.append((record.topic, CloudEvent.from_json(record.value)))
            except (ValidationError, ValueError, TypeError) as exc:
                raise _Poison(f"not a readable CloudEvent: {exc}") from exc
        ids = [e.id for _, e in events]
        seen = set(
            (await session.execute(select(self.inbox.c.event_id).where(self.inbox.c.event_id.in_(ids)))).scalars()
        )
        handled: list[CloudEvent] = []
        for topic, event in events:
            if event.id in seen:
                DUPLICATES.labels(self.service).inc()
                continue
            seen.add(event.id)
            handlers = self.handlers.handlers_for(event.type, topic)
            if not handlers:
                continue
            trace = TraceContext.parse(event.traceparent)
            token = traceparent_var.set(trace.child().header if trace else None)
            try:
                for handler in handlers:
                    await handler(session, event)
                # Under the event's trace: one trace id follows a request from the gateway into this line.
                log.info("event applied", extra={"event_type": event.type, "event_id": event.id,
                                                 "subject": event.subject})
            finally:
                traceparent_var.reset(token)
            await session.execute(
                insert(self.inbox).values(event_id=event.id, event_type=event.type, handled_at=utcnow())
            )
            handled.append(event)
        await session.flush()
        for event in handled:
            HANDLED.labels(self.service, event.type).inc()

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException) -> None:
        topic = dlq_topic(record.topic)
        headers = [
            ("error", repr(exc)[:1000].encode()),
            ("source-topic", record.topic.encode()),
            ("source-partition", str(record.partition).encode()),
            ("source-offset", str(record.offset).encode()),
            ("consumer-group", self.service.encode()),
        ]
        # Until the DLQ has it, the partition does not move on: losing an event is worse than waiting.
        while True:
            try:
                await self.producer.send_and_wait(topic, record.value, key=record.key, headers=headers)
                break
            except KafkaError as err:
                log.warning("could not dead-letter; retrying", extra={"error": repr(err)})
                await asyncio.sleep(1.0)
        DEAD_LETTERED.labels(self.service, record.topic).inc()
        log.error(
            "event dead-lettered",
            extra={"topic": record.topic, "partition": record.partition, "offset": record.offset, "error": repr(exc)},
        )

