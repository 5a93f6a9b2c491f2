"""Faults that calendar, ticketing and repository tools' own bug reports found in the suite, each as the request
a user would send (the calendars are in test_calendars.py, citations and import in test_bibliography.py)."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid

import httpx

from tests.harness import problem_of

API = "/api/v1"
COMPOSED = "Z\u00fcrich"  # ü as one character (NFC)
DECOMPOSED = "Zu\u0308rich"  # u + COMBINING DIAERESIS (NFD)


def tag() -> str:
    return uuid.uuid4().hex[:8]


# --- text in two Unicode forms -----------------------------------------------------------------------------------


def test_a_name_sent_decomposed_is_stored_composed_and_found_either_way_and_without_accents(coordinator):
    t = tag()
    sent = coordinator.post(f"{API}/partnerships/partners", json={
        "name": {"en": f"Zoo {DECOMPOSED} {t}"}, "kind": "zoo", "country": "CH", "city": DECOMPOSED})
    assert sent.status_code == 201, sent.text
    partner = sent.json()
    assert partner["name"]["en"] == f"Zoo {COMPOSED} {t}" and partner["city"] == COMPOSED
    assert unicodedata.is_normalized("NFC", partner["name"]["en"])
    for q in (f"{COMPOSED} {t}", f"{DECOMPOSED} {t}", f"zurich {t}", f"ZÜRICH {t}"):
        found = coordinator.get(f"{API}/partnerships/partners", params={"q": q}).json()["items"]
        assert [p["id"] for p in found] == [partner["id"]], q


def test_programs_and_pandas_are_found_whatever_form_their_accents_take(coordinator):
    t = tag()
    r = coordinator.post(f"{API}/training/programs", json={
        "title": {"en": f"Panda care in {COMPOSED} {t}"}, "topics": ["husbandry"], "format": "onsite",
        "languages": ["en"]})
    assert r.status_code == 201, r.text
    program = r.json()["id"]
    r = coordinator.post(f"{API}/partnerships/pandas", json={
        "studbook_number": f"SB-{t}", "name": {"en": f"Ñandú {t}"}, "sex": "female", "birth_date": "2019-08-01"})
    assert r.status_code == 201, r.text
    panda = r.json()["id"]
    for q in (f"{DECOMPOSED} {t}", f"zurich {t}"):
        items = coordinator.get(f"{API}/training/programs", params={"q": q}).json()["items"]
        assert [p["id"] for p in items] == [program], q
    for q in (f"N\u0303andu\u0301 {t}", f"nandu {t}"):
        items = coordinator.get(f"{API}/partnerships/pandas", params={"q": q}).json()["items"]
        assert [p["id"] for p in items] == [panda], q


# --- what a newcomer can get -------------------------------------------------------------------------------------


def _party(size: int) -> dict:
    return {"name": f"Party of {size}", "email": f"party-{tag()}@example.org", "party_size": size}


def test_places_left_is_what_a_newcomer_gets_while_a_party_waits(coordinator):
    """Capacity 5, a party of 3 confirmed, a party of 3 waiting: 2 places are unfilled, but none is left for a
    newcomer, who would wait behind the party of 3."""
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=20)
    event = coordinator.post(f"{API}/outreach/events", json={
        "title": {"en": f"Small classroom {tag()}"}, "kind": "classroom", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "timezone": "Asia/Shanghai", "capacity": 5,
        "venue": {"name": "Panda Museum", "city": "Chengdu", "country": "CN"}}).json()
    url = f"{API}/outreach/events/{event['id']}"
    assert coordinator.post(f"{url}/transitions", json={"action": "schedule"}).status_code == 200
    assert coordinator.post(f"{url}/registrations", json=_party(3)).json()["status"] == "confirmed"
    assert coordinator.post(f"{url}/registrations", json=_party(3)).json()["status"] == "waitlisted"
    state = coordinator.get(url).json()
    assert (state["places_left"], state["places_unfilled"]) == (0, 2)
    assert coordinator.post(f"{url}/registrations", json=_party(1)).json()["status"] == "waitlisted", \
        "the newcomer was told no place was left, and got none"


def test_seats_left_is_what_a_newcomer_gets_while_someone_waits(coordinator):
    """Capacity 3 with 1 seat reserved for partners' staff: two general seats taken, a third applicant waits;
    the reserved seat is unfilled, yet nothing is left for a newcomer."""
    from tests.test_enrollment import cohort_of, participant, published_program

    cohort = cohort_of(coordinator, published_program(coordinator)["id"], 3, reserved_seats=1)
    url = f"{API}/training/cohorts/{cohort['id']}"
    answers = [coordinator.post(f"{url}/enrollments", json=participant(i)).json()["status"] for i in range(3)]
    assert answers == ["accepted", "accepted", "waitlisted"]
    state = coordinator.get(url).json()
    assert (state["seats_left"], state["seats_unfilled"], state["reserved_seats_left"]) == (0, 1, 1)


# --- weak ETags --------------------------------------------------------------------------------------------------


def test_if_match_compares_strongly_and_if_none_match_weakly(coordinator):
    """RFC 9110 §13.1.1: a weak ETag never matches in If-Match; §13.1.2: If-None-Match compares weakly."""
    partner = coordinator.post(f"{API}/partnerships/partners", json={
        "name": {"en": f"ETag Zoo {tag()}"}, "kind": "zoo", "country": "NL"}).json()
    url = f"{API}/partnerships/partners/{partner['id']}"
    weak = coordinator.patch(url, json={"city": "Utrecht"}, headers={"If-Match": 'W/"1"'})
    assert problem_of(weak)["status"] == 412
    assert coordinator.get(url).json()["version"] == 1, "nothing changed"
    assert coordinator.get(url, headers={"If-None-Match": 'W/"1"'}).status_code == 304
    assert coordinator.patch(url, json={"city": "Utrecht"}, headers={"If-Match": '"1"'}).status_code == 200


# --- the contract's smallest outreach event ----------------------------------------------------------------------


def test_the_contracts_smallest_event_is_a_draft_and_scheduling_names_what_is_missing(coordinator):
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=40)
    smallest = {"title": {"en": f"Lecture {tag()}"}, "kind": "lecture", "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=1)).isoformat(), "timezone": "Asia/Shanghai",
                "capacity": 100}
    r = coordinator.post(f"{API}/outreach/events", json=smallest)
    assert r.status_code == 201 and r.json()["status"] == "draft", r.text
    url = f"{API}/outreach/events/{r.json()['id']}"
    refused = coordinator.post(f"{url}/transitions", json={"action": "schedule"})
    problem = problem_of(refused)
    assert problem["status"] == 409 and set(problem["missing"]) == {"venue", "online_url"}, problem
    assert coordinator.patch(url, json={"online_url": "https://live.panda.example/lecture"}).status_code == 200
    scheduled = coordinator.post(f"{url}/transitions", json={"action": "schedule"})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled", scheduled.text


def test_works_search_already_folds_accents(coordinator: httpx.Client):
    """The counter-check: the full-text search of works found both forms before; it still does."""
    t = tag()
    r = coordinator.post(f"{API}/publications/works", json={
        "type": "report", "title": {"en": f"Bamboo in {DECOMPOSED} {t}"}, "authors": [{"name": "A. Keeper"}],
        "date": "2026-05-01"})
    assert r.status_code == 201, r.text
    assert r.json()["title"]["en"] == f"Bamboo in {COMPOSED} {t}"
    for q in (f"{COMPOSED} {t}", f"zurich {t}"):
        items = coordinator.get(f"{API}/publications/works", params={"q": q}).json()["items"]
        assert [w["id"] for w in items] == [r.json()["id"]], q
