"""Keyset pages at a million rows: is a page deep in the list as fast as the first?

ROWS partners are written straight into the partnerships database (bypassing the API, which would take an hour:
no events, the columns exactly as the service writes them, UUIDv7 ids in creation order). SQLite: one
transaction, SQLAlchemy Core executemany in chunks of CHUNK rows. PostgreSQL: one binary COPY (asyncpg), then
ANALYZE, as autovacuum would soon do by itself.

Then, through the gateway with an analyst's key, `GET /api/v1/partnerships/partners?limit=LIMIT` (the first page),
a page from the middle and a page near the end (cursors built the way the service builds them, after the id at
that position), each REPEATS times, interleaved so that the machine's other work falls on all three alike.
The first page is also timed before the fill, with the few rows the earlier benchmarks left.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx

from bench.common import load_average, ms, percentile
from bench.report import Report
from shared.ids import new_id
from shared.pagination import encode_cursor
from tests.harness import Stack

PARTNERS = "/api/v1/partnerships/partners"
ROWS = 1_000_000
CHUNK = 10_000
LIMIT = 50
REPEATS = 50
MAX_RATIO = 1.5

KINDS = ("zoo", "university", "research_institute", "government_agency", "ngo", "foundation", "other")
COUNTRIES = ("US", "DE", "CN", "KE", "BR", "JP", "AU", "FR", "NL", "ZA", "IN", "MX")
COLUMNS = ("id", "name", "kind", "country", "city", "website", "contacts", "search_text", "version", "created_at",
           "updated_at")


def run(stack: Stack) -> Report:
    key = stack.issue_key("analyst", name="bench keyset pages")["key"]
    with stack.client(key) as client:
        client.get(PARTNERS, params={"limit": LIMIT}).raise_for_status()
        before = [_timed(client, None) for _ in range(REPEATS)]

        url = stack.dbs.urls["partnerships"]
        started = time.perf_counter()
        marks = _fill_postgres(url) if url.startswith("postgresql") else _fill_sqlite(url)
        fill_seconds = time.perf_counter() - started
        load_before = load_average()

        middle, deep = encode_cursor([marks["middle"]]), encode_cursor([marks["deep"]])
        for cursor in (None, middle, deep):  # warm: the first touches of a page read it from disk
            _check(client, cursor)
        times: dict[str, list[float]] = {"first": [], "middle": [], "deep": []}
        for _ in range(REPEATS):
            times["first"].append(_timed(client, None))
            times["middle"].append(_timed(client, middle))
            times["deep"].append(_timed(client, deep))
    return _report(before, times, fill_seconds, marks["total"], load_before, url.split(":", 1)[0])


def _timed(client: httpx.Client, cursor: str | None) -> float:
    params: dict[str, Any] = {"limit": LIMIT}
    if cursor:
        params["cursor"] = cursor
    sent = time.perf_counter()
    r = client.get(PARTNERS, params=params)
    elapsed = time.perf_counter() - sent
    r.raise_for_status()
    return elapsed


def _check(client: httpx.Client, cursor: str | None) -> None:
    r = client.get(PARTNERS, params={"limit": LIMIT, **({"cursor": cursor} if cursor else {})})
    r.raise_for_status()
    page = r.json()
    assert len(page["items"]) == LIMIT and page["next_cursor"], f"a short page: {str(page)[:300]}"


# --- the fill ---------------------------------------------------------------------------------------------


def _partners() -> Iterator[tuple[uuid.UUID, str, str, str]]:
    """ROWS partners in id order: id, English name, kind, country (the other columns are alike for all)."""
    for i in range(ROWS):
        yield new_id(), f"Bench institution {i:07d}", KINDS[i % len(KINDS)], COUNTRIES[i % len(COUNTRIES)]


def _fill_sqlite(url: str) -> dict[str, Any]:
    """Through the driver's executemany with SQLAlchemy's own conversions of each column (as the ORM would
    store the value), done once for the values all rows share."""
    from sqlalchemy import create_engine, event

    from services.partnerships.db.models import partners

    engine = create_engine(url.replace("sqlite+aiosqlite://", "sqlite://"))
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        conn.execute("PRAGMA busy_timeout=60000")  # the service's own writers wait for the fill, as it waits

    def convert(column: str) -> Any:
        t = partners.c[column].type
        return t.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)

    to_id, to_json, to_kind = convert("id"), convert("name"), convert("kind")
    now = convert("created_at")(dt.datetime.now(dt.UTC))
    kinds = {k: to_kind(k) for k in KINDS}
    contacts = convert("contacts")([])
    sql = str(partners.insert().compile(dialect=dialect))
    marks: dict[str, Any] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        chunk: list[tuple[Any, ...]] = []
        for i, (row_id, name, kind, country) in enumerate(_partners()):
            _mark(marks, i, row_id)
            chunk.append((to_id(row_id), to_json({"en": name}), kinds[kind], country, "Chengdu", None, contacts,
                          name.lower(), 1, now, now))
            if len(chunk) == CHUNK:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
        cursor.execute("COMMIT")
        marks["total"] = cursor.execute("SELECT count(*) FROM partners").fetchone()[0]
    finally:
        raw.close()
        engine.dispose()
    return marks


def _fill_postgres(url: str) -> dict[str, Any]:
    import asyncpg

    marks: dict[str, Any] = {}

    now = dt.datetime.now(dt.UTC)

    def records() -> Iterator[tuple[Any, ...]]:
        for i, (row_id, name, kind, country) in enumerate(_partners()):
            _mark(marks, i, row_id)
            # jsonb as text, as asyncpg takes it
            yield (row_id, json.dumps({"en": name}), kind, country, "Chengdu", None, "[]", name.lower(), 1, now, now)

    async def fill() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.copy_records_to_table("partners", records=records(), columns=list(COLUMNS))
            await conn.execute("ANALYZE partners")
            marks["total"] = await conn.fetchval("SELECT count(*) FROM partners")
        finally:
            await conn.close()

    asyncio.run(fill())
    return marks


def _mark(marks: dict[str, Any], i: int, row_id: uuid.UUID) -> None:
    """Remember the ids the middle and the deep page start after."""
    if i == ROWS // 2:
        marks["middle"] = row_id
    elif i == ROWS - 10 * LIMIT:
        marks["deep"] = row_id


# --- the figures ------------------------------------------------------------------------------------------


def _report(before: list[float], times: dict[str, list[float]], fill_seconds: float, total: int,
            load_before: str, database: str) -> Report:
    how = "one COPY + ANALYZE" if database.startswith("postgres") else f"one transaction, chunks of {CHUNK:,}"
    report = Report("keyset_pages", f"GET {PARTNERS}?limit={LIMIT} through the gateway at {total:,} partners: "
                                    f"first page vs a page in the middle and one {10 * LIMIT} rows from the end, "
                                    f"{REPEATS} times each")
    report.add("rows", "partners in the table", total)
    report.add("fill_seconds", f"fill: {ROWS:,} rows ({how}), s", round(fill_seconds, 1))
    report.add("fill_rows_per_second", "fill: rows/s", round(ROWS / fill_seconds))
    report.add("first_before_fill_median_ms", "first page before the fill: median ms",
               ms(statistics.median(before), 2))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, label in (("first", "first page"), ("middle", "middle page"), ("deep", "page near the end")):
        report.add(f"{name}_median_ms", f"{label}: median ms", ms(medians[name], 2))
        report.add(f"{name}_p99_ms", f"{label}: p99 ms", ms(percentile(times[name], 99), 2))
    middle_ratio = round(medians["middle"] / medians["first"], 2)
    deep_ratio = round(medians["deep"] / medians["first"], 2)
    report.add("middle_first_ratio", "middle / first (medians)", middle_ratio, f"<= {MAX_RATIO}",
               middle_ratio <= MAX_RATIO)
    report.add("deep_first_ratio", "near the end / first (medians)", deep_ratio, f"<= {MAX_RATIO}",
               deep_ratio <= MAX_RATIO)
    report.add("load_average", "machine load average before the pages (1/5/15 min)", load_before)
    return report
