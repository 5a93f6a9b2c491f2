"""Event propagation: from a committed write in one service to its projection in another.

A coordinator registers WRITES partners through the gateway (`POST /api/v1/partnerships/partners`), one at a
time, and the targets apply to that run; then as many again LOADED_IN_FLIGHT at a time, reported beside it
without a target. One at a time keeps the machine about half busy: the figure is the path's own latency. Four at
a time saturates a two-core machine (gateway, partnerships and three consuming services all want a core), the
write itself then takes four times as long, and the propagation figure is mostly waiting for a CPU: worth seeing,
not what the target is about.

The 201 answer means the partner and its outbox row are committed; from the moment it arrives, the benchmark looks
for training's copy of the partner (its `known_partners` row) every POLL_SECONDS until it is there. The path
measured: the outbox relay (woken by the commit) publishes `partnerships.partner.registered` to Kafka, training's
consumer fetches it and commits its `known_partners` row.

The benchmark reads training's database itself, with the bare driver (sqlite3 or asyncpg, one primary-key
query per look), rather than asking training's API: polling the API every 2 ms kept the very process whose
consumer is being timed busy answering the polls, and looking through SQLAlchemy's async engine cost the
benchmark's own process most of a core on a two-core machine, CPU the services being timed then lacked. A
committed row is what any read through the API would return from then on.

A latency is the time from the 201 to the first look that found the row, so it overstates the true figure by
up to one look plus POLL_SECONDS. The first WARMUP writes are not counted (the first events of a topic pay for
metadata lookups and connection set-up).

Where the time goes, from the services' own records: the partnerships outbox row's `created_at` (in the write's
transaction) and `published_at` (once the broker acknowledged it) give the relay's part; training's inbox row's
`handled_at` (in the transaction that wrote the copy) against `published_at` gives the broker and consumer part.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import load_average, ms, percentile
from bench.report import Report
from shared.events.consumer import inbox_table
from shared.events.outbox import outbox_tables
from shared.readmodels.partners import KnownPartners
from tests.harness import Stack

PARTNERS = "/api/v1/partnerships/partners"
WRITES = 200
WARMUP = 10
LOADED_IN_FLIGHT = 4
POLL_SECONDS = 0.001
GIVE_UP_SECONDS = 30.0
TARGET_P50_MS = 20.0  # issue 17, on the embedded broker
TARGET_P99_MS = 60.0


def run(stack: Stack) -> Report:
    key = stack.issue_key("coordinator", name="bench event propagation")["key"]
    load_before = load_average()
    latencies, missing, write_ms, ids = asyncio.run(_measure(stack, key, 1))
    relay, consume = asyncio.run(_stages(stack, ids))
    loaded, loaded_missing, loaded_write_ms, _ = asyncio.run(_measure(stack, key, LOADED_IN_FLIGHT))
    return _report(latencies, missing + loaded_missing, write_ms, relay, consume, loaded, loaded_write_ms,
                   load_before)


async def _measure(stack: Stack, key: str, in_flight: int) -> tuple[list[float], int, list[float], list[str]]:
    latencies: list[float] = []
    ids: list[str] = []
    write_ms: list[float] = []
    missing = 0
    copied, close = await _lookup(stack.dbs.urls["training"], KnownPartners(MetaData()).table.name, in_flight)

    async with httpx.AsyncClient(base_url=stack.gateway_url, headers={"X-API-Key": key}, timeout=30) as gateway:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(WARMUP + WRITES):
            queue.put_nowait(i)

        async def writer() -> None:
            nonlocal missing
            while not queue.empty():
                i = queue.get_nowait()
                sent = time.perf_counter()
                r = await gateway.post(PARTNERS, json={"name": {"en": f"Propagation zoo {i}"}, "kind": "zoo",
                                                       "country": "NL"})
                committed = time.perf_counter()
                r.raise_for_status()
                partner_id = uuid.UUID(r.json()["id"])
                while not await copied(partner_id):
                    if time.perf_counter() - committed > GIVE_UP_SECONDS:
                        missing += 1
                        break
                    await asyncio.sleep(POLL_SECONDS)
                else:
                    if i >= WARMUP:
                        ids.append(str(partner_id))
                        latencies.append(time.perf_counter() - committed)
                        write_ms.append(committed - sent)

        try:
            await asyncio.gather(*(writer() for _ in range(in_flight)))
        finally:
            await close()
    return latencies, missing, write_ms, ids


Lookup = Callable[[uuid.UUID], Awaitable[bool]]


async def _lookup(url: str, table: str, connections: int) -> tuple[Lookup, Callable[[], Awaitable[None]]]:
    """`(copied, close)`: `copied(id)` answers whether `table` holds a row of that id, committed by now (each look
    is a transaction of its own: autocommit)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split(":///", 1)[1], isolation_level=None)
        query = f"SELECT 1 FROM {table} WHERE id = ?"

        async def copied(partner_id: uuid.UUID) -> bool:
            # SQLAlchemy's Uuid type stores 32 hex digits on SQLite. A primary-key look is tens of microseconds:
            # not worth a thread.
            return conn.execute(query, (partner_id.hex,)).fetchone() is not None

        async def close() -> None:
            conn.close()
        return copied, close
    pool = await asyncpg.create_pool(url.replace("postgresql+asyncpg", "postgresql", 1), min_size=1,
                                     max_size=connections)
    pg_query = f"SELECT 1 FROM {table} WHERE id = $1"

    async def pg_copied(partner_id: uuid.UUID) -> bool:
        return await pool.fetchval(pg_query, partner_id) is not None

    return pg_copied, pool.close


async def _stages(stack: Stack, ids: list[str]) -> tuple[list[float], list[float]]:
    """Per event: outbox row written -> published, and published -> handled by training (seconds)."""
    outbox, *_ = outbox_tables(MetaData())
    inbox = inbox_table(MetaData())
    engines = {name: create_async_engine(stack.dbs.urls[name]) for name in ("partnerships", "training")}
    try:
        async with engines["partnerships"].connect() as conn:
            rows = (await conn.execute(
                select(outbox.c.event_id, outbox.c.created_at, outbox.c.published_at)
                .where(outbox.c.key.in_(ids), outbox.c.topic == "partnerships.events"))).all()
        async with engines["training"].connect() as conn:
            handled = dict((await conn.execute(
                select(inbox.c.event_id, inbox.c.handled_at)
                .where(inbox.c.event_id.in_([r.event_id for r in rows])))).all())
    finally:
        for engine in engines.values():
            await engine.dispose()
    relay = [(r.published_at - r.created_at).total_seconds() for r in rows if r.published_at]
    consume = [(handled[r.event_id] - r.published_at).total_seconds() for r in rows
               if r.published_at and r.event_id in handled]
    return relay, consume


def _report(latencies: list[float], missing: int, write_ms: list[float], relay: list[float], consume: list[float],
            loaded: list[float], loaded_write_ms: list[float], load_before: str) -> Report:
    report = Report("event_propagation", f"{WRITES} partners registered through the gateway one at a time, then "
                                         f"{WRITES} {LOADED_IN_FLIGHT} at a time; training's copy of each looked "
                                         f"for every {POLL_SECONDS * 1000:g} ms from the 201 until it is there")
    p50 = ms(percentile(latencies, 50))
    report.add("writes", "writes measured (after warm-up), each run", len(latencies))
    report.add("write_p50_ms", "write (POST 201) p50 ms", ms(percentile(write_ms, 50)))
    report.add("propagation_p50_ms", "commit -> training copy p50 ms", p50, f"<= {TARGET_P50_MS:g}",
               p50 <= TARGET_P50_MS)
    p99 = ms(percentile(latencies, 99))
    report.add("propagation_p99_ms", "commit -> training copy p99 ms", p99, f"<= {TARGET_P99_MS:g}",
               p99 <= TARGET_P99_MS)
    report.add("propagation_max_ms", "commit -> training copy max ms", ms(max(latencies, default=0)))
    report.add("relay_p50_ms", "of which outbox row -> published p50 ms", ms(percentile(relay, 50)))
    report.add("relay_p99_ms", "of which outbox row -> published p99 ms", ms(percentile(relay, 99)))
    report.add("consume_p50_ms", "of which published -> handled by training p50 ms", ms(percentile(consume, 50)))
    report.add("consume_p99_ms", "of which published -> handled by training p99 ms", ms(percentile(consume, 99)))
    report.add("loaded_write_p50_ms", f"{LOADED_IN_FLIGHT} in flight: write (POST 201) p50 ms",
               ms(percentile(loaded_write_ms, 50)))
    report.add("loaded_propagation_p50_ms", f"{LOADED_IN_FLIGHT} in flight: commit -> training copy p50 ms",
               ms(percentile(loaded, 50)))
    report.add("loaded_propagation_p99_ms", f"{LOADED_IN_FLIGHT} in flight: commit -> training copy p99 ms",
               ms(percentile(loaded, 99)))
    report.add("missing", f"never arrived within {GIVE_UP_SECONDS:g} s (both runs)", missing, "0", missing == 0)
    report.add("load_average", "machine load average before (1/5/15 min)", load_before)
    return report
