"""Events between services: exactly-once effects across crashes, no loss while the broker is away, poison
messages parked in the DLQ, and per-aggregate order under concurrent writers. Real broker, real processes."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.harness import (
    POSTGRES_URL,
    Process,
    Stack,
    _pg_admin,
    free_port,
    running_stack,
    use_postgres,
    wait_until,
)


def new_partner_body(tag: str, i: int = 0) -> dict:
    return {"name": {"en": f"{tag} institution {i}"}, "kind": "research_institute", "country": "GB"}


def create_partners(stack: Stack, key: str, tag: str, count: int, workers: int = 8) -> list[str]:
    def one(i: int) -> str:
        with stack.client(key) as c:
            r = c.post("/api/v1/partnerships/partners", json=new_partner_body(tag, i))
            assert r.status_code == 201, r.text
            return r.json()["id"]

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(count)))


async def read_topic(bootstrap: str, topic: str, stop, timeout: float = 20.0) -> list:
    """Records of `topic` from the beginning until `stop(records)` is true (or the deadline)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"test-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and not stop(records):
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def publish(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


class Counter_:
    """tests/apps/counter.py as a process: a consumer whose effect counts every application."""

    def __init__(self, stack: Stack, workdir: Path, delay: float, crash_after_commit: bool = False) -> None:
        self.port = free_port()
        self.db_name = f"counter_{uuid.uuid4().hex[:8]}"
        if use_postgres():
            _pg_admin([f'CREATE DATABASE "{self.db_name}"'])
            url = f"{POSTGRES_URL}/{self.db_name}"
        else:
            url = f"sqlite+aiosqlite:///{workdir / (self.db_name + '.db')}"
        env = stack.env | {"COUNTER_DATABASE_URL": url, "COUNTER_PORT": str(self.port),
                           "COUNTER_DELAY_PER_EVENT_SECONDS": str(delay)}
        if crash_after_commit:
            env["COUNTER_CRASH_AFTER_COMMIT"] = "true"
        argv = [sys.executable, "-m", "uvicorn", "tests.apps.counter:app", "--host", "127.0.0.1",
                "--port", str(self.port), "--no-access-log"]
        self.process = Process("counter", argv, env, workdir / "counter.log")

    def start(self) -> None:
        self.process.start()
        wait_until(lambda: self.get("/ready")["consuming"], 30, what="counter consuming")

    def get(self, path: str) -> dict:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=5).json()

    def applied_for(self, subjects: set[str]) -> list[list[str]]:
        return [e for e in self.get("/applied")["events"] if e[1] in subjects]

    def close(self) -> None:
        self.process.stop()
        if use_postgres():
            _pg_admin([f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'])


@pytest.fixture
def counter(stack: Stack, tmp_path: Path):
    made: list[Counter_] = []

    def make(delay: float = 0.0, crash_after_commit: bool = False) -> Counter_:
        c = Counter_(stack, tmp_path, delay, crash_after_commit)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def test_consumer_killed_mid_batch_applies_every_event_exactly_once(stack: Stack, keys, counter):
    tag = f"crash-{uuid.uuid4().hex[:8]}"
    ids = set(create_partners(stack, keys["coordinator"], tag, 150))
    consumer = counter(delay=0.01)  # 150 events take ~1.5 s: a kill lands inside a batch's transaction
    consumer.start()
    wait_until(lambda: len(consumer.applied_for(ids)) > 0, 20, interval=0.01, what="the first events applied")
    consumer.process.kill()
    consumer.process.start()
    wait_until(lambda: len(consumer.applied_for(ids)) >= len(ids), 30, what="every event applied after restart")

    applied = consumer.applied_for(ids)
    by_event = Counter(event_id for event_id, _ in applied)
    assert max(by_event.values()) == 1, f"events applied twice: {[e for e, n in by_event.items() if n > 1]}"
    assert {subject for _, subject in applied} == ids, "an event was lost"


def test_redelivered_events_are_applied_once(stack: Stack, keys, counter):
    """The same CloudEvent arriving three times (as at-least-once delivery allows) has one effect."""
    consumer = counter()
    consumer.start()
    partner_id = str(uuid.uuid4())
    event = {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/partnerships",
        "type": "partnerships.partner.registered", "subject": partner_id, "time": "2026-03-29T08:00:00Z",
        "datacontenttype": "application/json", "dataschemaversion": "1",
        "data": {"id": partner_id, "name": {"en": "Twice-sent Zoo"}, "kind": "zoo", "country": "NL",
                 "city": None, "website": None, "version": 1, "updated_at": "2026-03-29T08:00:00Z"},
    }
    raw = json.dumps(event).encode()
    asyncio.run(publish(stack.bootstrap, "partnerships.events", [(partner_id.encode(), raw)] * 3))
    # A later event on the same partition marks the point by which all three copies were read.
    marker = create_partners(stack, keys["coordinator"], f"marker-{uuid.uuid4().hex[:6]}", 1)[0]
    wait_until(lambda: consumer.applied_for({marker}), 20, what="the marker event")
    wait_until(lambda: consumer.applied_for({partner_id}), 20, what="the redelivered event")
    assert len(consumer.applied_for({partner_id})) == 1
    with stack.client(keys["analyst"]) as analyst:
        known = wait_until(lambda: analyst.get(f"/api/v1/training/partners/{partner_id}").json()
                           if analyst.get(f"/api/v1/training/partners/{partner_id}").status_code == 200 else None,
                           20, what="training to apply the event")
        assert known["version"] == 1


def partner_registered(partner_id: str, name: str) -> dict:
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/partnerships",
        "type": "partnerships.partner.registered", "subject": partner_id, "time": "2026-03-29T08:00:00Z",
        "datacontenttype": "application/json", "dataschemaversion": "1",
        "data": {"id": partner_id, "name": {"en": name}, "kind": "zoo", "country": "NL",
                 "city": None, "website": None, "version": 1, "updated_at": "2026-03-29T08:00:00Z"},
    }


def test_a_copy_delivered_in_a_later_batch_long_after_the_first_is_applied_once(stack: Stack, counter):
    """Redelivery as it happens in the wild: the copy comes in a batch of its own, after the original's batch
    was applied and its offset committed, so only the inbox in the database can know it was handled."""
    consumer = counter()
    consumer.start()
    partner_id = str(uuid.uuid4())
    original = partner_registered(partner_id, "Sent-twice Zoo")
    key = partner_id.encode()  # every message below on one partition, so their order is the order sent
    asyncio.run(publish(stack.bootstrap, "partnerships.events", [(key, json.dumps(original).encode())]))
    wait_until(lambda: consumer.applied_for({partner_id}), 20, what="the original applied")
    for i in range(3):  # later batches, each applied and committed before the copy arrives
        between = partner_registered(partner_id, f"Between {i}")
        asyncio.run(publish(stack.bootstrap, "partnerships.events", [(key, json.dumps(between).encode())]))
        wait_until(lambda e=between["id"]: any(a[0] == e for a in consumer.applied_for({partner_id})), 20,
                   what=f"event {i} between the original and its copy")
    last = partner_registered(partner_id, "After the copy")
    asyncio.run(publish(stack.bootstrap, "partnerships.events",
                        [(key, json.dumps(original).encode()), (key, json.dumps(last).encode())]))
    wait_until(lambda: any(a[0] == last["id"] for a in consumer.applied_for({partner_id})), 20,
               what="the event sent after the copy")
    applied = [event_id for event_id, _ in consumer.applied_for({partner_id})]
    assert applied.count(original["id"]) == 1, "the copy was applied again"
    assert len(applied) == 5


def test_a_consumer_that_dies_between_its_commit_and_its_offset_commit_applies_each_event_once(
        stack: Stack, keys, counter):
    """The window the inbox exists for: the effects of a batch are committed to the database, then the process
    dies before it commits the batch's offsets to Kafka, so the broker delivers the whole batch again."""
    consumer = counter(crash_after_commit=True)
    ids = set(create_partners(stack, keys["coordinator"], f"window-{uuid.uuid4().hex[:8]}", 30))
    consumer.process.start()
    wait_until(lambda: not consumer.process.running, 30, what="the counter to crash after its first commit")
    assert consumer.process.popen.returncode == 3, consumer.process.log_tail()
    consumer.process.env = {k: v for k, v in consumer.process.env.items() if k != "COUNTER_CRASH_AFTER_COMMIT"}
    consumer.start()
    wait_until(lambda: len(consumer.applied_for(ids)) >= len(ids), 30, what="every event applied after restart")
    everything = consumer.get("/applied")["events"]
    times = Counter(event_id for event_id, _ in everything)
    assert max(times.values()) == 1, f"applied twice: {[e for e, n in times.items() if n > 1][:5]}"
    assert {subject for _, subject in consumer.applied_for(ids)} == ids


def test_service_killed_while_events_flow_misses_none(stack: Stack, keys):
    """kill -9 the training service while partners are being created; after restart it knows them all."""
    tag = f"flow-{uuid.uuid4().hex[:8]}"
    first = create_partners(stack, keys["coordinator"], tag, 40)
    stack.processes["training"].kill()
    later = create_partners(stack, keys["coordinator"], tag + "b", 40)
    stack.restart("training")
    with stack.client(keys["analyst"]) as analyst:
        for pid in first + later:
            wait_until(lambda p=pid: analyst.get(f"/api/v1/training/partners/{p}").status_code == 200, 20,
                       what=f"training to know {pid}")


def test_poison_messages_go_to_the_dlq_and_the_partition_moves_on(stack: Stack, keys):
    bad_key = uuid.uuid4().hex.encode()
    not_an_event = b"\x00\xffthis is not a CloudEvent " + bad_key
    malformed_data = json.dumps({
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/partnerships",
        "type": "partnerships.partner.registered", "subject": "x", "time": "2026-03-29T08:00:00Z",
        "data": {"id": "not-a-uuid"},  # a handler cannot apply this, however often it tries
    }).encode()
    asyncio.run(publish(stack.bootstrap, "partnerships.events", [(bad_key, not_an_event), (bad_key, malformed_data)]))
    after = create_partners(stack, keys["coordinator"], f"after-poison-{uuid.uuid4().hex[:6]}", 1)[0]

    services = {"training", "outreach", "publications"}

    def parked(records: list) -> set[tuple[str, bytes]]:
        """(consumer group, message) for each poison message on the DLQ. A group may park a message twice (parking
        is at-least-once: a rebalance between the DLQ write and the offset commit delivers it again), so the
        test waits for each pair rather than for a count."""
        return {(dict(r.headers)["consumer-group"].decode(), r.value)
                for r in records if r.value in (not_an_event, malformed_data)}

    # Each of the three consuming services parks both messages on the DLQ of the topic they came from (partnerships
    # reads its own topic too, for a few types: it parks the bytes that are no CloudEvent as well).
    everything = {(group, value) for group in services for value in (not_an_event, malformed_data)}
    records = asyncio.run(read_topic(stack.bootstrap, "partnerships.events.dlq",
                                     lambda rs: parked(rs) >= everything, 60))
    assert parked(records) >= everything
    with stack.client(keys["analyst"]) as analyst:
        wait_until(lambda: analyst.get(f"/api/v1/outreach/partners/{after}").status_code == 200, 20,
                   what="the event after the poison to be applied")


def test_events_of_one_aggregate_keep_their_order_under_concurrent_writers(stack: Stack, coordinator, keys):
    partner = coordinator.post("/api/v1/partnerships/partners", json=new_partner_body("order")).json()
    url = f"/api/v1/partnerships/partners/{partner['id']}"

    def patch(i: int) -> int:
        with stack.client(keys["coordinator"]) as c:
            r = c.patch(url, json={"city": f"City {i}"})
            assert r.status_code == 200, r.text
            return r.json()["version"]

    with ThreadPoolExecutor(10) as pool:
        versions = sorted(pool.map(patch, range(30)))
    assert versions == list(range(2, 32)), "each concurrent PATCH made exactly one new version"

    def all_versions(records: list) -> bool:
        return len([r for r in records if r.key == partner["id"].encode()]) >= 31

    records = asyncio.run(read_topic(stack.bootstrap, "partnerships.events", all_versions))
    published = [json.loads(r.value)["data"]["version"] for r in records if r.key == partner["id"].encode()]
    assert published == list(range(1, 32)), "the partner's events arrive once each, in version order"


def test_writes_succeed_while_the_broker_is_down_and_every_event_arrives_later(tmp_path: Path):
    with running_stack(tmp_path / "outage") as stack:
        key = stack.issue_key("coordinator")["key"]
        stack.broker_down()
        ids = create_partners(stack, key, f"outage-{uuid.uuid4().hex[:6]}", 10, workers=4)
        assert len(ids) == 10
        stack.broker_up()
        analyst = stack.issue_key("analyst")["key"]
        with stack.client(analyst) as c:
            for service in ("training", "outreach", "publications"):
                for pid in ids:
                    wait_until(lambda s=service, p=pid: c.get(f"/api/v1/{s}/partners/{p}").status_code == 200,
                               60, what=f"{service} to learn {pid} after the outage")
