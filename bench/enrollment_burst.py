"""The enrollment burst: 1000 people apply at once for the 100 seats of one cohort, through the gateway.

A coordinator creates a published program and a cohort with capacity 100, then sends 1000 enrollments (distinct
emails) with CONCURRENCY requests in flight. Wall time runs from the first send to the last answer; each
request's latency from its send to its answer. The contract's promise is checked beside the speed: exactly
`capacity` accepted whatever the concurrency, everyone else waitlisted at positions 1..900 once each, every answer
a 201 and never a 5xx.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
import uuid
from collections import Counter
from typing import Any

import httpx

from bench.report import Report
from tests.harness import Stack

TRAINING = "/api/v1/training"
REQUESTS = 1000
CAPACITY = 100
CONCURRENCY = 64


def run(stack: Stack) -> Report:
    key = stack.issue_key("coordinator", name="bench coordinator")["key"]
    with stack.client(key) as client:
        cohort_id = _with_one_retry(lambda: _cohort(client))
        answers, wall = asyncio.run(_burst(stack.gateway_url, key, f"{TRAINING}/cohorts/{cohort_id}/enrollments"))
        state = client.get(f"{TRAINING}/cohorts/{cohort_id}").json()
    return _report(answers, wall, state)


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
    """Send REQUESTS enrollments, CONCURRENCY at a time; answer each request's outcome and the wall seconds."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, limits=limits,
                                 timeout=60) as client:
        # Open the connections (client to gateway, gateway to training) before the clock starts.
        await asyncio.gather(*(client.get(url.rsplit("/", 1)[0]) for _ in range(CONCURRENCY)))

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
                    r = await client.post(url, json=body)
                    answer = {"status_code": r.status_code, "body": r.json() if r.status_code == 201 else r.text}
                except httpx.HTTPError as exc:
                    answer = {"status_code": None, "body": repr(exc)}
                answer["latency"] = time.perf_counter() - sent
                answers.append(answer)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - start
    return answers, wall


# --- the figures -------------------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _report(answers: list[dict[str, Any]], wall: float, state: dict[str, Any]) -> Report:
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
    report.add("requests_per_second", "requests/s", round(len(answers) / wall, 1))
    report.add("latency_p50_ms", "latency p50 ms", round(_percentile(latencies_ms, 50), 1))
    report.add("latency_p99_ms", "latency p99 ms", round(_percentile(latencies_ms, 99), 1))
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
