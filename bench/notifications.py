"""Notifications: from a committed registration to its confirmation email accepted by the SMTP server.

The path measured: outreach commits the registration with its notification request in the outbox; the relay
publishes it to `outreach.notifications`; the notifications service's consumer queues the message (inbox, log);
the sender renders it (Jinja2 templates, QR code, .ics), and hands it to the SMTP server, the stack's sink
(deploy/mail_sink.py), which writes each message it accepts to a file just before it answers "250".

Latency: SEQUENTIAL registrations through the gateway, one at a time, each waited for: from its 201 (the commit)
to the modification time of the sink's file for its address (when the server accepted it). The first WARMUP are
not counted (templates compiled, connections made). Throughput: BURST registrations sent IN_FLIGHT at a time,
then the messages per second from the first 201 to the last message accepted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path

import httpx

from bench.common import load_average, ms, percentile
from bench.report import Report
from tests.harness import Stack

OUTREACH = "/api/v1/outreach"
SEQUENTIAL = 100
WARMUP = 5
BURST = 300
IN_FLIGHT = 16
GIVE_UP_SECONDS = 60.0
TARGET_P50_MS = 250.0
TARGET_P99_MS = 1000.0
TARGET_PER_SECOND = 20.0


def run(stack: Stack) -> Report:
    key = stack.issue_key("coordinator", name="bench notifications")["key"]
    load_before = load_average()
    with httpx.Client(base_url=stack.gateway_url, headers={"X-API-Key": key}, timeout=30) as client:
        event = _event(client)
        seen = _Mailbox(stack.mail_dir)
        latencies = []
        for i in range(SEQUENTIAL):
            to = f"bench-{uuid.uuid4().hex[:12]}@school.example"
            committed = _register(client, event, to)
            accepted = seen.wait_for(to)
            if i >= WARMUP:
                latencies.append(accepted - committed)
    addresses = [f"burst-{uuid.uuid4().hex[:12]}@school.example" for _ in range(BURST)]
    first_commit = asyncio.run(_burst(stack.gateway_url, key, event, addresses))
    last_accepted = max(seen.wait_for(to) for to in addresses)
    rate = BURST / (last_accepted - first_commit)

    p50, p99 = ms(percentile(latencies, 50)), ms(percentile(latencies, 99))
    report = Report("notifications", "commit of a registration -> its confirmation email accepted by SMTP")
    report.add("smtp_p50_ms", "commit -> SMTP accepted p50 ms", p50, f"<= {TARGET_P50_MS:g}", p50 <= TARGET_P50_MS)
    report.add("smtp_p99_ms", "commit -> SMTP accepted p99 ms", p99, f"<= {TARGET_P99_MS:g}", p99 <= TARGET_P99_MS)
    report.add("smtp_max_ms", "commit -> SMTP accepted max ms", ms(max(latencies)))
    report.add("messages_per_second", f"messages/s, {BURST} registrations {IN_FLIGHT} in flight", round(rate, 1),
               f">= {TARGET_PER_SECOND:g}", rate >= TARGET_PER_SECOND)
    report.add("load_before", "load average before (1, 5, 15 min)", load_before)
    return report


def _event(client: httpx.Client) -> str:
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    r = client.post(f"{OUTREACH}/events", json={
        "title": {"en": "Benchmark classroom", "zh-Hans": "基准课堂"}, "kind": "classroom",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "timezone": "Asia/Shanghai", "capacity": 100_000,
        "venue": {"name": "Panda Museum", "city": "Chengdu", "country": "CN"}})
    r.raise_for_status()
    event_id = r.json()["id"]
    client.post(f"{OUTREACH}/events/{event_id}/transitions", json={"action": "schedule"}).raise_for_status()
    return event_id


def _register(client: httpx.Client, event: str, to: str) -> float:
    r = client.post(f"{OUTREACH}/events/{event}/registrations", json={"name": "Bench", "email": to})
    r.raise_for_status()
    return time.time()


async def _burst(base_url: str, key: str, event: str, addresses: list[str]) -> float:
    """Register every address, IN_FLIGHT at a time; answers when the first was committed (wall clock)."""
    slots = asyncio.Semaphore(IN_FLIGHT)
    commits: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, timeout=30) as client:

        async def one(to: str) -> None:
            async with slots:
                r = await client.post(f"{OUTREACH}/events/{event}/registrations", json={"name": "Bench", "email": to})
                r.raise_for_status()
                commits.append(time.time())

        await asyncio.gather(*(one(to) for to in addresses))
    return min(commits)


class _Mailbox:
    """The sink's files by recipient, with when each was written (the server's acceptance)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.known: dict[str, float] = {}
        self.read: set[str] = set()

    def _scan(self) -> None:
        for path in self.folder.glob("*.eml"):
            if path.name in self.read:
                continue
            self.read.add(path.name)
            with path.open("rb") as f:
                headers = BytesHeaderParser(policy=email.policy.default).parse(f)
            self.known[str(headers["To"])] = path.stat().st_mtime

    def wait_for(self, to: str) -> float:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while to not in self.known:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no message to {to} within {GIVE_UP_SECONDS} s")
            self._scan()
            if to not in self.known:
                time.sleep(0.002)
        return self.known[to]
