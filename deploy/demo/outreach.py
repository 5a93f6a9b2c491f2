"""Outreach: the events of every kind, at partners, at the base and online, with their registrations, check-ins and
walk-ins; book launches present the popular science books."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import PartnerSpec
from deploy.demo.dates import instant, z
from deploy.demo.people import People
from deploy.demo.plan import AUDIENCES, EVENT_KINDS, spread
from deploy.demo.state import Load


async def load_events(load: Load) -> None:
    n = load.count(150, 12)
    rng = load.rng("outreach")
    kinds = spread(n, {k: v[0] for k, v in EVENT_KINDS.items()}, rng)
    drafts, cancelled, upcoming = max(1, round(n * 0.03)), max(1, round(n * 0.04)), max(1, round(n * 0.17))
    statuses = (["draft"] * drafts + ["cancelled"] * cancelled + ["scheduled"] * upcoming
                + ["completed"] * (n - drafts - cancelled - upcoming))
    rng.shuffle(statuses)
    if "bookstore_event" in kinds:  # a book launch that took place, when there is one
        b = kinds.index("bookstore_event")
        c = statuses.index("completed")
        statuses[b], statuses[c] = statuses[c], statuses[b]
    people = People()
    plans = [_event_plan(load, i, kind, status, people) for i, (kind, status) in enumerate(zip(kinds, statuses,
                                                                                                strict=True))]
    await run_all(_event(load, plan) for plan in plans)


def _agreements_with(load: Load, partner: str | None) -> list[str]:
    return [load.agreements[k]["id"] for k, s in load.agreement_specs.items()
            if partner in s.partners and s.state in ("active", "expiring")
            and s.kind in ("cultural_exchange", "framework", "panda_loan")]


def _event_plan(load: Load, i: int, kind: str, status: str, people: People) -> dict[str, Any]:
    rng = load.rng("event", i)
    _, capacity, (reg_low, reg_high), (party_low, party_high), walk_ins = EVENT_KINDS[kind]
    zoos = [p for p in dataset.PARTNERS if p.kind == "zoo"]
    host: PartnerSpec | None = None
    venue: dict[str, Any] | None = None
    tz = dataset.BASE_TZ
    if kind == "online_broadcast":
        host = rng.choice(zoos) if rng.random() < 0.3 else None
    elif kind == "museum_tour":
        venue = {"name": rng.choice(dataset.BASE_VENUES), "city": dataset.BASE_CITY, "country": dataset.BASE_COUNTRY}
    elif kind == "bookstore_event":
        country = rng.choice(sorted(dataset.BOOKSTORES))
        name, city = dataset.BOOKSTORES[country]
        host = next((p for p in dataset.PARTNERS if p.country == country), None)
        tz = host.timezone if host and host.city == city else dataset.CITY_TZ.get(city, tz)
        venue = {"name": name, "city": city, "country": country}
    elif rng.random() < 0.55:
        host = rng.choice(zoos)
        tz = host.timezone
        place = host.name["en"]
        if kind == "school_visit":
            place = f"{host.city} International School"
        venue = {"name": place, "city": host.city, "country": host.country}
    else:
        place = rng.choice(dataset.BASE_VENUES)
        if kind == "school_visit":
            place = rng.choice(dataset.SCHOOLS[dataset.BASE_CITY])
        venue = {"name": place, "city": dataset.BASE_CITY, "country": dataset.BASE_COUNTRY}

    long_running = kind in ("exhibition", "festival")
    if status == "completed":
        day = load.today - dt.timedelta(days=rng.randint(100 if long_running else 2, 4 * 365))
    elif status == "scheduled":
        day = load.today + dt.timedelta(days=rng.randint(3, 150))
    elif status == "draft":
        day = load.today + dt.timedelta(days=rng.randint(60, 240))
    else:
        day = load.today + dt.timedelta(days=rng.randint(-700, 90))
    hour = 19 if kind == "lecture" and rng.random() < 0.5 else rng.choice([10, 10, 14, 15])
    starts = instant(day, hour, 0, tz)
    length = {"exhibition": dt.timedelta(days=rng.randint(30, 90)), "festival": dt.timedelta(days=2)}.get(
        kind, dt.timedelta(minutes=rng.choice([60, 90, 120])))
    topic = rng.choice(dataset.TOPICS)
    city = venue["city"] if venue else dataset.BASE_CITY
    title = {
        "classroom": (f"Panda Classroom: {topic[0]}", f"熊猫课堂：{topic[1]}"),
        "hands_on_course": (lambda a: (f"Hands-on: {a[0]}", f"动手课堂：{a[1]}"))(rng.choice(dataset.ACTIVITIES)),
        "lecture": (f"Lecture: {topic[0]}", f"讲座：{topic[1]}"),
        "exhibition": rng.choice(dataset.EXHIBITIONS),
        "museum_tour": ("Guided tour of the Giant Panda Museum", "大熊猫博物馆导览"),
        "bookstore_event": (f"Meet the authors: {topic[0]}", f"作者见面会：{topic[1]}"),
        "online_broadcast": (f"Live from Chengdu: {topic[0]}", f"成都直播：{topic[1]}"),
        "school_visit": (f"Pandas at school: {topic[0]}", f"熊猫进校园：{topic[1]}"),
        "festival": (f"Panda Festival {city} {day.year}", f"{day.year}年熊猫文化节（{city}）"),
    }[kind]
    languages = ["en", "zh"]
    country = venue["country"] if venue else (host.country if host else "CN")
    if dataset.LOCAL_LANGUAGE.get(country):
        languages.append(dataset.LOCAL_LANGUAGE[country])
    popular = (status == "scheduled" and kind in ("museum_tour", "hands_on_course", "classroom")
               and rng.random() < 0.6)
    if popular:  # booked out: a waitlist forms
        capacity = max(party_high * 2, capacity * 2 // 3)
    registrations = []
    for _ in range(rng.randint(reg_low, reg_high) + (3 if popular else 0)):
        person = people.new(rng, country if country in dataset.NAMES else "CN", "mail.example")
        party = rng.randint(party_low, party_high)
        name = person.name
        if party >= 15:
            name = f"{person.name}, class {rng.randint(3, 9)}{rng.choice('ABCD')}"
        registrations.append({"name": name, "email": person.email, "party_size": min(party, capacity)})
    body: dict[str, Any] = {
        "title": {"en": title[0], "zh": title[1]}, "kind": kind, "audiences": AUDIENCES[kind],
        "languages": languages, "starts_at": z(starts), "ends_at": z(starts + length), "timezone": tz,
        "capacity": capacity,
    }
    if venue:
        body["venue"] = venue
    else:
        body["online_url"] = f"https://live.panda-base.example/{day:%Y%m%d}-{i + 1:03d}"
    if host:
        body["partner_ids"] = [load.partner_ids[host.key]]
        agreements = _agreements_with(load, host.key)
        if agreements:
            body["agreement_ids"] = agreements[:1]
    return {"i": i, "rng": rng, "status": status, "body": body, "host": host,
            "registrations": registrations, "walk_ins": walk_ins, "from_draft": rng.random() < 0.3}


async def _event(load: Load, plan: dict[str, Any]) -> None:
    rng: random.Random = plan["rng"]
    body = plan["body"]
    status = plan["status"]
    if body["kind"] == "bookstore_event":
        await load.works_ready.wait()
        if load.popular_books:
            book = load.popular_books[plan["i"] % len(load.popular_books)]
            body = {**body, "work_ids": [book["id"]],
                    "title": {"en": f"Book launch: {book['title']['en']}",
                              "zh": f"新书发布：《{book['title'].get('zh', book['title']['en'])}》"}}
    event = await load.coord.post("/outreach/events", body)
    path = f"/outreach/events/{event['id']}"
    if (status == "cancelled" and plan["from_draft"]) or status == "draft":
        if status == "cancelled":
            event = await load.coord.act(path, "cancel", reason=rng.choice(dataset.CANCEL_REASONS))
        return _count_event(load, event, [])
    event = await load.coord.act(path, "schedule")
    host = plan["host"]
    registered: list[tuple[dict[str, Any], Caller]] = []
    for r in plan["registrations"]:
        caller = load.partner_callers.get(host.key) if host and rng.random() < 0.5 else None
        caller = caller or load.coord
        registered.append((await caller.post(f"{path}/registrations", r), caller))
    final = {reg["id"]: reg["status"] for reg, _ in registered}
    if registered and rng.random() < (0.5 if status == "scheduled" else 0.2):  # someone cannot come after all
        reg, caller = registered[rng.randrange(len(registered))]
        final[reg["id"]] = (await caller.act(f"/outreach/registrations/{reg['id']}", "cancel"))["status"]
    if status == "cancelled":
        event = await load.coord.act(path, "cancel", reason=rng.choice(dataset.CANCEL_REASONS))
        return _count_event(load, event, list(final.values()))
    if status == "completed":
        now = {r["id"]: r["status"] for r in await load.coord.every(f"{path}/registrations")}
        final.update(now)
        arriving = [reg["id"] for reg, _ in registered if now[reg["id"]] == "confirmed" and rng.random() < 0.85]

        async def check_in(registration_id: str) -> None:
            final[registration_id] = (await load.coord.act(f"/outreach/registrations/{registration_id}",
                                                           "check_in"))["status"]

        await run_all(check_in(r) for r in arriving)
        low, high = plan["walk_ins"]
        done: dict[str, Any] = {"walk_ins": rng.randint(low, high)}
        if body["kind"] == "online_broadcast":
            done["reach"] = rng.randint(800, 12000)
        event = await load.coord.act(path, "complete", **done)
    return _count_event(load, event, list(final.values()))


def _count_event(load: Load, event: dict[str, Any], registrations: list[str]) -> None:
    load.report.add("events")
    load.report.add("events", event["status"])
    load.report.add("event_kinds", event["kind"])
    load.report.add("attendance", n=event.get("attendance") or 0)
    for status in registrations:
        load.report.add("registrations")
        load.report.add("registrations", status)
