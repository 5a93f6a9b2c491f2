"""Partnerships: the partner institutions and their keys, the agreements (each in its state) with their research
projects, the studbook, and the loans under the panda loan agreements."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import AgreementSpec, CubSpec, PandaSpec, PartnerSpec
from deploy.demo.dates import years_later
from deploy.demo.people import People, email_domain
from deploy.demo.plan import (
    AGREEMENT_KINDS,
    AGREEMENT_STATES,
    PROJECT_YEARS,
    SIGNED_DAYS_BEFORE_GIVEN_START,
    STATES,
    SUBMITTED_NOTE,
    TERMINATED_REASON,
    TERMS,
    TermRule,
    one_of,
)
from deploy.demo.state import Load

Terms = tuple[dt.date, dt.date, dt.date]  # effective_from, effective_until, signed_on
Project = tuple[str, str, str]  # area, title in English, in Chinese

# How a term's start is drawn, by `TermRule.starts`, from today and the rule's `start_range`.
STARTS: dict[str, Callable[[random.Random, dt.date, tuple[int, ...]], dt.date]] = {
    "years_ago": lambda rng, today, years: years_later(today, -rng.choice(years)),
    "month_in_years": lambda rng, today, years: dt.date(rng.randint(*years), rng.randint(1, 12), 1),
    "month_ahead": lambda rng, today, days: (today + dt.timedelta(days=rng.randint(*days))).replace(day=1),
}

# --- partners --------------------------------------------------------------------------------------------------


async def load_partners(load: Load) -> None:
    people = People()
    bodies = []
    for spec in dataset.PARTNERS:
        contact = people.new(load.rng("partner", spec.key), spec.country, email_domain(spec), spec.key)
        body: dict[str, Any] = {
            "name": spec.name, "kind": spec.kind, "country": spec.country, "city": spec.city,
            "contacts": [{"name": contact.name, "role": spec.contact_role, "email": contact.email}],
        }
        if spec.website:
            body["website"] = spec.website
        bodies.append((spec, body))

    async def register(spec: PartnerSpec, body: dict[str, Any]) -> None:
        partner = await load.coord.post("/partnerships/partners", body)
        load.partner_ids[spec.key] = partner["id"]
        load.report.add("partners")
        load.report.add("countries", spec.country)

    await run_all(register(spec, body) for spec, body in bodies)

    async def issue(key: str) -> None:
        spec = load.partners[key]
        issued = await load.admin.post("/admin/api-keys", {
            "name": f"Demo: {spec.name['en']} systems", "role": "partner", "partner_id": load.partner_ids[key]})
        load.partner_callers[key] = Caller(load.gateway, issued["key"])
        load.report.add("partner_keys")

    await run_all(issue(k) for k in dataset.PARTNER_KEYS)


# --- agreements and their projects -----------------------------------------------------------------------------


def choose_agreements(load: Load) -> list[AgreementSpec]:
    """Every kind active and every state at least once (the first of each in the list), then the others in
    list order, up to the scale's count."""
    specs = dataset.AGREEMENTS
    cover = [next(s for s in specs if s.kind == kind and s.state == "active") for kind in AGREEMENT_KINDS]
    for state in STATES:
        first = next(s for s in specs if s.state == state)
        if first not in cover:
            cover.append(first)
    want = max(len(cover), round(len(specs) * load.scale))
    rest = [s for s in specs if s not in cover]
    chosen = {s.key for s in cover + rest[: want - len(cover)]}
    return [s for s in specs if s.key in chosen]


def terms(spec: AgreementSpec, rng: random.Random, today: dt.date) -> Terms:
    """effective_from, effective_until and signed_on: as the spec says, else made up to fit its state."""
    if spec.effective_from and spec.effective_until:
        signed = spec.signed_on or spec.effective_from - dt.timedelta(
            days=rng.randint(*SIGNED_DAYS_BEFORE_GIVEN_START))
        return spec.effective_from, spec.effective_until, signed
    return _made_up_terms(TERMS[spec.state], rng, today)


def _made_up_terms(rule: TermRule, rng: random.Random, today: dt.date) -> Terms:
    signed = today - dt.timedelta(days=rng.randint(*rule.signed_days_ago)) if rule.signed_days_ago else None
    start = STARTS[rule.starts](rng, today, rule.start_range)
    until = years_later(start, one_of(rng, rule.years)) - dt.timedelta(days=1) if rule.years else today
    if rule.extend_by and until < today + dt.timedelta(days=365):
        until = years_later(until, rule.extend_by)
    if rule.signed_days_before_start:
        signed = start - dt.timedelta(days=rng.randint(*rule.signed_days_before_start))
    return start, until, signed or start


async def load_agreements(load: Load) -> None:
    drafted = {}
    for spec in load.agreement_specs.values():  # one by one: their codes (AGR-<year>-<n>) follow the list
        drafted[spec.key] = await _draft(load, spec)
    await run_all(_agreement(load, spec, *drafted[spec.key]) for spec in load.agreement_specs.values())


async def _draft(load: Load, spec: AgreementSpec) -> tuple[dict[str, Any], list[Project], Terms]:
    rng = load.rng("agreement", spec.key)
    drawn = start, until, _ = terms(spec, rng, load.today)
    projects = rng.sample(dataset.PROJECTS, spec.projects)
    body: dict[str, Any] = {
        "title": spec.title, "kind": spec.kind, "partner_ids": [load.partner_ids[p] for p in spec.partners],
        "effective_from": start.isoformat(), "effective_until": until.isoformat(),
        "key_projects": [{"title": {"en": en, "zh": zh}} for _, en, zh in projects],
    }
    if spec.seats:
        body["training_seats_per_year"] = spec.seats
    if spec.cub_return_age:
        body["cub_return_age_years"] = spec.cub_return_age
    agreement = await load.coord.post("/partnerships/agreements", body)
    load.agreements[spec.key] = agreement
    return agreement, projects, drawn


async def _agreement(load: Load, spec: AgreementSpec, agreement: dict[str, Any], projects: list[Project],
                     drawn: Terms) -> None:
    """Take the drafted agreement to its state (with its loans once in force), then add its projects."""
    start, until, signed_on = drawn
    path = f"/partnerships/agreements/{agreement['id']}"
    state = AGREEMENT_STATES[spec.state]
    fields = {"submit": {"note": SUBMITTED_NOTE}, "sign": {"signed_on": signed_on.isoformat()}, "activate": {}}
    for step in state.steps:
        agreement = await load.coord.act(path, step, **fields[step])
    if state.activated:
        if spec.renew_to:
            agreement = await load.coord.act(path, "renew", effective_until=spec.renew_to.isoformat())
            until = spec.renew_to
        await _loans(load, spec, agreement)
    load.agreements[spec.key] = agreement
    for i, project in enumerate(projects):
        await _project(load, spec, agreement, i, project, start, until)
    if state.terminated:
        agreement = await load.coord.act(path, "terminate", reason=spec.terminate_reason or TERMINATED_REASON)
    load.agreements[spec.key] = agreement
    load.report.tally("agreements", spec.state)
    load.report.add("agreement_kinds", spec.kind)


async def _project(load: Load, spec: AgreementSpec, agreement: dict[str, Any], i: int, project: Project,
                   start: dt.date, until: dt.date) -> None:
    rng = load.rng("project", spec.key, i)
    area, en, zh = project
    begins = start + dt.timedelta(days=rng.randint(0, max(0, (until - start).days // 3)))
    ends = min(until, years_later(begins, rng.randint(*PROJECT_YEARS)))
    created = await load.coord.post(f"/partnerships/agreements/{agreement['id']}/projects", {
        "title": {"en": en, "zh": zh}, "area": area, "lead_partner_id": load.partner_ids[rng.choice(spec.partners)],
        "start_date": begins.isoformat(), "end_date": ends.isoformat(),
        "description": {"en": f"A research project under {spec.title['en']}."},
    })
    path = f"/partnerships/agreements/{agreement['id']}/projects/{created['id']}"
    state = AGREEMENT_STATES[spec.state]
    if state.activated and begins <= load.today:
        created = await load.coord.act(path, "start")
        if ends < load.today:
            created = await load.coord.act(path, "complete")
        elif state.terminated:
            created = await load.coord.act(path, "cancel")
    load.projects[spec.key].append(created)
    load.report.tally("projects", created["status"])


# --- the studbook and the loans --------------------------------------------------------------------------------


def _studbook_entry(spec: PandaSpec) -> dict[str, Any]:
    body: dict[str, Any] = {"studbook_number": spec.studbook_number, "name": spec.name, "sex": spec.sex,
                            "birth_date": spec.birth_date.isoformat()}
    if spec.birth_date_estimated:
        body["birth_date_estimated"] = True
    if spec.death_date:
        body["death_date"] = spec.death_date.isoformat()
    if not spec.managed:
        body["managed"] = False
    return body


async def load_studbook(load: Load) -> None:
    """Every panda of the studbook (`deploy/demo/studbook.py`) not born on one of the chosen loans, each once its
    parents are registered."""
    born_on_loan = {c.panda for s in load.agreement_specs.values()
                    if AGREEMENT_STATES[s.state].activated for c in s.cubs}
    await run_all(_register_panda(load, p) for p in load.studbook if p.key not in born_on_loan)


async def _register_panda(load: Load, spec: PandaSpec) -> None:
    body = _studbook_entry(spec)
    if spec.birthplace:
        body["birthplace"] = spec.birthplace
    if spec.dam:
        body["dam_id"] = await load.pandas[spec.dam]
    if spec.sire:
        body["sire_id"] = await load.pandas[spec.sire]
    for role in ("dam", "sire"):
        if origin := getattr(spec, f"{role}_origin"):
            body[f"{role}_origin"] = origin
    if spec.possible_sires:
        body["possible_sires"] = [{"panda_id": await load.pandas[key], "probability": p}
                                  for key, p in spec.possible_sires]
    panda = await load.coord.post("/partnerships/pandas", body)
    load.report.add("pandas")
    load.pandas[spec.key].set_result(panda["id"])


async def _loans(load: Load, spec: AgreementSpec, agreement: dict[str, Any]) -> None:
    """The agreement's loans, the cubs born on them (each on a loan of its own), and the loans that ended."""
    host = load.partner_ids[spec.partners[0]]
    loans: dict[str, dict[str, Any]] = {}
    for loan in spec.loans:
        loans[loan.panda] = await load.coord.post("/partnerships/loans", {
            "panda_id": await load.pandas[loan.panda], "agreement_id": agreement["id"], "host_partner_id": host,
            "start_date": loan.start.isoformat(), "planned_end_date": loan.planned_end.isoformat()})
        load.report.add("loans")
    for cub in spec.cubs:
        await _cub(load, cub, loans[cub.mother]["id"])
    for loan in spec.loans:
        if loan.returned_on:
            await _return(load, loans[loan.panda]["id"], loan.returned_on)


async def _cub(load: Load, cub: CubSpec, mother_loan_id: str) -> None:
    panda = next(p for p in load.studbook if p.key == cub.panda)
    body = _studbook_entry(panda)
    if panda.sire:
        body["sire_id"] = await load.pandas[panda.sire]
    born = await load.coord.post(f"/partnerships/loans/{mother_loan_id}/cubs", body)
    load.report.add("pandas")
    load.report.tally("loans", "cubs born on loan")
    if cub.returned_on:
        await _return(load, born["loan"]["id"], cub.returned_on)
    load.pandas[cub.panda].set_result(born["panda"]["id"])


async def _return(load: Load, loan_id: str, returned_on: dt.date) -> None:
    await load.coord.act(f"/partnerships/loans/{loan_id}", "return", returned_on=returned_on.isoformat())
    load.report.add("loans", "returned")
