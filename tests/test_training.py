"""Training through the gateway: partner seat quotas from a training cooperation, completion certificates (public
verification, the event and the impact ledger), who sees and does what with enrollments, transitions only from
the right states, programs and cohorts, and the stats."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.harness import Stack, problem_of, wait_until
from tests.test_agreements import new_partner, to_active
from tests.test_enrollment import published_program

TRAINING = "/api/v1/training"
AGREEMENTS = "/api/v1/partnerships/agreements"

# Cohort years far enough ahead that their enrollment windows are open, each test's quota year its own.
YEAR = dt.date.today().year + 5
PROBE_YEAR, SEATS_YEAR, SHRINK_YEAR = YEAR, YEAR + 1, YEAR + 2


# --- helpers ---------------------------------------------------------------------------------------------------


def cohort_in(client: httpx.Client, program_id: str, year: int, capacity: int, **extra: Any) -> dict[str, Any]:
    starts = dt.date(year, 3, 2)
    r = client.post(f"{TRAINING}/programs/{program_id}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=10)).isoformat(),
        "capacity": capacity, "location": {"city": "Chengdu", "country": "CN"}} | extra)
    assert r.status_code == 201, r.text
    return r.json()


def person(country: str = "KE", **extra: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return {"name": f"Trainee {tag}", "email": f"trainee-{tag}@example.org", "country": country} | extra


def enroll(client: httpx.Client, cohort_id: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(f"{TRAINING}/cohorts/{cohort_id}/enrollments", json=body or person())


def enrolled(client: httpx.Client, cohort_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = enroll(client, cohort_id, body)
    assert r.status_code == 201, r.text
    return r.json()


def act(client: httpx.Client, enrollment_id: str, action: str) -> httpx.Response:
    return client.post(f"{TRAINING}/enrollments/{enrollment_id}/transitions", json={"action": action})


def step(client: httpx.Client, enrollment_id: str, *actions: str) -> dict[str, Any]:
    for action in actions:
        r = act(client, enrollment_id, action)
        assert r.status_code == 200, (action, r.text)
    return r.json()


def cohort_state(client: httpx.Client, cohort_id: str) -> dict[str, Any]:
    return client.get(f"{TRAINING}/cohorts/{cohort_id}").json()


def known_to_training(client: httpx.Client, partner_id: str) -> None:
    wait_until(lambda: client.get(f"{TRAINING}/partners/{partner_id}").status_code == 200, 15,
               what="training to learn the partner")


async def keyed_events(bootstrap: str, topic: str, key: str, count: int, timeout: float = 20) -> list[dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-{uuid.uuid4().hex}", enable_auto_commit=False)
    await consumer.start()
    events: list[dict] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(events) < count:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                events += [json.loads(r.value) for r in batch if r.key == key.encode()]
        return events
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def analyst(stack: Stack, keys):  # type: ignore[no-untyped-def]
    with stack.client(keys["analyst"]) as c:
        yield c


@pytest.fixture(scope="module")
def seats_partner(stack: Stack, keys) -> dict[str, Any]:
    """A partner with an active training cooperation of 2 seats a year, known to training with its agreement,
    and a partner key for it."""
    with stack.client(keys["coordinator"]) as coordinator:
        partner_id = new_partner(coordinator, "DE")
        r = coordinator.post(AGREEMENTS, json={
            "title": {"en": f"Training {uuid.uuid4().hex[:8]}"}, "kind": "training_cooperation",
            "partner_ids": [partner_id], "effective_from": "2024-01-01", "effective_until": "2040-12-31",
            "training_seats_per_year": 2})
        assert r.status_code == 201, r.text
        agreement = to_active(coordinator, r.json()["id"])
        known_to_training(coordinator, partner_id)
        key = stack.issue_key("partner", partner_id)["key"]
        # Training learns the agreement from its events; it shows once a partner enrollment gets a reserved seat.
        program = published_program(coordinator)
        probe_cohort = cohort_in(coordinator, program["id"], PROBE_YEAR, 100, reserved_seats=100)
        with stack.client(key) as partner:
            probe = wait_until(lambda: (e := enrolled(partner, probe_cohort["id"]))["seat"] == "reserved" and e,
                               15, interval=0.2, what="training to learn the training cooperation")
            assert step(partner, probe["id"], "withdraw")["status"] == "withdrawn"
    return {"id": partner_id, "key": key, "agreement_id": agreement["id"]}


@pytest.fixture
def partner(stack: Stack, seats_partner):  # type: ignore[no-untyped-def]
    with stack.client(seats_partner["key"]) as c:
        yield c


# --- partner seats ---------------------------------------------------------------------------------------------


def test_a_partners_reserved_seats_run_out_at_its_yearly_quota(coordinator, partner, seats_partner):
    program = published_program(coordinator)
    first = cohort_in(coordinator, program["id"], SEATS_YEAR, 5, reserved_seats=5)
    staff = [enrolled(partner, first["id"]) for _ in range(3)]
    assert [(s["status"], s["seat"]) for s in staff] == [
        ("accepted", "reserved"), ("accepted", "reserved"), ("waitlisted", None)]
    assert all(s["partner_id"] == seats_partner["id"] for s in staff), "a partner's enrollment is its staff's"
    assert staff[2]["waitlist_position"] == 1, "no general seats, the quota used up: waitlisted"
    state = cohort_state(coordinator, first["id"])
    assert (state["seats_taken"], state["reserved_seats_left"], state["waitlist_length"]) == (2, 3, 1)

    second = cohort_in(coordinator, program["id"], SEATS_YEAR, 5, reserved_seats=5)
    later = enrolled(partner, second["id"])
    assert (later["status"], later["seat"]) == ("waitlisted", None), "another cohort the same year adds no quota"
    other_year = cohort_in(coordinator, program["id"], SEATS_YEAR + 3, 5, reserved_seats=5)
    assert enrolled(partner, other_year["id"])["seat"] == "reserved", "the quota is per year"

    # Withdrawing a reserved enrollment gives its seat and its quota back: the first waiting takes both.
    assert step(partner, staff[0]["id"], "withdraw")["seat"] is None
    promoted = coordinator.get(f"{TRAINING}/enrollments/{staff[2]['id']}").json()
    assert (promoted["status"], promoted["seat"], promoted["waitlist_position"]) == ("accepted", "reserved", None)
    state = cohort_state(coordinator, first["id"])
    assert (state["seats_taken"], state["reserved_seats_left"], state["waitlist_length"]) == (2, 3, 0)

    # With no one waiting in the cohort, a withdrawal leaves the quota for the next application.
    step(partner, staff[1]["id"], "withdraw")
    again = enrolled(partner, second["id"])
    assert (again["status"], again["seat"]) == ("accepted", "reserved")
    assert coordinator.get(f"{TRAINING}/enrollments/{later['id']}").json()["status"] == "waitlisted"


def test_reserved_seats_cannot_shrink_below_those_taken(coordinator, partner):
    program = published_program(coordinator)
    cohort = cohort_in(coordinator, program["id"], SHRINK_YEAR, 2, reserved_seats=1)
    assert enrolled(partner, cohort["id"])["seat"] == "reserved"
    r = coordinator.patch(f"{TRAINING}/cohorts/{cohort['id']}", json={"reserved_seats": 0})
    assert problem_of(r)["status"] == 409, "the reserved seat is taken"
    answers = [enrolled(coordinator, cohort["id"])["status"] for _ in range(2)]
    assert answers == ["accepted", "waitlisted"]
    state = cohort_state(coordinator, cohort["id"])
    assert (state["capacity"], state["seats_taken"], state["seats_left"]) == (2, 2, 0), "never over capacity"


# --- certificates ----------------------------------------------------------------------------------------------


def test_completion_issues_a_certificate_anyone_can_verify_and_the_impact_ledger_counts(
        stack: Stack, coordinator, anonymous, analyst):
    partner_id = new_partner(coordinator, "NL")
    known_to_training(coordinator, partner_id)
    program = published_program(coordinator)
    cohort = cohort_in(coordinator, program["id"], YEAR, 10)
    body = person("NL", partner_id=partner_id)
    enrollment = enrolled(coordinator, cohort["id"], body)
    assert enrollment["certificate_code"] is None
    done = step(coordinator, enrollment["id"], "attend", "complete")
    assert done["status"] == "completed" and done["allowed_actions"] == []
    code = done["certificate_code"]
    assert re.fullmatch(r"PC(-[2-9A-HJ-NP-Z]{5}){4}", code), code

    for asked in (code, code.lower()):
        r = anonymous.get(f"{TRAINING}/certificates/{asked}")
        assert r.status_code == 200, r.text
        shown = r.json()
        assert shown["code"] == code and shown["valid"] is True and shown["holder_name"] == body["name"]
        assert shown["program_id"] == program["id"] and shown["program_title"] == program["title"]
        assert (shown["cohort_id"], shown["cohort_starts_on"], shown["cohort_ends_on"]) == (
            cohort["id"], cohort["starts_on"], cohort["ends_on"])
        assert shown["issued_at"]
        assert body["email"].lower() not in r.text.lower() and "email" not in shown
        assert partner_id not in r.text and "country" not in shown and "partner_id" not in shown

    assert problem_of(anonymous.get(f"{TRAINING}/certificates/PC-22222-22222-22222-22222"))["status"] == 404
    for malformed in ("bad$code", "x" * 300, "PC 2222", "%00", "..%2F..%2Fmetrics"):
        r = anonymous.get(f"{TRAINING}/certificates/{malformed}")
        assert r.status_code in (404, 422), (malformed, r.status_code, r.text)

    events = asyncio.run(keyed_events(stack.bootstrap, "training.events", code, 1))
    assert [e["type"] for e in events] == ["training.certificate.issued"]
    issued = events[0]
    assert issued["subject"] == code and issued["data"]["code"] == code
    assert issued["data"]["partner_id"] == partner_id and issued["data"]["enrollment_id"] == enrollment["id"]
    assert "email" not in issued["data"] and body["email"] not in json.dumps(issued)

    impact_url = f"/api/v1/partnerships/partners/{partner_id}/impact"
    impact = wait_until(lambda: (i := analyst.get(impact_url).json())["certificates_issued"] == 1
                        and i["trainees_completed"] == 1 and i, 20, interval=0.1, what="the impact ledger")
    assert impact["works_published"] == 0


# --- who sees what ---------------------------------------------------------------------------------------------


def test_who_may_enroll_and_see_which_enrollments(stack: Stack, coordinator, anonymous, analyst, keys, partner,
                                                  seats_partner):
    program = published_program(coordinator)
    cohort = cohort_in(coordinator, program["id"], YEAR, 50)
    other_partner = new_partner(coordinator)
    r = enroll(partner, cohort["id"], person(partner_id=other_partner))
    assert problem_of(r)["status"] == 403, "a partner enrolls only its own staff"
    mine = enrolled(partner, cohort["id"], person(partner_id=seats_partner["id"]))
    assert mine["partner_id"] == seats_partner["id"] and mine["seat"] == "general", "no reserved seats here"
    unaffiliated = enrolled(coordinator, cohort["id"])

    listed = partner.get(f"{TRAINING}/enrollments", params={"program_id": program["id"]}).json()["items"]
    assert [e["id"] for e in listed] == [mine["id"]]
    everyone = partner.get(f"{TRAINING}/enrollments", params={"limit": 200}).json()["items"]
    assert everyone and all(e["partner_id"] == seats_partner["id"] for e in everyone)
    assert problem_of(partner.get(f"{TRAINING}/enrollments/{unaffiliated['id']}"))["status"] == 404

    with stack.client(keys["member"]) as member, stack.client(stack.issue_key("member")["key"]) as other_member:
        assert problem_of(enroll(member, cohort["id"], person(partner_id=seats_partner["id"])))["status"] == 403
        own = enrolled(member, cohort["id"])
        theirs = enrolled(other_member, cohort["id"])
        assert own["partner_id"] is None
        listed = member.get(f"{TRAINING}/enrollments", params={"cohort_id": cohort["id"]}).json()["items"]
        assert [e["id"] for e in listed] == [own["id"]]
        assert member.get(f"{TRAINING}/enrollments/{own['id']}").status_code == 200
        for other in (theirs, mine, unaffiliated):
            assert problem_of(member.get(f"{TRAINING}/enrollments/{other['id']}"))["status"] == 404
            assert problem_of(act(member, other["id"], "withdraw"))["status"] == 404
        assert problem_of(act(member, own["id"], "reject"))["status"] == 403, "a member cannot reject"
        assert problem_of(act(member, own["id"], "attend"))["status"] == 403
        assert step(member, own["id"], "withdraw")["status"] == "withdrawn", "a member withdraws itself"

    assert problem_of(enroll(anonymous, cohort["id"]))["status"] == 401
    assert problem_of(anonymous.get(f"{TRAINING}/enrollments"))["status"] == 401
    assert problem_of(anonymous.get(f"{TRAINING}/enrollments/{mine['id']}"))["status"] == 401

    listed = analyst.get(f"{TRAINING}/cohorts/{cohort['id']}/enrollments").json()["items"]
    assert {e["id"] for e in listed} == {mine["id"], unaffiliated["id"], own["id"], theirs["id"]}
    assert analyst.get(f"{TRAINING}/enrollments/{mine['id']}").json()["email"] == mine["email"]
    assert problem_of(enroll(analyst, cohort["id"]))["status"] == 403, "an analyst reads, it does not enroll"
    for action in ("attend", "complete", "withdraw", "reject"):
        assert problem_of(act(analyst, mine["id"], action))["status"] == 403, action
    assert coordinator.get(f"{TRAINING}/enrollments/{mine['id']}").json()["version"] == mine["version"]


# --- transitions -----------------------------------------------------------------------------------------------


def test_transitions_only_from_the_right_states(coordinator):
    cohort = cohort_in(coordinator, published_program(coordinator)["id"], YEAR, 1)
    seated, waiting = enrolled(coordinator, cohort["id"]), enrolled(coordinator, cohort["id"])
    assert (seated["status"], waiting["status"]) == ("accepted", "waitlisted")
    assert seated["allowed_actions"] == ["attend", "no_show", "reject", "withdraw"]
    assert waiting["allowed_actions"] == ["reject", "withdraw"]

    early = problem_of(act(coordinator, seated["id"], "complete"))
    assert early["status"] == 409 and early["state"] == "accepted" and "accepted" in early["detail"]
    assert early["allowed_actions"] == ["attend", "no_show", "reject", "withdraw"]
    not_seated = problem_of(act(coordinator, waiting["id"], "attend"))
    assert not_seated["status"] == 409 and not_seated["state"] == "waitlisted"
    assert not_seated["allowed_actions"] == ["reject", "withdraw"]

    assert step(coordinator, waiting["id"], "withdraw")["status"] == "withdrawn"
    twice = problem_of(act(coordinator, waiting["id"], "withdraw"))
    assert twice["status"] == 409 and twice["state"] == "withdrawn" and twice["allowed_actions"] == []
    r = coordinator.post(f"{TRAINING}/enrollments/{seated['id']}/transitions", json={"action": "graduate"})
    assert problem_of(r)["status"] == 422
    assert coordinator.get(f"{TRAINING}/enrollments/{seated['id']}").json()["version"] == seated["version"]

    absent = step(coordinator, seated["id"], "no_show")
    assert absent["status"] == "no_show" and absent["allowed_actions"] == []
    assert problem_of(act(coordinator, seated["id"], "attend"))["state"] == "no_show"


def test_concurrent_transitions_of_one_enrollment_are_decided_once(stack: Stack, coordinator, keys):
    cohort = cohort_in(coordinator, published_program(coordinator)["id"], YEAR, 2)
    seated = [enrolled(coordinator, cohort["id"]) for _ in range(2)]
    waiting = enrolled(coordinator, cohort["id"])

    def apply(action: str) -> int:
        with stack.client(keys["coordinator"]) as c:
            return act(c, seated[0]["id"], action).status_code

    # Whichever comes first wins; every other one then finds a state that does not allow it.
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(apply, ["withdraw", "attend"] * 5))
    assert sorted(codes) == [200] + [409] * 9, codes
    final = coordinator.get(f"{TRAINING}/enrollments/{seated[0]['id']}").json()
    assert final["version"] == seated[0]["version"] + 1, "changed once"
    promoted = final["status"] == "withdrawn"
    assert final["status"] in ("withdrawn", "attended")
    assert coordinator.get(f"{TRAINING}/enrollments/{waiting['id']}").json()["status"] == (
        "accepted" if promoted else "waitlisted")
    state = cohort_state(coordinator, cohort["id"])
    assert (state["seats_taken"], state["waitlist_length"]) == (2, 0 if promoted else 1)


# --- programs and cohorts --------------------------------------------------------------------------------------


def test_drafts_are_for_staff_and_lists_filter_by_topic_language_and_format(coordinator, anonymous, analyst, keys,
                                                                           stack: Stack):
    topic = f"topic-{uuid.uuid4().hex[:8]}"
    r = coordinator.post(f"{TRAINING}/programs", json={
        "title": {"en": "Draft course"}, "topics": [topic], "format": "online", "languages": ["fr"]})
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["allowed_actions"] == ["publish"]
    assert problem_of(anonymous.get(f"{TRAINING}/programs/{draft['id']}"))["status"] == 404
    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(f"{TRAINING}/programs/{draft['id']}"))["status"] == 404
    assert analyst.get(f"{TRAINING}/programs/{draft['id']}").status_code == 200
    assert anonymous.get(f"{TRAINING}/programs", params={"topic": topic}).json()["items"] == []
    assert [p["id"] for p in analyst.get(f"{TRAINING}/programs", params={"topic": topic}).json()["items"]] == [
        draft["id"]]

    online = published_program(coordinator, topics=[topic, "breeding"], format="online", languages=["fr"])
    onsite = published_program(coordinator, topics=[topic], format="onsite", languages=["en", "zh"])

    def listed(**params: str) -> set[str]:
        r = anonymous.get(f"{TRAINING}/programs", params={"topic": topic, **params})
        assert r.status_code == 200, r.text
        return {p["id"] for p in r.json()["items"]}

    assert listed() == {online["id"], onsite["id"]}
    assert listed(format="online") == {online["id"]}
    assert listed(language="fr") == {online["id"]}
    assert listed(language="zh") == {onsite["id"]}
    assert listed(language="es") == set()
    assert listed(format="hybrid") == set()
    assert anonymous.get(f"{TRAINING}/programs", params={"topic": topic[:-1]}).json()["items"] == [], \
        "a topic matches whole"
    for bad in ({"language": "not a tag!"}, {"format": "remote"}, {"limit": "0"}, {"cursor": "garbage"}):
        assert problem_of(anonymous.get(f"{TRAINING}/programs", params=bad))["status"] == 422, bad


def test_publish_then_archive(coordinator, anonymous):
    program = published_program(coordinator)
    assert program["status"] == "published" and program["allowed_actions"] == ["archive"]
    cohort = cohort_in(coordinator, program["id"], YEAR, 5)
    again = problem_of(coordinator.post(f"{TRAINING}/programs/{program['id']}/transitions",
                                        json={"action": "publish"}))
    assert again["status"] == 409 and again["state"] == "published" and again["allowed_actions"] == ["archive"]
    r = coordinator.post(f"{TRAINING}/programs/{program['id']}/transitions", json={"action": "archive"})
    assert r.status_code == 200 and r.json()["status"] == "archived" and r.json()["allowed_actions"] == []
    assert anonymous.get(f"{TRAINING}/programs/{program['id']}").json()["status"] == "archived"
    assert problem_of(coordinator.post(f"{TRAINING}/programs/{program['id']}/cohorts", json={
        "starts_on": f"{YEAR}-05-01", "ends_on": f"{YEAR}-05-02", "capacity": 3}))["status"] == 409
    closed = problem_of(enroll(coordinator, cohort["id"]))
    assert closed["status"] == 409 and "archived" in closed["detail"]


@pytest.mark.parametrize("change", [
    {"ends_on": "2031-01-01"},
    {"reserved_seats": 11},
    {"capacity": 0},
    {"capacity": -1},
    {"enrollment_opens_at": "2030-06-01T00:00:00Z", "enrollment_closes_at": "2030-05-01T00:00:00Z"},
    {"enrollment_opens_at": "2030-06-01T00:00:00"},
    {"enrollment_opens_at": "0001-01-01T00:00:00+14:00"},
    {"enrollment_closes_at": "9999-12-31T23:59:59-14:00"},
    {"starts_on": "2031-02-30"},
    {"location": {"city": "Chengdu", "country": "XX"}},
    {"online_url": "not a url"},
    {"seats": 3},
])
def test_invalid_cohorts_are_422(coordinator, change):
    program = published_program(coordinator)
    body = {"starts_on": "2031-02-01", "ends_on": "2031-02-10", "capacity": 10} | change
    r = coordinator.post(f"{TRAINING}/programs/{program['id']}/cohorts", json=body)
    assert problem_of(r)["status"] == 422 and problem_of(r)["errors"], r.text
    assert coordinator.get(f"{TRAINING}/programs/{program['id']}/cohorts").json()["items"] == []


def test_a_cohort_shows_seats_taken_and_waitlist_length(coordinator, anonymous):
    program = published_program(coordinator)
    cohort = cohort_in(coordinator, program["id"], YEAR, 2)
    assert (cohort["seats_taken"], cohort["seats_left"], cohort["waitlist_length"]) == (0, 2, 0)
    assert cohort["enrollment_open"] is True
    answers = [enrolled(coordinator, cohort["id"]) for _ in range(4)]
    assert [a["waitlist_position"] for a in answers] == [None, None, 1, 2]
    state = anonymous.get(f"{TRAINING}/cohorts/{cohort['id']}").json()
    assert (state["seats_taken"], state["seats_left"], state["waitlist_length"]) == (2, 0, 2)
    assert [c["id"] for c in anonymous.get(f"{TRAINING}/programs/{program['id']}/cohorts").json()["items"]] == [
        cohort["id"]]
    r = coordinator.patch(f"{TRAINING}/cohorts/{cohort['id']}", json={"capacity": 1})
    assert problem_of(r)["status"] == 409, "capacity cannot go below the seats taken"
    r = coordinator.patch(f"{TRAINING}/cohorts/{cohort['id']}", json={"capacity": None})
    assert problem_of(r)["status"] == 422
    assert problem_of(anonymous.get(f"{TRAINING}/cohorts/{uuid.uuid4()}"))["status"] == 404
    assert problem_of(anonymous.get(f"{TRAINING}/cohorts/not-a-uuid"))["status"] == 422

    # Seats the cohort gains go to those waiting, in order, before any new applicant.
    r = coordinator.patch(f"{TRAINING}/cohorts/{cohort['id']}", json={"capacity": 3})
    assert r.status_code == 200 and (r.json()["seats_taken"], r.json()["waitlist_length"]) == (3, 1), r.text
    first, second = (coordinator.get(f"{TRAINING}/enrollments/{a['id']}").json() for a in answers[2:])
    assert (first["status"], second["status"], second["waitlist_position"]) == ("accepted", "waitlisted", 1)
    newcomer = enrolled(coordinator, cohort["id"])
    assert (newcomer["status"], newcomer["waitlist_position"]) == ("waitlisted", 2)


# --- stats -----------------------------------------------------------------------------------------------------


def test_stats_count_participants_completions_and_certificates(stack: Stack, coordinator, analyst, anonymous,
                                                               keys, partner, seats_partner):
    program = published_program(coordinator)
    first = cohort_in(coordinator, program["id"], YEAR, 3)
    later = cohort_in(coordinator, program["id"], YEAR + 1, 3)
    alice = person("KE")
    a = enrolled(coordinator, first["id"], alice)
    b = enrolled(coordinator, first["id"], person("KE"))
    c = enrolled(coordinator, first["id"], person("CN", partner_id=seats_partner["id"]))
    d = enrolled(coordinator, first["id"], person("FR"))
    assert d["status"] == "waitlisted"
    step(coordinator, a["id"], "attend", "complete")
    step(coordinator, b["id"], "withdraw")  # d takes the seat
    enrolled(coordinator, later["id"], alice | {"name": "Alice again"})  # the same person, a year later
    e = enrolled(coordinator, later["id"], person("KE"))
    step(coordinator, e["id"], "no_show")
    step(coordinator, c["id"], "attend")

    r = analyst.get(f"{TRAINING}/stats", params={"program_id": program["id"]})
    assert r.status_code == 200, r.text
    stats = r.json()
    assert (stats["participants"], stats["completions"], stats["certificates"]) == (3, 1, 1), stats
    assert {f["country"]: (f["participants"], f["completions"], f["certificates"]) for f in stats["by_country"]} == {
        "KE": (1, 1, 1), "CN": (1, 0, 0), "FR": (1, 0, 0)}
    assert [(f["year"], f["participants"], f["completions"], f["certificates"]) for f in stats["by_year"]] == [
        (YEAR, 3, 1, 1), (YEAR + 1, 1, 0, 0)]
    assert [(f["program_id"], f["title"], f["participants"]) for f in stats["by_program"]] == [
        (program["id"], program["title"], 3)]
    assert [(f["partner_id"], f["participants"]) for f in stats["by_partner"]] == [(seats_partner["id"], 1)]

    later_year = analyst.get(f"{TRAINING}/stats", params={"program_id": program["id"], "year": YEAR + 1}).json()
    assert (later_year["participants"], later_year["completions"]) == (1, 0)
    assert [f["country"] for f in later_year["by_country"]] == ["KE"]
    nothing = analyst.get(f"{TRAINING}/stats", params={"program_id": str(uuid.uuid4())}).json()
    assert nothing == {"participants": 0, "completions": 0, "certificates": 0, "by_country": [], "by_partner": [],
                       "by_program": [], "by_year": []}
    everything = coordinator.get(f"{TRAINING}/stats").json()
    assert everything["participants"] >= 3 and program["id"] in {f["program_id"] for f in everything["by_program"]}

    own = partner.get(f"{TRAINING}/stats", params={"program_id": program["id"]}).json()
    assert (own["participants"], own["completions"]) == (1, 0), "a partner sees its own staff only"
    assert [f["country"] for f in own["by_country"]] == ["CN"]
    assert [f["partner_id"] for f in own["by_partner"]] == [seats_partner["id"]]
    assert partner.get(f"{TRAINING}/stats").json()["by_partner"][0]["partner_id"] == seats_partner["id"]

    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(f"{TRAINING}/stats"))["status"] == 403
    assert problem_of(anonymous.get(f"{TRAINING}/stats"))["status"] == 401
    for bad in ({"year": "1800"}, {"year": "soon"}, {"program_id": "nope"}):
        assert problem_of(analyst.get(f"{TRAINING}/stats", params=bad))["status"] == 422, bad
