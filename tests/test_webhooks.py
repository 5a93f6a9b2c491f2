"""Partner webhooks: receivers on loopback get every event that concerns their partner, once, signed, in order
per subject, with retries after an outage and a subscription disabled when it fails for too long; another
partner's receiver gets none of them. Real stack, real Kafka; the receivers are HTTP servers in this process.

The harness allows 127.0.0.1 as a destination and makes retries and giving up take seconds (see
`tests/harness.py`: `PARTNERSHIPS_WEBHOOK_*`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.harness import Stack, free_port, problem_of, wait_until
from tests.test_impact import cloud_event, new_agreement, new_partner, publish, work

WEBHOOKS = "/api/v1/partnerships/webhooks"
AGREEMENTS = "/api/v1/partnerships/agreements"


# --- a receiver -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


class Receiver:
    """An HTTP server on loopback (asyncio, in a thread of its own) that records every request with its headers
    and body, and answers `status` (200 unless told otherwise)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="webhook-receiver", daemon=True)
        self.status = 200
        self.delay = 0.0  # seconds before each answer
        self.location: str | None = None  # a Location header to answer with (a redirect, with a 3xx status)
        self.port = 0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._server: asyncio.Server | None = None

    def start(self) -> Receiver:
        self.thread.start()

        async def open_() -> None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]

        asyncio.run_coroutine_threadsafe(open_(), self.loop).result(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/panda"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def delivered(self) -> list[Received]:
        """The requests it accepted (answered 2xx), in arrival order."""
        return [r for r in self.received if 200 <= r.answered < 300]

    def delivered_ids(self) -> list[str]:
        return [r.event["id"] for r in self.delivered()]

    def delivered_but_registration(self) -> list[Received]:
        """What it accepted, leaving out the partner's own `partnerships.partner.registered`: whether that one
        comes depends on whether the subscription was made before partnerships consumed it."""
        return [r for r in self.delivered() if r.event["type"] != "partnerships.partner.registered"]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: one connection, many requests
                head = await reader.readuntil(b"\r\n\r\n")
                _request_line, *lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                with self._lock:
                    status, delay = self.status, self.delay
                    self._received.append(Received(headers, body, status))
                if delay:
                    await asyncio.sleep(delay)
                reason = "OK" if status < 400 else "Error"
                location = f"Location: {self.location}\r\n" if self.location else ""
                writer.write(f"HTTP/1.1 {status} {reason}\r\n{location}Content-Length: 0\r\n\r\n".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
def receivers() -> Iterator[Any]:
    made: list[Receiver] = []

    def make() -> Receiver:
        made.append(Receiver().start())
        return made[-1]

    yield make
    for r in made:
        r.stop()


# --- helpers ----------------------------------------------------------------------------------------------------


def verified(secret: str, received: Received) -> bool:
    """What a receiver does (docs/webhooks.md): the official Standard Webhooks library checks the signature of
    `webhook-id`, `webhook-timestamp` and the body under the secret, and that the timestamp is recent."""
    try:
        Webhook(secret).verify(received.body, received.headers)
    except WebhookVerificationError:
        return False
    return True


def partner_client(stack: Stack, partner_id: str) -> httpx.Client:
    return stack.client(stack.issue_key("partner", partner_id)["key"])


def subscribe(client: httpx.Client, url: str, event_types: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    r = client.post(WEBHOOKS, json={"url": url, "event_types": event_types or ["*"], **extra})
    assert r.status_code == 201, r.text
    assert "no-store" in r.headers["cache-control"], "the answer carries the signing secret"
    return r.json()


def log_of(client: httpx.Client, subscription_id: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"{WEBHOOKS}/{subscription_id}/deliveries", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def by_event(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in entries if e["kind"] == "event"}


def act(client: httpx.Client, agreement_id: str, action: str, **fields: Any) -> None:
    r = client.post(f"{AGREEMENTS}/{agreement_id}/transitions", json={"action": action, **fields})
    assert r.status_code == 200, r.text


def enrollment_completed(partner_id: str) -> dict[str, Any]:
    return cloud_event("training.enrollment.completed",
                       {"id": str(uuid.uuid4()), "version": 3, "partner_id": partner_id, "agreement_ids": []})


# --- delivery ---------------------------------------------------------------------------------------------------


def test_a_partner_receives_each_event_that_concerns_it_once_signed_and_in_order(stack: Stack, coordinator,
                                                                                  receivers):
    a, b = new_partner(coordinator, "Webhook Zoo A"), new_partner(coordinator, "Webhook Zoo B")
    a_hook, b_hook, a_training_hook = receivers(), receivers(), receivers()
    with partner_client(stack, a) as partner_a, partner_client(stack, b) as partner_b:
        sub_a = subscribe(partner_a, a_hook.url)
        assert sub_a["partner_id"] == a and sub_a["active"] and sub_a["secret"].startswith("whsec_")
        sub_a_training = subscribe(partner_a, a_training_hook.url, ["training.*"])
        sub_b = subscribe(partner_b, b_hook.url, ["*"])
        assert "secret" not in partner_a.get(f"{WEBHOOKS}/{sub_a['id']}").json(), "the secret is shown once"

        # What concerns A: an agreement naming it (drafted, then submitted), a work its authors wrote, an
        # enrollment of its staff. Then something that concerns only B.
        agreement_a = new_agreement(coordinator, [a])
        act(coordinator, agreement_a, "submit")
        work_a = work("published", str(uuid.uuid4()), 1, [a])
        enrollment_a = enrollment_completed(a)
        publish(stack, work_a, enrollment_a)
        agreement_b = new_agreement(coordinator, [b])

        wait_until(lambda: len(a_hook.delivered_but_registration()) >= 4, 30, what="A's four events")
        wait_until(lambda: len(b_hook.delivered_but_registration()) >= 1, 30, what="B's agreement")
        wait_until(lambda: len(a_training_hook.delivered()) >= 1, 30, what="A's training event")

        received = a_hook.delivered_but_registration()
        events = [r.event for r in received]
        assert sorted(e["type"] for e in events) == sorted([
            "partnerships.agreement.drafted", "partnerships.agreement.submitted", "publications.work.published",
            "training.enrollment.completed"])
        assert len({e["id"] for e in events}) == 4, "each event once"
        agreement_events = [e["type"] for e in events if e["subject"] == agreement_a]
        assert agreement_events == ["partnerships.agreement.drafted", "partnerships.agreement.submitted"]
        for r in received:
            assert verified(sub_a["secret"], r), r.headers
            assert r.headers["content-type"] == "application/cloudevents+json"
            event = r.event
            assert event["specversion"] == "1.0" and event["source"] and event["time"] and "data" in event
        work_seen = next(e for e in events if e["type"] == "publications.work.published")
        assert work_seen == work_a, "the CloudEvent as it was on Kafka"
        enrollment_seen = next(e for e in events if e["type"] == "training.enrollment.completed")
        assert enrollment_seen["data"] == enrollment_a["data"] and enrollment_seen["id"] == enrollment_a["id"]
        drafted = next(e for e in events if e["type"] == "partnerships.agreement.drafted")
        assert a in drafted["data"]["partner_ids"]
        assert not verified(sub_b["secret"], received[0]), "another subscription's secret does not verify it"

        # The training-only subscription got the enrollment alone; B's receiver only B's agreement.
        assert [r.event["id"] for r in a_training_hook.delivered()] == [enrollment_a["id"]]
        assert [r.event["subject"] for r in b_hook.delivered_but_registration()] == [agreement_b]
        assert {r.event["subject"] for r in b_hook.delivered()} <= {agreement_b, b}
        assert all(verified(sub_b["secret"], r) for r in b_hook.delivered())

        # The log, newest first: each delivered at the first attempt, under the id the receiver was given.
        def log_a_done() -> list[dict[str, Any]]:
            entries = [e for e in log_of(partner_a, sub_a["id"]) if e["type"] != "partnerships.partner.registered"]
            return entries if all(e["state"] == "delivered" for e in entries) else []

        log_a = wait_until(log_a_done, 10, what="the receiver's answers recorded in the log")
        assert sorted(e["event_id"] for e in log_a) == sorted(r.event["id"] for r in received)
        assert [e["type"] for e in log_a if e["subject"] == agreement_a] == [
            "partnerships.agreement.submitted", "partnerships.agreement.drafted"]
        assert {r.headers["webhook-id"] for r in received} == {e["id"] for e in log_a}
        for entry in log_a:
            assert entry["state"] == "delivered" and entry["attempts"] == 1 and entry["last_status"] == 200, entry
            assert entry["delivered_at"] and entry["next_attempt_at"] is None and entry["last_error"] is None
        # B's log was written in the same transactions as A's: none of A's events are in it, or ever will be.
        assert {e["subject"] for e in log_of(partner_b, sub_b["id"])} <= {agreement_b, b}
        assert len(log_of(partner_a, sub_a_training["id"])) == 1

        one = partner_a.get(f"{WEBHOOKS}/{sub_a['id']}/deliveries/{log_a[0]['id']}")
        sent = next(r for r in received if r.headers["webhook-id"] == log_a[0]["id"])
        assert one.status_code == 200 and one.json()["event"] == sent.event

        whole = log_of(partner_a, sub_a["id"])
        page = partner_a.get(f"{WEBHOOKS}/{sub_a['id']}/deliveries", params={"limit": 3}).json()
        rest = partner_a.get(f"{WEBHOOKS}/{sub_a['id']}/deliveries",
                             params={"limit": 3, "cursor": page["next_cursor"]}).json()
        assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in whole]
        assert rest["next_cursor"] is None


def test_retries_reach_a_receiver_that_was_down_in_the_original_order(stack: Stack, coordinator, receivers):
    pid = new_partner(coordinator, "Webhook Retry Zoo")
    hook = receivers()
    with partner_client(stack, pid) as partner:
        sub = subscribe(partner, hook.url, ["partnerships.agreement.*"])
        hook.status = 500
        agreement = new_agreement(coordinator, [pid])
        act(coordinator, agreement, "submit")
        act(coordinator, agreement, "sign", signed_on="2024-01-02")
        wait_until(lambda: len(hook.received) >= 2, 20, what="two failed attempts")
        failed = hook.received
        assert {r.event["type"] for r in failed} == {"partnerships.agreement.drafted"}, \
            "while the first event of the subject fails, the later ones wait"
        assert len({r.headers["webhook-id"] for r in failed}) == 1, "a retry is the same delivery"
        assert all(verified(sub["secret"], r) for r in failed)

        hook.status = 200
        wait_until(lambda: len(hook.delivered()) >= 3, 20, what="the three events after the receiver came back")
        delivered = hook.delivered()
        assert [r.event["type"] for r in delivered] == [
            "partnerships.agreement.drafted", "partnerships.agreement.submitted", "partnerships.agreement.signed"]
        assert all(verified(sub["secret"], r) for r in delivered)
        assert delivered[0].headers["webhook-id"] == failed[0].headers["webhook-id"]

        log = wait_until(lambda: (entries := log_of(partner, sub["id"])) and all(
            e["state"] == "delivered" for e in entries) and entries, 10, what="the answers recorded in the log")
        assert [e["type"] for e in log] == [
            "partnerships.agreement.signed", "partnerships.agreement.submitted", "partnerships.agreement.drafted"]
        first = log[-1]
        assert first["state"] == "delivered" and first["attempts"] > 1 and first["last_status"] == 200, first
        assert first["attempts"] == len([r for r in hook.received if r.event["type"].endswith("drafted")])
        assert all(e["state"] == "delivered" and e["attempts"] == 1 for e in log[:-1]), log
        assert partner.get(f"{WEBHOOKS}/{sub['id']}").json()["active"]
        metrics = stack.http(stack.metrics_url("partnerships")).text
        for outcome in ("delivered", "retrying"):
            assert f'webhook_deliveries_total{{outcome="{outcome}"}}' in metrics, outcome

        # A replay sends the event again, under the same delivery id.
        submitted = log[1]
        r = partner.post(f"{WEBHOOKS}/{sub['id']}/deliveries/{submitted['id']}/replay")
        assert r.status_code == 202, r.text
        assert r.json()["state"] == "pending"
        wait_until(lambda: len(hook.delivered()) >= 4, 20, what="the replayed delivery")
        again = hook.delivered()[3]
        assert again.event == delivered[1].event and again.headers["webhook-id"] == submitted["id"]
        assert verified(sub["secret"], again)
        replayed = wait_until(lambda: next(e for e in log_of(partner, sub["id"]) if e["id"] == submitted["id"]
                                           and e["state"] == "delivered"), 10, what="the replay in the log")
        assert replayed["attempts"] == 2


def test_a_subscription_failing_past_the_give_up_time_is_disabled_and_its_log_says_so(stack: Stack, coordinator,
                                                                                      receivers):
    pid = new_partner(coordinator, "Webhook Dead Zoo")
    dead_url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    with partner_client(stack, pid) as partner:
        sub = subscribe(partner, dead_url, ["publications.*"])
        event = work("published", str(uuid.uuid4()), 1, [pid])
        publish(stack, event)
        disabled = wait_until(lambda: (s := partner.get(f"{WEBHOOKS}/{sub['id']}").json())["active"] is False
                              and s, 40, what="the subscription to be disabled")
        assert disabled["disabled_reason"] and disabled["disabled_at"], disabled
        assert disabled["version"] > sub["version"]

        log = log_of(partner, sub["id"])
        notice, delivery = log[0], by_event(log)[event["id"]]
        assert notice["kind"] == "subscription_disabled" and notice["state"] == "notice", notice
        assert "disabled" in notice["detail"] and notice["event_id"] is None
        assert delivery["state"] == "failed" and delivery["attempts"] > 1 and delivery["last_error"], delivery
        assert delivery["last_status"] is None and delivery["next_attempt_at"] is None
        assert problem_of(partner.post(f"{WEBHOOKS}/{sub['id']}/deliveries/{notice['id']}/replay"))["status"] == 409

        # Fixed: pointed at a receiver that answers, re-enabled, and the given-up event replayed.
        hook = receivers()
        r = partner.patch(f"{WEBHOOKS}/{sub['id']}", json={"url": hook.url, "active": True},
                          headers={"If-Match": f'"{disabled["version"]}"'})
        assert r.status_code == 200, r.text
        assert r.json()["active"] and r.json()["disabled_reason"] is None
        assert partner.post(f"{WEBHOOKS}/{sub['id']}/deliveries/{delivery['id']}/replay").status_code == 202
        later = work("published", str(uuid.uuid4()), 1, [pid])
        publish(stack, later)
        wait_until(lambda: {event["id"], later["id"]} <= set(hook.delivered_ids()), 20,
                   what="the replayed and the new event")
        assert all(verified(sub["secret"], r) for r in hook.delivered())


def test_two_replicas_send_each_delivery_once_and_each_subject_in_order(stack: Stack, coordinator, receivers):
    pid = new_partner(coordinator, "Webhook Busy Zoo")
    hook = receivers()
    hook.delay = 0.05  # answers take a while, so both replicas have deliveries in flight at once
    port = free_port()
    replica = stack._uvicorn("partnerships-webhook-replica", "services.partnerships.app:app", port)
    replica.start()
    try:
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 30,
                   what="the second partnerships replica")
        with partner_client(stack, pid) as partner:
            sub = subscribe(partner, hook.url, ["publications.work.updated"])
            subjects = [str(uuid.uuid4()) for _ in range(8)]
            events = [cloud_event("publications.work.updated", {"id": w, "version": v, "partner_ids": [pid]})
                      for v in range(1, 6) for w in subjects]
            publish(stack, *events)
            wait_until(lambda: len(hook.delivered()) >= len(events), 40, what="every event delivered")
            log = wait_until(lambda: (entries := log_of(partner, sub["id"])) and all(
                e["state"] == "delivered" for e in entries) and len(entries) == len(events) and entries, 20,
                what="the log to show every delivery done")
    finally:
        replica.stop()
    received = hook.received
    ids = [r.headers["webhook-id"] for r in received]
    assert len(ids) == len(set(ids)) == len(events), "no delivery sent twice"
    assert all(e["attempts"] == 1 for e in log)
    assert all(verified(sub["secret"], r) for r in received)
    for subject in subjects:
        versions = [r.event["data"]["version"] for r in received if r.event["subject"] == subject]
        assert versions == [1, 2, 3, 4, 5], (subject, versions)


# --- refused destinations -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/hook",  # private, and plain http
    "https://10.0.0.1/hook",  # private
    "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
    "https://[::1]:8443/hook",  # loopback (only 127.0.0.1 is allowlisted)
    "https://[::ffff:10.1.2.3]/hook",  # private, in IPv6 clothing
    "https://0.0.0.0/hook",  # unspecified
    "https://100.64.0.1/hook",  # shared address space
    "https://224.0.0.1/hook",  # multicast
    "https://192.0.0.8/hook",  # IETF protocol assignments, not globally reachable
    "https://[2002:7f00:1::]/x",  # 6to4 of 127.0.0.1
    "https://[2002:a9fe:a9fe::]/x",  # 6to4 of 169.254.169.254
    "https://[64:ff9b::a00:1]/x",  # NAT64 of 10.0.0.1
    "https://[64:ff9b:1::a00:1]/x",  # local-use NAT64
    "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/x",  # Teredo, its client 10.0.0.1
    "https://[::127.0.0.1]/x",  # IPv4-compatible (deprecated) loopback
    "https://[fd00::1]/x",  # unique local
    "http://localhost:1/",  # plain http to a host the allowlist does not name
    "https://user:password@127.0.0.1/hook",  # credentials in the URL
    "ftp://127.0.0.1/hook",
    "not a url",
    " https://127.0.0.1/hook",  # the pattern holds for the URL as sent, before its spaces are stripped
])
def test_urls_that_are_not_public_https_destinations_are_refused(stack: Stack, coordinator, url):
    pid = new_partner(coordinator, "Webhook Careful Zoo")
    with partner_client(stack, pid) as partner:
        r = partner.post(WEBHOOKS, json={"url": url, "event_types": ["*"]})
        problem = problem_of(r)
        assert r.status_code == 422, r.text
        assert problem["errors"][0]["loc"] == ["body", "url"], problem
        if url.startswith(("http://", "https://")) and "@" not in url:
            # A refusal of plain http or of a host that is not public says which setting lets such a host in.
            assert "PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS" in problem["errors"][0]["msg"], problem
        assert partner.get(WEBHOOKS).json()["items"] == []


def test_a_subscription_cannot_be_moved_to_a_refused_url_nor_take_malformed_types(stack: Stack, coordinator,
                                                                                 receivers):
    pid = new_partner(coordinator, "Webhook Patch Zoo")
    with partner_client(stack, pid) as partner:
        sub = subscribe(partner, receivers().url)
        url = f"{WEBHOOKS}/{sub['id']}"
        assert partner.patch(url, json={"url": "https://169.254.169.254/"}).status_code == 422
        for bad in ([], ["Training.*"], ["training.**"], ["training..x"], [""], ["*" * 300]):
            assert partner.patch(url, json={"event_types": bad}).status_code == 422, bad
            assert partner.post(WEBHOOKS, json={"url": sub["url"], "event_types": bad}).status_code == 422, bad
        assert partner.patch(url, json={"url": None}).status_code == 422
        # Well-formed, but nothing of the kind is ever published: refused, naming the entry and the likely type.
        for unknown, hint in ((["training.*", "partnership.agreement.*"], "partnerships.agreement.*"),
                              (["training.enrolment.accepted"], "training.enrollment.accepted"),
                              (["nothing.*"], None)):
            for r in (partner.post(WEBHOOKS, json={"url": sub["url"], "event_types": unknown}),
                      partner.patch(url, json={"event_types": unknown})):
                error = problem_of(r)["errors"][0]
                assert r.status_code == 422 and error["loc"] == ["body", "event_types", len(unknown) - 1], r.text
                assert error["type"] == "unknown_event_type" and (hint is None or hint in error["msg"]), error
        assert [s["id"] for s in partner.get(WEBHOOKS).json()["items"]] == [sub["id"]]
        r = partner.patch(url, json={"event_types": ["training.*", "partnerships.agreement.signed", "training.*"]})
        assert r.status_code == 200 and r.json()["event_types"] == ["training.*", "partnerships.agreement.signed"]
        assert r.json()["version"] == sub["version"] + 1 and r.headers["etag"] == f'"{sub["version"] + 1}"'
        stale = partner.patch(url, json={"description": "x"}, headers={"If-Match": f'"{sub["version"]}"'})
        assert stale.status_code == 412
        etag = partner.get(url).headers["etag"]
        assert partner.get(url, headers={"If-None-Match": etag}).status_code == 304


# --- who may do what ------------------------------------------------------------------------------------------


def test_each_partner_sees_and_manages_only_its_own_subscriptions(stack: Stack, coordinator, keys, anonymous,
                                                                  receivers):
    a, b = new_partner(coordinator, "Webhook Own A"), new_partner(coordinator, "Webhook Own B")
    hook = receivers()
    with partner_client(stack, a) as partner_a, partner_client(stack, b) as partner_b:
        sub_a = subscribe(partner_a, hook.url)
        sub_b = subscribe(partner_b, hook.url, ["training.*"])
        url_a = f"{WEBHOOKS}/{sub_a['id']}"
        assert [s["id"] for s in partner_a.get(WEBHOOKS).json()["items"]] == [sub_a["id"]]
        assert [s["id"] for s in partner_b.get(WEBHOOKS).json()["items"]] == [sub_b["id"]]
        assert partner_b.get(WEBHOOKS, params={"partner_id": a}).json()["items"] == []
        for response in (partner_b.get(url_a), partner_b.patch(url_a, json={"active": False}),
                         partner_b.delete(url_a), partner_b.get(f"{url_a}/deliveries"),
                         partner_b.post(f"{url_a}/deliveries/{uuid.uuid4()}/replay")):
            assert problem_of(response)["status"] == 404, response.text
        refused = partner_b.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"], "partner_id": a})
        assert problem_of(refused)["status"] == 403

    # Staff: coordinators manage any partner's (naming it), analysts read them all.
    made = subscribe(coordinator, hook.url, ["outreach.*"], partner_id=a, description="for the outreach team")
    assert made["partner_id"] == a and made["secret"] and made["description"] == "for the outreach team"
    assert problem_of(coordinator.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"]}))["status"] == 422
    unknown = coordinator.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"], "partner_id": str(uuid.uuid4())})
    assert problem_of(unknown)["status"] == 422
    with stack.client(keys["analyst"]) as analyst:
        listed = analyst.get(WEBHOOKS, params={"partner_id": a}).json()["items"]
        assert {s["id"] for s in listed} == {sub_a["id"], made["id"]}
        assert all("secret" not in s for s in listed)
        assert analyst.get(f"{WEBHOOKS}/{sub_b['id']}").status_code == 200
        assert analyst.get(f"{WEBHOOKS}/{sub_b['id']}/deliveries").status_code == 200
        assert problem_of(analyst.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"],
                                                       "partner_id": a}))["status"] == 403
        assert problem_of(analyst.patch(f"{WEBHOOKS}/{sub_b['id']}", json={"active": False}))["status"] == 403
    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(WEBHOOKS))["status"] == 403
        assert problem_of(member.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"]}))["status"] == 403
    assert problem_of(anonymous.get(WEBHOOKS))["status"] == 401
    assert problem_of(anonymous.post(WEBHOOKS, json={"url": hook.url, "event_types": ["*"]}))["status"] == 401
    assert problem_of(anonymous.get(f"{WEBHOOKS}/{sub_a['id']}/deliveries"))["status"] == 401

    # Paused, it takes nothing; deleted, it is gone.
    paused = coordinator.patch(f"{WEBHOOKS}/{made['id']}", json={"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert paused.json()["disabled_reason"]
    assert coordinator.delete(f"{WEBHOOKS}/{made['id']}").status_code == 204
    assert problem_of(coordinator.get(f"{WEBHOOKS}/{made['id']}"))["status"] == 404
    assert problem_of(coordinator.get(f"{WEBHOOKS}/not-a-uuid"))["status"] == 422


# --- the rules, without I/O -----------------------------------------------------------------------------------


def test_which_events_concern_which_partners():
    from services.partnerships.domain.webhook import concerned_partners, takes

    a, b = uuid.uuid4(), uuid.uuid4()
    assert concerned_partners("partnerships.agreement.signed", {"partner_ids": [str(a), str(b)]}) == {a, b}
    assert concerned_partners("outreach.event.scheduled", {"id": "x", "partner_ids": [str(a), "junk", 7]}) == {a}
    assert concerned_partners("training.certificate.issued", {"code": "C", "partner_id": str(b)}) == {b}
    assert concerned_partners("partnerships.partner.updated", {"id": str(a)}) == {a}
    assert concerned_partners("partnerships.loan.started", {"id": str(b), "host_partner_id": str(a)}) == {a}
    assert concerned_partners("training.enrollment.accepted", {"partner_id": None}) == set()
    assert concerned_partners("publications.work.published", {"partner_ids": str(a)}) == set()

    assert takes(["*"], "training.enrollment.completed")
    assert takes(["training.*"], "training.enrollment.completed")
    assert takes(["training.enrollment.*"], "training.enrollment.completed")
    assert takes(["training.enrollment.completed"], "training.enrollment.completed")
    assert not takes(["training.enrollment.*"], "training.certificate.issued")
    assert not takes(["train.*", "training"], "training.enrollment.completed")


def test_signatures_retries_and_destinations():
    import datetime as dt
    import random

    from services.partnerships.domain.webhook import Destination, RetryPolicy, signature
    from shared.domain import RuleViolated

    # The example of the Standard Webhooks specification (github.com/standard-webhooks, spec/standard-webhooks.md).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    policy = RetryPolicy(initial_seconds=10, max_seconds=3600, give_up_seconds=86400)
    rng = random.Random(7)
    for attempts, ceiling in ((1, 10), (2, 20), (5, 160), (30, 3600)):
        delays = [policy.delay(attempts, rng).total_seconds() for _ in range(200)]
        assert all(10 <= d <= ceiling for d in delays), (attempts, min(delays), max(delays))
        assert len(set(delays)) > 1 or ceiling == 10, "jittered"
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not policy.gives_up(start, start + dt.timedelta(hours=23, minutes=59))
    assert policy.gives_up(start, start + dt.timedelta(hours=24))

    allow = frozenset({"127.0.0.1", "hooks.internal"})
    public = Destination.parse("https://hooks.example.org/x", allow)
    assert public.refusal(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"], allow) is None
    assert "private" in (public.refusal(["93.184.215.14", "10.1.1.1"], allow) or ""), "every address counts"
    assert "loopback" in (public.refusal(["::1"], allow) or "")
    assert "link-local" in (public.refusal(["fe80::1%eth0"], allow) or "")
    assert public.refusal(["127.0.0.1"], allow) is None, "an allowlisted address"
    internal = Destination.parse("http://hooks.internal:8080/x", allow)
    assert internal.port == 8080 and internal.refusal(["10.0.0.5"], allow) is None, "an allowlisted host"
    for bad in ("http://hooks.example.org/", "https://", "https://u:p@hooks.example.org/", "gopher://x/",
                "https://hooks.example.org:99999/"):
        with pytest.raises(RuleViolated):
            Destination.parse(bad, allow)


def test_several_handlers_for_one_type_and_handlers_for_a_whole_topic():
    from shared.events.consumer import EventHandlers

    calls: list[str] = []

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(_session, event) -> None:  # type: ignore[no-untyped-def]
            calls.append(f"{name}:{event.type}")
        return handle

    first, second, every = handler("first"), handler("second"), handler("every")
    handlers = EventHandlers()
    handlers.on("training.enrollment.completed")(first)
    handlers.on("training.enrollment.completed", "outreach.event.completed")(second)
    handlers.on_topic("training.events")(every)
    other = EventHandlers()
    other.on("training.enrollment.completed")(first)  # included again: still runs once
    other.on("publications.work.published")(second)
    handlers.include(other)

    assert handlers.topics == {"training.events", "outreach.events", "publications.events"}
    assert handlers.handlers_for("training.enrollment.completed", "training.events") == [first, second, every]
    assert handlers.handlers_for("training.cohort.opened", "training.events") == [every]
    assert handlers.handlers_for("outreach.event.completed") == [second]
    assert handlers.get("outreach.event.scheduled") is None

    class Event:
        type = "training.enrollment.completed"

    combined = handlers.get("training.enrollment.completed")
    assert combined is not None
    asyncio.run(combined(None, Event()))  # type: ignore[arg-type]
    assert calls == ["first:training.enrollment.completed", "second:training.enrollment.completed",
                     "every:training.enrollment.completed"]



def test_the_log_forgets_finished_entries_after_the_retention_time_but_keeps_pending_ones(stack: Stack, coordinator,
                                                                                         receivers):
    """The harness runs the purge every 0.5 s with the default 30 days' retention; the services' clock is moved."""
    pid = new_partner(coordinator, "Webhook Log Zoo")
    answering, failing = receivers(), receivers()
    failing.status = 503  # its delivery stays pending: retried, and not given up for seconds
    with partner_client(stack, pid) as partner:
        delivered_to = subscribe(partner, answering.url, ["publications.*"])
        pending_at = subscribe(partner, failing.url, ["publications.*"])
        event = work("published", str(uuid.uuid4()), 1, [pid])
        publish(stack, event)

        def state_at(subscription: dict[str, Any]) -> str | None:
            entry = by_event(log_of(partner, subscription["id"])).get(event["id"])
            return entry["state"] if entry else None

        wait_until(lambda: state_at(delivered_to) == "delivered", 20, what="the delivery")
        wait_until(lambda: failing.received, 20, what="a failed attempt")
        assert state_at(pending_at) == "pending"

        try:
            stack.set_clock((dt.datetime.now(dt.UTC) + dt.timedelta(days=31)).isoformat())
            wait_until(lambda: state_at(delivered_to) is None, 20, what="the delivered entry to be forgotten")
            assert state_at(pending_at) == "pending", "a pending delivery is kept whatever its age"
            assert partner.get(f"{WEBHOOKS}/{delivered_to['id']}").status_code == 200, "the subscription stays"
        finally:
            stack.real_clock()
        failing.status = 200
        wait_until(lambda: state_at(pending_at) == "delivered", 30, what="the kept delivery, sent at last")


def test_a_redirect_is_a_failed_attempt_and_is_never_followed(stack: Stack, coordinator, receivers):
    """A receiver that answers 3xx does not move the delivery elsewhere (an open redirect on the partner's side
    would otherwise point it at the base's own network): the attempt fails and is retried at the same URL."""
    pid = new_partner(coordinator, "Webhook Redirect Zoo")
    hook, elsewhere = receivers(), receivers()
    hook.status, hook.location = 307, elsewhere.url
    with partner_client(stack, pid) as partner:
        sub = subscribe(partner, hook.url, ["partnerships.agreement.*"])
        new_agreement(coordinator, [pid])
        wait_until(lambda: len(hook.received) >= 2, 20, what="two attempts at the redirecting receiver")
        entry = wait_until(lambda: next((e for e in log_of(partner, sub["id"]) if e["last_status"] == 307), None),
                           10, what="the redirect recorded as the attempt's answer")
        assert entry["state"] == "pending" and "307" in entry["last_error"], entry
    assert elsewhere.received == [], "the redirect was followed"
