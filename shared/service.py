"""Assembling a service: its runtime (database, outbox relay, consumer) and its FastAPI app.

A service's `app.py` is then a few lines: settings, routers, handlers, `create_service_app(...)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Annotated, TypeVar

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.admission import AdmissionMiddleware, DeadlineMiddleware
from shared.backoff import Backoff
from shared.clock import Clock
from shared.contracts.notifications import notifications_topic
from shared.db.engine import Database
from shared.deadline import current_deadline
from shared.domain import Aggregate, ExpectedVersion
from shared.events.consumer import ConsumerRunner, EventHandlers
from shared.events.envelope import CloudEvent, PublishedEvent
from shared.events.kafka import dlq_topic, ensure_topics, new_producer
from shared.events.outbox import Outbox, OutboxRelay
from shared.health import health_router
from shared.heap import freeze_startup_heap
from shared.http import one_value_each, operation_id
from shared.logging import configure_logging
from shared.messaging import MessagingTables
from shared.metrics import instrument, metrics_listener
from shared.middleware import GatewayTrustMiddleware, RequestContextMiddleware
from shared.problems import install_problem_handlers
from shared.settings import ServiceSettings

log = logging.getLogger("service")

# A scheduled job of a service (expiring agreements, closing windows): a coroutine that runs as long as the
# process, doing its work every so often. Each replica runs it, so it must be safe to run concurrently.
Job = Callable[["ServiceRuntime"], Awaitable[None]]
STOP_STEP_SECONDS = 5.0
A = TypeVar("A", bound=Aggregate)  # the longest each step of a clean stop may take


class ServiceRuntime:
    """What runs beside the API in each service process: the relay publishing its outbox, the consumer
    applying other services' events. Both wait for the broker without blocking the API: writes keep landing
    in the outbox while Kafka is away."""

    def __init__(
        self, settings: ServiceSettings, tables: MessagingTables, handlers: EventHandlers,
        jobs: Sequence[Job] = (),
    ) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.db = Database(settings.database_url)
        self.clock = Clock(settings.clock_file)
        self.jobs = list(jobs)
        self.outbox = Outbox(tables.outbox, source=f"/{self.name}", topic=settings.topic)
        self.producer: AIOKafkaProducer | None = None  # made inside the event loop, once the broker answers
        self.relay = OutboxRelay(
            self.name, self.db, self.outbox, tables.relay_lease, tables.relay_positions, self.producer,
            settings.kafka_bootstrap_servers, poll_seconds=settings.outbox_poll_seconds,
            batch_size=settings.outbox_batch_size, repair=self._reconnect,
        )
        self.consumer = ConsumerRunner(
            self.name, self.db, tables.inbox, handlers, settings.kafka_bootstrap_servers, self.producer,
            batch_size=settings.consumer_batch_size, max_attempts=settings.consumer_max_attempts,
            retry_initial=settings.consumer_retry_initial_seconds, retry_max=settings.consumer_retry_max_seconds,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms, outbox=self.outbox,
        )
        self._jobs: list[asyncio.Task[None]] = []
        self._messaging: asyncio.Task[None] | None = None
        self._relay: asyncio.Task[None] | None = None
        self._consumer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._messaging = asyncio.create_task(self._run_messaging(), name=f"{self.name}-messaging")
        for job in self.jobs:
            self._jobs.append(asyncio.create_task(self._run_job(job), name=f"{self.name}-{job.__name__}"))

    async def _run_job(self, job: Job) -> None:
        """A scheduled job runs for the life of the process; if it fails, it is logged and started again."""
        while True:
            try:
                await job(self)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job failed; restarting it", extra={"job": job.__name__})
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """A clean stop, once the server has answered its last request: the jobs end; the consumer finishes the
        batch in hand and commits its offsets; the relay publishes what is still in the outbox; then the
        connections close. Each step is bounded, and whatever a step leaves undone is redone at the next start
        (the outbox keeps unpublished rows, the broker redelivers uncommitted offsets)."""
        await _cancel(*self._jobs)
        self.consumer.stop()
        if self._consumer is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._consumer), STOP_STEP_SECONDS)
                log.info("stopping: the consumer applied its last batch and committed its offsets")
            except TimeoutError:
                log.warning("stopping: the consumer did not finish its batch in time; it is read again at start")
        await _cancel(self._relay, self._consumer, self._messaging)
        try:
            async with asyncio.timeout(STOP_STEP_SECONDS):
                published = await self.relay.drain()
            log.info("stopping: the relay published what was left in the outbox", extra={"rows": published})
        except Exception as exc:
            log.warning("stopping: the outbox keeps what was not published, for the next start",
                        extra={"error": repr(exc)})
        if self.producer is not None:
            with contextlib.suppress(Exception):
                await self.producer.stop()
        await self.db.dispose()

    async def _ensure_topics(self) -> None:
        topics = [self.settings.topic, notifications_topic(self.name), *self.consumer.topics]
        await ensure_topics(
            self.settings.kafka_bootstrap_servers,
            sorted({t for topic in topics for t in (topic, dlq_topic(topic))}),
            self.settings.kafka_topic_partitions,
        )

    async def _reconnect(self) -> None:
        """After a failed publish: make sure the topics exist, then start over with a fresh producer. A
        producer that outlived a broker restart keeps that broker's metadata, and what it writes to the new
        one (with the dev broker: into topics auto-created under it) could not be read back."""
        if self.settings.kafka_create_topics:
            await self._ensure_topics()
        producer = new_producer(self.settings.kafka_bootstrap_servers)
        await producer.start()
        old, self.producer = self.producer, producer
        self.relay.producer = self.consumer.producer = producer
        if old is not None:
            with contextlib.suppress(Exception):
                await old.stop()

    async def _run_messaging(self) -> None:
        backoff = Backoff(first=0.2)
        while True:
            try:
                if self.settings.kafka_create_topics:
                    await self._ensure_topics()
                producer = new_producer(self.settings.kafka_bootstrap_servers)
                await producer.start()
                self.producer = self.relay.producer = self.consumer.producer = producer
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("broker not reachable yet; retrying", extra={"error": repr(exc)})
                await backoff.wait()
        self._relay = asyncio.create_task(self.relay.run(), name=f"{self.name}-relay")
        self._consumer = asyncio.create_task(self.consumer.run(), name=f"{self.name}-consumer")
        await asyncio.gather(self._relay, self._consumer)

    async def kafka_ready(self) -> None:
        if self.producer is None:
            raise ConnectionError("broker not connected yet")
        await self.producer.client.fetch_all_metadata()


async def _cancel(*tasks: asyncio.Task[None] | None) -> None:
    for task in tasks:
        if task is not None:
            task.cancel()
    for task in tasks:
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


# --- dependencies ---------------------------------------------------------------------------------------


class UnitOfWork:
    """One use case, one transaction: the change and the events it publishes commit together. Inside a request
    it commits only before the request's deadline (`DeadlinePassed` after it: nothing is written)."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self.session = session
        self.outbox = outbox
        self.committed = False

    async def publish(self, event: PublishedEvent | CloudEvent) -> CloudEvent:
        return await self.outbox.add(self.session, event)

    async def publish_recorded(self) -> None:
        """Write every event the aggregates in this session recorded to the outbox, in the order recorded."""
        recorded = [e for obj in [*self.session.identity_map.values(), *self.session.new]
                    if isinstance(obj, Aggregate) for e in obj.take_recorded()]
        for _, event in sorted(recorded, key=lambda e: e[0]):
            await self.publish(event)

    async def commit_new(self, aggregate: A) -> A:
        """The usual creation: add the new aggregate (with the events it recorded being made) and commit."""
        self.session.add(aggregate)
        await self.commit()
        return aggregate

    async def commit_change(self, aggregate: A, expected: ExpectedVersion, change: Callable[[A], object]) -> A:
        """The usual write: check that the writer saw the (locked) aggregate's version, apply `change`, commit."""
        expected.check(aggregate.version)
        change(aggregate)
        await self.commit()
        return aggregate

    async def commit(self) -> None:
        """Publish what the aggregates recorded, then commit: the change and its events together. Inside a
        request, only before its deadline (`DeadlinePassed` after it: nothing is written)."""
        await self.publish_recorded()
        deadline = current_deadline()
        if deadline is not None:
            deadline.check_before_commit()
        await self.session.commit()  # the outbox wakes the relay once this has committed
        self.committed = True


def runtime_of(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


async def _unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    runtime = runtime_of(request)
    async with runtime.db.write_session() as session:
        uow = UnitOfWork(session, runtime.outbox)
        try:
            yield uow
        finally:
            if not uow.committed:
                await session.rollback()


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).db.read() as session:
        yield session


async def _clock(request: Request) -> Clock:
    return runtime_of(request).clock


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work)]
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session)]
ClockDep = Annotated[Clock, Depends(_clock)]


# --- the app --------------------------------------------------------------------------------------------


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    tables: MessagingTables,
    routers: Sequence[APIRouter],
    handlers: EventHandlers | None = None,
    jobs: Sequence[Job] = (),
    tags: Mapping[str, str] | None = None,
) -> FastAPI:
    """The service's app. `tags`: the API description's tags, name -> what its routes are about, in the order
    the description lists them."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json, settings.log_color,
                      settings.log_labelled)
    runtime = ServiceRuntime(settings, tables, handlers or EventHandlers(), jobs)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with metrics_listener(settings.metrics_host, settings.metrics_port):
            await runtime.start()
            freeze_startup_heap()
            yield
            await runtime.stop()

    # No slash redirects: a redirect would send the client to the service's own address, past the gateway.
    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan, redirect_slashes=False,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", generate_unique_id_function=operation_id,
                  openapi_tags=[{"name": name, "description": about} for name, about in (tags or {}).items()] or None)
    app.state.runtime = runtime
    app.state.settings = settings
    install_problem_handlers(app)
    prefix = f"/api/v1/{settings.service_name}"
    for router in routers:
        app.include_router(router, prefix=prefix, dependencies=[Depends(one_value_each)])
    app.include_router(
        health_router({"database": runtime.db.ping, "kafka": runtime.kafka_ready}, required={"database"})
    )
    # Counted here, served on the metrics listener (shared/metrics.py), never on the API port.
    instrument(app)
    app.add_middleware(GatewayTrustMiddleware, secret=settings.internal_secret)
    app.add_middleware(DeadlineMiddleware, service=settings.service_name, max_seconds=settings.request_deadline_seconds)
    app.add_middleware(AdmissionMiddleware, service=settings.service_name, limit=settings.max_requests_in_flight)
    app.add_middleware(RequestContextMiddleware)
    return app
