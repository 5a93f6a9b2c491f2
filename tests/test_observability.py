"""One trace id follows a write from the gateway through the service, into the event it publishes, and through
the consumers that apply it; every log line on the way is JSON and carries it. Metrics cover requests by route
template, the outbox, the consumers and webhook deliveries."""

from __future__ import annotations

import json
import secrets
import uuid

import httpx

from tests.harness import Stack, wait_until


def _lines(stack: Stack, process: str) -> list[dict]:
    out = []
    for line in stack.processes[process].log_path.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def test_one_trace_id_from_the_gateway_through_the_event_to_the_consumers(stack: Stack, coordinator):
    trace_id = secrets.token_hex(16)
    r = coordinator.post("/api/v1/partnerships/partners", headers={"traceparent": f"00-{trace_id}-{'1' * 16}-01"},
                         json={"name": {"en": f"Traced Zoo {uuid.uuid4().hex[:6]}"}, "kind": "zoo",
                               "country": "SE"})
    assert r.status_code == 201

    def traced(process: str, message: str) -> bool:
        return any(line.get("trace_id") == trace_id and line.get("message") == message
                   for line in _lines(stack, process))

    wait_until(lambda: traced("gateway", "request"), 10, what="the gateway's access line")
    wait_until(lambda: traced("partnerships", "request"), 10, what="the service's access line")
    for consumer in ("training", "outreach", "publications"):
        wait_until(lambda c=consumer: traced(c, "event applied"), 20, what=f"{consumer} applying the event")
    applied = next(line for line in _lines(stack, "training") if line.get("trace_id") == trace_id)
    assert applied["event_type"] == "partnerships.partner.registered" and applied["service"] == "training"


def test_metrics_cover_requests_outbox_consumers_and_webhooks(stack: Stack, coordinator):
    coordinator.get("/api/v1/partnerships/partners")
    service = httpx.get(stack.metrics_url("partnerships")).text
    assert 'handler="/api/v1/partnerships/partners"' in service, "requests by route template"
    for name in ("outbox_backlog", "outbox_published_total", "events_handled_total", "consumer_lag",
                 "webhook_deliveries_total"):
        assert name in service, name
    training = httpx.get(stack.metrics_url("training")).text
    assert 'events_handled_total{service="training",type="partnerships.partner.registered"}' in training
    gateway = httpx.get(stack.metrics_url("gateway")).text
    assert "http_requests_total" in gateway and "gateway_circuit_open" in gateway
