"""Resident memory of each process of the suite (the four services and the gateway), idle and under load.

Idle: VmRSS from /proc/<pid>/status once the suite is up and has settled (SETTLE seconds), before this
benchmark sends anything; it is meant to run first, right after the suite started. Under load: the highest
VmRSS sampled every SAMPLE_SECONDS while CONCURRENCY clients send requests for LOAD_SECONDS through the gateway
to every service: list reads of each service, and partner registrations, whose events the three other services
consume. (`GET /api/v1/dashboard/summary`, which fans out to all four, is among the reads.)
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter

import httpx

from bench.common import load_average, rss_mb
from bench.report import Report
from tests.harness import SERVICES, Stack

PROCESSES = (*SERVICES, "gateway")
SETTLE = 2.0
LOAD_SECONDS = 8.0
CONCURRENCY = 32
SAMPLE_SECONDS = 0.05
IDLE_TARGET_MB = 120  # issue 17

READS = (
    "/api/v1/partnerships/partners?limit=50",
    "/api/v1/partnerships/agreements?limit=50",
    "/api/v1/training/programs?limit=50",
    "/api/v1/outreach/events?limit=50",
    "/api/v1/publications/works?limit=50",
    "/api/v1/dashboard/summary",
)
WRITE_EVERY = 4  # one request in this many registers a partner


def run(stack: Stack) -> Report:
    pids = {name: stack.processes[name].popen.pid for name in PROCESSES}  # type: ignore[union-attr]
    time.sleep(SETTLE)
    idle = {name: rss_mb(pid) for name, pid in pids.items()}
    load_before = load_average()
    key = stack.issue_key("coordinator", name="bench memory")["key"]

    peak = dict(idle)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for name, pid in pids.items():
                peak[name] = max(peak[name], rss_mb(pid))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    try:
        statuses, answered = asyncio.run(_load(stack.gateway_url, key))
    finally:
        stop.set()
        sampler.join()
    after = {name: rss_mb(pid) for name, pid in pids.items()}
    return _report(idle, peak, after, statuses, answered, load_before)


async def _load(base_url: str, key: str) -> tuple[Counter[str], int]:
    statuses: Counter[str] = Counter()
    counter = itertools.count()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, limits=limits,
                                 timeout=30) as client:
        deadline = time.perf_counter() + LOAD_SECONDS

        async def worker() -> None:
            while time.perf_counter() < deadline:
                i = next(counter)
                try:
                    if i % WRITE_EVERY == 0:
                        r = await client.post("/api/v1/partnerships/partners", json={
                            "name": {"en": f"Memory zoo {i}", "zh": f"动物园 {i}"}, "kind": "zoo", "country": "FR"})
                    else:
                        r = await client.get(READS[i % len(READS)])
                    statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return statuses, sum(statuses.values())


def _report(idle: dict[str, float], peak: dict[str, float], after: dict[str, float], statuses: Counter[str],
            answered: int, load_before: str) -> Report:
    report = Report("memory", f"resident memory (VmRSS) of each process: idle after start-up, and the highest "
                              f"sample under {LOAD_SECONDS:g} s of mixed reads and writes through the gateway to "
                              f"every service ({CONCURRENCY} in flight)")
    for name in PROCESSES:
        report.add(f"{name}_idle_mb", f"{name} idle MB", round(idle[name], 1), f"<= {IDLE_TARGET_MB}",
                   idle[name] <= IDLE_TARGET_MB)
    for name in PROCESSES:
        report.add(f"{name}_load_mb", f"{name} under load MB (peak)", round(peak[name], 1))
    for name in PROCESSES:
        report.add(f"{name}_after_mb", f"{name} after the load MB", round(after[name], 1))
    report.add("total_idle_mb", "all five idle MB", round(sum(idle.values()), 1))
    report.add("total_load_mb", "all five under load MB (sum of peaks)", round(sum(peak.values()), 1))
    report.add("requests", "requests during the load", answered)
    failed = sum(n for status, n in statuses.items() if not status.isdigit() or int(status) >= 500)
    report.add("server_errors", "5xx or no answer during the load", failed, "0", failed == 0)
    if set(statuses) - {"200", "201"}:
        report.add("statuses", "answers by status", dict(statuses))
    report.add("load_average", "machine load average before (1/5/15 min)", load_before)
    return report
