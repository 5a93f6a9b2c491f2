"""Training: the programs, their cohorts past, under way and upcoming, and what became of every application. How
many of each, and what becomes of an applicant in each phase, are the tables in `plan.py`."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import ProgramSpec
from deploy.demo.dates import instant, z
from deploy.demo.people import People, Person, email_domain
from deploy.demo.plan import (
    ARCHIVED_PROGRAM_COHORTS,
    BEFORE_START,
    BY_APPLICANT,
    BY_PARTNER_KEY_SHARE,
    CAPACITIES,
    COHORT_SHARES,
    COHORTS,
    CURRENT_COHORT_DAYS_AGO,
    CURRENT_SHORT,
    ENROLLMENT_CLOSES_DAYS_BEFORE,
    ENROLLMENT_OPENS_DAYS_BEFORE,
    FATES,
    FORMAT_DAYS,
    FUTURE_COHORT_DAYS_AHEAD,
    FUTURE_FILL,
    PAST_COHORT_LATER,
    PAST_COHORTS_DAYS_AGO,
    PAST_OVER,
    PROGRAMS,
    RESERVED_SEATS,
    RESERVED_SHARE,
    RETURNING_SHARE,
    SETTLING,
    STAFF_SHARE,
    TRAINEE_ZOOS,
)
from deploy.demo.state import Load


@dataclass
class _Applicant:
    person: Person
    fate: str  # a key of plan.FATES[phase]
    by_partner: bool  # sent with the partner's own key


@dataclass
class _Cohort:
    index: int
    phase: str  # past, current, future
    program: ProgramSpec
    starts: dt.date
    ends: dt.date
    capacity: int
    reserved: int
    site: tuple[str, str, str]  # venue, city, country
    applicants: list[_Applicant] = field(default_factory=list)


@dataclass
class _Pool:
    """Everybody who has applied so far, by partner or country, so that some come back for another course."""

    people: People = field(default_factory=People)
    returning: dict[str, list[Person]] = field(default_factory=lambda: defaultdict(list))


async def load_training(load: Load) -> None:
    programs = _chosen_programs(load)
    cohorts = _cohorts(load, programs)
    made: dict[str, dict[str, Any]] = {}

    async def create(spec: ProgramSpec) -> None:
        program = await load.coord.post("/training/programs", {
            "title": spec.title, "description": {"en": spec.description}, "topics": list(spec.topics),
            "format": spec.format, "languages": list(spec.languages)})
        if spec.status != "draft":
            program = await load.coord.act(f"/training/programs/{program['id']}", "publish")
        made[spec.key] = program

    await run_all(create(spec) for spec in programs)
    # Partner seat quotas count per year, across cohorts: the cohorts of one year take applications one
    # after the other, in order, so the same seed always gives the same seats; the years run side by side.
    turns: dict[int, asyncio.Event] = {}
    runs = []
    for c in cohorts:
        done = asyncio.Event()
        runs.append(_cohort(load, made[c.program.key], c, turns.get(c.starts.year), done))
        turns[c.starts.year] = done
    await run_all(runs)
    for spec in programs:
        if spec.status == "archived":
            made[spec.key] = await load.coord.act(f"/training/programs/{made[spec.key]['id']}", "archive")
    for program in made.values():
        load.report.tally("programs", program["status"])


def _chosen_programs(load: Load) -> list[ProgramSpec]:
    """As many published programs as the scale asks for, then the archived and the draft ones."""
    published = [p for p in dataset.PROGRAMS if p.status == "published"][: load.count(*PROGRAMS)]
    return published + [p for status in ("archived", "draft") for p in dataset.PROGRAMS if p.status == status]


# --- the plan --------------------------------------------------------------------------------------------------


def _cohorts(load: Load, programs: list[ProgramSpec]) -> list[_Cohort]:
    """The cohorts in order of their phase and start, each with its program, size and applicants: the archived
    program's first, then the published programs' in turn."""
    n = load.count(*COHORTS)
    slots = _slots(load, n)
    published = [p for p in programs if p.status == "published"]
    archived = [p for p in programs if p.status == "archived"]
    past = sum(1 for phase, _ in slots if phase == "past")
    owners = [archived[0]] * min(ARCHIVED_PROGRAM_COHORTS, past - 1) if archived else []
    owners += [published[i % len(published)] for i in range(n - len(owners))]
    pool = _Pool()
    return [_cohort_plan(load, i, phase, starts, program, pool)
            for i, ((phase, starts), program) in enumerate(zip(slots, owners, strict=True))]


def _slots(load: Load, n: int) -> list[tuple[str, dt.date]]:
    """(phase, start) of each cohort: the past ones spread over the last years, then current, then future."""
    rng = load.rng("training")
    future, current = (max(1, round(n * COHORT_SHARES[phase])) for phase in ("future", "current"))
    past = n - future - current
    first_day, last_past = (load.today - dt.timedelta(days=d) for d in PAST_COHORTS_DAYS_AGO)
    slots: list[tuple[str, dt.date]] = []
    for i in range(past):
        day = first_day + dt.timedelta(days=(last_past - first_day).days * i // max(1, past - 1))
        slots.append(("past", min(last_past, day + dt.timedelta(days=rng.randint(*PAST_COHORT_LATER)))))
    slots += [("current", load.today - dt.timedelta(days=rng.randint(*CURRENT_COHORT_DAYS_AGO)))
              for _ in range(current)]
    slots += [("future", load.today + dt.timedelta(days=rng.randint(*FUTURE_COHORT_DAYS_AHEAD)))
              for _ in range(future)]
    return slots


def _cohort_plan(load: Load, i: int, phase: str, starts: dt.date, program: ProgramSpec, pool: _Pool) -> _Cohort:
    rng = load.rng("cohort", i)
    ends = starts + dt.timedelta(days=rng.randint(*FORMAT_DAYS[program.format]))
    capacity = rng.choice(CAPACITIES)
    over, short, fill = rng.randint(*PAST_OVER), rng.randint(*CURRENT_SHORT), rng.uniform(*FUTURE_FILL)
    applying = {"past": capacity + over, "current": capacity - short, "future": int(capacity * fill)}[phase]
    reserved = RESERVED_SEATS if program.format != "online" and rng.random() < RESERVED_SHARE else 0
    cohort = _Cohort(i, phase, program, starts, ends, capacity, reserved, rng.choice(dataset.TRAINING_SITES))
    in_cohort: set[str] = set()
    for j in range(max(1, applying)):
        cohort.applicants.append(_applicant(load, load.rng("applicant", i, j), phase, pool, in_cohort))
    return cohort


def _applicant(load: Load, rng: random.Random, phase: str, pool: _Pool, in_cohort: set[str]) -> _Applicant:
    group = rng.choice(TRAINEE_ZOOS) if rng.random() < STAFF_SHARE else None
    country = load.partners[group].country if group else rng.choice(dataset.INDIVIDUAL_COUNTRIES)
    known = [p for p in pool.returning[group or country] if p.email not in in_cohort]
    if known and rng.random() < RETURNING_SHARE:  # back for another course
        person = rng.choice(known)
    else:
        person = pool.people.new(rng, country, email_domain(load.partners.get(group or "")), group)
        pool.returning[group or country].append(person)
    in_cohort.add(person.email)
    roll = rng.random()
    fate = next(fate for fate, below in FATES[phase] if roll < below)
    by_partner = group in load.partner_callers and rng.random() < BY_PARTNER_KEY_SHARE
    return _Applicant(person, fate, by_partner)


# --- loading a cohort ------------------------------------------------------------------------------------------


async def _cohort(load: Load, program: dict[str, Any], c: _Cohort, after: asyncio.Event | None,
                  done: asyncio.Event) -> None:
    """Schedule the cohort; once the cohort before it in its year has taken its applications (`after`), take
    its own (then `done`); then record what became of each place."""
    cid = await _schedule(load, program, c)
    if after is not None:
        await after.wait()
    enrolled = await _apply(load, cid, c)
    final: dict[str, str] = {e["id"]: e["status"] for e, _, _ in enrolled}
    for e, caller, fate in enrolled:  # before it starts: some withdraw, a few are turned down
        if fate in BEFORE_START:
            final[e["id"]] = (await _step(load, caller, e, fate))["status"]
    done.set()
    if c.phase != "future":
        await _settle(load, c, cid, enrolled, final)
    load.report.tally("cohorts", c.phase)
    for status in final.values():
        load.report.tally("enrollments", status)


def _opens(c: _Cohort) -> dt.datetime:
    return instant(c.starts - dt.timedelta(days=ENROLLMENT_OPENS_DAYS_BEFORE))


async def _schedule(load: Load, program: dict[str, Any], c: _Cohort) -> str:
    fmt = c.program.format
    body: dict[str, Any] = {"starts_on": c.starts.isoformat(), "ends_on": c.ends.isoformat(),
                            "capacity": c.capacity, "reserved_seats": c.reserved}
    venue, city, country = c.site
    if fmt != "online":
        body["location"] = {"venue": venue, "city": city, "country": country}
    if fmt != "onsite":
        body["online_url"] = f"https://learning.panda-base.example/{c.program.key}/{c.starts:%Y-%m}"
    if c.phase != "future":  # enrollment closed before it started: open it for now, close it afterwards
        body["enrollment_opens_at"] = z(_opens(c))
        body["enrollment_closes_at"] = z(load.now + dt.timedelta(hours=6))
    return (await load.coord.post(f"/training/programs/{program['id']}/cohorts", body))["id"]


async def _apply(load: Load, cid: str, c: _Cohort) -> list[tuple[dict[str, Any], Caller, str]]:
    """Every application, one after the other: the seats go in this order."""
    enrolled = []
    for a in c.applicants:
        person = a.person
        caller = load.partner_callers[person.partner] if a.by_partner and person.partner else load.coord
        applied: dict[str, Any] = {"name": person.name, "email": person.email, "country": person.country}
        if person.partner and caller is load.coord:
            applied["partner_id"] = load.partner_ids[person.partner]
        enrolled.append((await caller.post(f"/training/cohorts/{cid}/enrollments", applied), caller, a.fate))
    return enrolled


async def _step(load: Load, caller: Caller, enrollment: dict[str, Any], step: str) -> dict[str, Any]:
    """One transition of an enrollment, by the applicant's caller or by the coordinator, as `BY_APPLICANT` says."""
    who = caller if step in BY_APPLICANT else load.coord
    return await who.act(f"/training/enrollments/{enrollment['id']}", step)


async def _settle(load: Load, c: _Cohort, cid: str, enrolled: list[tuple[dict[str, Any], Caller, str]],
                  final: dict[str, str]) -> None:
    """What became of each place once the cohort ran (or, under way, so far); the order does not matter any
    more: nobody gives up a seat here. Then the enrollment window moves back to before the start."""
    now = {e["id"]: e["status"] for e in await load.coord.every(f"/training/cohorts/{cid}/enrollments")}

    async def settle(e: dict[str, Any], caller: Caller, fate: str) -> None:
        steps = SETTLING.get((c.phase, now[e["id"]]), {})
        final[e["id"]] = now[e["id"]]
        for step in steps.get(fate, steps.get("*", ())):
            answer = await _step(load, caller, e, step)
            final[e["id"]] = answer["status"]
            if step == "complete":
                load.report.add("certificates", "total" if answer.get("certificate_code") else "missing")

    await run_all(settle(e, caller, fate) for e, caller, fate in enrolled)
    closes = instant(c.starts) - dt.timedelta(days=ENROLLMENT_CLOSES_DAYS_BEFORE)
    await load.coord.patch(f"/training/cohorts/{cid}", {"enrollment_opens_at": z(_opens(c)),
                                                         "enrollment_closes_at": z(closes)})
