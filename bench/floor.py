"""The stack's floor beside the suite (issue 17, item 1), each side loaded alike in the same run:

- the read, `GET` one partner-shaped row by id: a bare app of the same stack (bench/floor_app.py), the
  partnerships service directly, and through the gateway;
- the enrollment-shaped write (lock the cohort's row, insert, update a counter, commit): the bare app, and the
  training service's `POST /cohorts/{id}/enrollments` directly, each with a unique email per request.

Each service's CPU per request is reported as a ratio of the floor's, so the figure does not depend on the
machine; the gateway's CPU per proxied read beside it.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid

import httpx

from bench.common import cpu_seconds, direct_headers, load_average, ms
from bench.loadgen import run_load
from bench.report import Report
from shared.auth import Role
from shared.http_server import HTTP_PROTOCOL
from tests.harness import Process, Stack, free_port, wait_until

PARTNERS = "/api/v1/partnerships/partners"
TRAINING = "/api/v1/training"
CONNECTIONS = 16
SECONDS = 5.0
WARMUP = 1.0
MAX_RATIO = 1.3
MAX_GATEWAY_CPU_MS = 0.5


def _floor(stack: Stack) -> tuple[Process, str]:
    port = free_port()
    url = stack.dbs.urls["partnerships"]  # a table of its own beside the service's
    argv = [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", "--http", HTTP_PROTOCOL]
    process = Process("floor", argv, {**stack.env, "FLOOR_DATABASE_URL": url}, stack.workdir / "floor.log")
    process.start()
    wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/floor/items/00000000-0000-7000-8000-00000000f100")
               .status_code == 200, 30, what="the floor app")
    return process, str(port)


def _cpu_ms_per_request(pid: int, host: str, port: int, path: str, headers: dict[str, str],
                        *also: int, post: str | None = None) -> tuple[float, float, list[float]]:
    """(CPU ms per answered request of `pid`, requests/s, CPU ms per request of each of `also`)."""
    before = [cpu_seconds(p) for p in (pid, *also)]
    result = run_load(host, port, path, headers, connections=CONNECTIONS, seconds=SECONDS, warmup=WARMUP,
                      post=post)
    if set(result.statuses) - {200, 201}:
        raise RuntimeError(f"{path} answered {result.statuses}")
    used = [cpu_seconds(p) - b for p, b in zip((pid, *also), before, strict=True)]
    answered = result.answered + result.warmup_answered
    per = [ms(u / answered, 3) if answered else float("nan") for u in used]
    return per[0], round(result.throughput), per[1:]


def _open_cohort(client: httpx.Client) -> str:
    r = client.post(f"{TRAINING}/programs", json={"title": {"en": f"Floor {uuid.uuid4().hex[:6]}"},
                                                  "topics": ["breeding"], "format": "onsite", "languages": ["en"]})
    r.raise_for_status()
    client.post(f"{TRAINING}/programs/{r.json()['id']}/transitions", json={"action": "publish"}).raise_for_status()
    starts = dt.date.today() + dt.timedelta(days=60)
    r = client.post(f"{TRAINING}/programs/{r.json()['id']}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=14)).isoformat(),
        "capacity": 100, "location": {"city": "Chengdu", "country": "CN"}})
    r.raise_for_status()
    return r.json()["id"]


def _application() -> str:
    """A body template: `{n}` is the request's number, so every email differs (within one run of the load)."""
    run = uuid.uuid4().hex[:8]
    return '{"name": "Trainee {n}", "email": "t{n}-' + run + '@example.org", "country": "KE"}'


def run(stack: Stack) -> Report:
    coordinator = stack.issue_key("coordinator", name="bench floor writer")["key"]
    analyst = stack.issue_key("analyst", name="bench floor reader")["key"]
    with stack.client(coordinator) as client:
        r = client.post(PARTNERS, json={"name": {"en": "Floor zoo"}, "kind": "zoo", "country": "DE", "city": "Berlin"})
        r.raise_for_status()
        path = f"{PARTNERS}/{r.json()['id']}"
        cohort = _open_cohort(client)
    load_before = load_average()
    floor, floor_port = _floor(stack)
    try:
        assert floor.popen is not None
        service_pid = stack.processes["partnerships"].popen.pid  # type: ignore[union-attr]
        gateway_pid = stack.processes["gateway"].popen.pid  # type: ignore[union-attr]
        floor_cpu, floor_rps = _cpu_ms_per_request(
            floor.popen.pid, "127.0.0.1", int(floor_port), "/floor/items/00000000-0000-7000-8000-00000000f100", {}
        )[:2]
        service_cpu, service_rps = _cpu_ms_per_request(
            service_pid, "127.0.0.1", stack.ports["partnerships"], path, direct_headers())[:2]
        gateway_cpu, gateway_rps, (behind,) = _cpu_ms_per_request(
            gateway_pid, "127.0.0.1", stack.ports["gateway"], path, {"X-API-Key": analyst}, service_pid)
        floor_write, floor_wps = _cpu_ms_per_request(
            floor.popen.pid, "127.0.0.1", int(floor_port), "/floor/cohorts/00000000-0000-7000-8000-00000000f200"
            "/enrollments", {}, post=_application())[:2]
        training_pid = stack.processes["training"].popen.pid  # type: ignore[union-attr]
        training_write, training_wps = _cpu_ms_per_request(
            training_pid, "127.0.0.1", stack.ports["training"], f"{TRAINING}/cohorts/{cohort}/enrollments",
            direct_headers(Role.coordinator), post=_application())[:2]
    finally:
        floor.stop()
    ratio = round(service_cpu / floor_cpu, 2) if floor_cpu else float("nan")
    report = Report("floor", "a read by id and an enrollment-shaped write: a bare app of the same stack beside "
                    "the services (and the gateway, for the read)")
    report.add("floor_cpu_ms_per_read", "floor: CPU per read (ms)", floor_cpu)
    report.add("floor_rps", "floor: reads/s", floor_rps)
    report.add("service_cpu_ms_per_read", "partnerships direct: CPU per read (ms)", service_cpu)
    report.add("service_rps", "partnerships direct: reads/s", service_rps)
    report.add("service_floor_ratio", "service CPU per read / floor's", ratio, f"<= {MAX_RATIO}",
               ratio <= MAX_RATIO)
    report.add("gateway_cpu_ms_per_read", "gateway: CPU per proxied read (ms)", gateway_cpu,
               f"<= {MAX_GATEWAY_CPU_MS}", gateway_cpu <= MAX_GATEWAY_CPU_MS)
    report.add("service_cpu_ms_behind_gateway", "partnerships behind the gateway: CPU per read (ms)", behind)
    report.add("gateway_rps", "through the gateway: reads/s", gateway_rps)
    write_ratio = round(training_write / floor_write, 2) if floor_write else float("nan")
    report.add("floor_cpu_ms_per_write", "floor: CPU per enrollment (ms)", floor_write)
    report.add("floor_wps", "floor: enrollments/s", floor_wps)
    report.add("training_cpu_ms_per_write", "training direct: CPU per enrollment (ms)", training_write)
    report.add("training_wps", "training direct: enrollments/s", training_wps)
    report.add("training_floor_ratio", "training CPU per enrollment / floor's", write_ratio)
    report.add("load_average_before", "load average before", load_before)
    return report
