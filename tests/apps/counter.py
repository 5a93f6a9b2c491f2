"""A consumer built from the shared library's public pieces, whose effect is NOT idempotent: it appends one
row per event it applies. Duplicated or lost deliveries would show as extra or missing rows, which is what
the exactly-once tests look for. (The real services' read models are idempotent upserts, so a duplicate
would be invisible there.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Sequence

from aiokafka import ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.messaging import messaging_tables
from shared.service import ServiceRuntime
from shared.settings import ServiceSettings, service_config


class CounterSettings(ServiceSettings):
    service_name = "counter"
    model_config = service_config("counter")
    delay_per_event_seconds: float = 0.0
    # Fault injection: the process dies (exit code 3) right after a batch that applied something was committed
    # to the database, before its offset is committed to Kafka: the window the inbox exists for.
    crash_after_commit: bool = False


settings = CounterSettings()
metadata = MetaData()
messaging = messaging_tables(metadata)
applied = Table(
    "applied", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(200), nullable=False),  # deliberately not unique: duplicates must be visible
    Column("event_type", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
)
handlers = EventHandlers()


@handlers.on("partnerships.partner.registered", "partnerships.partner.updated")
async def count(session: AsyncSession, event: CloudEvent) -> None:
    if settings.delay_per_event_seconds:
        await asyncio.sleep(settings.delay_per_event_seconds)  # a slow effect, so a crash lands mid-batch
    await session.execute(
        insert(applied).values(event_id=event.id, event_type=event.type, subject=str(event.data["id"]))
    )


runtime = ServiceRuntime(settings, messaging, handlers)
COUNTED = {"partnerships.partner.registered", "partnerships.partner.updated"}
CRASH_EXIT_CODE = 3


def crash_after_commit(records: Sequence[ConsumerRecord]) -> None:
    if any(json.loads(r.value).get("type") in COUNTED for r in records):
        os._exit(CRASH_EXIT_CODE)


if settings.crash_after_commit:
    runtime.consumer.on_batch_applied = crash_after_commit


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await runtime.start()
    yield
    await runtime.stop()


app = FastAPI(lifespan=lifespan)


@app.get("/applied")
async def list_applied() -> dict[str, object]:
    async with runtime.db.read() as s:
        rows = (await s.execute(select(applied.c.event_id, applied.c.subject).order_by(applied.c.seq))).all()
        total = (await s.execute(select(func.count()).select_from(applied))).scalar_one()
    return {"total": total, "events": [[r.event_id, r.subject] for r in rows], "pid": os.getpid()}


@app.get("/ready")
async def ready() -> dict[str, bool]:
    return {"consuming": runtime.consumer.consumer is not None and bool(runtime.consumer.consumer.assignment())}
