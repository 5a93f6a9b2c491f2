"""The circuit breaker: a service that is down is answered 503 at once (without the gateway trying it) after a
few failures, and as soon as it answers again its circuit closes; reads are retried when no connection could
be made, writes never."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import (
    BrokerLink,
    Process,
    problem_of,
    running_stack,
    wait_until,
)

OPEN_SECONDS = 1.5


@pytest.fixture(scope="module")
def flaky(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, BrokerLink]]:
    """A gateway whose publications service sits behind a link the test cuts and restores."""
    workdir = Path(tmp_path_factory.mktemp("flaky"))
    with running_stack(workdir / "suite") as stack:
        from tests.harness import free_port

        link = BrokerLink(free_port(), stack.ports["publications"])  # any TCP service: here, publications
        link.open()
        port, metrics_port = free_port(), free_port()
        env = {**stack.env, "GATEWAY_PORT": str(port), "GATEWAY_DATABASE_URL": stack.dbs.urls["gateway"],
               "GATEWAY_METRICS_PORT": str(metrics_port),
               "GATEWAY_UPSTREAM_PUBLICATIONS": f"http://127.0.0.1:{link.port}",
               "GATEWAY_BREAKER_FAILURES": "3", "GATEWAY_BREAKER_OPEN_SECONDS": str(OPEN_SECONDS)}
        argv = [sys.executable, "-m", "uvicorn", "gateway.app:app", "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log"]
        gateway = Process("gateway-flaky", argv, env, workdir / "gateway-flaky.log")
        gateway.start()
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200, 30, what="the flaky gateway")
            yield url, f"http://127.0.0.1:{metrics_port}/metrics", link
        finally:
            gateway.stop()
            link.cut()


def test_a_down_service_trips_its_circuit_and_it_closes_once_the_service_answers(flaky):
    url, metrics, link = flaky
    works = f"{url}/api/v1/publications/works"
    assert httpx.get(works).status_code == 200
    link.cut()
    for _ in range(3):
        r = httpx.get(works)
        assert r.status_code == 503 and problem_of(r)["service"] == "publications"
    started = time.monotonic()
    fast = httpx.get(works)
    assert fast.status_code == 503 and time.monotonic() - started < 1.0, "open: answered without waiting"
    assert int(fast.headers["retry-after"]) >= 1
    assert 'gateway_circuit_open{service="publications"} 1.0' in httpx.get(metrics).text
    assert httpx.get(f"{url}/api/v1/training/programs").status_code == 200, "the other services still answer"
    link.open()
    wait_until(lambda: httpx.get(works).status_code == 200, OPEN_SECONDS * 4, interval=0.2,
               what="the circuit to close after the service came back")
    assert httpx.get(works).status_code == 200
    assert 'gateway_circuit_open{service="publications"} 0.0' in httpx.get(metrics).text
