"""The metrics listener: `/metrics` (Prometheus text format) on a port of its own, apart from the API.

The API's port is what clients reach (the gateway's is public); what the metrics tell (routes, volumes, the
circuit breakers, webhook outcomes) is for the monitoring only. So no process serves `/metrics` on its API port:
each starts prometheus_client's own HTTP server on `METRICS_HOST:<its metrics port>` (`GATEWAY_METRICS_PORT`,
`<SERVICE>_METRICS_PORT`, defaults in shared.settings.METRICS_PORTS), loopback unless a deployment opens it to
the monitoring (compose's internal network; Kubernetes with a NetworkPolicy).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from fastapi import FastAPI
from prometheus_client import start_http_server
from prometheus_fastapi_instrumentator import Instrumentator, metrics

log = logging.getLogger("metrics")


@contextlib.contextmanager
def metrics_listener(host: str, port: int) -> Iterator[None]:
    """Serves this process's metrics at http://host:port/metrics while the block runs. OSError if the port is
    taken: a process that cannot be monitored does not start quietly."""
    server, thread = start_http_server(port, addr=host)
    log.info("metrics listener started", extra={"host": host, "port": port})
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def instrument(app: FastAPI) -> None:
    """Counts `app`'s requests (`http_requests_total` by handler, method and status) and times them
    (`http_request_duration_seconds` by handler and method), health checks apart. Only these two of the
    instrumentator's five default metrics: the request and response sizes and the second, finer latency histogram
    cost CPU on every request and nothing reads them (docs/performance.md)."""
    (Instrumentator(should_group_status_codes=False, excluded_handlers=["/healthz", "/readyz"])
     .add(metrics.requests(should_include_handler=True, should_include_method=True, should_include_status=True))
     .add(metrics.latency(should_include_handler=True, should_include_method=True, should_include_status=False))
     .instrument(app))
