"""The impact ledger: `partners/{id}/impact` and `agreements/{id}/impact`, counted from real CloudEvents on the
training, outreach and publications topics (in the format `services/partnerships/domain/impact.py` defines),
exactly once per event and corrected by retractions and cancellations, whatever the delivery order.

Ordering on Kafka holds per partition, so a test that must know a late event has been handled sends a
*marker* after it with the same key (the same partition): once the marker's effect shows, everything before
it in the partition has been handled too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.partnerships.domain import impact as ledger
from tests.harness import POSTGRES_URL, Stack, _pg_admin, problem_of, use_postgres, wait_until
from tests.test_messaging import read_topic

FIGURES = ("works_published", "trainees_completed", "certificates_issued", "outreach_events_held",
           "outreach_attendance")
ZERO = dict.fromkeys(FIGURES, 0)
T0 = dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)


# --- helpers ---------------------------------------------------------------------------------------------


def cloud_event(event_type: str, data: dict[str, Any], *, at: dt.datetime | None = None,
                event_id: str | None = None) -> dict[str, Any]:
    service = event_type.split(".", 1)[0]
    return {
        "specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": f"/{service}", "type": event_type,
        "subject": str(data.get("id") or data.get("code")),
        "time": (at or dt.datetime.now(dt.UTC)).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json", "dataschemaversion": "1", "data": data,
    }


def publish(stack: Stack, *events: dict[str, Any], key: str | None = None) -> None:
    """Each event on its service's topic, keyed by its subject (or by `key`), in the order given."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, enable_idempotence=False)
        await producer.start()
        try:
            for e in events:
                topic = e["type"].split(".", 1)[0] + ".events"
                await producer.send_and_wait(topic, json.dumps(e).encode(), key=(key or e["subject"]).encode())
        finally:
            await producer.stop()

    asyncio.run(send())


def figures(client: httpx.Client, url: str) -> dict[str, int]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return {f: r.json()[f] for f in FIGURES}


def wait_figures(client: httpx.Client, url: str, expected: dict[str, int], timeout: float = 30) -> None:
    want = ZERO | expected
    wait_until(lambda: figures(client, url) == want, timeout, what=f"{url} to read {want}")


def partner_url(partner_id: str) -> str:
    return f"/api/v1/partnerships/partners/{partner_id}/impact"


def agreement_url(agreement_id: str) -> str:
    return f"/api/v1/partnerships/agreements/{agreement_id}/impact"


def new_partner(coordinator: httpx.Client, name: str = "Impact Zoo") -> str:
    r = coordinator.post("/api/v1/partnerships/partners",
                         json={"name": {"en": f"{name} {uuid.uuid4().hex[:6]}"}, "kind": "zoo", "country": "US"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_agreement(coordinator: httpx.Client, partner_ids: list[str]) -> str:
    r = coordinator.post("/api/v1/partnerships/agreements", json={
        "title": {"en": "Joint research on panda breeding"}, "kind": "research_cooperation",
        "partner_ids": partner_ids, "effective_from": "2024-01-01", "effective_until": "2030-12-31",
    })
    assert r.status_code == 201, r.text
    return r.json()["id"]


def work(event: str, work_id: str, version: int | None, partner_ids: list[str], agreement_ids: list[str] = (),
         **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": work_id, "partner_ids": list(partner_ids), "agreement_ids": list(agreement_ids)}
    if version is not None:
        data["version"] = version
    return cloud_event(f"publications.work.{event}", data, **kw)


def outreach(event: str, event_id: str, version: int | None, partner_ids: list[str],
             agreement_ids: list[str] = (), attendance: int | None = None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": event_id, "partner_ids": list(partner_ids), "agreement_ids": list(agreement_ids)}
    if version is not None:
        data["version"] = version
    if attendance is not None:
        data["attendance"] = attendance
    return cloud_event(f"outreach.event.{event}", data, **kw)


@pytest.fixture
def analyst(stack: Stack, keys):  # type: ignore[no-untyped-def]
    with stack.client(keys["analyst"]) as c:
        yield c


# --- through the gateway, with real events on Kafka -------------------------------------------------------


def test_each_figure_is_counted_for_the_partner_and_the_agreement(stack: Stack, coordinator, analyst):
    pid, other = new_partner(coordinator), new_partner(coordinator)
    aid = new_agreement(coordinator, [pid, other])
    ghost_partner = str(uuid.uuid4())  # not (yet) known to partnerships: counted all the same, never a crash
    publish(
        stack,
        work("published", str(uuid.uuid4()), 1, [pid, ghost_partner], [aid]),
        work("published", str(uuid.uuid4()), 3, [pid, other], []),
        cloud_event("training.enrollment.completed",
                    {"id": str(uuid.uuid4()), "version": 4, "partner_id": pid, "agreement_ids": [aid]}),
        cloud_event("training.enrollment.completed",
                    {"id": str(uuid.uuid4()), "version": 4, "partner_id": None, "agreement_ids": [aid]}),
        cloud_event("training.certificate.issued",
                    {"code": f"CERT-{uuid.uuid4().hex[:8]}", "partner_id": pid, "agreement_ids": [aid]}),
        outreach("completed", str(uuid.uuid4()), 3, [pid, other], [aid], attendance=120),
        outreach("completed", str(uuid.uuid4()), 3, [pid], [], attendance=35),
    )
    wait_figures(analyst, partner_url(pid), {"works_published": 2, "trainees_completed": 1,
                                             "certificates_issued": 1, "outreach_events_held": 2,
                                             "outreach_attendance": 155})
    wait_figures(analyst, agreement_url(aid), {"works_published": 1, "trainees_completed": 2,
                                               "certificates_issued": 1, "outreach_events_held": 1,
                                               "outreach_attendance": 120})
    wait_figures(analyst, partner_url(other), {"works_published": 1, "outreach_events_held": 1,
                                               "outreach_attendance": 120})
    body = analyst.get(partner_url(pid)).json()
    assert body["partner_id"] == pid
    assert all(type(body[f]) is int for f in FIGURES)
    assert analyst.get(agreement_url(aid)).json()["agreement_id"] == aid

    # The stats for dashboards carry the same ledger, every partner's and agreement's at once.
    stats = analyst.get("/api/v1/partnerships/stats").json()
    by_partner = {row["partner_id"]: row for row in stats["impact_by_partner"]}
    by_agreement = {row["agreement_id"]: row for row in stats["impact_by_agreement"]}
    for partner in (pid, other):
        assert by_partner[partner] == analyst.get(partner_url(partner)).json()
    assert by_partner[ghost_partner]["works_published"] == 1  # counted before partnerships knows the partner
    assert by_agreement[aid] == analyst.get(agreement_url(aid)).json()


def test_a_new_partner_has_every_figure_at_zero(coordinator, analyst):
    pid = new_partner(coordinator)
    aid = new_agreement(coordinator, [pid])
    assert analyst.get(partner_url(pid)).json() == {"partner_id": pid, **ZERO}
    assert analyst.get(agreement_url(aid)).json() == {"agreement_id": aid, **ZERO}


def test_the_same_event_delivered_three_times_counts_once(stack: Stack, coordinator, analyst):
    pid, marker_pid = new_partner(coordinator), new_partner(coordinator)
    work_id = str(uuid.uuid4())
    event = work("published", work_id, 1, [pid])
    resent_under_new_id = dict(event, id=str(uuid.uuid4()))  # a producer that re-published its outbox row
    publish(stack, event, event, event, resent_under_new_id)
    # After them, on the same partition: another work that counts only for the marker partner.
    publish(stack, work("published", str(uuid.uuid4()), 1, [marker_pid]), key=work_id)
    wait_figures(analyst, partner_url(marker_pid), {"works_published": 1})
    assert figures(analyst, partner_url(pid)) == ZERO | {"works_published": 1}


def test_a_retracted_work_no_longer_counts(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    aid = new_agreement(coordinator, [pid])
    kept, retracted = str(uuid.uuid4()), str(uuid.uuid4())
    publish(stack, work("published", kept, 1, [pid], [aid]), work("published", retracted, 1, [pid], [aid]))
    wait_figures(analyst, partner_url(pid), {"works_published": 2})
    wait_figures(analyst, agreement_url(aid), {"works_published": 2})

    publish(stack, work("retracted", retracted, 2, [pid], [aid]))
    wait_figures(analyst, partner_url(pid), {"works_published": 1})
    wait_figures(analyst, agreement_url(aid), {"works_published": 1})


def test_a_retraction_that_overtakes_the_publication_keeps_the_work_uncounted(stack: Stack, coordinator, analyst):
    pid, marker_pid = new_partner(coordinator), new_partner(coordinator)
    work_id = str(uuid.uuid4())
    published = work("published", work_id, 1, [pid], at=T0)
    retracted = work("retracted", work_id, 2, [pid], at=T0 + dt.timedelta(days=30))
    publish(stack, retracted, published, published)  # the newer event first, the older one (twice) after it
    publish(stack, work("published", str(uuid.uuid4()), 1, [marker_pid]), key=work_id)
    wait_figures(analyst, partner_url(marker_pid), {"works_published": 1})
    assert figures(analyst, partner_url(pid)) == ZERO


def test_events_without_a_version_are_ordered_by_their_time(stack: Stack, coordinator, analyst):
    pid, marker_pid = new_partner(coordinator), new_partner(coordinator)
    event_id = str(uuid.uuid4())
    cancelled = outreach("cancelled", event_id, None, [pid], at=T0 + dt.timedelta(hours=2))
    completed = outreach("completed", event_id, None, [pid], attendance=80, at=T0)
    publish(stack, cancelled, completed)
    publish(stack, work("published", str(uuid.uuid4()), 1, [marker_pid]), key=event_id)
    wait_figures(analyst, partner_url(marker_pid), {"works_published": 1})
    assert figures(analyst, partner_url(pid)) == ZERO


def test_an_outreach_event_cancelled_after_completion_is_corrected(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    aid = new_agreement(coordinator, [pid])
    stays, cancelled = str(uuid.uuid4()), str(uuid.uuid4())
    publish(stack, outreach("completed", stays, 3, [pid], [aid], attendance=40),
            outreach("completed", cancelled, 3, [pid], [aid], attendance=250))
    both = {"outreach_events_held": 2, "outreach_attendance": 290}
    wait_figures(analyst, partner_url(pid), both)
    wait_figures(analyst, agreement_url(aid), both)

    publish(stack, outreach("cancelled", cancelled, 4, [pid], [aid]))
    one = {"outreach_events_held": 1, "outreach_attendance": 40}
    wait_figures(analyst, partner_url(pid), one)
    wait_figures(analyst, agreement_url(aid), one)


def test_a_corrected_attendance_replaces_the_first_one(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    event_id = str(uuid.uuid4())
    publish(stack, outreach("completed", event_id, 3, [pid], attendance=90))
    wait_figures(analyst, partner_url(pid), {"outreach_events_held": 1, "outreach_attendance": 90})
    publish(stack, outreach("completed", event_id, 4, [pid], attendance=95))
    wait_figures(analyst, partner_url(pid), {"outreach_events_held": 1, "outreach_attendance": 95})


def test_a_revoked_certificate_no_longer_counts(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    code = f"CERT-{uuid.uuid4().hex[:8]}"
    publish(stack, cloud_event("training.certificate.issued", {"code": code, "partner_id": pid}))
    wait_figures(analyst, partner_url(pid), {"certificates_issued": 1})
    publish(stack, cloud_event("training.certificate.revoked", {"code": code, "partner_id": pid}))
    wait_figures(analyst, partner_url(pid), {})


def test_malformed_impact_events_are_dead_lettered_and_the_partition_moves_on(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    key = str(uuid.uuid4())
    bad = cloud_event("training.enrollment.completed",
                      {"id": key, "version": 1, "partner_id": pid, "agreement_ids": ["not-a-uuid"]})
    bad_attendance = outreach("completed", str(uuid.uuid4()), 1, [pid], attendance=-5)
    good = cloud_event("training.enrollment.completed",
                       {"id": str(uuid.uuid4()), "version": 1, "partner_id": pid, "agreement_ids": []})
    publish(stack, bad, good, key=key)
    publish(stack, bad_attendance)
    wait_figures(analyst, partner_url(pid), {"trainees_completed": 1})

    def parked(topic: str, event_id: str) -> bool:
        records = asyncio.run(read_topic(
            stack.bootstrap, topic,
            lambda rs: any(json.loads(r.value)["id"] == event_id for r in rs), 5))
        return any(json.loads(r.value)["id"] == event_id
                   and dict(r.headers)["consumer-group"] == b"partnerships" for r in records)

    wait_until(lambda: parked("training.events.dlq", bad["id"]), 40, what="the malformed enrollment in the DLQ")
    wait_until(lambda: parked("outreach.events.dlq", bad_attendance["id"]), 40,
               what="the negative attendance in the DLQ")
    assert figures(analyst, partner_url(pid)) == ZERO | {"trainees_completed": 1}


# --- who may see ------------------------------------------------------------------------------------------


def test_a_partner_sees_its_own_impact_and_no_one_elses(stack: Stack, coordinator, analyst, keys, anonymous):
    mine, theirs = new_partner(coordinator), new_partner(coordinator)
    shared_agreement = new_agreement(coordinator, [mine, theirs])
    their_agreement = new_agreement(coordinator, [theirs])
    publish(stack, work("published", str(uuid.uuid4()), 1, [mine, theirs], [shared_agreement, their_agreement]))
    wait_figures(analyst, partner_url(mine), {"works_published": 1})
    wait_figures(analyst, partner_url(theirs), {"works_published": 1})

    with stack.client(stack.issue_key("partner", mine)["key"]) as partner:
        assert figures(partner, partner_url(mine)) == ZERO | {"works_published": 1}
        assert figures(partner, agreement_url(shared_agreement)) == ZERO | {"works_published": 1}
        assert problem_of(partner.get(partner_url(theirs)))["status"] == 403
        # A draft agreement the partner is not party to is not known to it at all, as on /agreements/{id}.
        assert problem_of(partner.get(agreement_url(their_agreement)))["status"] == 404
        assert problem_of(partner.get(partner_url(str(uuid.uuid4()))))["status"] == 404

    for url in (partner_url(mine), partner_url(theirs), agreement_url(their_agreement)):
        assert figures(analyst, url)["works_published"] == 1
    with stack.client(keys["member"]) as member:
        assert problem_of(member.get(partner_url(mine)))["status"] == 403
    assert problem_of(anonymous.get(partner_url(mine)))["status"] == 401
    assert problem_of(anonymous.get(agreement_url(shared_agreement)))["status"] == 401


def test_a_partner_gets_403_for_a_signed_agreement_that_does_not_name_it(stack: Stack, coordinator, keys):
    mine, theirs = new_partner(coordinator), new_partner(coordinator)
    aid = new_agreement(coordinator, [theirs])
    for action in ({"action": "submit"}, {"action": "sign", "signed_on": "2024-01-01"}):
        r = coordinator.post(f"/api/v1/partnerships/agreements/{aid}/transitions", json=action)
        assert r.status_code == 200, r.text
    with stack.client(stack.issue_key("partner", mine)["key"]) as partner:
        assert problem_of(partner.get(agreement_url(aid)))["status"] == 403
    with stack.client(stack.issue_key("partner", theirs)["key"]) as partner:
        assert figures(partner, agreement_url(aid)) == ZERO


def test_unknown_and_malformed_ids(analyst):
    assert problem_of(analyst.get(partner_url(str(uuid.uuid4()))))["status"] == 404
    assert problem_of(analyst.get(agreement_url(str(uuid.uuid4()))))["status"] == 404
    assert problem_of(analyst.get(partner_url("not-a-uuid")))["status"] == 422
    assert problem_of(analyst.get(agreement_url("%00")))["status"] == 422


def test_impact_answers_304_while_the_figures_are_unchanged(stack: Stack, coordinator, analyst):
    pid = new_partner(coordinator)
    first = analyst.get(partner_url(pid))
    etag = first.headers["etag"]
    assert analyst.get(partner_url(pid), headers={"If-None-Match": etag}).status_code == 304
    publish(stack, work("published", str(uuid.uuid4()), 1, [pid]))
    wait_figures(analyst, partner_url(pid), {"works_published": 1})
    changed = analyst.get(partner_url(pid), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


# --- the ledger itself: any delivery order, any number of repeats, the same figures ------------------------


def test_impact_counts_stay_exact_under_redelivered_and_out_of_order_events(tmp_path: Path):
    """The handlers on a real database, each event in its own transaction as the consumer applies it: every
    shuffled, repeated delivery of one history ends in the figures of its newest states."""
    db_name = f"impact_{uuid.uuid4().hex[:8]}"
    if use_postgres():
        _pg_admin([f'CREATE DATABASE "{db_name}"'])
        url = f"{POSTGRES_URL}/{db_name}"
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / (db_name + '.db')}"
    try:
        asyncio.run(_shuffled_histories(url))
    finally:
        if use_postgres():
            _pg_admin([f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'])


def _history(rng: random.Random) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, int]]]:
    """The events of one partner's and two agreements' cooperation, and the figures they must end in."""
    p, a, b = (str(uuid.uuid4()) for _ in range(3))
    w, e, o1, o2 = (str(uuid.uuid4()) for _ in range(4))
    c1, c2 = f"CERT-{rng.getrandbits(40):x}", f"CERT-{rng.getrandbits(40):x}"
    t = [T0 + dt.timedelta(minutes=i) for i in range(10)]
    events = [
        work("published", w, 1, [p], [a], at=t[0]),
        work("published", w, 2, [p], [a, b], at=t[1]),  # linked to one more agreement
        cloud_event("training.enrollment.completed", {"id": e, "version": 5, "partner_id": p, "agreement_ids": [a]},
                    at=t[0]),
        outreach("completed", o1, None, [p], [b], attendance=30, at=t[2]),  # no versions: ordered by time
        outreach("completed", o2, None, [p], [b], attendance=12, at=t[2]),
        outreach("cancelled", o2, None, [p], [b], at=t[3]),
        cloud_event("training.certificate.issued", {"code": c1, "partner_id": p, "agreement_ids": [a]}, at=t[4]),
        cloud_event("training.certificate.issued", {"code": c2, "partner_id": p, "agreement_ids": [a]}, at=t[4]),
        cloud_event("training.certificate.revoked", {"code": c2, "partner_id": p, "agreement_ids": [a]}, at=t[5]),
    ]
    expected = {
        ("partner", p): ZERO | {"works_published": 1, "trainees_completed": 1, "certificates_issued": 1,
                               "outreach_events_held": 1, "outreach_attendance": 30},
        ("agreement", a): ZERO | {"works_published": 1, "trainees_completed": 1, "certificates_issued": 1},
        ("agreement", b): ZERO | {"works_published": 1, "outreach_events_held": 1, "outreach_attendance": 30},
    }
    return events, expected


async def _shuffled_histories(url: str) -> None:
    from sqlalchemy import func, select

    from services.partnerships.db.models import impact_contributions, metadata
    from services.partnerships.events.handlers import handlers
    from shared.db.engine import Database
    from shared.events.envelope import CloudEvent

    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        rng = random.Random(20260329)
        for _ in range(25):
            events, expected = _history(rng)
            # Every event at least once, some up to three times (the same event id or a re-published copy),
            # in any order.
            deliveries = [dict(e, id=str(uuid.uuid4())) if rng.random() < 0.3 else e
                          for e in events for _ in range(rng.randint(1, 3))]
            rng.shuffle(deliveries)
            for raw in deliveries:
                event = CloudEvent.model_validate(raw)
                async with db.write_session() as session, session.begin():
                    handler = handlers.get(event.type)
                    assert handler is not None, event.type
                    await handler(session, event)
            c = impact_contributions
            async with db.read() as session:
                for (scope, scope_id), want in expected.items():
                    rows = await session.execute(
                        select(c.c.figure, func.sum(c.c.amount))
                        .where(c.c.scope == scope, c.c.scope_id == uuid.UUID(scope_id)).group_by(c.c.figure))
                    got = ledger.Impact.from_totals(rows.all()).as_dict()
                    assert got == want, (scope, [(d["type"], d["data"].get("version"), d["time"])
                                                 for d in deliveries])
    finally:
        await db.dispose()


# --- the event format, without I/O ------------------------------------------------------------------------


def test_every_impact_event_type_has_a_handler():
    from services.partnerships.events.handlers import handlers

    assert all(handlers.get(t) for t in ledger.EVENT_TYPES)
    assert {"training.events", "outreach.events", "publications.events"} <= handlers.topics
    assert ledger.FIGURES == FIGURES


def test_a_report_names_its_source_version_and_contributions():
    p, a = uuid.uuid4(), uuid.uuid4()
    work_id = uuid.uuid4()
    report = ledger.report_of("publications.work.published",
                              {"id": str(work_id).upper(), "version": 3, "partner_ids": [str(p), str(p)],
                               "agreement_ids": [str(a)]}, T0)
    assert report.source == f"publications.work:{work_id}"
    assert report.version == 3
    assert Counter((c.scope.value, c.scope_id, c.figure, c.amount) for c in report.contributions) == Counter(
        {("partner", p, "works_published", 1): 1, ("agreement", a, "works_published", 1): 1})

    unversioned = ledger.report_of("outreach.event.cancelled", {"id": str(work_id)}, T0.replace(tzinfo=None))
    assert unversioned.version == 0 and unversioned.occurred_at == T0 and unversioned.contributions == ()
    assert unversioned.supersedes(0, T0 - dt.timedelta(seconds=1))
    assert not unversioned.supersedes(0, T0)
    assert not unversioned.supersedes(1, T0 - dt.timedelta(days=1))

    certificate = ledger.report_of("training.certificate.issued", {"code": "CERT-1", "partner_id": None}, T0)
    assert certificate.source == "training.certificate:CERT-1" and certificate.version == 1
    assert certificate.contributions == ()
    assert ledger.Impact().as_dict() == ZERO


@pytest.mark.parametrize("event_type, data", [
    ("publications.work.published", {"id": "w", "partner_ids": ["not-a-uuid"]}),
    ("publications.work.published", {"id": "w", "partner_ids": "0b7c2f0e-0000-4000-8000-000000000000"}),
    ("publications.work.published", {"id": "w", "agreement_ids": [17]}),
    ("publications.work.published", {"partner_ids": []}),
    ("publications.work.published", {"id": 42}),
    ("publications.work.published", {"id": "x" * 500}),
    ("publications.work.published", {"id": "w", "version": "3"}),
    ("publications.work.published", {"id": "w", "version": -1}),
    ("training.enrollment.completed", {"id": "e", "partner_id": "nobody"}),
    ("outreach.event.completed", {"id": "o", "partner_ids": []}),
    ("outreach.event.completed", {"id": "o", "attendance": -1}),
    ("outreach.event.completed", {"id": "o", "attendance": True}),
    ("outreach.event.completed", {"id": "o", "attendance": 2**40}),
    ("training.certificate.issued", {"partner_id": None}),
    ("partnerships.partner.registered", {"id": "p"}),
])
def test_malformed_data_is_refused(event_type, data):
    with pytest.raises(ledger.MalformedImpactEvent):
        ledger.report_of(event_type, data, T0)
