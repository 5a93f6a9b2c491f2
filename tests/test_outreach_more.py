"""Outreach events through the gateway, beyond capacity: who sees what (anonymous, members, co-hosting partners,
staff), co-hosts, agreements and works checked against the read models fed by real events, finding events with
every filter and keyset pages, what cancellation and completion publish on Kafka (and what the partnerships
impact ledger makes of it), the stats, the lifecycle's refusals, and bad input that must never be a 5xx."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any

import httpx
import icalendar
import pytest
from aiokafka import AIOKafkaProducer

from tests.harness import Stack, problem_of, wait_until
from tests.test_messaging import read_topic

OUTREACH = "/api/v1/outreach"
EVENTS = f"{OUTREACH}/events"
PARTNERSHIPS = "/api/v1/partnerships"


# --- helpers ---------------------------------------------------------------------------------------------


def event_body(**extra: Any) -> dict[str, Any]:
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    return {"title": {"en": f"Panda lecture {uuid.uuid4().hex[:6]}"}, "kind": "lecture",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "timezone": "Asia/Shanghai", "capacity": 30,
            "venue": {"name": "Panda Museum", "city": "Chengdu", "country": "CN"}} | extra


def at(day: str, hour: int = 10, hours: int = 2) -> dict[str, str]:
    """starts_at / ends_at on `day` (YYYY-MM-DD) at `hour` UTC."""
    starts = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=hours)).isoformat()}


def drafted(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = client.post(EVENTS, json=event_body(**extra))
    assert r.status_code == 201, r.text
    return r.json()


def act(client: httpx.Client, event_id: str, action: str, **fields: Any) -> httpx.Response:
    return client.post(f"{EVENTS}/{event_id}/transitions", json={"action": action, **fields})


def scheduled(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = act(client, drafted(client, **extra)["id"], "schedule")
    assert r.status_code == 200, r.text
    return r.json()


def completed(client: httpx.Client, attendance: int, **extra: Any) -> dict[str, Any]:
    r = act(client, scheduled(client, **extra)["id"], "complete", attendance=attendance)
    assert r.status_code == 200, r.text
    return r.json()


def party(size: int = 1) -> dict[str, Any]:
    return {"name": "Visitor", "email": f"v-{uuid.uuid4().hex[:8]}@example.org", "party_size": size}


def register(client: httpx.Client, event_id: str, size: int = 1) -> dict[str, Any]:
    r = client.post(f"{EVENTS}/{event_id}/registrations", json=party(size))
    assert r.status_code == 201, r.text
    return r.json()


def cancel_registration(client: httpx.Client, registration_id: str) -> httpx.Response:
    return client.post(f"{OUTREACH}/registrations/{registration_id}/transitions", json={"action": "cancel"})


def all_pages(client: httpx.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = client.get(EVENTS, params=params | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def outreach_event_on_kafka(stack: Stack, event_id: str, event_type: str) -> dict[str, Any]:
    """The CloudEvent of `event_type` about `event_id` on `outreach.events`, keyed by the event's id."""

    def found(records: list[Any]) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in records
                if r.key == event_id.encode() and json.loads(r.value)["type"] == event_type]

    records = asyncio.run(read_topic(stack.bootstrap, "outreach.events", found, 20))
    (event,) = found(records)
    return event


def publish_work(stack: Stack, work_id: str) -> None:
    """A real `publications.work.published` CloudEvent, as the publications service would write it."""
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/publications",
             "type": "publications.work.published", "subject": work_id,
             "time": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
             "datacontenttype": "application/json", "dataschemaversion": "1",
             "data": {"id": work_id, "version": 1, "title": {"en": "Giant pandas of Sichuan"}, "status": "published",
                      "agreement_ids": [], "partner_ids": []}}

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, enable_idempotence=False)
        await producer.start()
        try:
            await producer.send_and_wait("publications.events", json.dumps(event).encode(), key=work_id.encode())
        finally:
            await producer.stop()

    asyncio.run(send())


def new_partner(client: httpx.Client, country: str = "DE") -> str:
    r = client.post(f"{PARTNERSHIPS}/partners", json={"name": {"en": f"Zoo {uuid.uuid4().hex[:8]}"}, "kind": "zoo",
                                                      "country": country})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_agreement(client: httpx.Client, partner_id: str) -> str:
    r = client.post(f"{PARTNERSHIPS}/agreements", json={
        "title": {"en": "Science popularization"}, "kind": "cultural_exchange", "partner_ids": [partner_id],
        "effective_from": "2024-01-01", "effective_until": "2030-12-31"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_known(client: httpx.Client, field: str, ref_id: str) -> None:
    """Until outreach's read model holds `ref_id`: a PATCH of one draft naming it is refused until then."""
    probe = drafted(client)["id"]
    wait_until(lambda: client.patch(f"{EVENTS}/{probe}", json={field: [ref_id]}).status_code == 200, 30,
               what=f"outreach to know {field} {ref_id}")


@pytest.fixture(scope="module")
def staff(stack: Stack, keys: dict[str, str]):  # type: ignore[no-untyped-def]
    with stack.client(keys["coordinator"]) as c:
        yield c


@pytest.fixture(scope="module")
def cohost(stack: Stack, staff: httpx.Client) -> dict[str, str]:
    """A partner and its agreement, both known to outreach; and a partner key of that partner."""
    pid = new_partner(staff)
    aid = new_agreement(staff, pid)
    wait_until(lambda: staff.get(f"{OUTREACH}/partners/{pid}").status_code == 200, 30,
               what="outreach to know the partner")
    wait_known(staff, "agreement_ids", aid)
    return {"partner_id": pid, "agreement_id": aid, "key": stack.issue_key("partner", pid)["key"]}


# --- who sees what ---------------------------------------------------------------------------------------


def test_who_sees_events_and_registrations(stack: Stack, staff, keys, anonymous, cohost):
    pid = cohost["partner_id"]
    draft = drafted(staff, partner_ids=[pid])
    other = scheduled(staff)  # not co-hosted by the partner
    url = f"{EVENTS}/{draft['id']}"
    assert problem_of(anonymous.get(url))["status"] == 404
    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(url))["status"] == 404
        assert draft["id"] not in ids(member.get(EVENTS, params={"partner_id": pid}).json()["items"])
    with stack.client(keys["analyst"]) as analyst:
        assert analyst.get(url).json()["status"] == "draft"

    with stack.client(cohost["key"]) as partner:
        mine = partner.get(url)
        assert mine.status_code == 200, mine.text
        assert mine.json()["registrations"] == {"confirmed_people": 0, "waiting_people": 0, "checked_in_people": 0}
        assert draft["id"] in ids(partner.get(EVENTS, params={"partner_id": pid, "status": "draft"}).json()["items"])
        theirs = partner.get(f"{EVENTS}/{other['id']}")
        assert theirs.status_code == 200 and theirs.json()["registrations"] is None
    assert anonymous.get(f"{EVENTS}/{other['id']}").json()["registrations"] is None

    # Members register themselves and see their own registrations only.
    act(staff, draft["id"], "schedule")
    by_staff = register(staff, draft["id"], 2)
    first, second = stack.issue_key("member"), stack.issue_key("member")
    with stack.client(first["key"]) as member, stack.client(second["key"]) as stranger:
        own = register(member, draft["id"], 3)
        assert own["status"] == "confirmed"
        listed = member.get(f"{OUTREACH}/registrations").json()
        assert ids(listed["items"]) == [own["id"]], "a member lists only its own registrations"
        assert ids(member.get(f"{EVENTS}/{draft['id']}/registrations").json()["items"]) == [own["id"]]
        assert member.get(f"{OUTREACH}/registrations/{own['id']}").status_code == 200
        assert problem_of(member.get(f"{OUTREACH}/registrations/{by_staff['id']}"))["status"] == 404
        assert problem_of(stranger.get(f"{OUTREACH}/registrations/{own['id']}"))["status"] == 404
        assert problem_of(cancel_registration(stranger, own["id"]))["status"] == 404
        assert stranger.get(f"{OUTREACH}/registrations").json()["items"] == []
        assert member.get(f"{EVENTS}/{draft['id']}").json()["registrations"] is None
    with stack.client(cohost["key"]) as partner:
        counts = partner.get(url).json()["registrations"]
        assert counts == {"confirmed_people": 5, "waiting_people": 0, "checked_in_people": 0}

    assert problem_of(anonymous.post(f"{EVENTS}/{draft['id']}/registrations", json=party()))["status"] == 401
    with stack.client(keys["analyst"]) as analyst:
        assert problem_of(analyst.post(f"{EVENTS}/{draft['id']}/registrations", json=party()))["status"] == 403
        assert len(analyst.get(f"{OUTREACH}/registrations", params={"event_id": draft["id"]}).json()["items"]) == 2


# --- co-hosts, agreements and works against the read models --------------------------------------------------


def test_cohosts_agreements_and_works_are_checked(stack: Stack, staff, cohost):
    pid, aid = cohost["partner_id"], cohost["agreement_id"]
    r = staff.post(EVENTS, json=event_body(partner_ids=[pid], agreement_ids=[aid]))
    assert r.status_code == 201, r.text
    assert (r.json()["partner_ids"], r.json()["agreement_ids"]) == ([pid], [aid])

    for field, known in (("partner_ids", pid), ("agreement_ids", aid)):
        r = staff.post(EVENTS, json=event_body(**{field: [known, str(uuid.uuid4())]}))
        problem = problem_of(r)
        assert r.status_code == 422 and problem["errors"][0]["loc"] == ["body", field, 1], problem

    work_id = str(uuid.uuid4())
    r = staff.post(EVENTS, json=event_body(work_ids=[work_id]))
    assert r.status_code == 422 and problem_of(r)["errors"][0]["loc"] == ["body", "work_ids", 0]
    publish_work(stack, work_id)
    wait_known(staff, "work_ids", work_id)
    r = staff.post(EVENTS, json=event_body(work_ids=[work_id], partner_ids=[pid]))
    assert r.status_code == 201 and r.json()["work_ids"] == [work_id], r.text

    draft = r.json()
    r = staff.patch(f"{EVENTS}/{draft['id']}", json={"work_ids": [work_id, str(uuid.uuid4())]})
    assert r.status_code == 422 and problem_of(r)["errors"][0]["loc"] == ["body", "work_ids", 1]
    assert staff.get(f"{EVENTS}/{draft['id']}").json()["version"] == draft["version"], "a 422 changes nothing"


# --- finding events --------------------------------------------------------------------------------------


def test_finding_events_with_every_filter(staff, anonymous, cohost):
    pid = cohost["partner_id"]
    city = f"Pandaville-{uuid.uuid4().hex[:8]}"
    venue = {"name": "Hall", "city": city, "country": "DE"}
    a = scheduled(staff, **at("2027-06-03"), venue=venue, kind="exhibition", audiences=["children"],
                  languages=["de"], timezone="Europe/Berlin")
    b = scheduled(staff, **at("2027-06-01"), venue=venue, kind="lecture", audiences=["students", "teachers"],
                  languages=["en", "de"], partner_ids=[pid], timezone="Europe/Berlin")
    c = scheduled(staff, **at("2027-06-05", hour=23), venue=venue | {"country": "AT"}, kind="lecture",
                  audiences=["families"], languages=["en"], timezone="America/New_York")
    d = scheduled(staff, **at("2027-06-02"), venue=venue, kind="festival", audiences=["general"],
                  languages=["zh"], timezone="Asia/Shanghai")
    hidden = drafted(staff, **at("2027-06-04"), venue=venue)  # a draft: only staff find it

    mine = {"city": city.upper()}
    assert ids(all_pages(anonymous, mine)) == [b["id"], d["id"], a["id"], c["id"]], "sorted by start"
    assert hidden["id"] in ids(all_pages(staff, mine | {"status": "draft"}))
    cases = [
        ({"from": "2027-06-02"}, [d, a, c]),
        ({"to": "2027-06-02"}, [b, d]),
        ({"from": "2027-06-02", "to": "2027-06-03"}, [d, a]),
        ({"to": "2027-06-05"}, [b, d, a, c]),  # 23:00 UTC on the 5th is still the 5th
        ({"country": "at"}, [c]),
        ({"kind": "lecture"}, [b, c]),
        ({"audience": "teachers"}, [b]),
        ({"language": "de"}, [b, a]),
        ({"language": "EN"}, [b, c]),
        ({"partner_id": pid}, [b]),
        ({"kind": "lecture", "language": "de", "audience": "students", "country": "DE"}, [b]),
        ({"kind": "museum_tour"}, []),
    ]
    for params, expected in cases:
        assert ids(all_pages(anonymous, mine | params)) == ids(expected), params

    # Keyset pages of one cover every event once, in order.
    one_by_one = all_pages(anonymous, mine | {"limit": 1})
    assert ids(one_by_one) == [b["id"], d["id"], a["id"], c["id"]]

    # Times in the event's own timezone, with its offset.
    by_id = {e["id"]: e for e in one_by_one}
    assert by_id[a["id"]]["starts_at_local"].startswith("2027-06-03T12:00:00+02:00")
    assert by_id[c["id"]]["starts_at_local"].startswith("2027-06-05T19:00:00-04:00")
    assert by_id[d["id"]]["starts_at_local"].startswith("2027-06-02T18:00:00+08:00")
    assert by_id[a["id"]]["starts_at"].startswith("2027-06-03T10:00:00")

    # The calendar takes the same filters (and shows scheduled events only).
    r = anonymous.get(f"{OUTREACH}/calendar.ics", params=mine | {"kind": "lecture"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(r.content).walk("VEVENT")]
    assert uids == [f"{b['id']}@outreach.panda-coop", f"{c['id']}@outreach.panda-coop"]

    for bad in ({"kind": "party"}, {"audience": "aliens"}, {"country": "XX"}, {"language": "not a tag"},
                {"partner_id": "nope"}, {"from": "2027-02-30"}, {"to": "tomorrow"}, {"limit": 0}, {"limit": 201},
                {"cursor": "not-a-cursor"}, {"status": "held"}, {"city": ""}, {"city": "a\x00b"}):
        r = anonymous.get(EVENTS, params=bad)
        assert r.status_code == 422 and problem_of(r)["errors"], (bad, r.text)
    assert anonymous.get(EVENTS, params={"to": "9999-12-31", "city": city}).status_code == 200
    assert anonymous.get(f"{OUTREACH}/calendar.ics", params={"to": "9999-12-31", "city": city}).status_code == 200


# --- cancellation and completion on Kafka ----------------------------------------------------------------------


def test_cancellation_tells_every_registration_and_closes_them(stack: Stack, staff):
    event = scheduled(staff, capacity=2)
    confirmed = register(staff, event["id"], 2)
    waiting = register(staff, event["id"], 1)
    gone = register(staff, event["id"], 1)
    assert (confirmed["status"], waiting["status"], gone["status"]) == ("confirmed", "waitlisted", "waitlisted")
    assert cancel_registration(staff, gone["id"]).json()["status"] == "cancelled"

    r = act(staff, event["id"], "cancel", reason="typhoon warning")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["allowed_actions"] == []
    cloud = outreach_event_on_kafka(stack, event["id"], "outreach.event.cancelled")
    assert cloud["subject"] == event["id"] and cloud["specversion"] == "1.0"
    assert sorted(cloud["data"]["registration_ids"]) == sorted([confirmed["id"], waiting["id"]])
    assert cloud["data"]["reason"] == "typhoon warning"

    assert problem_of(staff.post(f"{EVENTS}/{event['id']}/registrations", json=party()))["status"] == 409
    for registration in (confirmed, waiting):
        assert problem_of(cancel_registration(staff, registration["id"]))["status"] == 409
    assert problem_of(act(staff, event["id"], "schedule"))["status"] == 409


def test_completion_is_published_and_counted_in_the_impact_ledger(stack: Stack, staff, keys):
    pid = new_partner(staff, "FR")
    wait_until(lambda: staff.get(f"{OUTREACH}/partners/{pid}").status_code == 200, 30,
               what="outreach to know the partner")
    aid = new_agreement(staff, pid)
    wait_known(staff, "agreement_ids", aid)
    event = scheduled(staff, partner_ids=[pid], agreement_ids=[aid])
    registration = register(staff, event["id"], 3)
    r = staff.post(f"{EVENTS}/{event['id']}/check-ins", json={"code": registration["check_in_code"]})
    assert r.status_code == 200 and r.json()["status"] == "checked_in"

    done = act(staff, event["id"], "complete", walk_ins=4)
    assert done.status_code == 200 and done.json()["attendance"] == 7, done.text
    cloud = outreach_event_on_kafka(stack, event["id"], "outreach.event.completed")
    assert cloud["data"]["attendance"] == 7 and cloud["data"]["walk_ins"] == 4
    assert cloud["data"]["partner_ids"] == [pid] and cloud["data"]["agreement_ids"] == [aid]

    expected = {"outreach_events_held": 1, "outreach_attendance": 7}
    with stack.client(keys["analyst"]) as analyst:
        for url in (f"{PARTNERSHIPS}/partners/{pid}/impact", f"{PARTNERSHIPS}/agreements/{aid}/impact"):
            wait_until(lambda url=url: {k: analyst.get(url).json()[k] for k in expected} == expected, 30,
                       what=f"{url} to count the event")


# --- stats -----------------------------------------------------------------------------------------------------


def test_stats_count_completed_events_exactly(stack: Stack, staff, keys, anonymous, cohost):
    pid = cohost["partner_id"]
    window = {"from": "2188-07-01", "to": "2188-08-31"}  # nobody else holds events then
    completed(staff, 40, **at("2188-07-10"), kind="lecture", audiences=["children", "families"],
              partner_ids=[pid])
    completed(staff, 25, **at("2188-07-20"), kind="exhibition", audiences=["children"],
              venue={"name": "Zoo", "city": "Wien", "country": "AT"})
    # 20:30 in New York on 31 July is 00:30 UTC on 1 August: counted in August.
    completed(staff, 10, starts_at="2188-07-31T20:30:00-04:00", ends_at="2188-07-31T22:00:00-04:00",
              timezone="America/New_York", kind="lecture", audiences=[], partner_ids=[pid], venue=None,
              online_url="https://live.example.org/panda")
    scheduled(staff, **at("2188-07-11"), partner_ids=[pid])  # not held (yet)
    act(staff, scheduled(staff, **at("2188-07-12"))["id"], "cancel")  # not held
    completed(staff, 99, **at("2188-09-01"))  # outside the window

    with stack.client(keys["analyst"]) as analyst:
        r = analyst.get(f"{OUTREACH}/stats", params=window)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "events_held": 3, "attendance": 75,
        "by_kind": [{"kind": "lecture", "events_held": 2, "attendance": 50},
                    {"kind": "exhibition", "events_held": 1, "attendance": 25}],
        "by_audience": [{"audience": "children", "events_held": 2, "attendance": 65},
                        {"audience": "families", "events_held": 1, "attendance": 40}],
        "by_country": [{"country": "CN", "events_held": 1, "attendance": 40},
                       {"country": "AT", "events_held": 1, "attendance": 25}],
        "by_partner": [{"partner_id": pid, "events_held": 2, "attendance": 50}],
        "by_month": [{"month": "2188-07", "events_held": 2, "attendance": 65},
                     {"month": "2188-08", "events_held": 1, "attendance": 10}],
    }

    with stack.client(cohost["key"]) as partner:
        mine = partner.get(f"{OUTREACH}/stats", params=window).json()
    assert (mine["events_held"], mine["attendance"]) == (2, 50), "a partner sees the events it co-hosts"
    assert mine["by_partner"] == [{"partner_id": pid, "events_held": 2, "attendance": 50}]
    assert [m["month"] for m in mine["by_month"]] == ["2188-07", "2188-08"]

    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(f"{OUTREACH}/stats"))["status"] == 403
    assert problem_of(anonymous.get(f"{OUTREACH}/stats"))["status"] == 401
    for bad in ({"from": "2188-13-01"}, {"from": "2188-08-01", "to": "2188-07-01"}):
        r = staff.get(f"{OUTREACH}/stats", params=bad)
        assert r.status_code == 422 and problem_of(r)["errors"], r.text
    later = staff.get(f"{OUTREACH}/stats", params={"from": "2188-08-01", "to": "9999-12-31"})
    assert later.status_code == 200 and later.json()["events_held"] >= 2, later.text


# --- the lifecycle's refusals ----------------------------------------------------------------------------------


def test_the_lifecycle_refuses_what_the_state_does_not_allow(staff):
    draft = drafted(staff)
    problem = problem_of(act(staff, draft["id"], "complete", attendance=3))
    assert problem["status"] == 409 and problem["state"] == "draft"
    assert sorted(problem["allowed_actions"]) == ["cancel", "schedule"]

    event = act(staff, draft["id"], "schedule").json()
    problem = problem_of(act(staff, event["id"], "schedule"))
    assert problem["status"] == 409 and problem["state"] == "scheduled"
    assert sorted(problem["allowed_actions"]) == ["cancel", "complete"]

    stale = staff.patch(f"{EVENTS}/{event['id']}", json={"capacity": 40}, headers={"If-Match": '"1"'})
    assert problem_of(stale)["status"] == 412
    stale = staff.post(f"{EVENTS}/{event['id']}/transitions", json={"action": "cancel"}, headers={"If-Match": '"1"'})
    assert problem_of(stale)["status"] == 412
    assert staff.get(f"{EVENTS}/{event['id']}").json()["status"] == "scheduled", "a 412 changes nothing"
    fresh = staff.patch(f"{EVENTS}/{event['id']}", json={"capacity": 1},
                        headers={"If-Match": staff.get(f"{EVENTS}/{event['id']}").headers["etag"]})
    assert fresh.status_code == 200 and fresh.json()["capacity"] == 1

    first = register(staff, event["id"], 1)
    waiting = register(staff, event["id"], 1)
    assert waiting["status"] == "waitlisted"
    r = staff.post(f"{OUTREACH}/registrations/{waiting['id']}/transitions", json={"action": "check_in"})
    problem = problem_of(r)
    assert problem["status"] == 409 and problem["state"] == "waitlisted" and problem["allowed_actions"] == ["cancel"]
    checked = staff.post(f"{OUTREACH}/registrations/{first['id']}/transitions", json={"action": "check_in"})
    assert checked.status_code == 200 and checked.json()["status"] == "checked_in"

    done = act(staff, event["id"], "complete").json()
    assert done["status"] == "completed" and done["attendance"] == 1
    problem = problem_of(staff.patch(f"{EVENTS}/{event['id']}", json={"capacity": 50}))
    assert problem["status"] == 409 and "completed" in problem["detail"]
    problem = problem_of(act(staff, event["id"], "cancel"))
    assert problem["status"] == 409 and problem["state"] == "completed" and problem["allowed_actions"] == []


# --- bad input is a 422, never a 5xx ---------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"starts_at": "9999-12-31T22:00:00-05:00", "ends_at": "9999-12-31T23:00:00-05:00"},
    {"starts_at": "0001-01-01T00:30:00+01:00", "ends_at": "0001-01-01T02:00:00+01:00"},
    {"starts_at": "0001-01-01T00:30:00Z", "ends_at": "0001-01-01T02:00:00Z", "timezone": "America/New_York"},
    {"timezone": "Europe"},
    {"timezone": "America/Argentina"},
    {"timezone": None},
    {"timezone": "Europe/../UTC"},
])
def test_impossible_times_and_zones_are_422(staff, change):
    r = staff.post(EVENTS, json=event_body(**change))
    assert r.status_code == 422 and problem_of(r)["errors"], r.text
    draft = drafted(staff)
    r = staff.patch(f"{EVENTS}/{draft['id']}", json=change)
    assert r.status_code == 422 and problem_of(r)["errors"], r.text
    assert staff.get(f"{EVENTS}/{draft['id']}").json()["version"] == draft["version"]


def test_texts_at_their_longest_are_stored_or_refused_never_a_5xx(staff, anonymous):
    # Lower-casing "İ" makes two characters: a city of 200 still fits the city filter's column.
    city = "İ" * 199 + uuid.uuid4().hex[:1]
    event = scheduled(staff, venue={"name": "Hall", "city": city, "country": "TR"})
    assert ids(all_pages(anonymous, {"city": city})) == [event["id"]]
    url = f"{EVENTS}/{event['id']}/registrations"
    r = staff.post(url, json={"name": "Caller", "phone": "+" + "1" * 40})
    assert r.status_code == 422 and problem_of(r)["errors"][0]["loc"] == ["body", "phone"], r.text
    r = staff.post(url, json={"name": "Caller", "phone": "+" + "1" * 39})
    assert r.status_code == 201, r.text
