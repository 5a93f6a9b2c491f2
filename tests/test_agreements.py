"""Agreements through the gateway: the whole lifecycle with every forbidden transition, history and events,
expiry by itself under a controlled clock (exactly once with two replicas), who sees what, terms and codes,
lists, and the research projects of a cooperation plan."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.harness import Stack, free_port, problem_of, wait_until

AGREEMENTS = "/api/v1/partnerships/agreements"
PARTNERS = "/api/v1/partnerships/partners"
ACTIONS = ("submit", "sign", "activate", "renew", "terminate")


def new_partner(client: httpx.Client, country: str = "GB", name: str | None = None) -> str:
    r = client.post(PARTNERS, json={"name": {"en": name or f"Partner {uuid.uuid4().hex[:8]}"}, "kind": "zoo",
                                    "country": country})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def agreement_body(partner_ids: list[str], **extra: Any) -> dict[str, Any]:
    return {"title": {"en": f"Cooperation {uuid.uuid4().hex[:8]}", "zh": "合作"}, "kind": "research_cooperation",
            "partner_ids": partner_ids, "effective_from": "2024-01-01", "effective_until": "2030-12-31"} | extra


def draft(client: httpx.Client, partner_ids: list[str], **extra: Any) -> dict[str, Any]:
    r = client.post(AGREEMENTS, json=agreement_body(partner_ids, **extra))
    assert r.status_code == 201, r.text
    return r.json()


def act(client: httpx.Client, agreement_id: str, action: str, **fields: Any) -> httpx.Response:
    return client.post(f"{AGREEMENTS}/{agreement_id}/transitions", json={"action": action, **fields})


def step_body(action: str) -> dict[str, Any]:
    """A body that is valid for `action`, so only the state can refuse it."""
    return {"sign": {"signed_on": "2024-01-02"}, "renew": {"effective_until": "2035-12-31"},
            "terminate": {"reason": "testing"}}.get(action, {})


def to_active(client: httpx.Client, agreement_id: str) -> dict[str, Any]:
    for action in ("submit", "sign", "activate"):
        r = act(client, agreement_id, action, **step_body(action))
        assert r.status_code == 200, r.text
    return r.json()


def assert_forbidden(client: httpx.Client, agreement: dict[str, Any], allowed: set[str]) -> None:
    for action in set(ACTIONS) - allowed:
        r = act(client, agreement["id"], action, **step_body(action))
        problem = problem_of(r)
        assert r.status_code == 409, (action, agreement["state"], r.text)
        assert problem["state"] == agreement["state"] and set(problem["allowed_actions"]) == allowed, problem
        assert agreement["state"] in problem["detail"], problem
    after = client.get(f"{AGREEMENTS}/{agreement['id']}").json()
    assert after["version"] == agreement["version"] and after["state"] == agreement["state"], "a 409 changes nothing"


async def agreement_events(bootstrap: str, agreement_id: str, count: int, timeout: float = 20) -> list[dict]:
    consumer = AIOKafkaConsumer("partnerships.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-{uuid.uuid4().hex}", enable_auto_commit=False)
    await consumer.start()
    events: list[dict] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(events) < count:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                events += [json.loads(r.value) for r in batch if r.key == agreement_id.encode()]
        return events
    finally:
        await consumer.stop()


# --- the lifecycle ---------------------------------------------------------------------------------------------


def test_the_whole_lifecycle_with_every_forbidden_transition(stack: Stack, coordinator):
    partners = [new_partner(coordinator), new_partner(coordinator, "FR")]
    created = draft(coordinator, partners)
    assert re.fullmatch(r"AGR-\d{4}-\d{4}", created["code"]), created["code"]
    assert created["state"] == "draft" and created["allowed_actions"] == ["submit"]
    assert created["history"][0]["to_state"] == "draft" and created["history"][0]["from_state"] is None
    assert set(created["partner_ids"]) == set(partners)
    assert_forbidden(coordinator, created, {"submit"})

    negotiating = act(coordinator, created["id"], "submit", note="sent to the partners").json()
    assert negotiating["state"] == "negotiating"
    assert_forbidden(coordinator, negotiating, {"sign"})

    future = act(coordinator, created["id"], "sign", signed_on="2999-01-01")
    assert future.status_code == 422 and problem_of(future)["errors"][0]["loc"][-1] == "signed_on"
    missing = act(coordinator, created["id"], "sign")
    assert missing.status_code == 422, "sign needs signed_on"

    signed = act(coordinator, created["id"], "sign", signed_on="2024-01-02").json()
    assert signed["state"] == "signed" and signed["signed_on"] == "2024-01-02"
    assert_forbidden(coordinator, signed, {"activate", "terminate"})

    active = act(coordinator, created["id"], "activate").json()
    assert active["state"] == "active"
    assert_forbidden(coordinator, active, {"renew", "terminate"})

    shorter = act(coordinator, created["id"], "renew", effective_until="2029-01-01")
    assert shorter.status_code == 422, "a renewal must extend the term"
    renewed = act(coordinator, created["id"], "renew", effective_until="2035-12-31").json()
    assert renewed["state"] == "active" and renewed["effective_until"] == "2035-12-31"

    no_reason = act(coordinator, created["id"], "terminate")
    assert no_reason.status_code == 422, "terminate needs a reason"
    terminated = act(coordinator, created["id"], "terminate", reason="the partner zoo closed").json()
    assert terminated["state"] == "terminated" and terminated["termination_reason"] == "the partner zoo closed"
    assert terminated["allowed_actions"] == []
    assert_forbidden(coordinator, terminated, set())

    steps = [(h["action"], h["from_state"], h["to_state"]) for h in terminated["history"]]
    assert steps == [("draft", None, "draft"), ("submit", "draft", "negotiating"), ("sign", "negotiating", "signed"),
                     ("activate", "signed", "active"), ("renew", "active", "active"),
                     ("terminate", "active", "terminated")]
    assert all(h["actor"] and h["at"] for h in terminated["history"])
    assert terminated["history"][1]["note"] == "sent to the partners"

    events = asyncio.run(agreement_events(stack.bootstrap, created["id"], 6))
    assert [e["type"] for e in events] == [
        "partnerships.agreement.drafted", "partnerships.agreement.submitted", "partnerships.agreement.signed",
        "partnerships.agreement.activated", "partnerships.agreement.renewed", "partnerships.agreement.terminated"]
    assert events[-1]["data"]["state"] == "terminated" and events[-1]["subject"] == created["id"]
    assert [e["data"]["version"] for e in events] == sorted(e["data"]["version"] for e in events)


def test_a_signed_agreement_can_be_terminated_before_it_is_active(coordinator):
    created = draft(coordinator, [new_partner(coordinator)])
    for action in ("submit", "sign"):
        act(coordinator, created["id"], action, **step_body(action))
    r = act(coordinator, created["id"], "terminate", reason="never ratified")
    assert r.status_code == 200 and r.json()["state"] == "terminated"


def test_transitions_honour_if_match(coordinator):
    created = draft(coordinator, [new_partner(coordinator)])
    url = f"{AGREEMENTS}/{created['id']}/transitions"
    stale = coordinator.post(url, json={"action": "submit"}, headers={"If-Match": '"7"'})
    assert problem_of(stale)["status"] == 412
    assert coordinator.get(f"{AGREEMENTS}/{created['id']}").json()["state"] == "draft"
    ok = coordinator.post(url, json={"action": "submit"}, headers={"If-Match": f'"{created["version"]}"'})
    assert ok.status_code == 200 and ok.headers["etag"] == f'"{ok.json()["version"]}"'


@pytest.mark.parametrize("body", [
    {"action": "approve"}, {"action": "sign", "signed_on": "yesterday"}, {"action": "terminate", "reason": ""},
    {"action": "submit", "extra": 1}, {}, [],
])
def test_bad_transition_bodies_are_422(coordinator, body):
    created = draft(coordinator, [new_partner(coordinator)])
    r = coordinator.post(f"{AGREEMENTS}/{created['id']}/transitions", json=body)
    assert r.status_code == 422, r.text
    assert problem_of(r)["errors"]


# --- expiry ----------------------------------------------------------------------------------------------------


def test_an_active_agreement_expires_by_itself_the_day_after_its_term_once_with_two_replicas(stack: Stack,
                                                                                             coordinator):
    partner = new_partner(coordinator)
    ending = draft(coordinator, [partner], effective_until="2040-06-30")
    earlier = draft(coordinator, [partner], effective_until="2040-06-29")
    to_active(coordinator, ending["id"])
    to_active(coordinator, earlier["id"])
    port = free_port()
    replica = stack._uvicorn("partnerships-replica", "services.partnerships.app:app", port)
    replica.start()
    try:
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 30,
                   what="the second partnerships replica")
        stack.set_clock("2040-06-30T23:59:00+00:00")  # the last day of the term
        wait_until(lambda: coordinator.get(f"{AGREEMENTS}/{earlier['id']}").json()["state"] == "expired", 15,
                   what="the agreement whose term ended the day before to expire")
        assert coordinator.get(f"{AGREEMENTS}/{ending['id']}").json()["state"] == "active", \
            "on its last day an agreement is still active"

        stack.set_clock("2040-07-01T00:00:01+00:00")
        expired = wait_until(lambda: (a := coordinator.get(f"{AGREEMENTS}/{ending['id']}").json())["state"]
                             == "expired" and a, 15, what="expiry the day after the term")
    finally:
        stack.real_clock()
        replica.stop()
    assert expired["history"][-1]["action"] == "expire" and expired["history"][-1]["actor"] == "system"
    assert expired["allowed_actions"] == []
    events = asyncio.run(agreement_events(stack.bootstrap, ending["id"], 6, timeout=10))
    assert [e["type"] for e in events].count("partnerships.agreement.expired") == 1, [e["type"] for e in events]
    assert len(events) == 5, "drafted, submitted, signed, activated, expired: nothing twice"


# --- who sees what ---------------------------------------------------------------------------------------------


def test_a_partner_sees_its_own_drafts_and_the_public_only_signed_ones(stack: Stack, coordinator, keys, anonymous):
    mine, theirs = new_partner(coordinator), new_partner(coordinator)
    private = draft(coordinator, [mine])
    public = draft(coordinator, [theirs])
    for action in ("submit", "sign"):
        act(coordinator, public["id"], action, **step_body(action))
    own_key = stack.issue_key("partner", mine)["key"]
    other_key = stack.issue_key("partner", theirs)["key"]
    with stack.client(own_key) as own, stack.client(other_key) as other, stack.client(keys["member"]) as member:
        assert own.get(f"{AGREEMENTS}/{private['id']}").status_code == 200
        assert own.get(AGREEMENTS, params={"partner_id": mine}).json()["items"][0]["id"] == private["id"]
        for outsider in (other, member, anonymous):
            assert outsider.get(f"{AGREEMENTS}/{private['id']}").status_code == 404, "a draft is not even there"
            assert outsider.get(f"{AGREEMENTS}/{public['id']}").status_code == 200, "a signed one is public"
            listed = _all(outsider, {"partner_id": mine})
            assert private["id"] not in listed
        assert public["id"] in _all(anonymous, {"partner_id": theirs})
        states = {a["state"] for a in anonymous.get(AGREEMENTS, params={"limit": 200}).json()["items"]}
        assert states <= {"signed", "active", "expired", "terminated"}, states
        asked_for_drafts = anonymous.get(AGREEMENTS, params={"state": "draft", "limit": 200}).json()["items"]
        assert asked_for_drafts == []
        # Impact and projects of a hidden agreement are hidden too.
        assert other.get(f"{AGREEMENTS}/{private['id']}/projects").status_code == 404


def _all(client: httpx.Client, params: dict[str, Any]) -> set[str]:
    seen, cursor = set(), None
    while True:
        page = client.get(AGREEMENTS, params=params | {"limit": 200} | ({"cursor": cursor} if cursor else {})).json()
        seen |= {a["id"] for a in page["items"]}
        if not (cursor := page["next_cursor"]):
            return seen


def test_only_coordinators_and_admins_write(stack: Stack, coordinator, keys, anonymous):
    partner = new_partner(coordinator)
    created = draft(coordinator, [partner])
    assert problem_of(anonymous.post(AGREEMENTS, json=agreement_body([partner])))["status"] == 401
    partner_key = stack.issue_key("partner", partner)["key"]
    for key in (keys["analyst"], keys["member"], partner_key):
        with stack.client(key) as c:
            assert problem_of(c.post(AGREEMENTS, json=agreement_body([partner])))["status"] == 403
            assert problem_of(act(c, created["id"], "submit"))["status"] == 403
    with stack.client(keys["admin"]) as admin:
        assert act(admin, created["id"], "submit").status_code == 200


# --- terms and codes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"partner_ids": []},
    {"partner_ids": ["00000000-0000-7000-8000-000000000000"]},
    {"effective_from": "2031-01-01"},
    {"training_seats_per_year": 5},
    {"cub_return_age_years": 3},
    {"kind": "exchange"},
    {"title": {"xx-invalid-!": "x"}},
])
def test_invalid_terms_are_422_and_write_nothing(coordinator, change):
    partner = new_partner(coordinator)
    before = coordinator.get(AGREEMENTS, params={"partner_id": partner}).json()["items"]
    r = coordinator.post(AGREEMENTS, json=agreement_body([partner]) | change)
    assert r.status_code == 422, r.text
    assert problem_of(r)["errors"]
    assert coordinator.get(AGREEMENTS, params={"partner_id": partner}).json()["items"] == before


def test_terms_change_while_negotiated_and_are_fixed_once_signed(coordinator):
    a, b = new_partner(coordinator), new_partner(coordinator)
    created = draft(coordinator, [a], kind="training_cooperation", training_seats_per_year=4)
    url = f"{AGREEMENTS}/{created['id']}"
    r = coordinator.patch(url, json={"partner_ids": [a, b], "training_seats_per_year": 6},
                          headers={"If-Match": f'"{created["version"]}"'})
    assert r.status_code == 200, r.text
    assert set(r.json()["partner_ids"]) == {a, b} and r.json()["training_seats_per_year"] == 6
    assert coordinator.get(AGREEMENTS, params={"partner_id": b}).json()["items"][0]["id"] == created["id"]
    assert coordinator.get(AGREEMENTS, params={"partner_id": a}).json()["items"][0]["id"] == created["id"]
    assert coordinator.patch(url, json={"effective_until": "2023-01-01"}).status_code == 422
    for action in ("submit", "sign"):
        act(coordinator, created["id"], action, **step_body(action))
    fixed = coordinator.patch(url, json={"training_seats_per_year": 99})
    assert problem_of(fixed)["status"] == 409
    assert coordinator.get(url).json()["training_seats_per_year"] == 6


def test_concurrent_drafts_get_distinct_consecutive_codes(stack: Stack, keys):
    with stack.client(keys["coordinator"]) as c:
        partner = new_partner(c)

    def one(_: int) -> str:
        with stack.client(keys["coordinator"]) as c:
            return draft(c, [partner])["code"]

    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(one, range(20)))
    assert len(set(codes)) == 20
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 20)), "no gaps, no duplicates"


# --- lists -----------------------------------------------------------------------------------------------------


def test_lists_filter_by_state_kind_partner_country_dates_and_search(coordinator):
    tag = uuid.uuid4().hex[:8]
    jp, br = new_partner(coordinator, "JP"), new_partner(coordinator, "BR")
    loan = draft(coordinator, [jp], kind="panda_loan", title={"en": f"Giant panda loan {tag}"},
                 effective_from="2025-01-01", effective_until="2035-12-31")
    research = draft(coordinator, [br], title={"en": f"Habitat research {tag}"})
    to_active(coordinator, loan["id"])

    def ids(**params: Any) -> list[str]:
        return [a["id"] for a in coordinator.get(AGREEMENTS, params={"q": tag, **params}).json()["items"]]

    assert ids() == [loan["id"], research["id"]]
    assert ids(state="active") == [loan["id"]]
    assert ids(state=["active", "draft"]) == [loan["id"], research["id"]]
    assert ids(kind="panda_loan") == [loan["id"]]
    assert ids(partner_id=br) == [research["id"]]
    assert ids(country="jp") == [loan["id"]]
    assert ids(effective_on="2024-06-01") == [research["id"]]
    assert ids(signed_from="2024-01-01") == [loan["id"]]
    assert [a["id"] for a in coordinator.get(AGREEMENTS, params={"q": loan["code"].lower()}).json()["items"]] \
        == [loan["id"]]
    assert ids(q=f"habitat research {tag}") == [research["id"]]
    for bad in ({"state": "dormant"}, {"country": "Japan"}, {"effective_on": "soon"}, {"limit": 0}):
        assert coordinator.get(AGREEMENTS, params=bad).status_code == 422


# --- projects --------------------------------------------------------------------------------------------------


def test_projects_of_a_cooperation_plan(stack: Stack, coordinator):
    lead, other = new_partner(coordinator), new_partner(coordinator)
    agreement = draft(coordinator, [lead])
    url = f"{AGREEMENTS}/{agreement['id']}/projects"
    body = {"title": {"en": "Red panda genome"}, "area": "genetics", "lead_partner_id": lead,
            "start_date": "2025-01-01", "end_date": "2027-12-31"}
    for bad in ({"lead_partner_id": other}, {"end_date": "2031-01-01"}, {"start_date": "2028-01-01"},
                {"area": "astronomy"}):
        r = coordinator.post(url, json=body | bad)
        assert r.status_code == 422, (bad, r.text)
    r = coordinator.post(url, json=body)
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["status"] == "planned" and project["allowed_actions"] == ["cancel", "start"]
    one = f"{url}/{project['id']}"
    assert coordinator.post(f"{one}/transitions", json={"action": "complete"}).status_code == 409
    started = coordinator.post(f"{one}/transitions", json={"action": "start"}).json()
    assert started["status"] == "active"
    patched = coordinator.patch(one, json={"end_date": "2028-06-30"}, headers={"If-Match": f'"{started["version"]}"'})
    assert patched.status_code == 200 and patched.json()["end_date"] == "2028-06-30"
    done = coordinator.post(f"{one}/transitions", json={"action": "complete"}).json()
    assert done["status"] == "completed" and done["allowed_actions"] == []
    assert coordinator.patch(one, json={"end_date": "2029-01-01"}).status_code == 409
    assert [p["id"] for p in coordinator.get(url).json()["items"]] == [project["id"]]
    assert coordinator.get(f"{AGREEMENTS}/{uuid.uuid4()}/projects").status_code == 404
    assert coordinator.get(f"{url}/{uuid.uuid4()}").status_code == 404
