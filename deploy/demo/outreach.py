"""Outreach: the events of every kind, at partners, at the base and online, with their registrations, check-ins and
walk-ins; book launches present the popular science books. Each kind's settings are `plan.EVENT_KINDS`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import PartnerSpec
from deploy.demo.dates import instant, z
from deploy.demo.people import People
from deploy.demo.plan import (
    AGREEMENT_STATES,
    ARRIVES_SHARE,
    AT_PARTNER_SHARE,
    BOOKED_OUT_EXTRA,
    CANCELLED_AS_DRAFT_SHARE,
    EVENING_HOUR,
    EVENT_DAYS,
    EVENT_KINDS,
    EVENT_STATUS_SHARES,
    EVENTS,
    GIVES_UP_DEFAULT,
    GIVES_UP_SHARE,
    HOSTED_KINDS,
    HOURS,
    ONLINE_HOSTED_SHARE,
    REGISTERED_BY_HOST_SHARE,
    SCHOOL_CLASS_PARTY,
    SEASON_DAYS,
    SESSION_MINUTES,
    EventKind,
    spread,
)
from deploy.demo.state import Load

Place = tuple[PartnerSpec | None, dict[str, Any] | None, str]  # the co-host, the venue (none: online), timezone


@dataclass
class _Event:
    """One event as planned: its body, its co-host, who registers, and the generator the loading goes on with."""

    i: int
    rng: random.Random
    status: str
    settings: EventKind
    body: dict[str, Any]
    host: PartnerSpec | None
    registrations: list[dict[str, Any]]
    cancelled_as_draft: bool


async def load_events(load: Load) -> None:
    people = People()
    plans = [_event_plan(load, i, kind, status, people) for i, (kind, status) in enumerate(_kinds_and_statuses(load))]
    await run_all(_event(load, plan) for plan in plans)


def _kinds_and_statuses(load: Load) -> list[tuple[str, str]]:
    """Each event's kind and status: the kinds in proportion to their weights, the statuses to their shares."""
    n = load.count(*EVENTS)
    rng = load.rng("outreach")
    kinds = spread(n, {kind: settings.weight for kind, settings in EVENT_KINDS.items()}, rng)
    statuses = [status for status, share in EVENT_STATUS_SHARES for _ in range(max(1, round(n * share)))]
    statuses += ["completed"] * (n - len(statuses))
    rng.shuffle(statuses)
    launch = next((i for i, kind in enumerate(kinds) if EVENT_KINDS[kind].launches_book), None)
    if launch is not None:  # a book launch that took place, when there is one
        held = statuses.index("completed")
        statuses[launch], statuses[held] = statuses[held], statuses[launch]
    return list(zip(kinds, statuses, strict=True))


# --- the plan --------------------------------------------------------------------------------------------------


def _at_base(name: str) -> dict[str, Any]:
    return {"name": name, "city": dataset.BASE_CITY, "country": dataset.BASE_COUNTRY}


def _zoos() -> list[PartnerSpec]:
    return [p for p in dataset.PARTNERS if p.kind == "zoo"]


def _online(rng: random.Random, settings: EventKind) -> Place:
    return (rng.choice(_zoos()) if rng.random() < ONLINE_HOSTED_SHARE else None), None, dataset.BASE_TZ


def _museum(rng: random.Random, settings: EventKind) -> Place:
    return None, _at_base(rng.choice(dataset.BASE_VENUES)), dataset.BASE_TZ


def _bookstore(rng: random.Random, settings: EventKind) -> Place:
    """A bookstore abroad; co-hosted by the partner in its country, if there is one."""
    country = rng.choice(sorted(dataset.BOOKSTORES))
    name, city = dataset.BOOKSTORES[country]
    host = next((p for p in dataset.PARTNERS if p.country == country), None)
    tz = host.timezone if host and host.city == city else dataset.CITY_TZ.get(city, dataset.BASE_TZ)
    return host, {"name": name, "city": city, "country": country}, tz


def _partner_or_base(rng: random.Random, settings: EventKind) -> Place:
    """At a partner zoo (or a school in its city), else at the base (or a school in Chengdu)."""
    if rng.random() < AT_PARTNER_SHARE:
        host = rng.choice(_zoos())
        place = f"{host.city} International School" if settings.school else host.name["en"]
        return host, {"name": place, "city": host.city, "country": host.country}, host.timezone
    place = rng.choice(dataset.BASE_VENUES)
    if settings.school:
        place = rng.choice(dataset.SCHOOLS[dataset.BASE_CITY])
    return None, _at_base(place), dataset.BASE_TZ


PLACES: dict[str, Callable[[random.Random, EventKind], Place]] = {
    "online": _online, "museum": _museum, "bookstore": _bookstore, "partner_or_base": _partner_or_base}


def _event_plan(load: Load, i: int, kind: str, status: str, people: People) -> _Event:
    rng = load.rng("event", i)
    settings = EVENT_KINDS[kind]
    host, venue, tz = PLACES[settings.place](rng, settings)
    day = _day(load.today, rng, settings, status)
    hour = EVENING_HOUR if settings.evening_share and rng.random() < settings.evening_share else rng.choice(HOURS)
    starts = instant(day, hour, 0, tz)
    season, session = dt.timedelta(days=rng.randint(*SEASON_DAYS)), dt.timedelta(minutes=rng.choice(SESSION_MINUTES))
    length = {"season": season, "weekend": dt.timedelta(days=2), "session": session}[settings.lasts]
    title = _title(rng, settings, venue["city"] if venue else dataset.BASE_CITY, day.year)
    country = venue["country"] if venue else (host.country if host else "CN")
    booked_out = status == "scheduled" and bool(settings.booked_out_share) and rng.random() < settings.booked_out_share
    capacity = max(settings.party[1] * 2, settings.capacity * 2 // 3) if booked_out else settings.capacity
    registrations = _registrations(rng, settings, people, country, capacity, booked_out)
    body: dict[str, Any] = {
        "title": {"en": title[0], "zh": title[1]}, "kind": kind, "audiences": list(settings.audiences),
        "languages": _languages(country), "starts_at": z(starts), "ends_at": z(starts + length), "timezone": tz,
        "capacity": capacity, **_where(load, i, host, venue, day),
    }
    return _Event(i, rng, status, settings, body, host, registrations, rng.random() < CANCELLED_AS_DRAFT_SHARE)


def _languages(country: str) -> list[str]:
    local = dataset.LOCAL_LANGUAGE.get(country)
    return ["en", "zh", local] if local else ["en", "zh"]


def _where(load: Load, i: int, host: PartnerSpec | None, venue: dict[str, Any] | None,
           day: dt.date) -> dict[str, Any]:
    """Its venue (or where it streams), its co-host and the co-host's agreement that it comes under."""
    where: dict[str, Any] = {"venue": venue} if venue else {
        "online_url": f"https://live.panda-base.example/{day:%Y%m%d}-{i + 1:03d}"}
    if host:
        where["partner_ids"] = [load.partner_ids[host.key]]
        agreements = _agreements_with(load, host.key)
        if agreements:
            where["agreement_ids"] = agreements[:1]
    return where


def _day(today: dt.date, rng: random.Random, settings: EventKind, status: str) -> dt.date:
    if status == "completed":
        return today - dt.timedelta(days=rng.randint(*settings.held_days_ago))
    return today + dt.timedelta(days=rng.randint(*EVENT_DAYS[status]))


def _title(rng: random.Random, settings: EventKind, city: str, year: int) -> tuple[str, str]:
    """The kind's title (en, zh); a topic, an activity and an exhibition are drawn whichever it takes."""
    topic, activity, exhibition = (rng.choice(dataset.TOPICS), rng.choice(dataset.ACTIVITIES),
                                   rng.choice(dataset.EXHIBITIONS))
    en, zh = (template.format(topic=topic[n], activity=activity[n], exhibition=exhibition[n], city=city, year=year)
              for n, template in enumerate(settings.title))
    return en, zh


def _registrations(rng: random.Random, settings: EventKind, people: People, country: str, capacity: int,
                   booked_out: bool) -> list[dict[str, Any]]:
    registrations = []
    for _ in range(rng.randint(*settings.registrations) + (BOOKED_OUT_EXTRA if booked_out else 0)):
        person = people.new(rng, country if country in dataset.NAMES else "CN", "mail.example")
        party = rng.randint(*settings.party)
        name = person.name
        if party >= SCHOOL_CLASS_PARTY:
            name = f"{person.name}, class {rng.randint(3, 9)}{rng.choice('ABCD')}"
        registrations.append({"name": name, "email": person.email, "party_size": min(party, capacity)})
    return registrations


def _agreements_with(load: Load, partner: str | None) -> list[str]:
    return [load.agreements[k]["id"] for k, s in load.agreement_specs.items()
            if partner in s.partners and AGREEMENT_STATES[s.state].in_force and s.kind in HOSTED_KINDS]


# --- loading an event ------------------------------------------------------------------------------------------


async def _event(load: Load, plan: _Event) -> None:
    event = await load.coord.post("/outreach/events", await _presenting_a_book(load, plan))
    path = f"/outreach/events/{event['id']}"
    if plan.status == "draft" or (plan.status == "cancelled" and plan.cancelled_as_draft):
        if plan.status == "cancelled":
            event = await load.coord.act(path, "cancel", reason=plan.rng.choice(dataset.CANCEL_REASONS))
        return _count_event(load, event, [])
    event = await load.coord.act(path, "schedule")
    registered = await _register(load, plan, path)
    final = {reg["id"]: reg["status"] for reg, _ in registered}
    give_up = GIVES_UP_SHARE.get(plan.status, GIVES_UP_DEFAULT)
    if registered and plan.rng.random() < give_up:  # someone cannot come after all
        reg, caller = registered[plan.rng.randrange(len(registered))]
        final[reg["id"]] = (await caller.act(f"/outreach/registrations/{reg['id']}", "cancel"))["status"]
    if plan.status == "cancelled":
        event = await load.coord.act(path, "cancel", reason=plan.rng.choice(dataset.CANCEL_REASONS))
    elif plan.status == "completed":
        event = await _complete(load, plan, path, registered, final)
    return _count_event(load, event, list(final.values()))


async def _presenting_a_book(load: Load, plan: _Event) -> dict[str, Any]:
    """The event's body; a book launch's once the works are in, presenting one of the popular science books."""
    if not plan.settings.launches_book:
        return plan.body
    await load.works_ready.wait()
    if not load.popular_books:
        return plan.body
    book = load.popular_books[plan.i % len(load.popular_books)]
    return {**plan.body, "work_ids": [book["id"]],
            "title": {"en": f"Book launch: {book['title']['en']}",
                      "zh": f"新书发布：《{book['title'].get('zh', book['title']['en'])}》"}}


async def _register(load: Load, plan: _Event, path: str) -> list[tuple[dict[str, Any], Caller]]:
    """Every registration in order, some by the co-hosting partner's own key."""
    registered = []
    for r in plan.registrations:
        caller = (load.partner_callers.get(plan.host.key)
                  if plan.host and plan.rng.random() < REGISTERED_BY_HOST_SHARE else None)
        caller = caller or load.coord
        registered.append((await caller.post(f"{path}/registrations", r), caller))
    return registered


async def _complete(load: Load, plan: _Event, path: str, registered: list[tuple[dict[str, Any], Caller]],
                    final: dict[str, str]) -> dict[str, Any]:
    """Check in most of the confirmed, then complete it with its walk-ins (and reach, online)."""
    now = {r["id"]: r["status"] for r in await load.coord.every(f"{path}/registrations")}
    final.update(now)
    arriving = [reg["id"] for reg, _ in registered
                if now[reg["id"]] == "confirmed" and plan.rng.random() < ARRIVES_SHARE]

    async def check_in(registration_id: str) -> None:
        final[registration_id] = (await load.coord.act(f"/outreach/registrations/{registration_id}",
                                                       "check_in"))["status"]

    await run_all(check_in(r) for r in arriving)
    done: dict[str, Any] = {"walk_ins": plan.rng.randint(*plan.settings.walk_ins)}
    if plan.settings.reach:
        done["reach"] = plan.rng.randint(*plan.settings.reach)
    return await load.coord.act(path, "complete", **done)


def _count_event(load: Load, event: dict[str, Any], registrations: list[str]) -> None:
    load.report.tally("events", event["status"])
    load.report.add("event_kinds", event["kind"])
    load.report.add("attendance", n=event.get("attendance") or 0)
    for status in registrations:
        load.report.tally("registrations", status)
