"""`Idempotency-Key` on POST, for every service through the gateway: the same key and body answer the first answer
again with no second effect, also when the requests race; another body is a 422; keys are per caller."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.harness import Stack, problem_of

PARTNERS = "/api/v1/partnerships/partners"


def body(tag: str) -> dict:
    return {"name": {"en": f"Idempotent Zoo {tag}"}, "kind": "zoo", "country": "NL"}


def count(client, tag: str) -> int:
    return len(client.get(PARTNERS, params={"q": tag, "limit": 200}).json()["items"])


def test_the_same_key_and_body_answer_the_first_answer_again(coordinator):
    tag, key = uuid.uuid4().hex[:10], str(uuid.uuid4())
    first = coordinator.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": key})
    again = coordinator.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert count(coordinator, tag) == 1
    other = coordinator.post(PARTNERS, json=body(tag + "x"), headers={"Idempotency-Key": key})
    assert problem_of(other)["status"] == 422
    assert count(coordinator, tag) == 1


def test_racing_requests_with_one_key_have_one_effect(stack: Stack, keys):
    tag, key = uuid.uuid4().hex[:10], str(uuid.uuid4())

    def send(_: int):
        with stack.client(keys["coordinator"]) as c:
            return c.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(10)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers if a.status_code != 201]
    assert len({a.json()["id"] for a in answers}) == 1
    with stack.client(keys["coordinator"]) as c:
        assert count(c, tag) == 1


def test_keys_belong_to_their_caller_and_refusals_are_kept_too(stack: Stack, coordinator, keys):
    tag, key = uuid.uuid4().hex[:10], str(uuid.uuid4())
    with stack.client(keys["admin"]) as admin:
        assert admin.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": key}).status_code == 201
    assert coordinator.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": key}).status_code == 201
    assert count(coordinator, tag) == 2, "another caller's key of the same name is another key"

    bad_key = str(uuid.uuid4())
    invalid = {"name": {"en": "x"}, "kind": "zoo", "country": "XX"}
    first = coordinator.post(PARTNERS, json=invalid, headers={"Idempotency-Key": bad_key})
    assert first.status_code == 422
    assert coordinator.post(PARTNERS, json=invalid, headers={"Idempotency-Key": bad_key}).json() == first.json()


def test_a_malformed_key_is_422(coordinator):
    tag = uuid.uuid4().hex[:10]
    r = coordinator.post(PARTNERS, json=body(tag), headers={"Idempotency-Key": "k" * 300})
    assert problem_of(r)["status"] == 422
    assert count(coordinator, tag) == 0
