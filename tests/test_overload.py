"""The promises under stress, through the gateway: a burst on a busy machine is answered 201 or 503 (and a 503
committed nothing), clients that never send their bodies cost the service nothing, and what a client may send
is bounded (431, 413, 408) and checked for who sends it before it is read (401, 403)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx

from tests.harness import Stack, problem_of

TRAINING = "/api/v1/training"
WORKS = "/api/v1/publications/works"


@contextlib.contextmanager
def both_cores_busy() -> Iterator[None]:
    """Other processes keep every core busy for as long as the block runs: a loaded machine."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for p in spinners:
            p.kill()
            p.wait()


def raw_exchange(port: int, head: bytes, wait: float = 30.0) -> tuple[bytes, float]:
    """Send `head` (and nothing more) on a fresh connection; what comes back until the server closes it (or
    `wait` runs out), and after how many seconds."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(wait)
        started = time.monotonic()
        s.sendall(head)
        answer = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := s.recv(65536):
                answer += chunk
        return answer, time.monotonic() - started


def status_of(raw: bytes) -> int | None:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else None


# --- a burst on a busy machine -------------------------------------------------------------------------------


def test_a_burst_on_a_busy_machine_gets_201_or_503_and_each_503_committed_nothing(stack: Stack, coordinator,
                                                                                  keys):
    """1000 enrollments into 100 seats, 256 in flight, while two other processes keep both cores busy. Every
    answer is 201 or 503 with Retry-After; the cohort holds exactly as many enrollments as there were 201s; a
    client that sends each 503 again with its Idempotency-Key ends with 100 accepted and 900 waitlisted."""
    r = coordinator.post(f"{TRAINING}/programs", json={"title": {"en": "Burst"}, "topics": ["breeding"],
                                                       "format": "onsite", "languages": ["en"]})
    program = r.json()["id"]
    assert coordinator.post(f"{TRAINING}/programs/{program}/transitions", json={"action": "publish"}).is_success
    starts = dt.date.today() + dt.timedelta(days=60)
    cohort = coordinator.post(f"{TRAINING}/programs/{program}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=14)).isoformat(),
        "capacity": 100}).json()["id"]
    url = f"{TRAINING}/cohorts/{cohort}/enrollments"
    applications = [({"name": f"Applicant {i}", "email": f"a{i}-{uuid.uuid4().hex[:6]}@example.org",
                      "country": "KE"}, uuid.uuid4().hex) for i in range(1000)]

    async def send_all(todo: list[tuple[dict[str, Any], str]]) -> list[tuple[int, httpx.Response]]:
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        async with httpx.AsyncClient(base_url=stack.gateway_url, headers={"X-API-Key": keys["coordinator"]},
                                     limits=limits, timeout=60) as client:
            gate = asyncio.Semaphore(256)

            async def one(i: int) -> tuple[int, httpx.Response]:
                body, key = todo[i]
                async with gate:
                    return i, await client.post(url, json=body, headers={"Idempotency-Key": key})

            return await asyncio.gather(*(one(i) for i in range(len(todo))))

    with both_cores_busy():
        answers = asyncio.run(send_all(applications))
    by_status = Counter(r.status_code for _, r in answers)
    assert set(by_status) <= {201, 503}, f"answers by status: {dict(by_status)}"
    assert by_status[503] > 0, "256 in flight is more than a service admits: some must have been refused"
    for _, r in answers:
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) >= 1 and problem_of(r)["status"] == 503
    state = coordinator.get(f"{TRAINING}/cohorts/{cohort}").json()
    assert state["seats_taken"] + state["waitlist_length"] == by_status[201], "a 503 left an enrollment behind"

    created = {i: r.json() for i, r in answers if r.status_code == 201}
    for _ in range(30):  # the client's side: each refusal again, with its key, after Retry-After
        refused = [i for i in range(len(applications)) if i not in created]
        if not refused:
            break
        time.sleep(1)
        again = asyncio.run(send_all([applications[i] for i in refused]))
        created |= {refused[j]: r.json() for j, r in again if r.status_code == 201}
        assert {r.status_code for _, r in again} <= {201, 503}
    assert len(created) == 1000, f"{1000 - len(created)} applications still refused after 30 rounds"
    statuses = Counter(e["status"] for e in created.values())
    assert statuses == {"accepted": 100, "waitlisted": 900}
    positions = sorted(e["waitlist_position"] for e in created.values() if e["status"] == "waitlisted")
    assert positions == list(range(1, 901))
    state = coordinator.get(f"{TRAINING}/cohorts/{cohort}").json()
    assert (state["seats_taken"], state["waitlist_length"]) == (100, 900)


@contextlib.contextmanager
def cohort_locked_by_another_writer(stack: Stack, cohort_id: str) -> Iterator[None]:
    """A writer outside the service holds the cohort's row lock (PostgreSQL) or the database's write lock
    (SQLite) for as long as the block runs: what a stuck competitor, or a very slow one, looks like."""
    url = stack.dbs.urls["training"]
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    import asyncpg

    locked, release = threading.Event(), threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            async with conn.transaction():
                await conn.execute("SELECT 1 FROM cohorts WHERE id = $1 FOR UPDATE", uuid.UUID(cohort_id))
                locked.set()
                while not release.is_set():
                    await asyncio.sleep(0.05)
        finally:
            await conn.close()

    holder = threading.Thread(target=asyncio.run, args=(hold(),))
    holder.start()
    try:
        assert locked.wait(10), "could not take the cohort's lock"
        yield
    finally:
        release.set()
        holder.join(10)


def test_a_request_that_cannot_get_its_lock_by_its_deadline_is_503_and_commits_nothing(stack: Stack, coordinator,
                                                                                        keys):
    """The gateway waits 10 s and gives the service 8 s. An enrollment stuck behind another writer's lock
    gives up at its deadline: 503 with Retry-After (not the gateway's 504), and nothing is committed, not even
    once the lock is free. Sent again with its Idempotency-Key, it is accepted."""
    r = coordinator.post(f"{TRAINING}/programs", json={"title": {"en": "Deadline"}, "topics": ["breeding"],
                                                       "format": "onsite", "languages": ["en"]})
    program = r.json()["id"]
    assert coordinator.post(f"{TRAINING}/programs/{program}/transitions", json={"action": "publish"}).is_success
    starts = dt.date.today() + dt.timedelta(days=60)
    cohort = coordinator.post(f"{TRAINING}/programs/{program}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=14)).isoformat(),
        "capacity": 5}).json()["id"]
    url = f"{TRAINING}/cohorts/{cohort}/enrollments"
    body, key = {"name": "Late Applicant", "email": f"late-{uuid.uuid4().hex[:6]}@example.org", "country": "KE"}, \
        uuid.uuid4().hex

    with cohort_locked_by_another_writer(stack, cohort):
        started = time.monotonic()
        r = coordinator.post(url, json=body, headers={"Idempotency-Key": key})
        waited = time.monotonic() - started
    def taken() -> int:
        return coordinator.get(f"{TRAINING}/cohorts/{cohort}").json()["seats_taken"]

    # The lock is free: a request that went on waiting would commit now. It must not.
    watch_until = time.monotonic() + 2
    while time.monotonic() < watch_until:
        assert taken() == 0, f"the enrollment answered {r.status_code} was committed after all"
    assert problem_of(r)["status"] == 503 and problem_of(r)["type"].endswith("deadline-exceeded"), r.text
    assert int(r.headers["retry-after"]) >= 1
    assert 7.5 <= waited < 10, f"answered after {waited:.1f} s: the deadline is 8 s, the gateway's wait 10 s"
    again = coordinator.post(url, json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["status"] == "accepted", again.text
    assert taken() == 1


# --- slow and broken clients ---------------------------------------------------------------------------------


def test_clients_that_never_send_their_bodies_cost_the_service_nothing(stack: Stack, coordinator):
    """20 anonymous POSTs announce a body and never send it; meanwhile a normal client reads and writes the same
    service. The normal client is never refused, the service's circuit stays closed, and each slow request is
    answered 408 (or its connection closed)."""
    head = (b"POST /api/v1/publications/works HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n")
    slow = [socket.create_connection(("127.0.0.1", stack.ports["gateway"])) for _ in range(20)]
    for s in slow:
        s.sendall(head)
    seen: list[int] = []
    until = time.monotonic() + 13  # past the gateway's 10 s body timeout
    i = 0
    while time.monotonic() < until:
        seen.append(coordinator.get(WORKS, params={"limit": 5}).status_code)
        seen.append(coordinator.post(WORKS, json={"type": "report", "title": {"en": f"Meanwhile {i}"},
                                                   "authors": [{"name": "A. Keeper"}], "date": "2026-05-01"}
                                     ).status_code)
        i += 1
    assert set(seen) == {200, 201}, Counter(seen)
    for s in slow:
        s.settimeout(10)
        answer = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := s.recv(65536):
                answer += chunk
        s.close()
        assert answer == b"" or status_of(answer) == 408, answer[:200]
    metrics = httpx.get(stack.metrics_url("gateway"), timeout=5).text
    assert 'gateway_circuit_open{service="publications"} 1.0' not in metrics
    assert coordinator.get(WORKS, params={"limit": 1}).status_code == 200


def test_headers_larger_than_the_limit_get_431_and_the_connection_closed(stack: Stack):
    answer, _ = raw_exchange(stack.ports["gateway"], b"GET /api/v1/partnerships/partners HTTP/1.1\r\nHost: g\r\n"
                             b"X-Padding: " + b"p" * 40_000 + b"\r\n\r\n")
    assert status_of(answer) == 431 and b"connection: close" in answer.lower()
    many, _ = raw_exchange(stack.ports["gateway"], b"GET /api/v1/partnerships/partners HTTP/1.1\r\nHost: g\r\n"
                           + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(300)) + b"\r\n")
    assert status_of(many) == 431


def test_a_body_over_the_route_limit_gets_413_before_it_is_sent(stack: Stack, keys):
    """The answer comes while the body has not even been sent: the service cannot have received it."""
    head = (f"POST {WORKS} HTTP/1.1\r\nHost: g\r\nX-API-Key: {keys['coordinator']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {2 * 1024 * 1024}\r\n\r\n").encode()
    answer, seconds = raw_exchange(stack.ports["gateway"], head, wait=10)
    assert status_of(answer) == 413 and b"connection: close" in answer.lower(), answer[:300]
    assert seconds < 5


def test_a_chunked_body_that_grows_past_the_limit_gets_413(stack: Stack, coordinator):
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MiB in all, without a Content-Length

    r = coordinator.post(WORKS, content=chunks(), headers={"Content-Type": "application/json"})
    assert problem_of(r)["status"] == 413


def test_bulk_import_takes_a_larger_body_than_other_routes(coordinator):
    """2 MiB is over the 1 MiB of most routes and within the 16 MiB of the import: it reaches the service."""
    padding = " " * (2 * 1024 * 1024)
    r = coordinator.post(f"{WORKS}/import", content=f"[{padding}]", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and problem_of(r)["type"].endswith("invalid-input"), r.text[:300]


def test_headers_that_never_finish_get_408_and_the_connection_closed_within_the_timeout(stack: Stack):
    answer, seconds = raw_exchange(stack.ports["gateway"], b"GET /api/v1/partnerships/partners HTTP/1.1\r\nHost: g",
                                   wait=30)
    assert status_of(answer) == 408, answer[:200]
    assert 9 <= seconds < 20, seconds  # the header read timeout is 10 s


def test_who_may_call_is_checked_before_the_body_is_read(stack: Stack, keys, anonymous):
    broken = b'{"type": "report", "title": '
    r = anonymous.post(WORKS, content=broken, headers={"Content-Type": "application/json"})
    assert problem_of(r)["status"] == 401
    with stack.client(keys["member"]) as member, stack.client(keys["analyst"]) as analyst:
        assert problem_of(member.post(WORKS, content=broken, headers={"Content-Type": "application/json"})
                          )["status"] == 403
        assert problem_of(analyst.post(f"{TRAINING}/programs", content=broken,
                                       headers={"Content-Type": "application/json"}))["status"] == 403


def test_a_cursor_that_decodes_to_an_integer_beyond_64_bits_is_422(stack: Stack, coordinator):
    import base64
    import json

    partner = coordinator.post("/api/v1/partnerships/partners", json={
        "name": {"en": "Cursor Zoo"}, "kind": "zoo", "country": "NL"}).json()["id"]
    with stack.client(stack.issue_key("partner", partner)["key"]) as client:
        sub = client.post("/api/v1/partnerships/webhooks", json={"url": "http://127.0.0.1:9/hooks",
                                                                 "event_types": ["*"]})
        assert sub.status_code == 201, sub.text
        for value in (2**70, -(2**64), 2**63):
            cursor = base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")
            r = client.get(f"/api/v1/partnerships/webhooks/{sub.json()['id']}/deliveries", params={"cursor": cursor})
            assert problem_of(r)["status"] == 422, r.text
