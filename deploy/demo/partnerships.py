"""Partnerships: the partner institutions and their keys, the agreements (each in its state) with their research
projects, the studbook, and the loans under the panda loan agreements."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, run_all
from deploy.demo.dataset import AgreementSpec, PandaSpec, PartnerSpec
from deploy.demo.dates import years_later
from deploy.demo.people import People, email_domain
from deploy.demo.plan import AGREEMENT_KINDS, STATES
from deploy.demo.state import Load


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


def choose_agreements(load: Load) -> list[AgreementSpec]:
    """Every kind active and every state at least once (the first of each in the list), then the others in
    list order, up to the scale's count."""
    specs = dataset.AGREEMENTS
    cover: list[AgreementSpec] = []
    for kind in AGREEMENT_KINDS:
        cover.append(next(s for s in specs if s.kind == kind and s.state == "active"))
    for state in STATES:
        first = next(s for s in specs if s.state == state)
        if first not in cover:
            cover.append(first)
    want = max(len(cover), round(len(specs) * load.scale))
    rest = [s for s in specs if s not in cover]
    chosen = {s.key for s in cover + rest[: want - len(cover)]}
    return [s for s in specs if s.key in chosen]


def _terms(load: Load, spec: AgreementSpec, rng: random.Random) -> tuple[dt.date, dt.date, dt.date]:
    """effective_from, effective_until and signed_on: as the spec says, else made up to fit its state."""
    if spec.effective_from and spec.effective_until:
        signed = spec.signed_on or spec.effective_from - dt.timedelta(days=rng.randint(30, 120))
        return spec.effective_from, spec.effective_until, signed
    if spec.state == "expiring":  # in force until today: it expires by itself tomorrow
        start = years_later(load.today, -rng.choice([5, 10]))
        return start, load.today, start - dt.timedelta(days=rng.randint(30, 120))
    if spec.state in ("active", "terminated"):
        start = dt.date(rng.randint(2015, 2023), rng.randint(1, 12), 1)
        until = years_later(start, rng.choice([10, 10, 15])) - dt.timedelta(days=1)
        if until < load.today + dt.timedelta(days=365):
            until = years_later(until, 5)
        return start, until, start - dt.timedelta(days=rng.randint(20, 120))
    if spec.state == "signed":
        signed = load.today - dt.timedelta(days=rng.randint(10, 60))
        start = (load.today + dt.timedelta(days=rng.randint(40, 150))).replace(day=1)
        return start, years_later(start, 10) - dt.timedelta(days=1), signed
    start = (load.today + dt.timedelta(days=rng.randint(70, 300))).replace(day=1)  # draft, negotiating
    return start, years_later(start, rng.choice([5, 10])) - dt.timedelta(days=1), start


async def load_agreements(load: Load) -> None:
    drafted = {}
    for spec in load.agreement_specs.values():  # one by one: their codes (AGR-<year>-<n>) follow the list
        drafted[spec.key] = await _draft(load, spec)
    await run_all(_agreement(load, spec, *drafted[spec.key]) for spec in load.agreement_specs.values())


async def _draft(load: Load, spec: AgreementSpec) -> tuple[dict[str, Any], list[tuple[str, str, str]], tuple[
        dt.date, dt.date, dt.date]]:
    rng = load.rng("agreement", spec.key)
    terms = start, until, _ = _terms(load, spec, rng)
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
    return agreement, projects, terms


async def _agreement(load: Load, spec: AgreementSpec, agreement: dict[str, Any], projects: list[tuple[str, str, str]],
                     terms: tuple[dt.date, dt.date, dt.date]) -> None:
    start, until, signed_on = terms
    path = f"/partnerships/agreements/{agreement['id']}"
    if spec.state != "draft":
        agreement = await load.coord.act(path, "submit", note="Terms sent to the partner for review.")
    if spec.state in ("signed", "active", "expiring", "terminated"):
        agreement = await load.coord.act(path, "sign", signed_on=signed_on.isoformat())
    if spec.state in ("active", "expiring", "terminated"):
        agreement = await load.coord.act(path, "activate")
        if spec.renew_to:
            agreement = await load.coord.act(path, "renew", effective_until=spec.renew_to.isoformat())
            until = spec.renew_to
        await _loans(load, spec, agreement)
    load.agreements[spec.key] = agreement
    for i, project in enumerate(projects):
        await _project(load, spec, agreement, i, project, start, until)
    if spec.state == "terminated":
        agreement = await load.coord.act(path, "terminate", reason=spec.terminate_reason or "Ended early.")
    load.agreements[spec.key] = agreement
    load.report.add("agreements")
    load.report.add("agreements", spec.state)
    load.report.add("agreement_kinds", spec.kind)


async def _project(load: Load, spec: AgreementSpec, agreement: dict[str, Any], i: int,
                   project: tuple[str, str, str], start: dt.date, until: dt.date) -> None:
    rng = load.rng("project", spec.key, i)
    area, en, zh = project
    span = (until - start).days
    begins = start + dt.timedelta(days=rng.randint(0, max(0, span // 3)))
    ends = min(until, years_later(begins, rng.randint(2, 4)))
    created = await load.coord.post(f"/partnerships/agreements/{agreement['id']}/projects", {
        "title": {"en": en, "zh": zh}, "area": area, "lead_partner_id": load.partner_ids[rng.choice(spec.partners)],
        "start_date": begins.isoformat(), "end_date": ends.isoformat(),
        "description": {"en": f"A research project under {spec.title['en']}."},
    })
    path = f"/partnerships/agreements/{agreement['id']}/projects/{created['id']}"
    in_force = spec.state in ("active", "expiring", "terminated")
    if in_force and begins <= load.today:
        created = await load.coord.act(path, "start")
        if ends < load.today:
            created = await load.coord.act(path, "complete")
        elif spec.state == "terminated":
            created = await load.coord.act(path, "cancel")
    load.projects[spec.key].append(created)
    load.report.add("projects")
    load.report.add("projects", created["status"])


async def load_studbook(load: Load) -> None:
    """Every panda not born on one of the chosen loans, each once its parents are registered."""
    born_on_loan = {c.panda for s in load.agreement_specs.values()
                    if s.state in ("active", "expiring", "terminated") for c in s.cubs}
    await run_all(_register_panda(load, p) for p in dataset.PANDAS if p.key not in born_on_loan)


async def _register_panda(load: Load, spec: PandaSpec) -> None:
    body: dict[str, Any] = {"studbook_number": spec.studbook_number, "name": spec.name, "sex": spec.sex,
                            "birth_date": spec.birth_date.isoformat()}
    if spec.birthplace:
        body["birthplace"] = spec.birthplace
    if spec.dam:
        body["dam_id"] = await load.pandas[spec.dam]
    if spec.sire:
        body["sire_id"] = await load.pandas[spec.sire]
    panda = await load.coord.post("/partnerships/pandas", body)
    load.report.add("pandas")
    load.pandas[spec.key].set_result(panda["id"])


async def _loans(load: Load, spec: AgreementSpec, agreement: dict[str, Any]) -> None:
    host = load.partner_ids[spec.partners[0]]
    loans: dict[str, dict[str, Any]] = {}
    for loan in spec.loans:
        loans[loan.panda] = await load.coord.post("/partnerships/loans", {
            "panda_id": await load.pandas[loan.panda], "agreement_id": agreement["id"], "host_partner_id": host,
            "start_date": loan.start.isoformat(), "planned_end_date": loan.planned_end.isoformat()})
        load.report.add("loans")
    for cub in spec.cubs:
        panda = next(p for p in dataset.PANDAS if p.key == cub.panda)
        body: dict[str, Any] = {"studbook_number": panda.studbook_number, "name": panda.name, "sex": panda.sex,
                                "birth_date": panda.birth_date.isoformat()}
        if panda.sire:
            body["sire_id"] = await load.pandas[panda.sire]
        born = await load.coord.post(f"/partnerships/loans/{loans[cub.mother]['id']}/cubs", body)
        load.report.add("pandas")
        load.report.add("loans")
        load.report.add("loans", "cubs born on loan")
        if cub.returned_on:
            await load.coord.act(f"/partnerships/loans/{born['loan']['id']}", "return",
                                 returned_on=cub.returned_on.isoformat())
            load.report.add("loans", "returned")
        load.pandas[cub.panda].set_result(born["panda"]["id"])
    for loan in spec.loans:
        if loan.returned_on:
            await load.coord.act(f"/partnerships/loans/{loans[loan.panda]['id']}", "return",
                                 returned_on=loan.returned_on.isoformat())
            load.report.add("loans", "returned")
