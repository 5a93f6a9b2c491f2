"""Enrollment through the gateway: fair capacity and waitlist positions under concurrency, promotion when a seat
frees, and the rules of when one may apply."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.harness import Stack, post_retrying, problem_of

TRAINING = "/api/v1/training"


def published_program(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = client.post(f"{TRAINING}/programs", json={
        "title": {"en": f"Giant panda breeding {uuid.uuid4().hex[:6]}"}, "topics": ["breeding"],
        "format": "onsite", "languages": ["en", "zh"]} | extra)
    assert r.status_code == 201, r.text
    r = client.post(f"{TRAINING}/programs/{r.json()['id']}/transitions", json={"action": "publish"})
    assert r.status_code == 200, r.text
    return r.json()


def cohort_of(client: httpx.Client, program_id: str, capacity: int, **extra: Any) -> dict[str, Any]:
    starts = dt.date.today() + dt.timedelta(days=60)
    r = client.post(f"{TRAINING}/programs/{program_id}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=14)).isoformat(),
        "capacity": capacity, "location": {"city": "Chengdu", "country": "CN"}} | extra)
    assert r.status_code == 201, r.text
    return r.json()


def participant(i: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"Participant {i}", "email": f"p{i}-{uuid.uuid4().hex[:6]}@example.org", "country": "KE"} | extra


def test_200_concurrent_enrollments_into_20_seats(stack: Stack, coordinator, keys):
    program = published_program(coordinator)
    cohort = cohort_of(coordinator, program["id"], 20)
    url = f"{TRAINING}/cohorts/{cohort['id']}/enrollments"

    def apply(i: int) -> dict[str, Any]:
        with stack.client(keys["coordinator"]) as c:
            r = post_retrying(c, url, json=participant(i))
            assert r.status_code == 201, r.text
            return r.json()

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(apply, range(200)))
    accepted = [a for a in answers if a["status"] == "accepted"]
    waitlisted = [a for a in answers if a["status"] == "waitlisted"]
    assert len(accepted) == 20 and len(waitlisted) == 180
    assert all(a["waitlist_position"] is None for a in accepted)
    assert sorted(a["waitlist_position"] for a in waitlisted) == list(range(1, 181)), "positions 1..180, once each"

    state = coordinator.get(f"{TRAINING}/cohorts/{cohort['id']}").json()
    assert (state["seats_taken"], state["seats_left"], state["waitlist_length"]) == (20, 0, 180)

    first = next(a for a in waitlisted if a["waitlist_position"] == 1)
    second = next(a for a in waitlisted if a["waitlist_position"] == 2)
    withdrawn = coordinator.post(f"{TRAINING}/enrollments/{accepted[0]['id']}/transitions",
                                 json={"action": "withdraw"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn", withdrawn.text
    promoted = coordinator.get(f"{TRAINING}/enrollments/{first['id']}").json()
    assert promoted["status"] == "accepted" and promoted["waitlist_position"] is None, "position 1 got the seat"
    assert coordinator.get(f"{TRAINING}/enrollments/{second['id']}").json()["waitlist_position"] == 1
    state = coordinator.get(f"{TRAINING}/cohorts/{cohort['id']}").json()
    assert (state["seats_taken"], state["waitlist_length"]) == (20, 179)


def test_a_waitlisted_withdrawal_moves_everyone_behind_up(coordinator):
    cohort = cohort_of(coordinator, published_program(coordinator)["id"], 1)
    url = f"{TRAINING}/cohorts/{cohort['id']}/enrollments"
    answers = [coordinator.post(url, json=participant(i)).json() for i in range(4)]
    assert [a["status"] for a in answers] == ["accepted", "waitlisted", "waitlisted", "waitlisted"]
    assert [a["waitlist_position"] for a in answers[1:]] == [1, 2, 3]
    coordinator.post(f"{TRAINING}/enrollments/{answers[2]['id']}/transitions", json={"action": "withdraw"})
    assert coordinator.get(f"{TRAINING}/enrollments/{answers[3]['id']}").json()["waitlist_position"] == 2
    assert coordinator.get(f"{TRAINING}/enrollments/{answers[0]['id']}").json()["status"] == "accepted"
    rejected = coordinator.post(f"{TRAINING}/enrollments/{answers[0]['id']}/transitions", json={"action": "reject"})
    assert rejected.json()["status"] == "rejected"
    assert coordinator.get(f"{TRAINING}/enrollments/{answers[1]['id']}").json()["status"] == "accepted"


def test_one_enrollment_per_email_per_cohort(coordinator):
    cohort = cohort_of(coordinator, published_program(coordinator)["id"], 5)
    url = f"{TRAINING}/cohorts/{cohort['id']}/enrollments"
    body = participant(1)
    assert coordinator.post(url, json=body).status_code == 201
    again = coordinator.post(url, json=body | {"email": body["email"].upper(), "name": "Someone else"})
    assert problem_of(again)["status"] == 409
    assert coordinator.get(f"{TRAINING}/cohorts/{cohort['id']}").json()["seats_taken"] == 1


def test_no_enrollment_outside_the_window_into_an_unpublished_program_or_for_an_unknown_partner(coordinator):
    draft = coordinator.post(f"{TRAINING}/programs", json={
        "title": {"en": "Unpublished"}, "topics": ["habitat"], "format": "online", "languages": ["en"]}).json()
    unpublished = cohort_of(coordinator, draft["id"], 5)
    r = coordinator.post(f"{TRAINING}/cohorts/{unpublished['id']}/enrollments", json=participant(1))
    assert problem_of(r)["status"] == 409 and "published" in problem_of(r)["detail"]

    program = published_program(coordinator)
    now = dt.datetime.now(dt.UTC)
    closed = cohort_of(coordinator, program["id"], 5,
                       enrollment_opens_at=(now - dt.timedelta(days=10)).isoformat(),
                       enrollment_closes_at=(now - dt.timedelta(days=1)).isoformat())
    r = coordinator.post(f"{TRAINING}/cohorts/{closed['id']}/enrollments", json=participant(2))
    assert problem_of(r)["status"] == 409 and "closed" in problem_of(r)["detail"]
    not_yet = cohort_of(coordinator, program["id"], 5, enrollment_opens_at=(now + dt.timedelta(days=1)).isoformat())
    r = coordinator.post(f"{TRAINING}/cohorts/{not_yet['id']}/enrollments", json=participant(3))
    assert problem_of(r)["status"] == 409 and "opens" in problem_of(r)["detail"]

    open_cohort = cohort_of(coordinator, program["id"], 5)
    r = coordinator.post(f"{TRAINING}/cohorts/{open_cohort['id']}/enrollments",
                         json=participant(4, partner_id=str(uuid.uuid4())))
    problem = problem_of(r)
    assert r.status_code == 422 and problem["errors"][0]["loc"] == ["body", "partner_id"], problem
    for c in (unpublished, closed, not_yet, open_cohort):
        assert coordinator.get(f"{TRAINING}/cohorts/{c['id']}").json()["seats_taken"] == 0, "nothing written"


def every_cohort(client: httpx.Client, **params: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = client.get(f"{TRAINING}/cohorts", params={"limit": 200, **params, **({"cursor": cursor} if cursor
                                                                                     else {})}).json()
        found.update({c["id"]: c for c in page["items"]})
        if not (cursor := page["next_cursor"]):
            return found


def test_every_programs_cohorts_in_one_list_drafts_for_staff_only(coordinator, anonymous):
    published = cohort_of(coordinator, published_program(coordinator)["id"], 5)
    draft_program = coordinator.post(f"{TRAINING}/programs", json={
        "title": {"en": f"Draft course {uuid.uuid4().hex[:6]}"}, "topics": ["husbandry"], "format": "onsite",
        "languages": ["en"]}).json()
    draft = cohort_of(coordinator, draft_program["id"], 5)

    staff_view, public_view = every_cohort(coordinator), every_cohort(anonymous)
    assert published["id"] in staff_view and draft["id"] in staff_view
    assert published["id"] in public_view and draft["id"] not in public_view
    assert staff_view[published["id"]]["seats_left"] == 5 and staff_view[published["id"]]["waitlist_length"] == 0

    # `ends_from`: those ending on or after the day (these end 74 days from now).
    later = (dt.date.today() + dt.timedelta(days=75)).isoformat()
    assert published["id"] not in every_cohort(coordinator, ends_from=later)
    assert published["id"] in every_cohort(coordinator, ends_from=published["ends_on"])
    assert coordinator.get(f"{TRAINING}/cohorts", params={"ends_from": "2026-13-01"}).status_code == 422
