"""Rate limits at the gateway: per caller, per role and route group, with RateLimit headers and a 429 with
Retry-After; counted in Redis so two gateway processes share one limit (at most 5% over it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.harness import Stack, free_port, problem_of, running_stack, wait_until

LIMITS = {"member": {"read": "40/minute", "write": "5/minute"}, "anonymous": {"read": "30/minute"},
          "coordinator": {"read": "100000/minute", "write": "100000/minute"},
          "admin": {"read": "100000/minute", "write": "100000/minute"}}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    """A suite whose gateway limits members and anonymous callers tightly, with a second gateway process
    sharing the counters in Redis."""
    env = {"GATEWAY_RATE_LIMITS": json.dumps(LIMITS), "REDIS_URL": "redis://127.0.0.1:6379/0",
           "GATEWAY_RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}"}
    with running_stack(Path(tmp_path_factory.mktemp("limited")), extra_env=env) as stack:
        port = free_port()
        second = stack.gateway_process("gateway-2", port, {"GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]'})
        second.start()
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200, 30, what="the second gateway")
        try:
            yield stack, url
        finally:
            second.stop()


def test_a_caller_over_its_limit_gets_429_with_retry_after(limited):
    stack, _ = limited
    member = stack.issue_key("member")["key"]
    with stack.client(member) as c:
        first = c.get("/api/v1/training/programs")
        assert first.status_code == 200
        assert first.headers["ratelimit-limit"] == "40" and first.headers["ratelimit-remaining"] == "39"
        # The current IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-11), Structured Fields items.
        assert first.headers["ratelimit-policy"] == '"member-read";q=40;w=60'
        policy, remaining, reset = first.headers["ratelimit"].split(";")
        assert policy == '"member-read"' and remaining == "r=39" and 0 <= int(reset.removeprefix("t=")) <= 60
        answers = [c.get("/api/v1/training/programs").status_code for _ in range(45)]
        assert answers.count(200) == 39 and answers[-1] == 429
        refused = c.get("/api/v1/training/programs")
        problem = problem_of(refused)
        assert problem["status"] == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit"].split(";")[1] == "r=0"
    other = stack.issue_key("member")["key"]
    with stack.client(other) as c:
        assert c.get("/api/v1/training/programs").status_code == 200, "another caller has its own count"


def test_reads_and_writes_are_counted_apart(limited):
    stack, _ = limited
    member = stack.issue_key("member")["key"]
    with stack.client(member) as c:
        for _ in range(5):
            c.post("/api/v1/training/cohorts/00000000-0000-7000-8000-000000000000/enrollments", json={})
        assert c.post("/api/v1/training/cohorts/00000000-0000-7000-8000-000000000000/enrollments",
                      json={}).status_code == 429
        assert c.get("/api/v1/training/programs").status_code == 200


def test_two_gateway_processes_share_one_limit(limited):
    stack, second_url = limited
    member = stack.issue_key("member")["key"]
    urls = [stack.gateway_url, second_url]

    def get(i: int) -> int:
        return httpx.get(f"{urls[i % 2]}/api/v1/training/programs", headers={"X-API-Key": member},
                         timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(get, range(120)))
    allowed = answers.count(200)
    assert 40 <= allowed <= 42, f"{allowed} allowed of a limit of 40 across two gateways"
    assert answers.count(429) == 120 - allowed


def test_the_gateways_own_routes_are_counted_like_the_rest(limited):
    """The answers the gateway makes itself (from several services, or about keys and docs) cost as much as a
    proxied one: each is counted, whatever it answers."""
    stack, _ = limited
    for path in ("/api/v1/mobile/home", "/api/v1/dashboard/summary", "/api/v1/admin/api-keys", "/openapi.json"):
        member = stack.issue_key("member")["key"]
        with stack.client(member) as c:
            answers = [c.get(path).status_code for _ in range(41)]
        assert 429 not in answers[:40], (path, answers)
        assert answers[40] == 429, (path, answers[40])


def test_an_anonymous_caller_is_its_address_and_a_forwarded_one_counts_only_from_a_trusted_proxy(limited):
    stack, trusting_url = limited  # the second gateway trusts 127.0.0.1 as its proxy; the first trusts nobody

    def invented() -> dict[str, str]:
        return {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}

    with httpx.Client(base_url=stack.gateway_url, timeout=10) as untrusting:
        answers = [untrusting.get("/api/v1/training/programs", headers=invented()).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429, "an invented X-Forwarded-For bought a fresh bucket"

    with httpx.Client(base_url=trusting_url, timeout=10) as proxy:
        one = {"X-Forwarded-For": "203.0.113.7"}
        answers = [proxy.get("/api/v1/training/programs", headers=one).status_code for _ in range(31)]
        assert answers[:30] == [200] * 30 and answers[30] == 429
        other = proxy.get("/api/v1/training/programs", headers={"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 200, "each client behind the trusted proxy has its own count"


def test_anonymous_callers_do_not_share_idempotency_keys(limited):
    """Two anonymous clients (told apart by the address the trusted proxy forwarded for) that happen to send the
    same Idempotency-Key each get their own answer, not the other's, nor a 422 for the other's body."""
    _, trusting_url = limited
    key = {"Idempotency-Key": f"anon-{uuid.uuid4().hex}"}
    url = f"{trusting_url}/api/v1/partnerships/partners"
    first = httpx.post(url, json={"name": {"en": "A"}}, headers={**key, "X-Forwarded-For": "203.0.113.20"})
    second = httpx.post(url, json={"name": {"en": "B"}}, headers={**key, "X-Forwarded-For": "203.0.113.21"})
    assert first.status_code == 401 and second.status_code == 401, (first.text, second.text)
    assert "idempotent-replayed" not in second.headers
