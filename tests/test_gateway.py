"""The gateway as clients meet it: upstream failures answered as problems in time, request ids and trace
context, health, metrics, the merged docs, paths forwarded as sent, and streamed bodies.

The upstream-failure tests run a gateway process of their own in front of tiny fake upstreams (real sockets on
loopback, served from a background thread): one port with nothing listening, one that accepts and never
answers, one that answers garbage, hangs up or fails with a 500, and one that answers properly. The rest talk
HTTP to the shared session stack.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.harness import (
    ADMIN_KEY,
    INTERNAL_SECRET,
    JWT_SECRET,
    ROOT,
    SERVICES,
    Process,
    Stack,
    free_port,
    problem_of,
    wait_until,
)

UPSTREAM_TIMEOUT = 1.0
# What a failing service says about its insides; none of it may reach a client.
INTERNALS = b"Traceback (most recent call last): File /srv/outreach/db.py password=hunter2 dsn=postgres://10.0.0.7"

# --- fake upstreams ----------------------------------------------------------------------------------------


def _http_response(status: int, body: bytes, content_type: str = "application/json",
                   extra_headers: dict[str, str] | None = None) -> bytes:
    reasons = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}
    head = [f"HTTP/1.1 {status} {reasons.get(status, 'Status')}", f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (extra_headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FakeUpstreams:
    """Loopback servers on one asyncio loop in a background thread, each with a behaviour:

    - `slow`: accepts, reads the request, never answers (until the gateway hangs up);
    - `broken`: by the path's last segment, `garbage` (bytes that are not HTTP), `hangup` (closes without a
      word), `crash` (a 500 whose body describes internals); anything else, `/readyz` included, a 200;
    - `ok`: a proper 200 echoing what it received, and a small `/openapi.json`.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-upstreams", daemon=True)
        self.ports: dict[str, int] = {}
        self.requests: Counter[str] = Counter()  # requests read, per behaviour
        self.hangups: Counter[str] = Counter()  # connections the gateway closed while we never answered
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._servers: list[asyncio.Server] = []
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> FakeUpstreams:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def count(self, behaviour: str) -> int:
        with self._lock:
            return self.requests[behaviour]

    def hung_up(self, behaviour: str) -> int:
        with self._lock:
            return self.hangups[behaviour]

    async def _start(self) -> None:
        for behaviour in ("slow", "broken", "ok"):
            server = await asyncio.start_server(
                lambda r, w, b=behaviour: self._serve(b, r, w), "127.0.0.1", 0
            )
            self._servers.append(server)
            self.ports[behaviour] = server.sockets[0].getsockname()[1]

    async def _serve(self, behaviour: str, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}
            if "content-length" in headers:
                await reader.readexactly(int(headers["content-length"]))
            with self._lock:
                self.requests[behaviour] += 1
                self.seen.append(Seen(method, path, headers))
            await getattr(self, f"_{behaviour}")(path, headers, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _slow(self, path: str, headers: dict[str, str], reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> None:
        await reader.read()  # returns only when the other side closes the connection
        with self._lock:
            self.hangups["slow"] += 1

    async def _broken(self, path: str, headers: dict[str, str], reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        last = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if last == "garbage":
            writer.write(b"\x00\xff\xfe this is not HTTP at all \x01\x02\r\n\r\n")
        elif last == "hangup":
            return
        elif last == "crash":
            writer.write(_http_response(500, INTERNALS, "text/plain", {"X-Internal-Host": "db-7.internal"}))
        else:
            writer.write(_http_response(200, b'{"status": "ready"}'))
        await writer.drain()

    async def _ok(self, path: str, headers: dict[str, str], reader: asyncio.StreamReader,
                  writer: asyncio.StreamWriter) -> None:
        if path == "/openapi.json":
            ok = {"get": {"responses": {"200": {"description": "ok"}}}}
            doc = {"openapi": "3.1.0", "info": {"title": "fake", "version": "1"},
                   "paths": {"/api/v1/publications/fake": ok}}
            body = json.dumps(doc).encode()
        else:
            body = json.dumps({"path": path, "headers": headers}).encode()
        writer.write(_http_response(200, body))
        await writer.drain()


@dataclass
class LoneGateway:
    url: str
    process: Process
    upstreams: FakeUpstreams
    down_port: int

    def client(self, timeout: float = 10) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


@pytest.fixture(scope="module")
def lone_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoneGateway]:
    """A gateway process alone: partnerships is down (nothing listens), training is slow, outreach is broken,
    publications answers properly; the broker is a port with nothing behind it."""
    workdir = Path(tmp_path_factory.mktemp("lone-gateway"))
    upstreams = FakeUpstreams().start()
    down_port = free_port()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(tuple(f"{n.upper()}_" for n in
                                                                         ("gateway", *SERVICES)))},
        "APP_ENV": "production",
        "INTERNAL_AUTH_SECRET": INTERNAL_SECRET,
        "GATEWAY_JWT_SECRET": JWT_SECRET,
        "GATEWAY_JWT_AUDIENCE": "panda-coop-api",
        "GATEWAY_JWT_ISSUER": "https://id.panda-base.test/",
        "GATEWAY_ADMIN_API_KEY": ADMIN_KEY,
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'gateway.db'}",
        "GATEWAY_PORT": str(port),
        "GATEWAY_METRICS_PORT": str(free_port()),
        "GATEWAY_UPSTREAM_TIMEOUT_SECONDS": str(UPSTREAM_TIMEOUT),
        "GATEWAY_UPSTREAM_PARTNERSHIPS": f"http://127.0.0.1:{down_port}",
        "GATEWAY_UPSTREAM_TRAINING": f"http://127.0.0.1:{upstreams.ports['slow']}",
        "GATEWAY_UPSTREAM_OUTREACH": f"http://127.0.0.1:{upstreams.ports['broken']}",
        "GATEWAY_UPSTREAM_PUBLICATIONS": f"http://127.0.0.1:{upstreams.ports['ok']}",
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        "VAR_DIR": str(workdir),
        "LOG_LEVEL": "INFO",
    }
    subprocess.run([sys.executable, "-m", "deploy.migrate", "gateway"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    argv = [sys.executable, "-m", "uvicorn", "gateway.app:app", "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", "--timeout-graceful-shutdown", "2"]
    process = Process("gateway", argv, env, workdir / "gateway.log")
    process.start()
    gateway = LoneGateway(f"http://127.0.0.1:{port}", process, upstreams, down_port)

    def up() -> bool:
        if not process.running:
            raise AssertionError(f"gateway exited:\n{process.log_tail()}")
        return httpx.get(gateway.url + "/healthz", timeout=2).status_code == 200

    try:
        wait_until(up, 20, what="lone gateway up")
        yield gateway
    except BaseException:
        sys.stderr.write(f"--- lone gateway log ---\n{process.log_tail()}\n")
        raise
    finally:
        process.stop()
        upstreams.stop()


def _names_service(problem: dict[str, Any], service: str) -> None:
    assert problem.get("service") == service, problem
    assert service in problem["detail"], problem


# --- upstream failures -------------------------------------------------------------------------------------


def test_a_service_that_is_down_is_a_503_naming_it(lone_gateway: LoneGateway):
    with lone_gateway.client() as c:
        started = time.monotonic()
        r = c.get("/api/v1/partnerships/partners", headers={"X-Request-ID": "down-1"})
        elapsed = time.monotonic() - started
    problem = problem_of(r)
    assert r.status_code == 503
    assert r.headers["x-request-id"] == "down-1"
    _names_service(problem, "partnerships")
    assert "retry-after" in r.headers
    assert str(lone_gateway.down_port) not in r.text, "the upstream's address is nobody's business"
    assert elapsed < 3, f"a refused connection should be answered at once, took {elapsed:.2f}s"


def test_a_service_that_never_answers_is_a_504_within_the_configured_timeout(lone_gateway: LoneGateway):
    before = lone_gateway.upstreams.hung_up("slow")
    with lone_gateway.client() as c:
        started = time.monotonic()
        r = c.get("/api/v1/training/programs", headers={"X-Request-ID": "slow-1"})
        elapsed = time.monotonic() - started
    problem = problem_of(r)
    assert r.status_code == 504
    assert r.headers["x-request-id"] == "slow-1"
    _names_service(problem, "training")
    assert UPSTREAM_TIMEOUT * 0.9 <= elapsed < 3, f"answered after {elapsed:.2f}s, timeout {UPSTREAM_TIMEOUT}"
    # The gateway lets go of the hanging connection instead of leaving it open.
    wait_until(lambda: lone_gateway.upstreams.hung_up("slow") > before, 5,
               what="the gateway to close the slow upstream's connection")


@pytest.mark.parametrize("misbehaviour", ["garbage", "hangup"])
def test_a_service_that_answers_garbage_or_hangs_up_is_a_502(lone_gateway: LoneGateway, misbehaviour: str):
    before = lone_gateway.upstreams.count("broken")
    with lone_gateway.client() as c:
        r = c.get(f"/api/v1/outreach/events/{misbehaviour}")
    problem = problem_of(r)
    assert r.status_code == 502
    _names_service(problem, "outreach")
    assert lone_gateway.upstreams.count("broken") > before, "the request did reach the upstream"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_service_500_is_a_502_that_tells_nothing_of_its_insides(lone_gateway: LoneGateway, method: str):
    with lone_gateway.client() as c:
        r = c.request(method, "/api/v1/outreach/events/crash", json={"a": 1} if method == "POST" else None)
    problem = problem_of(r)
    assert r.status_code == 502
    _names_service(problem, "outreach")
    for secret in (b"Traceback", b"hunter2", b"/srv/outreach", b"10.0.0.7"):
        assert secret not in r.content
    assert "x-internal-host" not in r.headers
    assert all("db-7" not in v for v in r.headers.values())


def test_the_working_upstream_answers_and_receives_request_id_and_trace(lone_gateway: LoneGateway):
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    with lone_gateway.client() as c:
        r = c.get("/api/v1/publications/echo?x=1",
                  headers={"X-Request-ID": "lone-echo-1", "traceparent": f"00-{trace_id}-{span_id}-01"})
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"] == "lone-echo-1"
    seen = r.json()
    assert seen["path"] == "/api/v1/publications/echo?x=1"
    assert seen["headers"]["x-request-id"] == "lone-echo-1"
    _, upstream_trace, upstream_span, _ = seen["headers"]["traceparent"].split("-")
    assert upstream_trace == trace_id and upstream_span != span_id


def _raw_get(base_url: str, raw_path: str) -> tuple[int, str, bytes]:
    """GET exactly this request target: no client-side normalisation of `..` or percent-escapes."""
    url = httpx.URL(base_url)
    conn = http.client.HTTPConnection(url.host, url.port, timeout=10)
    try:
        conn.request("GET", raw_path)
        response = conn.getresponse()
        return response.status, response.getheader("content-type") or "", response.read()
    finally:
        conn.close()


def test_path_and_query_reach_the_service_exactly_as_sent(lone_gateway: LoneGateway):
    target = "/api/v1/publications/works/a%2Fb%3Fc%23d/caf%C3%A9?q=%E7%86%8A%E7%8C%AB&x=1%262&y=%2F"
    status, _, body = _raw_get(lone_gateway.url, target)
    assert status == 200, body
    assert json.loads(body)["path"] == target


def test_raw_non_ascii_bytes_in_a_path_are_never_a_500(lone_gateway: LoneGateway):
    url = httpx.URL(lone_gateway.url)
    with socket.create_connection((url.host, url.port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/publications/works/caf\xc3\xa9?q=\xe7\x86\x8a HTTP/1.1\r\n"
                     b"Host: gateway\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert status < 500, answer
    if status == 200:
        assert json.loads(body)["path"] == "/api/v1/publications/works/caf%C3%A9?q=%E7%86%8A"


@pytest.mark.parametrize("target", [
    "/api/v1/publications/../../../metrics",
    "/api/v1/publications/works/../../../../readyz",
    "/api/v1/publications/..%2F..%2F..%2Fmetrics",
    "/api/v1/publications/%2e%2e/%2e%2e/%2e%2e/openapi.json",
])
def test_a_path_climbing_out_of_its_service_prefix_never_reaches_a_service(lone_gateway: LoneGateway,
                                                                            target: str):
    before = len(lone_gateway.upstreams.seen)
    status, content_type, body = _raw_get(lone_gateway.url, target)
    assert status == 404, (status, body)
    assert content_type.startswith("application/problem+json")
    forwarded = [seen.path for seen in lone_gateway.upstreams.seen[before:]]
    assert not forwarded, f"the gateway forwarded {target} as {forwarded}"


def test_a_slow_service_does_not_stall_requests_to_another(lone_gateway: LoneGateway):
    hanging = 10
    before = lone_gateway.upstreams.count("slow")

    def slow_request(_: int) -> int:
        with lone_gateway.client() as c:
            return c.get("/api/v1/training/programs").status_code

    with ThreadPoolExecutor(hanging) as pool:
        slow = [pool.submit(slow_request, i) for i in range(hanging)]
        wait_until(lambda: lone_gateway.upstreams.count("slow") >= before + hanging, UPSTREAM_TIMEOUT * 0.8,
                   interval=0.01, what="every slow request to be hanging at the upstream")
        with lone_gateway.client() as c:
            started = time.monotonic()
            r = c.get("/api/v1/publications/works")
            elapsed = time.monotonic() - started
        assert any(not f.done() for f in slow), "the slow requests were still hanging meanwhile"
        assert r.status_code == 200, r.text
        assert elapsed < 0.5, f"a working service answered in {elapsed:.2f}s while another hung"
        assert [f.result() for f in slow] == [504] * hanging


def test_readyz_is_503_naming_what_fails(lone_gateway: LoneGateway):
    with lone_gateway.client() as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        body = r.json()
        assert body["status"] == "not_ready"
        checks = body["checks"]
        for failing in ("partnerships", "training", "broker"):
            assert checks[failing].startswith("failing"), checks
        for fine in ("outreach", "publications", "database"):
            assert checks[fine] == "ok", checks
        assert "x-request-id" in r.headers
        # Liveness is about this process only.
        assert c.get("/healthz").status_code == 200


def test_openapi_still_answers_and_names_the_missing_services(lone_gateway: LoneGateway):
    with lone_gateway.client() as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert "/api/v1/admin/api-keys" in doc["paths"]
    assert "/api/v1/publications/fake" in doc["paths"]
    assert {"partnerships", "training"} <= set(doc["x-missing-services"])
    assert "publications" not in doc["x-missing-services"]


# --- request ids -------------------------------------------------------------------------------------------


def test_a_valid_client_request_id_comes_back_unchanged(stack: Stack, coordinator):
    for rid in ("client-req-42", "a1b2.c3:d4-E5", "x" * 128):
        r = coordinator.get("/api/v1/partnerships/partners", params={"limit": 1},
                            headers={"X-Request-ID": rid})
        assert r.status_code == 200, r.text
        assert r.headers["x-request-id"] == rid


@pytest.mark.parametrize("rid", ["a b c", "x" * 129, "semi;colon", "<script>", "é-accent"])
def test_an_invalid_request_id_is_replaced(stack: Stack, anonymous, rid: str):
    r = anonymous.get("/healthz", headers={"X-Request-ID": rid.encode("utf-8")})
    assert r.status_code == 200
    replaced = r.headers["x-request-id"]
    assert replaced and replaced != rid
    assert len(replaced) <= 128 and replaced.isascii() and " " not in replaced


def test_every_answer_carries_a_request_id(stack: Stack, anonymous, coordinator):
    answers = {
        "healthz": anonymous.get("/healthz"),
        "readyz": anonymous.get("/readyz"),
        "401": anonymous.get("/api/v1/partnerships/partners", headers={"X-API-Key": "no-such-key"}),
        "404 gateway": anonymous.get("/api/v1/nothing/here"),
        "404 service": coordinator.get(f"/api/v1/partnerships/partners/{uuid.uuid4()}"),
        "422": coordinator.post("/api/v1/partnerships/partners", json={"name": {}, "kind": "castle"}),
        "201": coordinator.post("/api/v1/partnerships/partners",
                                json={"name": {"en": "Request id zoo"}, "kind": "zoo", "country": "US"}),
    }
    expected = {"healthz": 200, "readyz": 200, "401": 401, "404 gateway": 404, "404 service": 404, "422": 422,
                "201": 201}
    ids = set()
    for what, r in answers.items():
        assert r.status_code == expected[what], f"{what}: {r.status_code} {r.text}"
        assert r.headers.get("x-request-id"), f"{what} has no X-Request-ID"
        assert len(r.headers.get_list("x-request-id")) == 1, f"{what} has more than one X-Request-ID"
        ids.add(r.headers["x-request-id"])
        if r.status_code >= 400:
            problem_of(r)
    assert len(ids) == len(answers), "each request got its own id"

    for what, r in {
        "401": anonymous.get("/api/v1/partnerships/partners", headers={"X-API-Key": "no-such-key",
                                                                       "X-Request-ID": "mine-401"}),
        "404": anonymous.get("/api/v1/nothing/here", headers={"X-Request-ID": "mine-404"}),
        "422": coordinator.post("/api/v1/partnerships/partners", json={},
                                headers={"X-Request-ID": "mine-422"}),
    }.items():
        assert r.status_code == int(what)
        assert r.headers["x-request-id"] == f"mine-{what}"


# --- trace context into events -----------------------------------------------------------------------------


async def _find_event(bootstrap: str, topic: str, subject: str, timeout: float = 20.0) -> tuple[Any, dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-gateway-{uuid.uuid4().hex}", enable_auto_commit=False)
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    try:
                        event = json.loads(record.value)
                    except ValueError:
                        continue  # other tests put poison messages on the topics on purpose
                    if isinstance(event, dict) and event.get("subject") == subject:
                        return record, event
        raise AssertionError(f"no event with subject {subject} on {topic} within {timeout}s")
    finally:
        await consumer.stop()


def test_traceparent_reaches_the_published_event(stack: Stack, coordinator):
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    r = coordinator.post("/api/v1/partnerships/partners",
                         json={"name": {"en": "Trace zoo"}, "kind": "zoo", "country": "NL"},
                         headers={"traceparent": f"00-{trace_id}-{span_id}-01"})
    assert r.status_code == 201, r.text
    partner_id = r.json()["id"]

    record, event = asyncio.run(_find_event(stack.bootstrap, "partnerships.events", partner_id))

    for field in ("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                  "dataschemaversion", "traceparent", "data"):
        assert field in event, f"event without {field}: {event}"
    assert event["specversion"] == "1.0"
    assert event["type"] == "partnerships.partner.registered"
    assert event["subject"] == partner_id
    assert event["id"] and event["source"]
    assert event["datacontenttype"].startswith("application/json")
    assert datetime.fromisoformat(event["time"].replace("Z", "+00:00")).tzinfo is not None
    assert event["data"]["name"] == {"en": "Trace zoo"}
    assert record.key == partner_id.encode(), "events are keyed by the aggregate id"
    version, event_trace, event_span, _flags = event["traceparent"].split("-")
    assert version == "00"
    assert event_trace == trace_id, "the event continues the client's trace"
    assert event_span != span_id and len(event_span) == 16


# --- health, metrics, docs ---------------------------------------------------------------------------------


def test_healthz_readyz_and_metrics(stack: Stack, anonymous):
    assert anonymous.get("/healthz").status_code == 200

    r = anonymous.get("/readyz")
    assert r.status_code == 200, r.text
    checks = r.json()["checks"]
    for part in (*SERVICES, "broker"):
        assert checks[part] == "ok", checks

    anonymous.get("/api/v1/nothing/here")  # at least one counted request
    assert anonymous.get("/metrics").status_code == 404, "the metrics are not on the public port"
    for name in SERVICES:
        assert httpx.get(f"{stack.service_url(name)}/metrics").status_code == 404, name
    metrics = httpx.get(stack.metrics_url("gateway"))
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "http_requests_total" in metrics.text
    assert "# TYPE http_requests_total counter" in metrics.text


def test_openapi_merges_the_gateway_and_every_service(stack: Stack, anonymous):
    r = anonymous.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert "x-missing-services" not in doc
    paths = doc["paths"]
    for path in ("/api/v1/admin/api-keys", "/api/v1/partnerships/partners",
                 "/api/v1/training/partners/{partner_id}"):
        assert path in paths, f"{path} not in {sorted(paths)}"
    for service in SERVICES:
        assert any(p.startswith(f"/api/v1/{service}/") for p in paths), f"no {service} routes"
    assert all(p.startswith("/api/v1/") for p in paths), [p for p in paths if not p.startswith("/api/v1/")]
    # operationIds as a person writes them (what a generated client names its methods), unique in the whole API.
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) and "api_v1" not in i for i in ids), ids
    assert {"list_partners", "enroll", "get_training_partner_copy"} <= set(ids)
    # Every tag an operation names is described once at the top; the API says whom to ask and where it is.
    described = [t["name"] for t in doc["tags"] if t.get("description")]
    used = {t for ops in paths.values() for op in ops.values() for t in op.get("tags", [])}
    assert len(described) == len(set(described)) and used <= set(described), used - set(described)
    assert doc["info"]["contact"]["email"] and doc["servers"]

    docs = anonymous.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in docs.text


def test_every_list_links_to_its_next_page(stack: Stack, keys: dict[str, str], coordinator):
    """Each list in the API description (a GET answering `next_cursor`) says where its next page is in a `Link`
    header (RFC 8288, rel="next"), keeping the query it was asked with; the last page has none."""
    for i in range(2):  # a second page in a list of each kind: a service's, one with facets, the gateway's own
        coordinator.post("/api/v1/partnerships/partners", json={"name": {"en": f"Linked zoo {i}"}, "kind": "zoo",
                                                                "country": "NL"})
        coordinator.post("/api/v1/training/programs", json={"title": {"en": f"Linked course {i}"},
                                                            "topics": ["breeding"], "format": "onsite",
                                                            "languages": ["en"]})
        work = coordinator.post("/api/v1/publications/works", json={
            "title": {"en": f"Linked paper {i}"}, "type": "journal_article", "date": "2026-05-01",
            "authors": [{"name": "Li Wei"}]})
        assert work.status_code == 201, work.text
    doc = coordinator.get("/openapi.json").json()
    lists = [path for path, ops in doc["paths"].items() if "{" not in path and "get" in ops
             and any(p.get("name") == "limit" for p in ops["get"].get("parameters", []))]
    assert len(lists) >= 10, lists
    linked = []
    with stack.client(keys["admin"]) as admin:
        for path in lists:
            r = admin.get(path, params={"limit": 1})
            assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:200]}"
            cursor = r.json().get("next_cursor")
            if cursor is None:
                assert "link" not in r.headers, f"{path}: a last page links to {r.headers['link']}"
                continue
            match = re.fullmatch(r'<([^>]+)>; rel="next"', r.headers.get("link", ""))
            assert match, f"{path}: next_cursor without a Link header ({r.headers.get('link')!r})"
            target = httpx.URL(match.group(1))
            assert target.path == path and target.params["cursor"] == cursor and target.params["limit"] == "1"
            following = admin.get(match.group(1))
            assert following.status_code == 200, f"{path}: the next page is {following.status_code}"
            assert following.json()["items"] != r.json()["items"], path
            linked.append(path)
    assert {"/api/v1/partnerships/partners", "/api/v1/training/programs", "/api/v1/publications/works",
            "/api/v1/admin/api-keys"} <= set(linked), linked


@pytest.mark.parametrize(("page", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_the_docs_pages_load_everything_from_the_gateway(stack: Stack, anonymous, page: str, script: str):
    """Offline, or where CDNs are blocked, the docs still load: every script, style and icon a page names is a
    path on the gateway, and the gateway serves it."""
    r = anonymous.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", r.text)
    urls = [a or b for a, b in urls]
    assert urls and any(u.endswith(script) for u in urls), urls
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        asset = anonymous.get(url)
        assert asset.status_code == 200, f"{url}: {asset.status_code}"
        if url.endswith(".js"):
            assert "javascript" in asset.headers["content-type"] and len(asset.content) > 100_000, url
        if url.endswith(".css"):
            assert asset.headers["content-type"].startswith("text/css"), url


@pytest.mark.parametrize("path", ["/api/v1/nothing/here", "/api/v1/nothing", "/api/v1/partnershipsx/x"])
def test_unknown_routes_are_404_problems(stack: Stack, anonymous, path: str):
    for method in ("GET", "POST"):
        r = anonymous.request(method, path, json={} if method == "POST" else None)
        assert problem_of(r)["status"] == 404, f"{method} {path}: {r.status_code}"


# --- bodies ------------------------------------------------------------------------------------------------


def test_a_body_over_a_megabyte_is_a_4xx_problem_not_a_5xx(stack: Stack, coordinator):
    body = {"name": {"en": "x" * 1_500_000}, "kind": "zoo", "country": "US"}
    r = coordinator.post("/api/v1/partnerships/partners", json=body)
    assert 400 <= r.status_code < 500, r.status_code
    assert problem_of(r)["status"] in (413, 422)
    assert len(r.content) < 100_000, "the problem does not echo the body back"


def test_a_chunked_body_is_streamed_through(stack: Stack, coordinator):
    payload = json.dumps({"name": {"en": "Chunked zoo"}, "kind": "zoo", "country": "SE"}).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(payload), 7):
            yield payload[i:i + 7]

    r = coordinator.post("/api/v1/partnerships/partners", content=chunks(),
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.request.headers["transfer-encoding"] == "chunked" and "content-length" not in r.request.headers
    assert r.json()["name"] == {"en": "Chunked zoo"}
