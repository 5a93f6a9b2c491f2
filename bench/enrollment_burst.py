"""The enrollment burst: 1000 people apply at once for the 100 seats of one cohort, through the gateway, twice.

Quiet: a coordinator creates a published program and a cohort with capacity 100, then sends 1000 enrollments
(distinct emails) with CONCURRENCY requests in flight. Wall time runs from the first send to the last answer; each
request's latency from its send to its answer. The contract's promise is checked beside the speed: exactly
`capacity` accepted whatever the concurrency, everyone else waitlisted at positions 1..900 once each, every answer
a 201 and never a 5xx.

The speed is judged against the training service's own read: its maximum of `GET /cohorts/{id}` called
directly (READ_CONNECTIONS in a closed loop for READ_SECONDS), measured in the same run. A burst that queues well
answers at MIN_RATE_SHARE of that rate at least, and its slowest 1 % within MAX_P99_MS (issue 17).

Overload: the same into a new cohort with OVERLOAD_CONCURRENCY in flight (more than a service admits), each with
an Idempotency-Key, while two other processes keep both cores busy. Every answer must be a 201 or a 503 with
Retry-After; the cohort must then hold exactly as many enrollments as there were 201s (a 503 that committed
would be a "ghost write"); then the client sends each refused application again with its key until every one
is a 201, and the final state must be the quiet run's.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import math
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx

from bench.common import direct_headers
from bench.loadgen import run_load
from bench.report import Report
from tests.harness import Stack

TRAINING = "/api/v1/training"
REQUESTS = 1000
CAPACITY = 100
CONCURRENCY = 64
OVERLOAD_CONCURRENCY = 256
READ_CONNECTIONS = 32
READ_SECONDS = 5.0
MIN_RATE_SHARE = 0.6
MAX_P99_MS = 1000.0


def run(stack: Stack) -> Report:
    key = stack.issue_key("coordinator", name="bench coordinator")["key"]
    with stack.client(key) as client:
        cohort_id = _with_one_retry(lambda: _cohort(client))
        answers, wall = asyncio.run(_burst(stack.gateway_url, key, f"{TRAINING}/cohorts/{cohort_id}/enrollments"))
        state = client.get(f"{TRAINING}/cohorts/{cohort_id}").json()
        read = run_load("127.0.0.1", stack.ports["training"], f"{TRAINING}/cohorts/{cohort_id}", direct_headers(),
                        connections=READ_CONNECTIONS, seconds=READ_SECONDS, warmup=1.0)
        report = _report(answers, wall, state, read.throughput)
        _overload(stack, client, key, report)
    return report


# --- setup -------------------------------------------------------------------------------------------------


def _cohort(client: httpx.Client) -> str:
    r = client.post(f"{TRAINING}/programs", json={
        "title": {"en": f"Enrollment burst {uuid.uuid4().hex[:6]}"}, "topics": ["breeding"],
        "format": "onsite", "languages": ["en"]})
    r.raise_for_status()
    r = client.post(f"{TRAINING}/programs/{r.json()['id']}/transitions", json={"action": "publish"})
    r.raise_for_status()
    starts = dt.date.today() + dt.timedelta(days=60)
    r = client.post(f"{TRAINING}/programs/{r.json()['id']}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=14)).isoformat(),
        "capacity": CAPACITY, "location": {"city": "Chengdu", "country": "CN"}})
    r.raise_for_status()
    return r.json()["id"]


def _with_one_retry(step: Any) -> Any:
    try:
        return step()
    except httpx.HTTPError as exc:
        print(f"setup failed ({exc}); retrying once", flush=True)
        time.sleep(1)
        return step()


# --- the burst ---------------------------------------------------------------------------------------------


async def _burst(base_url: str, key: str, url: str) -> tuple[list[dict[str, Any]], float]:
    """Send REQUESTS enrollments, CONCURRENCY at a time; answer each request's outcome and the wall seconds.

    The client is aiohttp's: with httpx's pool, a few requests waited seconds in the client before they were
    sent (the services' own logs showed them answered in tens of milliseconds), and the p99 measured the client."""
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base_url, headers={"X-API-Key": key}, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=60)) as client:
        async def get(path: str) -> None:
            async with client.get(path) as r:
                await r.read()

        # Open the connections (client to gateway, gateway to training) before the clock starts.
        await asyncio.gather(*(get(url.rsplit("/", 1)[0]) for _ in range(CONCURRENCY)))

        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(REQUESTS):
            queue.put_nowait(i)
        answers: list[dict[str, Any]] = []

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                body = {"name": f"Applicant {i}", "email": f"applicant{i}-{uuid.uuid4().hex[:8]}@example.org",
                        "country": "KE"}
                sent = time.perf_counter()
                try:
                    async with client.post(url, json=body) as r:
                        text = await r.text()
                    answer = {"status_code": r.status, "body": json.loads(text) if r.status == 201 else text}
                except aiohttp.ClientError as exc:
                    answer = {"status_code": None, "body": repr(exc)}
                answer["latency"] = time.perf_counter() - sent
                answers.append(answer)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - start
    return answers, wall


# --- overload -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _both_cores_busy() -> Iterator[None]:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for p in spinners:
            p.kill()
            p.wait()


async def _send(base_url: str, key: str, url: str, todo: list[tuple[int, dict[str, Any], str]]
                ) -> list[tuple[int, httpx.Response | None]]:
    """POST each `(i, body, idempotency key)` of `todo`, OVERLOAD_CONCURRENCY at a time."""
    limits = httpx.Limits(max_connections=OVERLOAD_CONCURRENCY, max_keepalive_connections=OVERLOAD_CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, limits=limits, timeout=60) as c:
        gate = asyncio.Semaphore(OVERLOAD_CONCURRENCY)

        async def one(i: int, body: dict[str, Any], idempotency_key: str) -> tuple[int, httpx.Response | None]:
            async with gate:
                try:
                    return i, await c.post(url, json=body, headers={"Idempotency-Key": idempotency_key})
                except httpx.HTTPError:
                    return i, None

        return await asyncio.gather(*(one(*t) for t in todo))


def _overload(stack: Stack, client: httpx.Client, key: str, report: Report) -> None:
    cohort_id = _with_one_retry(lambda: _cohort(client))
    url = f"{TRAINING}/cohorts/{cohort_id}/enrollments"
    todo = [(i, {"name": f"Applicant {i}", "email": f"overload{i}-{uuid.uuid4().hex[:8]}@example.org",
                 "country": "KE"}, uuid.uuid4().hex) for i in range(REQUESTS)]
    with _both_cores_busy():
        started = time.perf_counter()
        answers = asyncio.run(_send(stack.gateway_url, key, url, todo))
        wall = time.perf_counter() - started
    by_status = Counter(str(r.status_code) if r is not None else "no answer" for _, r in answers)
    without_retry_after = sum(1 for _, r in answers if r is not None and r.status_code == 503
                              and not r.headers.get("retry-after"))
    state = client.get(f"{TRAINING}/cohorts/{cohort_id}").json()
    ghosts = state["seats_taken"] + state["waitlist_length"] - by_status["201"]
    created = {i: r.json() for i, r in answers if r is not None and r.status_code == 201}
    rounds = 0
    while len(created) < REQUESTS and rounds < 60:  # the client's side: each refusal again, with its key
        rounds += 1
        time.sleep(1)  # Retry-After
        again = asyncio.run(_send(stack.gateway_url, key, url, [t for t in todo if t[0] not in created]))
        created |= {i: r.json() for i, r in again if r is not None and r.status_code == 201}
    final = Counter(b["status"] for b in created.values())
    positions = sorted(b["waitlist_position"] for b in created.values() if b["status"] == "waitlisted")
    only_201_503 = set(by_status) <= {"201", "503"}

    p = "overload: "
    report.add("overload_concurrency", p + "concurrency, both cores busy", OVERLOAD_CONCURRENCY)
    report.add("overload_answers_by_status", p + "answers by status", dict(sorted(by_status.items())),
               "201 or 503 only", only_201_503)
    report.add("overload_503_without_retry_after", p + "503s without Retry-After", without_retry_after, "0",
               without_retry_after == 0)
    report.add("overload_ghost_writes", p + "ghost writes (enrollments - 201s)", ghosts, "0", ghosts == 0)
    report.add("overload_201_per_second", p + "201s per second", round(by_status["201"] / wall, 1))
    report.add("overload_wall_seconds", p + "wall seconds (first pass)", round(wall, 2))
    report.add("overload_retry_rounds", p + "rounds of retries until all 201", rounds)
    waitlist_size = REQUESTS - CAPACITY
    ok = (final == {"accepted": CAPACITY, "waitlisted": waitlist_size}
          and positions == list(range(1, waitlist_size + 1)))
    report.add("overload_final", p + "accepted / waitlisted after retries, positions 1..900",
               f"{final['accepted']} / {final['waitlisted']}", f"{CAPACITY} / {waitlist_size}, unique", ok)


# --- the figures -------------------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _report(answers: list[dict[str, Any]], wall: float, state: dict[str, Any], read_max: float) -> Report:
    created = [a["body"] for a in answers if a["status_code"] == 201]
    accepted = [b for b in created if b["status"] == "accepted"]
    waitlisted = [b for b in created if b["status"] == "waitlisted"]
    waitlist_size = REQUESTS - CAPACITY
    positions_ok = (sorted(b["waitlist_position"] for b in waitlisted) == list(range(1, waitlist_size + 1))
                    and all(b["waitlist_position"] is None for b in accepted))
    others = Counter(str(a["status_code"] or "no answer") for a in answers if a["status_code"] != 201)
    server_errors = sum(n for code, n in others.items() if not code.isdigit() or int(code) >= 500)
    latencies_ms = [a["latency"] * 1000 for a in answers]
    seats = (state.get("seats_taken"), state.get("waitlist_length"))

    report = Report("enrollment_burst", f"{REQUESTS} enrollments (distinct emails) into one cohort of capacity "
                                        f"{CAPACITY}, {CONCURRENCY} in flight, through the gateway")
    report.add("requests", "requests", len(answers))
    report.add("concurrency", "concurrency", CONCURRENCY)
    report.add("wall_seconds", "wall seconds", round(wall, 2))
    rate = round(len(answers) / wall, 1)
    report.add("requests_per_second", "requests/s", rate)
    report.add("read_max_rps", "training's own read, directly: max requests/s", round(read_max, 1))
    share = round(rate / read_max, 2) if read_max else float("nan")
    report.add("rate_share_of_read", "requests/s / that read maximum", share, f">= {MIN_RATE_SHARE:g}",
               share >= MIN_RATE_SHARE)
    report.add("latency_p50_ms", "latency p50 ms", round(_percentile(latencies_ms, 50), 1))
    p99 = round(_percentile(latencies_ms, 99), 1)
    report.add("latency_p99_ms", "latency p99 ms", p99, f"<= {MAX_P99_MS:g}", p99 <= MAX_P99_MS)
    report.add("accepted", "accepted", len(accepted), f"== capacity ({CAPACITY})", len(accepted) == CAPACITY)
    report.add("waitlisted", "waitlisted", len(waitlisted), f"== {waitlist_size}", len(waitlisted) == waitlist_size)
    report.add("positions_unique", f"positions unique 1..{waitlist_size}", positions_ok, "yes", positions_ok)
    report.add("non_201", "non-201 answers", sum(others.values()), "0", not others)
    report.add("server_errors", "5xx or no answer", server_errors, "0", server_errors == 0)
    report.add("cohort_seats_taken_waitlist_length", "cohort seats taken / waitlist", f"{seats[0]} / {seats[1]}",
               f"{CAPACITY} / {waitlist_size}", seats == (CAPACITY, waitlist_size))
    if others:
        report.add("non_201_by_status", "non-201 by status", dict(others))
        first = next(a for a in answers if a["status_code"] != 201)
        report.add("first_non_201", "first non-201 answer", f"{first['status_code']}: {str(first['body'])[:200]}")
    return report
