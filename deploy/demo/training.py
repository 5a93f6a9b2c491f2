"""Training: the programs, their cohorts past, under way and upcoming, and what became of every application."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import ProgramSpec
from deploy.demo.dates import instant, z
from deploy.demo.people import People, Person, email_domain
from deploy.demo.state import Load


async def load_training(load: Load) -> None:
    plan = _training_plan(load)
    programs: dict[str, dict[str, Any]] = {}

    async def create(spec: ProgramSpec) -> None:
        program = await load.coord.post("/training/programs", {
            "title": spec.title, "description": {"en": spec.description}, "topics": list(spec.topics),
            "format": spec.format, "languages": list(spec.languages)})
        if spec.status != "draft":
            program = await load.coord.act(f"/training/programs/{program['id']}", "publish")
        programs[spec.key] = program

    await run_all(create(spec) for spec in plan["programs"])
    # Partner seat quotas count per year, across cohorts: the cohorts of one year take applications one
    # after the other, in order, so the same seed always gives the same seats; the years run side by side.
    turns: dict[int, asyncio.Event] = {}
    cohorts = []
    for c in plan["cohorts"]:
        done = asyncio.Event()
        cohorts.append(_cohort(load, programs[c["program"].key], c, turns.get(c["starts"].year), done))
        turns[c["starts"].year] = done
    await run_all(cohorts)
    for spec in plan["programs"]:
        if spec.status == "archived":
            programs[spec.key] = await load.coord.act(f"/training/programs/{programs[spec.key]['id']}", "archive")
    for program in programs.values():
        load.report.add("programs")
        load.report.add("programs", program["status"])


def _training_plan(load: Load) -> dict[str, Any]:
    rng = load.rng("training")
    published = [p for p in dataset.PROGRAMS if p.status == "published"][: load.count(15, 2)]
    archived = [p for p in dataset.PROGRAMS if p.status == "archived"]
    programs = published + archived + [p for p in dataset.PROGRAMS if p.status == "draft"]
    n = load.count(60, 4)
    future = max(1, round(n * 0.22))
    current = max(1, round(n * 0.06))
    past = n - future - current
    first_day = load.today - dt.timedelta(days=int(6.5 * 365))
    last_past = load.today - dt.timedelta(days=75)
    slots: list[tuple[str, dt.date]] = []
    for i in range(past):
        day = first_day + dt.timedelta(days=(last_past - first_day).days * i // max(1, past - 1))
        slots.append(("past", min(last_past, day + dt.timedelta(days=rng.randint(0, 20)))))
    slots += [("current", load.today - dt.timedelta(days=rng.randint(1, 5))) for _ in range(current)]
    slots += [("future", load.today + dt.timedelta(days=rng.randint(14, 330))) for _ in range(future)]
    owners = [archived[0]] * min(2, past - 1) if archived else []
    owners += [published[i % len(published)] for i in range(n - len(owners))]
    people = People()
    returning: dict[str, list[Person]] = defaultdict(list)
    cohorts = []
    for i, ((phase, starts), program) in enumerate(zip(slots, owners, strict=True)):
        crng = load.rng("cohort", i)
        days = {"onsite": (9, 20), "online": (28, 56), "hybrid": (14, 28)}[program.format]
        ends = starts + dt.timedelta(days=crng.randint(*days))
        capacity = crng.choice([20, 24, 24, 25, 28, 30, 30, 32])
        applicants = {"past": capacity + crng.randint(-3, 2), "current": capacity - crng.randint(0, 3),
                      "future": int(capacity * crng.uniform(0.4, 1.15))}[phase]
        cohort = {"index": i, "phase": phase, "program": program, "starts": starts, "ends": ends,
                  "capacity": capacity, "reserved": 4 if program.format != "online" and crng.random() < 0.35 else 0,
                  "site": crng.choice(dataset.TRAINING_SITES), "applicants": []}
        in_cohort: set[str] = set()
        for j in range(max(1, applicants)):
            arng = load.rng("applicant", i, j)
            staff = arng.random() < 0.5
            group = (arng.choice(["zoo_negara", "chiang_mai", "taman_safari", "everland"] * 3
                                 + [p.key for p in dataset.PARTNERS if p.kind == "zoo"]) if staff else None)
            country = load.partners[group].country if group else arng.choice(dataset.INDIVIDUAL_COUNTRIES)
            known = [p for p in returning[group or country] if p.email not in in_cohort]
            if known and arng.random() < 0.05:  # back for another course
                person = arng.choice(known)
            else:
                person = people.new(arng, country, email_domain(load.partners.get(group or "")), group)
                returning[group or country].append(person)
            in_cohort.add(person.email)
            roll = arng.random()
            if phase == "past":
                fate = ("withdraw" if roll < 0.05 else "no_show" if roll < 0.08 else "attend" if roll < 0.10
                        else "reject" if roll < 0.11 else "complete")
            elif phase == "current":
                fate = "withdraw" if roll < 0.05 else "attend" if roll < 0.75 else "stay"
            else:
                fate = "withdraw" if roll < 0.08 else "stay"
            by_partner = group in load.partner_callers and arng.random() < 0.8
            cohort["applicants"].append((person, fate, by_partner))
        cohorts.append(cohort)
    return {"programs": programs, "cohorts": cohorts}


async def _cohort(load: Load, program: dict[str, Any], c: dict[str, Any], after: asyncio.Event | None,
                  done: asyncio.Event) -> None:
    """Schedule the cohort; once the cohort before it in its year has taken its applications (`after`), take
    its own (then `done`); then record what became of each place."""
    fmt = c["program"].format
    body: dict[str, Any] = {"starts_on": c["starts"].isoformat(), "ends_on": c["ends"].isoformat(),
                            "capacity": c["capacity"], "reserved_seats": c["reserved"]}
    venue, city, country = c["site"]
    if fmt != "online":
        body["location"] = {"venue": venue, "city": city, "country": country}
    if fmt != "onsite":
        body["online_url"] = f"https://learning.panda-base.example/{c['program'].key}/{c['starts']:%Y-%m}"
    opens = instant(c["starts"] - dt.timedelta(days=90))
    if c["phase"] != "future":  # enrollment closed before it started: open it for now, close it afterwards
        body["enrollment_opens_at"] = z(opens)
        body["enrollment_closes_at"] = z(load.now + dt.timedelta(hours=6))
    cohort = await load.coord.post(f"/training/programs/{program['id']}/cohorts", body)
    cid = cohort["id"]
    if after is not None:
        await after.wait()
    enrolled: list[tuple[dict[str, Any], Caller, str]] = []
    for person, fate, by_partner in c["applicants"]:
        caller = load.partner_callers[person.partner] if by_partner and person.partner else load.coord
        applied: dict[str, Any] = {"name": person.name, "email": person.email, "country": person.country}
        if person.partner and caller is load.coord:
            applied["partner_id"] = load.partner_ids[person.partner]
        enrolled.append((await caller.post(f"/training/cohorts/{cid}/enrollments", applied), caller, fate))
    final: dict[str, str] = {e["id"]: e["status"] for e, _, _ in enrolled}
    for e, caller, fate in enrolled:  # before it starts: some withdraw, a few are turned down
        if fate in ("withdraw", "reject"):
            who = caller if fate == "withdraw" else load.coord
            final[e["id"]] = (await who.act(f"/training/enrollments/{e['id']}", fate))["status"]
    done.set()
    if c["phase"] != "future":
        now = {e["id"]: e["status"] for e in await load.coord.every(f"/training/cohorts/{cid}/enrollments")}

        async def settle(e: dict[str, Any], caller: Caller, fate: str) -> None:
            """What became of a place once the cohort ran (or, under way, so far); the order does not
            matter any more: nobody gives up a seat here."""
            path = f"/training/enrollments/{e['id']}"
            status = now[e["id"]]
            if status == "waitlisted" and c["phase"] == "past":  # no seat freed up in time
                status = (await caller.act(path, "withdraw"))["status"]
            elif status == "accepted" and c["phase"] == "past":
                if fate == "no_show":
                    status = (await load.coord.act(path, "no_show"))["status"]
                else:  # attended; most completed (those who did not, failed the final assessment)
                    status = (await load.coord.act(path, "attend"))["status"]
                    if fate != "attend":
                        done = await load.coord.act(path, "complete")
                        status = done["status"]
                        load.report.add("certificates", "total" if done.get("certificate_code") else "missing")
            elif status == "accepted" and fate == "attend":  # under way: the first days are attended
                status = (await load.coord.act(path, "attend"))["status"]
            final[e["id"]] = status

        await run_all(settle(e, caller, fate) for e, caller, fate in enrolled)
        await load.coord.patch(f"/training/cohorts/{cid}", {
            "enrollment_opens_at": z(opens), "enrollment_closes_at": z(instant(c["starts"]) - dt.timedelta(
                days=7))})
    load.report.add("cohorts")
    load.report.add("cohorts", c["phase"])
    for status in final.values():
        load.report.add("enrollments")
        load.report.add("enrollments", status)
