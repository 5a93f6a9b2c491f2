"""The vertical slice: partners written in partnerships, known to the three other services from its events."""

from __future__ import annotations

import uuid

from tests.harness import PARTNER_COPIES, Stack, problem_of, wait_until

ZOO = {"name": {"en": "Zoo Vienna", "de": "Tiergarten Schönbrunn"}, "kind": "zoo", "country": "AT", "city": "Vienna"}


def test_partner_created_through_gateway_is_known_to_every_other_service(stack: Stack, coordinator, keys):
    r = coordinator.post("/api/v1/partnerships/partners", json=ZOO)
    assert r.status_code == 201, r.text
    partner = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"].endswith(partner["id"])
    with stack.client(keys["analyst"]) as analyst:
        for service in PARTNER_COPIES:
            known = wait_until(
                lambda s=service: (resp := analyst.get(f"/api/v1/{s}/partners/{partner['id']}")).status_code == 200
                and resp.json(),
                timeout=10, what=f"{service} to learn the partner",
            )
            assert known["name"] == ZOO["name"] and known["country"] == "AT" and known["version"] == 1


def test_update_reaches_the_other_services_and_honours_if_match(stack: Stack, coordinator, keys):
    partner = coordinator.post("/api/v1/partnerships/partners", json=ZOO).json()
    url = f"/api/v1/partnerships/partners/{partner['id']}"

    r = coordinator.patch(url, json={"city": "Wien"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.headers["etag"] == '"2"'

    stale = coordinator.patch(url, json={"city": "Vienna"}, headers={"If-Match": '"1"'})
    assert problem_of(stale)["status"] == 412
    assert coordinator.get(url).json()["city"] == "Wien"

    assert coordinator.get(url, headers={"If-None-Match": '"2"'}).status_code == 304
    assert coordinator.get(url, headers={"If-None-Match": '"1"'}).status_code == 200

    same = coordinator.patch(url, json={"city": "Wien"})
    assert same.json()["version"] == 2, "a PATCH that changes nothing makes no new version"

    with stack.client(keys["analyst"]) as analyst:
        wait_until(
            lambda: analyst.get(f"/api/v1/training/partners/{partner['id']}").json().get("version") == 2,
            timeout=10, what="training to see version 2",
        )


def test_list_filters_and_keyset_pages(stack: Stack, coordinator):
    tag = uuid.uuid4().hex[:8]
    created = []
    for i, (country, kind) in enumerate([("CN", "zoo"), ("CN", "university"), ("JP", "zoo"), ("CN", "zoo")]):
        body = {"name": {"en": f"Filter {tag} {i}", "zh": f"熊猫 {tag} {i}"}, "kind": kind, "country": country}
        created.append(coordinator.post("/api/v1/partnerships/partners", json=body).json()["id"])

    r = coordinator.get("/api/v1/partnerships/partners", params={"q": tag, "country": "cn", "kind": "zoo"})
    assert [p["id"] for p in r.json()["items"]] == [created[0], created[3]]
    by_chinese = coordinator.get("/api/v1/partnerships/partners", params={"q": f"熊猫 {tag}"}).json()["items"]
    assert len(by_chinese) == 4

    seen, cursor = [], None
    while True:
        params = {"q": tag, "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = coordinator.get("/api/v1/partnerships/partners", params=params).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # A partner created between pages neither repeats nor shifts what follows.
        coordinator.post("/api/v1/partnerships/partners",
                         json={"name": {"en": f"Late {uuid.uuid4().hex}"}, "kind": "ngo", "country": "FR"})
    assert seen == created


def test_contacts_are_shown_to_staff_and_the_partner_itself_only(stack: Stack, coordinator, keys):
    body = ZOO | {"contacts": [{"name": "Dr. Lin", "email": "lin@example.org", "role": "curator"}]}
    partner = coordinator.post("/api/v1/partnerships/partners", json=body).json()
    other = coordinator.post("/api/v1/partnerships/partners", json=ZOO).json()
    url = f"/api/v1/partnerships/partners/{partner['id']}"
    assert coordinator.get(url).json()["contacts"][0]["email"] == "lin@example.org"

    own_key = stack.issue_key("partner", partner["id"])["key"]
    other_key = stack.issue_key("partner", other["id"])["key"]
    with stack.client(own_key) as own, stack.client(other_key) as stranger, stack.client(keys["member"]) as member:
        assert own.get(url).json()["contacts"][0]["name"] == "Dr. Lin"
        assert stranger.get(url).json()["contacts"] is None
        assert member.get(url).json()["contacts"] is None
        listed = stranger.get("/api/v1/partnerships/partners", params={"q": "schönbrunn", "limit": 200}).json()
        assert all(p["contacts"] is None for p in listed["items"] if p["id"] != other["id"])
