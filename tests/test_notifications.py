"""People are told: emails that arrive at a real SMTP server (the stack's aiosmtpd sink) and pushes at an
FCM-compatible sink, from facts that happen through the API. Nothing mocked: each message is read back as a mail
program and a phone would (the QR code decoded by zxing-cpp, the calendar by `icalendar`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import sqlite3
import uuid
from email.message import EmailMessage
from typing import Any

import httpx
import icalendar
import pytest
import zxingcpp
from PIL import Image

from services.notifications.formats.templates import LANGUAGES, TEMPLATES, message_names, render
from tests.harness import POSTGRES_URL, Stack, problem_of, wait_until
from tests.test_enrollment import published_program
from tests.test_messaging import publish, read_topic

OUTREACH = "/api/v1/outreach"
NOTIFY = "/api/v1/notifications"


def address(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@school.example"


def event_body(starts: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {"title": {"en": "Panda classroom", "zh-Hans": "熊猫课堂"}, "kind": "classroom",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "timezone": "Asia/Shanghai", "capacity": 30,
            "venue": {"name": "Panda Museum", "city": "Chengdu", "country": "CN"}} | extra


def scheduled_event(client: httpx.Client, starts_in: dt.timedelta = dt.timedelta(days=30), **extra: Any
                    ) -> dict[str, Any]:
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + starts_in
    r = client.post(f"{OUTREACH}/events", json=event_body(starts, **extra))
    assert r.status_code == 201, r.text
    r = client.post(f"{OUTREACH}/events/{r.json()['id']}/transitions", json={"action": "schedule"})
    assert r.status_code == 200, r.text
    return r.json()


def register(client: httpx.Client, event: dict[str, Any], to: str, size: int = 1, **extra: Any) -> dict[str, Any]:
    headers = extra.pop("headers", {})
    r = client.post(f"{OUTREACH}/events/{event['id']}/registrations",
                    json={"name": f"Teacher {to[:12]}", "email": to, "party_size": size, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def cancel(client: httpx.Client, registration: dict[str, Any]) -> None:
    r = client.post(f"{OUTREACH}/registrations/{registration['id']}/transitions", json={"action": "cancel"})
    assert r.status_code == 200, r.text


def mails_to(stack: Stack, to: str, subject_starts: str = "") -> list[EmailMessage]:
    return [m for m in stack.mails() if m["To"] == to and str(m["Subject"]).startswith(subject_starts)]


def wait_mails(stack: Stack, to: str, count: int = 1, subject_starts: str = "", timeout: float = 30.0
               ) -> list[EmailMessage]:
    return wait_until(lambda: (found := mails_to(stack, to, subject_starts)) and len(found) >= count and found,
                      timeout, what=f"{count} mail(s) to {to} starting {subject_starts!r}")


def log_of(client: httpx.Client, **query: Any) -> list[dict[str, Any]]:
    r = client.get(f"{NOTIFY}/deliveries", params={"limit": 200, **query})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def part(mail: EmailMessage, content_type: str) -> Any:
    return next(p for p in mail.walk() if p.get_content_type() == content_type).get_content()


# --- what is sent ------------------------------------------------------------------------------------------------


def test_a_registration_is_confirmed_by_one_email_with_its_code_qr_and_calendar_in_its_language(stack, coordinator):
    event = scheduled_event(coordinator)
    to = address("teacher")
    registration = register(coordinator, event, to, 28, headers={"Accept-Language": "zh-CN,en;q=0.5"})
    assert registration["status"] == "confirmed" and registration["language"] == "zh-CN"
    code = registration["check_in_code"]

    [mail] = wait_mails(stack, to)
    assert mail["Subject"] == "报名成功：熊猫课堂" and mail["Content-Language"] == "zh-Hans"
    text = mail.get_body(("plain",)).get_content()
    assert f"签到码：{code}" in text and "共 28 人" in text
    assert "中国标准时间" in text  # the event's time, in its own timezone, written the Chinese way
    assert 'src="cid:check-in-qr"' in mail.get_body(("html",)).get_content()
    qr = zxingcpp.read_barcodes(Image.open(io.BytesIO(part(mail, "image/png"))))
    assert [b.text for b in qr] == [code], "the QR image is the check-in code, as a door scanner reads it"
    [entry] = icalendar.Calendar.from_ical(part(mail, "text/calendar")).walk("VEVENT")
    assert str(entry["uid"]) == f"{event['id']}@outreach.panda-coop"
    assert entry.decoded("dtstart") == dt.datetime.fromisoformat(event["starts_at"])
    assert entry.decoded("dtend") == dt.datetime.fromisoformat(event["ends_at"])
    assert str(entry["summary"]) == "熊猫课堂" and "Panda Museum" in str(entry["location"])

    # Asked in the body, English; and the log has one message for the fact, sent.
    to_en = address("guide")
    english = register(coordinator, event, to_en, 2, language="en", headers={"Accept-Language": "zh-CN"})
    [mail] = wait_mails(stack, to_en)
    assert mail["Subject"] == "Registration confirmed: Panda classroom" and mail["Content-Language"] == "en"
    assert "(China Standard Time)" in mail.get_body(("plain",)).get_content()
    [entry] = wait_until(lambda: [m for m in log_of(coordinator, subject=english["id"]) if m["status"] == "sent"],
                         what="the confirmation sent in the log")
    assert (entry["template"], entry["channel"], entry["category"]) == (
        "outreach.registration_confirmed", "email", "transactional")


def test_waitlisted_then_promoted_then_told_of_a_move_and_of_the_cancellation(stack, coordinator):
    event = scheduled_event(coordinator, capacity=2)
    holder, waiting = address("holder"), address("waiting")
    first = register(coordinator, event, holder, 2)
    second = register(coordinator, event, waiting, 1)
    assert second["status"] == "waitlisted"
    [mail] = wait_mails(stack, waiting, subject_starts="On the waitlist")
    assert "at position 1" in mail.get_body(("plain",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # not transactional: one may opt out

    cancel(coordinator, first)
    [mail] = wait_mails(stack, waiting, subject_starts="You have your places")
    assert second["check_in_code"] in mail.get_body(("plain",)).get_content()
    assert mail["List-Unsubscribe"] is None, "a promotion carries a check-in code: it is always sent"
    wait_mails(stack, holder, subject_starts="Registration cancelled")

    # Moved two hours later: the party holding a place is told the new time; the one who cancelled is not.
    moved = dt.datetime.fromisoformat(event["starts_at"]) + dt.timedelta(hours=2)
    current = coordinator.get(f"{OUTREACH}/events/{event['id']}")
    r = coordinator.patch(f"{OUTREACH}/events/{event['id']}", headers={"If-Match": current.headers["ETag"]},
                          json={"starts_at": moved.isoformat(), "ends_at": (moved + dt.timedelta(hours=2)).isoformat()})
    assert r.status_code == 200, r.text
    [mail] = wait_mails(stack, waiting, subject_starts="Changed")
    [entry] = icalendar.Calendar.from_ical(part(mail, "text/calendar")).walk("VEVENT")
    assert entry.decoded("dtstart") == moved

    r = coordinator.post(f"{OUTREACH}/events/{event['id']}/transitions",
                         json={"action": "cancel", "reason": "The panda keeper is ill."})
    assert r.status_code == 200, r.text
    [mail] = wait_mails(stack, waiting, subject_starts="Cancelled")
    assert "The panda keeper is ill." in mail.get_body(("plain",)).get_content()
    assert not mails_to(stack, holder, "Changed") and not mails_to(stack, holder, "Cancelled")


def test_a_promotion_reaches_each_party_once_when_notifications_is_killed_and_its_requests_redelivered(
        stack: Stack, coordinator):
    event = scheduled_event(coordinator, capacity=20)
    holders = [register(coordinator, event, address(f"holder{i}")) for i in range(20)]
    waiting = [register(coordinator, event, address(f"waiting{i}")) for i in range(20)]
    assert {w["status"] for w in waiting} == {"waitlisted"}
    waiting_ids = {w["id"] for w in waiting}
    ours = waiting_ids | {h["id"] for h in holders}
    wait_until(lambda: (logged := [m for m in log_of(coordinator) if m["subject"] in ours]) and len(logged) == 40
               and all(m["status"] == "sent" for m in logged), 60, what="the 40 first messages sent")
    # Nothing is on its way to the mail server from here (so no crash can fall between its "250 OK" and the log's
    # record of it): the sink goes away, and the messages wait in the log, retried.
    stack.processes["mail-sink"].stop()
    notifications = stack.processes["notifications"]
    try:
        notifications.kill()
        for h in holders:  # 20 cancellations, 20 promotions: requests pile up on outreach.notifications
            cancel(coordinator, h)

        def promotions_queued() -> int:
            return sum(1 for m in log_of(coordinator, status="queued")
                       if m["template"] == "outreach.registration_promoted" and m["subject"] in waiting_ids)

        stack.restart("notifications")
        wait_until(promotions_queued, 30, interval=0.01, what="notifications to be working through the requests")
        notifications.kill()  # in the middle of its work: some requests applied, others not yet
        # And every request about these parties is delivered again, the applied ones included (a copy of each, as
        # a producer retrying or a consumer that lost its offset commits would bring it).
        records = asyncio.run(read_topic(stack.bootstrap, "outreach.notifications",
                                         lambda rs: len([r for r in rs if r.key.decode() in ours]) >= 80))
        copies = [(r.key, r.value) for r in records if r.key.decode() in ours]
        assert len(copies) == 80, "40 first messages, 20 cancellations, 20 promotions"
        asyncio.run(publish(stack.bootstrap, "outreach.notifications", copies))
        stack.restart("notifications")
    finally:
        stack.processes["mail-sink"].start()
    # Two members of the consumer group died without leaving it: the broker gives their partitions to the new
    # process once their sessions time out (10 s each), so the first promotion may take that long.
    for w in waiting:
        wait_mails(stack, w["email"], subject_starts="You have your places", timeout=90)
    wait_until(lambda: all(m["status"] == "sent" for m in log_of(coordinator, channel="email")
                           if m["subject"] in ours), 60, what="every message to these parties sent")
    for w in waiting:
        assert len(mails_to(stack, w["email"], "You have your places")) == 1, w["email"]
        assert len(mails_to(stack, w["email"], "On the waitlist")) == 1, w["email"]
        [logged] = [m for m in log_of(coordinator, subject=w["id"]) if m["template"].endswith("promoted")]
        assert logged["status"] == "sent"
    for h in holders:
        assert len(mails_to(stack, h["email"], "Registration cancelled")) == 1, h["email"]


def test_the_24_hour_reminder_is_sent_once_at_its_time_and_never_for_a_cancelled_registration(stack, coordinator):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    event = scheduled_event(coordinator, starts_in=dt.timedelta(hours=25))  # reminder due in an hour
    keep, gone = address("keep"), address("gone")
    kept, cancelled = register(coordinator, event, keep), register(coordinator, event, gone)
    cancel(coordinator, cancelled)
    # Moved an hour later: the reminder moves with it, to two hours from now.
    moved = dt.datetime.fromisoformat(event["starts_at"]) + dt.timedelta(hours=1)
    etag = coordinator.get(f"{OUTREACH}/events/{event['id']}").headers["ETag"]
    r = coordinator.patch(f"{OUTREACH}/events/{event['id']}", headers={"If-Match": etag},
                          json={"starts_at": moved.isoformat(), "ends_at": (moved + dt.timedelta(hours=2)).isoformat()})
    assert r.status_code == 200, r.text
    # Sentinels: parties of events whose reminders fall between, so that "nothing more came" is observed after a
    # reminder pass that would have sent it.
    early = register(coordinator, scheduled_event(coordinator, starts_in=dt.timedelta(hours=25, minutes=30)),
                     address("early"))
    late = register(coordinator, scheduled_event(coordinator, starts_in=dt.timedelta(hours=26, minutes=30)),
                    address("late"))
    wait_mails(stack, keep, subject_starts="Changed")
    wait_mails(stack, gone, subject_starts="Registration cancelled")
    for sentinel in (early, late):
        wait_mails(stack, sentinel["email"], subject_starts="Registration confirmed")
    try:
        stack.set_clock((now + dt.timedelta(hours=1, minutes=45)).isoformat())  # past the reminder's old time
        wait_mails(stack, early["email"], subject_starts="Tomorrow")
        assert not mails_to(stack, keep, "Tomorrow"), "the reminder moved with the event"
        stack.set_clock((now + dt.timedelta(hours=2, minutes=15)).isoformat())
        [mail] = wait_mails(stack, keep, subject_starts="Tomorrow")
        assert kept["check_in_code"] in mail.get_body(("plain",)).get_content()
        assert mail["List-Unsubscribe"], "a reminder is a category one may turn off"
        stack.set_clock((now + dt.timedelta(hours=2, minutes=45)).isoformat())
        wait_mails(stack, late["email"], subject_starts="Tomorrow")
    finally:
        stack.real_clock()
    assert len(mails_to(stack, keep, "Tomorrow")) == 1
    assert not mails_to(stack, gone, "Tomorrow"), "a cancelled registration's reminder is never sent"
    assert not [m for m in log_of(coordinator, subject=cancelled["id"]) if m["template"] == "outreach.event_reminder"]


# --- people choose ---------------------------------------------------------------------------------------------


def test_an_unsubscribe_link_stops_its_category_and_no_other(stack, coordinator, anonymous):
    full = scheduled_event(coordinator, capacity=1)
    register(coordinator, full, address("first"))
    to = address("parent")
    register(coordinator, full, to)
    [mail] = wait_mails(stack, to, subject_starts="On the waitlist")
    link = str(mail["List-Unsubscribe"]).strip("<>")
    # As sent: one `<URL>` on one line, which a mail client reads as the link (not folded into encoded-words).
    assert any(f"List-Unsubscribe: <{link}>\r\n".encode() in p.read_bytes() for p in stack.mail_dir.glob("*.eml"))
    assert link.startswith(stack.gateway_url + NOTIFY + "/unsubscribe?token=")
    assert link in mail.get_body(("plain",)).get_content()

    page = anonymous.get(link)  # a link scanner that follows it changes nothing: the page asks first
    assert page.status_code == 200 and "<form method='post'>" in page.text
    # RFC 8058: the mail client POSTs the one-click body to the link, without signing in.
    r = anonymous.post(link, content=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "no more messages" in r.text
    assert anonymous.post(link).status_code == 200, "the same link twice changes nothing"
    assert problem_of(anonymous.post(link.replace("token=", "token=x")))["status"] == 404, "no such link"

    other = scheduled_event(coordinator, capacity=1)
    register(coordinator, other, address("first"))
    waitlisted = register(coordinator, other, to)
    [entry] = wait_until(lambda: log_of(coordinator, subject=waitlisted["id"]), what="the suppressed message logged")
    assert entry["status"] == "suppressed"
    # A transactional message still goes, and so do the other categories (the reminder test's reminder is one).
    confirmed = register(coordinator, scheduled_event(coordinator), to)
    wait_mails(stack, to, subject_starts="Registration confirmed")
    assert len(mails_to(stack, to, "On the waitlist")) == 1
    [entry] = log_of(coordinator, subject=confirmed["id"])
    assert entry["status"] == "sent"


def test_members_choose_their_categories_per_channel(stack, keys):
    with stack.client(keys["member"]) as member:
        r = member.get(f"{NOTIFY}/preferences")
        assert r.status_code == 200
        assert {"category": "reminders", "channel": "email", "enabled": True} in r.json()["items"]
        r = member.put(f"{NOTIFY}/preferences", json={"items": [
            {"category": "reminders", "channel": "push", "enabled": False}]})
        assert r.status_code == 200
        items = r.json()["items"]
        assert {"category": "reminders", "channel": "push", "enabled": False} in items
        assert {"category": "reminders", "channel": "email", "enabled": True} in items
        bad = member.put(f"{NOTIFY}/preferences", json={"items": [
            {"category": "transactional", "channel": "email", "enabled": False}]})
        assert problem_of(bad)["status"] == 422, "transactional messages cannot be turned off"
        member.put(f"{NOTIFY}/preferences", json={"items": [
            {"category": "reminders", "channel": "push", "enabled": True}]})


def test_a_members_registered_device_receives_the_push(stack, keys, coordinator):
    token = f"fcm-token-{uuid.uuid4().hex}"
    with stack.client(keys["member"]) as member:
        r = member.post(f"{NOTIFY}/devices", json={"token": token, "platform": "android", "label": "phone"})
        assert r.status_code == 201, r.text
        device = r.json()
        assert device["token_ending"] == token[-8:] and "token" not in device
        assert member.post(f"{NOTIFY}/devices", json={"token": token, "platform": "android"}).status_code == 200
        # 4,096 characters at most as sent, even when spaces would strip it shorter (schemathesis sent one).
        padded = {"token": f"fcm-token-{uuid.uuid4().hex}" + " " * 4096, "platform": "ios"}
        assert problem_of(member.post(f"{NOTIFY}/devices", json=padded))["status"] == 422
        assert device["id"] in [d["id"] for d in member.get(f"{NOTIFY}/devices").json()["items"]]
        with stack.client(keys["analyst"]) as someone_else:
            assert device["id"] not in [d["id"] for d in someone_else.get(f"{NOTIFY}/devices").json()["items"]]
            assert problem_of(someone_else.delete(f"{NOTIFY}/devices/{device['id']}"))["status"] == 404

        event = scheduled_event(coordinator)
        registration = register(member, event, address("member"))
        received = wait_until(lambda: [p for p in stack.pushes() if p["message"]["token"] == token], 30,
                              what="the push at the FCM sink")[0]
        push = received["message"]
        assert push["notification"]["title"] == "Registration confirmed: Panda classroom"
        assert registration["check_in_code"] in push["notification"]["body"]
        assert push["data"]["registration_id"] == registration["id"]
        # Authorized with the token google-auth minted from the service account's key file.
        assert received["authorization"].startswith("Bearer sink-access-token-")

        assert member.delete(f"{NOTIFY}/devices/{device['id']}").status_code == 204
        later = register(member, event, address("member"))
        wait_until(lambda: log_of(coordinator, subject=later["id"]), what="the later confirmation logged")
        assert {m["channel"] for m in log_of(coordinator, subject=later["id"])} == {"email"}


def test_only_coordinators_read_the_delivery_log_and_erase(stack, keys, anonymous):
    with stack.client(keys["analyst"]) as analyst:
        assert problem_of(analyst.get(f"{NOTIFY}/deliveries"))["status"] == 403
        assert problem_of(analyst.post(f"{NOTIFY}/erasures", json={"email": "a@example.org"}))["status"] == 403
    assert problem_of(anonymous.get(f"{NOTIFY}/deliveries"))["status"] == 401
    with stack.client(keys["coordinator"]) as coordinator:
        assert problem_of(coordinator.post(f"{NOTIFY}/erasures", json={}))["status"] == 422


# --- contact data stays private -------------------------------------------------------------------------------


def _database_text(stack: Stack) -> str:
    """Everything the notifications database holds, every row of every table, as text."""
    url = stack.dbs.urls["notifications"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return "\n".join(repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))

    import asyncpg

    async def dump() -> str:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            tables = [r[0] for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            rows = []
            for t in tables:
                rows += [repr(dict(row)) for row in await conn.fetch(f'SELECT * FROM "{t}"')]
            return "\n".join(rows)
        finally:
            await conn.close()

    assert POSTGRES_URL
    return asyncio.run(dump())


def test_erasing_a_persons_contact_data_leaves_no_trace_of_it(stack, coordinator):
    to, name, phone = address("erase-me"), f"Wanda {uuid.uuid4().hex[:6]}", "+41 44 254 26 00"
    event = scheduled_event(coordinator, capacity=1)
    held = register(coordinator, event, to, name=name, phone=phone)
    register(coordinator, scheduled_event(coordinator, capacity=1, starts_in=dt.timedelta(days=40)), to, name=name)
    wait_mails(stack, to, subject_starts="Registration confirmed", count=2)
    assert to in _database_text(stack) and name in _database_text(stack)

    r = coordinator.post(f"{NOTIFY}/erasures", json={"email": to, "phone": phone})
    assert r.status_code == 200, r.text
    assert r.json()["messages"] == 2 and r.json()["reminders"] == 2
    text = _database_text(stack)
    for trace in (to, name, phone, held["check_in_code"]):
        assert trace not in text, f"{trace!r} is still in the notifications database"
    [entry] = log_of(coordinator, subject=held["id"])
    assert entry["status"] == "sent" and entry["address"] is None, "the log keeps that it was sent, not to whom"


def test_the_public_topic_carries_no_contact_and_the_private_one_does(stack, coordinator):
    to, name = address("private"), f"Priya {uuid.uuid4().hex[:6]}"
    registration = register(coordinator, scheduled_event(coordinator), to, name=name)
    wait_mails(stack, to)

    def about(records: list) -> list[dict[str, Any]]:
        found = [json.loads(r.value) for r in records]
        return [e for e in found if e.get("subject") == registration["id"]]

    public = asyncio.run(read_topic(stack.bootstrap, "outreach.events", lambda rs: about(rs)))
    private = asyncio.run(read_topic(stack.bootstrap, "outreach.notifications", lambda rs: about(rs)))
    assert about(public) and about(private)
    assert to not in json.dumps(about(public)) and name not in json.dumps(about(public))
    assert to in json.dumps(about(private)) and name in json.dumps(about(private))


# --- failures -------------------------------------------------------------------------------------------------


def test_a_refused_address_fails_at_once_and_a_busy_server_is_retried_then_given_up(stack, coordinator):
    event = scheduled_event(coordinator)
    refused = register(coordinator, event, f"refused-{uuid.uuid4().hex[:8]}@school.example")
    busy = register(coordinator, event, f"tempfail-{uuid.uuid4().hex[:8]}@school.example")
    [entry] = wait_until(lambda: [m for m in log_of(coordinator, subject=refused["id"]) if m["status"] == "failed"],
                         what="the refused address recorded failed")
    assert entry["attempts"] == 1 and "550" in entry["last_error"], "a 5xx refusal is not tried again"
    # 451 is "try again later": tried again with backoff until the time to give up (20 s in the tests).
    [entry] = wait_until(lambda: [m for m in log_of(coordinator, subject=busy["id"]) if m["status"] == "failed"],
                         60, what="the busy address given up")
    assert entry["attempts"] > 2 and "451" in entry["last_error"]
    # Staff see the same in the metrics: sent, failed and pending, by channel.
    metrics = httpx.get(stack.metrics_url("notifications"), timeout=5).text
    figures = {line.split(" ")[0]: float(line.split(" ")[1]) for line in metrics.splitlines()
               if line.startswith("notifications_") and not line.startswith("#")}
    assert figures['notifications_failed_total{channel="email"}'] >= 2
    assert 'notifications_sent_total{channel="push"}' in figures
    assert 'notifications_pending{channel="push"}' in figures and 'notifications_pending{channel="email"}' in figures


# --- training and partnerships ----------------------------------------------------------------------------------

TRAINING = "/api/v1/training"
AGREEMENTS = "/api/v1/partnerships/agreements"


def test_a_trainee_is_told_accepted_waitlisted_promoted_reminded_and_certified(stack, coordinator, anonymous):
    program = published_program(coordinator)
    starts = dt.date.today() + dt.timedelta(days=9)
    r = coordinator.post(f"{TRAINING}/programs/{program['id']}/cohorts", json={
        "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=5)).isoformat(), "capacity": 1,
        "location": {"venue": "Panda Base", "city": "Chengdu", "country": "CN"}})
    assert r.status_code == 201, r.text
    cohort = r.json()

    def apply(to: str, **extra: Any) -> dict[str, Any]:
        r = coordinator.post(f"{TRAINING}/cohorts/{cohort['id']}/enrollments",
                             json={"name": f"Trainee {to[:10]}", "email": to, "country": "KE", **extra})
        assert r.status_code == 201, r.text
        return r.json()

    first, second = address("trainee"), address("trainee")
    accepted = apply(first, language="zh-Hans")
    waiting = apply(second)
    assert (accepted["status"], waiting["status"]) == ("accepted", "waitlisted")
    [mail] = wait_mails(stack, first)
    assert mail["Subject"].startswith("录取通知：") and "日期：" in mail.get_body(("plain",)).get_content()
    [mail] = wait_mails(stack, second, subject_starts="On the waitlist")
    assert "number 1 on its waitlist" in mail.get_body(("plain",)).get_content()

    r = coordinator.post(f"{TRAINING}/enrollments/{accepted['id']}/transitions", json={"action": "withdraw"})
    assert r.status_code == 200, r.text
    wait_mails(stack, second, subject_starts="You have a place")
    try:  # the cohort's reminder, 7 days before it starts: to the one who has the place, not the one who left
        stack.set_clock(dt.datetime.combine(starts - dt.timedelta(days=7), dt.time(1), dt.UTC).isoformat())
        wait_mails(stack, second, subject_starts="In one week")
    finally:
        stack.real_clock()
    for action in ("attend", "complete"):
        r = coordinator.post(f"{TRAINING}/enrollments/{waiting['id']}/transitions", json={"action": action})
        assert r.status_code == 200, r.text
    code = r.json()["certificate_code"]
    [mail] = wait_mails(stack, second, subject_starts="Certificate issued")
    link = f"{stack.gateway_url}{TRAINING}/certificates/{code}"
    assert link in mail.get_body(("plain",)).get_content()
    shown = anonymous.get(link)
    assert shown.status_code == 200 and shown.json()["valid"] is True
    assert not mails_to(stack, first, "一周后开课"), "a withdrawn participant's reminder is called off"
    assert len(stack.mails()) and len(mails_to(stack, second, "In one week")) == 1


def test_a_partners_contacts_are_told_of_its_agreement_from_signature_to_expiry(stack, coordinator):
    english, chinese = address("curator"), address("director")
    r = coordinator.post("/api/v1/partnerships/partners", json={
        "name": {"en": "Zoo Notify"}, "kind": "zoo", "country": "AT",
        "contacts": [{"name": "Eva Gruber", "email": english}, {"name": "Wang Fang", "email": chinese,
                                                                 "language": "zh-Hans"},
                     {"name": "No Email", "phone": "+43 1 877 92 94"}]})
    assert r.status_code == 201, r.text
    partner = r.json()
    today = dt.date.today()
    until = today + dt.timedelta(days=65)
    r = coordinator.post(AGREEMENTS, json={
        "title": {"en": "Research on bamboo", "zh-Hans": "竹子研究"}, "kind": "research_cooperation",
        "partner_ids": [partner["id"]], "effective_from": today.isoformat(), "effective_until": until.isoformat()})
    assert r.status_code == 201, r.text
    agreement = r.json()
    for action, body in (("submit", {}), ("sign", {"signed_on": today.isoformat()}), ("activate", {})):
        r = coordinator.post(f"{AGREEMENTS}/{agreement['id']}/transitions", json={"action": action, **body})
        assert r.status_code == 200, r.text
    wait_mails(stack, english, subject_starts="Signed:")
    wait_mails(stack, english, subject_starts="In force:")
    [mail] = wait_mails(stack, chinese, subject_starts="协议已生效")
    assert "竹子研究" in mail["Subject"]
    try:
        for days, starts in ((60, "Ends in 60 days"), (30, "Ends in 30 days"), (7, "Ends in 7 days")):
            stack.set_clock(dt.datetime.combine(until - dt.timedelta(days=days - 1), dt.time(), dt.UTC).isoformat())
            wait_mails(stack, english, subject_starts=starts)
            wait_mails(stack, chinese, subject_starts=f"协议 {days} 天后到期")
        stack.set_clock(dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0, 1), dt.UTC).isoformat())
        wait_mails(stack, english, subject_starts="Expired:")
        wait_mails(stack, chinese, subject_starts="协议已到期")
    finally:
        stack.real_clock()
    for prefix in ("Signed:", "In force:", "Ends in 60", "Ends in 30", "Ends in 7", "Expired:"):
        assert len(mails_to(stack, english, prefix)) == 1, prefix


# --- templates ----------------------------------------------------------------------------------------------------

SAMPLE = {"name": "Li Na", "title": {"en": "Panda classroom", "zh-Hans": "熊猫课堂"},
          "starts_at": "2027-03-28T01:30:00+00:00", "ends_at": "2027-03-28T03:30:00+00:00", "timezone": "Europe/Zurich",
          "venue": {"name": "Zoo Zürich", "city": "Zürich"}, "online_url": None, "party_size": 3,
          "check_in_code": "K7Q2MX4P9A", "waitlist_position": 2, "reason": "Snow.", "changed": ["starts_at"],
          "event_id": str(uuid.uuid4()), "registration_id": str(uuid.uuid4()),
          "unsubscribe_url": "https://example.org/u", "qr_cid": "check-in-qr",
          "starts_on": "2027-03-01", "ends_on": "2027-03-12", "location": {"venue": "Panda Base", "city": "Chengdu"},
          "certificate_code": "PC-ABCDE-FGHIJ-KLMNO-PQRST", "verify_path": "/api/v1/training/certificates/PC-ABCDE",
          "base_url": "https://panda-coop.example", "code": "AGR-2027-0001", "partner_name": {"en": "Zoo Vienna"},
          "effective_from": "2027-01-01", "effective_until": "2031-12-31", "days": 30}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_in_every_language(language: str):
    names = message_names()
    assert len(names) >= 16
    for name in names:
        service, rest = name.split(".", 1)
        assert (TEMPLATES / language / service / f"{rest}.html").exists(), f"{language}/{name}.html is missing"
        rendered = render(name, language, SAMPLE)
        assert rendered.subject and rendered.push and "\n" not in rendered.subject, name
        assert "Li Na" in rendered.text and "Li Na" in rendered.html, name
        assert ("熊猫课堂" if language == "zh-Hans" else "Panda classroom") in rendered.text, name
