"""`make demo`: load a realistic demo dataset through the gateway's public API.

    python -m deploy.demo [--gateway URL] [--admin-key KEY] [--scale 1.0] [--seed 7] [--concurrency 12]

At scale 1.0: 27 partner institutions in 21 countries, 40 agreements of every kind in every state (with their
cooperation plans' research projects), 12 pandas with their pedigrees, loans under the panda loan agreements
and a cub born on loan, 17 training programs with 60 cohorts and 1,200+ enrollments, 150 outreach events with
registrations and attendance, and 200 works. A smaller scale makes fewer agreements, cohorts, events and works,
but always at least one of every kind and state.

It talks only to the public API: the admin key issues a coordinator key, which writes almost everything, and
partner keys for six partner institutions, which enroll their own staff and register their visitors. Nothing is
random between runs: every choice comes from `random.Random` seeded with `--seed` and what it is for, and dates
are placed relative to today. It refuses to run twice on one database: when the partners already include the
demo's institutions it stops and says so.

`offer_demo` is what `make run` calls: once the gateway is ready, on an empty database, it loads the demo when
`DEMO=1` is set and otherwise prints a one-line hint.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import sys
import threading
import time
import unicodedata
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from deploy import demo_data as data
from deploy.demo_data import AgreementSpec, PandaSpec, PartnerSpec, ProgramSpec

API = "/api/v1"
UTC = dt.UTC
EVENT_WAIT_SECONDS = 60.0  # how long a write waits for another service to learn of what it names
STATES = ("draft", "negotiating", "signed", "active", "terminated", "expiring")
AGREEMENT_KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")
EVENT_KINDS = {  # kind: (weight, capacity, registrations (min, max), party size (min, max), walk-ins (min, max))
    "classroom": (18, 40, (2, 5), (2, 8), (0, 6)),
    "lecture": (18, 150, (5, 12), (1, 2), (10, 60)),
    "school_visit": (14, 70, (1, 2), (20, 32), (0, 4)),
    "hands_on_course": (12, 24, (4, 8), (1, 3), (0, 3)),
    "online_broadcast": (10, 5000, (5, 12), (1, 1), (0, 0)),
    "museum_tour": (10, 30, (3, 8), (1, 4), (0, 5)),
    "bookstore_event": (7, 60, (4, 10), (1, 2), (5, 40)),
    "exhibition": (6, 2000, (4, 10), (1, 5), (300, 3000)),
    "festival": (5, 3000, (5, 12), (2, 5), (800, 5000)),
}
AUDIENCES = {
    "classroom": ["children", "students"], "lecture": ["general", "professionals", "students"],
    "school_visit": ["students", "teachers", "children"], "hands_on_course": ["families", "children"],
    "online_broadcast": ["general", "students"], "museum_tour": ["tourists", "general"],
    "bookstore_event": ["general", "families"], "exhibition": ["general", "families", "tourists"],
    "festival": ["families", "general", "tourists", "children"],
}
WORK_TYPES = {  # type: (weight, authors (min, max))
    "journal_article": (110, (3, 8)), "conference_paper": (20, (2, 5)), "report": (16, (2, 4)),
    "popular_article": (18, (1, 2)), "book_chapter": (10, (1, 3)), "popular_science_book": (8, (1, 2)),
    "thesis": (8, (1, 1)), "book": (5, (1, 3)), "dataset": (5, (2, 5)),
}


class DemoError(Exception):
    """The demo could not be loaded; the message says why."""


class AlreadyLoaded(DemoError):
    """The database holds the demo's partners already."""


class ApiError(DemoError):
    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"{method} {API}{path} answered {status}: {detail}")
        self.status = status


def _say(line: str) -> None:
    print(line, flush=True)


# --- talking to the gateway ------------------------------------------------------------------------------------


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        errors = "; ".join(f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in body.get("errors") or [])
        return f"{body.get('detail') or body.get('title')}{' (' + errors + ')' if errors else ''}"
    return str(body)[:300]


def _names_something_unknown(response: httpx.Response) -> bool:
    """A 422 because the service has not yet learned (from another service's events) of a partner, agreement,
    project or work the request names: worth asking again in a moment."""
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(str(e.get("type", "")).startswith("unknown_") for e in errors)


class Gateway:
    """One HTTP client for every caller, at most `concurrency` requests in flight. POSTs carry an
    Idempotency-Key, so one that failed on the way (connection lost, 502/503/504) is sent again safely."""

    def __init__(self, url: str, concurrency: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=httpx.Timeout(60.0, connect=10.0),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self.slots = asyncio.Semaphore(concurrency)
        self.run = uuid.uuid4().hex[:12]
        self.numbers = itertools.count(1)
        self.requests = 0
        self.throttled = 0
        self.waited_for_events = 0
        self.retried = 0

    def _idempotency_key(self) -> str:
        return f"demo-{self.run}-{next(self.numbers)}"

    async def send(self, api_key: str, method: str, path: str, body: Any = None,
                   params: dict[str, Any] | None = None) -> Any:
        idempotency_key = self._idempotency_key() if method == "POST" else None
        failures = 0
        wait_for_events_until: float | None = None
        while True:
            headers = {"X-API-Key": api_key}
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            try:
                async with self.slots:
                    r = await self.http.request(method, API + path, json=body, params=params, headers=headers)
            except httpx.TransportError as exc:
                failures += 1
                if failures > 5:
                    raise ApiError(method, path, 0, f"no answer: {exc!r}") from exc
                self.retried += 1
                await asyncio.sleep(0.5 * failures)
                continue
            self.requests += 1
            if r.status_code < 300:
                return r.json() if r.content else None
            if r.status_code == 429:  # the caller's rate limit: wait as told, then a new attempt
                self.throttled += 1
                await asyncio.sleep(min(float(r.headers.get("Retry-After") or 1), 10.0))
                idempotency_key = idempotency_key and self._idempotency_key()
                continue
            if r.status_code in (502, 503, 504) and failures < 5:
                failures += 1
                self.retried += 1
                await asyncio.sleep(0.5 * failures)
                continue
            if r.status_code == 422 and _names_something_unknown(r):
                now = time.monotonic()
                wait_for_events_until = wait_for_events_until or now + EVENT_WAIT_SECONDS
                if now < wait_for_events_until:
                    self.waited_for_events += 1
                    await asyncio.sleep(0.3)
                    idempotency_key = idempotency_key and self._idempotency_key()  # a 422 is kept for its key
                    continue
            raise ApiError(method, path, r.status_code, _detail(r))


@dataclass
class Caller:
    gateway: Gateway
    key: str

    async def get(self, path: str, **params: Any) -> Any:
        return await self.gateway.send(self.key, "GET", path, params=params or None)

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self.gateway.send(self.key, "POST", path, body)

    async def patch(self, path: str, body: dict[str, Any]) -> Any:
        return await self.gateway.send(self.key, "PATCH", path, body)

    async def act(self, path: str, action: str, **fields: Any) -> Any:
        return await self.post(f"{path}/transitions", {"action": action, **fields})

    async def every(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = await self.get(path, limit=200, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def _all(coroutines: Iterable[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run them together; the first failure cancels the rest and is raised as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coroutines]
    except BaseExceptionGroup as failed:
        first: BaseException = failed
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [t.result() for t in tasks]


# --- small helpers ---------------------------------------------------------------------------------------------

_TRANSLITERATE = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i"})


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(c for c in plain if c.isascii() and c.isalnum()).lower()


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _instant(day: dt.date, hour: int = 0, minute: int = 0, tz: str = "UTC") -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(tz)).astimezone(UTC)


def _z(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _spread(count: int, weights: dict[str, int], rng: random.Random) -> list[str]:
    """`count` values in proportion to `weights`, each value at least once when there is room, shuffled."""
    values = list(weights)
    out = values[:count] if count < len(values) else list(values)
    total = sum(weights.values())
    remaining = count - len(out)
    shares = {v: remaining * w / total for v, w in weights.items()}
    for v in values:
        out += [v] * int(shares[v])
    by_fraction = sorted(values, key=lambda v: -(shares[v] - int(shares[v])))
    out += by_fraction[: count - len(out)]
    rng.shuffle(out)
    return out


@dataclass
class Person:
    name: str
    email: str
    country: str
    partner: str | None = None


class People:
    """Made-up people with names of their country and unique addresses under `.example`."""

    def __init__(self) -> None:
        self.emails: set[str] = set()

    def new(self, rng: random.Random, country: str, domain: str, partner: str | None = None) -> Person:
        givens, families = data.NAMES.get(country, data.NAMES["US"])
        given, family = rng.choice(givens), rng.choice(families)
        name = f"{family} {given}" if country in data.FAMILY_NAME_FIRST else f"{given} {family}"
        local = f"{_ascii(given)}.{_ascii(family)}"
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(email)
        return Person(name, email, country, partner)


def _domain(partner: PartnerSpec | None) -> str:
    return f"{partner.key.replace('_', '-')}.example" if partner else "mail.example"


# --- the report ------------------------------------------------------------------------------------------------


@dataclass
class Report:
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0
    requests: int = 0
    summary: dict[str, Any] | None = None

    def add(self, kind: str, what: str = "total", n: int = 1) -> None:
        self.counts[kind][what] += n


def _fmt(counter: Counter[str], order: Iterable[str] = ()) -> str:
    keys = [k for k in order if counter.get(k)] + sorted(k for k in counter if k not in order and k != "total")
    return ", ".join(f"{k.replace('_', ' ')} {counter[k]:,}" for k in keys)


# --- the loader ------------------------------------------------------------------------------------------------


class Loader:
    def __init__(self, gateway_url: str, admin_key: str, *, scale: float = 1.0, seed: int = 7,
                 concurrency: int = 12, out: Callable[[str], None] | None = None) -> None:
        if scale <= 0:
            raise DemoError("--scale must be above 0")
        self.gateway_url = gateway_url
        self.admin_key = admin_key
        self.scale = scale
        self.seed = seed
        self.concurrency = concurrency
        self.out = out or _say
        self.now = dt.datetime.now(UTC)
        self.today = self.now.date()
        self.report = Report()
        self.partners: dict[str, PartnerSpec] = {p.key: p for p in data.PARTNERS}
        self.partner_ids: dict[str, str] = {}
        self.partner_callers: dict[str, Caller] = {}
        self.agreements: dict[str, dict[str, Any]] = {}  # key: the agreement as last answered
        self.agreement_specs: dict[str, AgreementSpec] = {}
        self.projects: dict[str, list[dict[str, Any]]] = defaultdict(list)  # agreement key: its projects
        self.pandas: dict[str, asyncio.Future[str]] = {}
        self.popular_books: list[dict[str, Any]] = []

    def rng(self, *what: object) -> random.Random:
        """The random choices for one thing: the same for the same seed, whatever runs at the same time."""
        return random.Random(f"{self.seed}/" + "/".join(map(str, what)))

    def count(self, full: int, least: int) -> int:
        return max(least, round(full * self.scale))

    # -- running

    async def run(self) -> Report:
        started = time.monotonic()
        self.gateway = Gateway(self.gateway_url, self.concurrency)
        try:
            async with self.gateway.http:
                await self._ready()
                self.admin = Caller(self.gateway, self.admin_key)
                await self._refuse_if_loaded()
                issued = await self.admin.post("/admin/api-keys", {"name": "Demo data loader", "role": "coordinator"})
                self.coord = Caller(self.gateway, issued["key"])
                ticker = asyncio.create_task(self._tick(started))
                try:
                    await self._phase("partners", self._partners())
                    self.pandas = {p.key: asyncio.get_running_loop().create_future() for p in data.PANDAS}
                    self.agreement_specs = {s.key: s for s in self._chosen_agreements()}
                    await self._phase("partnerships", _all([self._studbook(), self._agreements()]))
                    self.works_ready = asyncio.Event()
                    await _all([self._phase("publications", self._works()),
                                self._phase("training", self._training()),
                                self._phase("outreach", self._outreach())])
                finally:
                    ticker.cancel()
                self.report.summary = await self.admin.get("/dashboard/summary")
        finally:
            self.report.seconds = time.monotonic() - started
            self.report.requests = self.gateway.requests
        return self.report

    async def _ready(self) -> None:
        try:
            r = await self.gateway.http.get("/readyz")
        except httpx.TransportError as exc:
            raise DemoError(f"no gateway at {self.gateway_url} ({exc!r}); start it with `make run`") from exc
        if r.status_code != 200:
            raise DemoError(f"the gateway at {self.gateway_url} is not ready ({r.status_code}): {r.text[:300]}")

    async def _refuse_if_loaded(self) -> None:
        try:
            existing = await self.admin.every("/partnerships/partners")
        except ApiError as exc:
            if exc.status in (401, 403):
                raise DemoError(f"the admin key was refused ({exc}); pass the right one with --admin-key") from exc
            raise
        ours = {(p.name["en"], p.country) for p in data.PARTNERS}
        found = [p for p in existing if ((p.get("name") or {}).get("en"), p.get("country")) in ours]
        if found:
            names = ", ".join(sorted({p["name"]["en"] for p in found})[:3])
            raise AlreadyLoaded(
                f"the demo data seems loaded already: {len(found)} of its partner institutions exist ({names}, ...). "
                "Nothing was changed. To load it again, start from empty databases (`make clean`, then `make run`).")

    async def _phase(self, name: str, work: Awaitable[Any]) -> None:
        started = time.monotonic()
        self.out(f"{name}: loading ...")
        await work
        self.out(f"{name}: done in {time.monotonic() - started:.1f} s. {self._phase_summary(name)}")

    async def _tick(self, started: float) -> None:
        while True:
            await asyncio.sleep(15)
            self.out(f"  ... {self.gateway.requests:,} requests in {time.monotonic() - started:.0f} s")

    def _phase_summary(self, name: str) -> str:
        c = self.report.counts
        if name == "partners":
            return (f"{c['partners']['total']} partner institutions in {len(c['countries'])} countries, "
                    f"{c['partner_keys']['total']} partner API keys")
        if name == "partnerships":
            return (f"{c['agreements']['total']} agreements ({_fmt(c['agreements'], STATES)}); "
                    f"{c['projects']['total']} projects ({_fmt(c['projects'])}); {c['pandas']['total']} pandas; "
                    f"{c['loans']['total']} loans ({_fmt(c['loans'])})")
        if name == "training":
            return (f"{c['programs']['total']} programs ({_fmt(c['programs'])}), {c['cohorts']['total']} cohorts "
                    f"({_fmt(c['cohorts'])}), {c['enrollments']['total']:,} enrollments ({_fmt(c['enrollments'])})")
        if name == "outreach":
            return (f"{c['events']['total']} events ({_fmt(c['events'])}), {c['registrations']['total']:,} "
                    f"registrations ({_fmt(c['registrations'])}), attendance {c['attendance']['total']:,}")
        if name == "publications":
            return f"{c['works']['total']} works ({_fmt(c['works'])}); by type: {_fmt(c['work_types'])}"
        return ""

    # -- partners

    async def _partners(self) -> None:
        people = People()
        bodies = []
        for spec in data.PARTNERS:
            contact = people.new(self.rng("partner", spec.key), spec.country, _domain(spec), spec.key)
            body: dict[str, Any] = {
                "name": spec.name, "kind": spec.kind, "country": spec.country, "city": spec.city,
                "contacts": [{"name": contact.name, "role": spec.contact_role, "email": contact.email}],
            }
            if spec.website:
                body["website"] = spec.website
            bodies.append((spec, body))

        async def register(spec: PartnerSpec, body: dict[str, Any]) -> None:
            partner = await self.coord.post("/partnerships/partners", body)
            self.partner_ids[spec.key] = partner["id"]
            self.report.add("partners")
            self.report.add("countries", spec.country)

        await _all(register(spec, body) for spec, body in bodies)

        async def issue(key: str) -> None:
            spec = self.partners[key]
            issued = await self.admin.post("/admin/api-keys", {
                "name": f"Demo: {spec.name['en']} systems", "role": "partner", "partner_id": self.partner_ids[key]})
            self.partner_callers[key] = Caller(self.gateway, issued["key"])
            self.report.add("partner_keys")

        await _all(issue(k) for k in data.PARTNER_KEYS)

    # -- agreements, projects, pandas and loans

    def _chosen_agreements(self) -> list[AgreementSpec]:
        """Every kind active and every state at least once (the first of each in the list), then the others in
        list order, up to the scale's count."""
        specs = data.AGREEMENTS
        cover: list[AgreementSpec] = []
        for kind in AGREEMENT_KINDS:
            cover.append(next(s for s in specs if s.kind == kind and s.state == "active"))
        for state in STATES:
            first = next(s for s in specs if s.state == state)
            if first not in cover:
                cover.append(first)
        want = max(len(cover), round(len(specs) * self.scale))
        rest = [s for s in specs if s not in cover]
        chosen = {s.key for s in cover + rest[: want - len(cover)]}
        return [s for s in specs if s.key in chosen]

    def _terms(self, spec: AgreementSpec, rng: random.Random) -> tuple[dt.date, dt.date, dt.date]:
        """effective_from, effective_until and signed_on: as the spec says, else made up to fit its state."""
        if spec.effective_from and spec.effective_until:
            signed = spec.signed_on or spec.effective_from - dt.timedelta(days=rng.randint(30, 120))
            return spec.effective_from, spec.effective_until, signed
        if spec.state == "expiring":  # in force until today: it expires by itself tomorrow
            start = _years_later(self.today, -rng.choice([5, 10]))
            return start, self.today, start - dt.timedelta(days=rng.randint(30, 120))
        if spec.state in ("active", "terminated"):
            start = dt.date(rng.randint(2015, 2023), rng.randint(1, 12), 1)
            until = _years_later(start, rng.choice([10, 10, 15])) - dt.timedelta(days=1)
            if until < self.today + dt.timedelta(days=365):
                until = _years_later(until, 5)
            return start, until, start - dt.timedelta(days=rng.randint(20, 120))
        if spec.state == "signed":
            signed = self.today - dt.timedelta(days=rng.randint(10, 60))
            start = (self.today + dt.timedelta(days=rng.randint(40, 150))).replace(day=1)
            return start, _years_later(start, 10) - dt.timedelta(days=1), signed
        start = (self.today + dt.timedelta(days=rng.randint(70, 300))).replace(day=1)  # draft, negotiating
        return start, _years_later(start, rng.choice([5, 10])) - dt.timedelta(days=1), start

    async def _agreements(self) -> None:
        drafted = {}
        for spec in self.agreement_specs.values():  # one by one: their codes (AGR-<year>-<n>) follow the list
            drafted[spec.key] = await self._draft(spec)
        await _all(self._agreement(spec, *drafted[spec.key]) for spec in self.agreement_specs.values())

    async def _draft(self, spec: AgreementSpec) -> tuple[dict[str, Any], list[tuple[str, str, str]], tuple[
            dt.date, dt.date, dt.date]]:
        rng = self.rng("agreement", spec.key)
        terms = start, until, _ = self._terms(spec, rng)
        projects = rng.sample(data.PROJECTS, spec.projects)
        body: dict[str, Any] = {
            "title": spec.title, "kind": spec.kind, "partner_ids": [self.partner_ids[p] for p in spec.partners],
            "effective_from": start.isoformat(), "effective_until": until.isoformat(),
            "key_projects": [{"title": {"en": en, "zh": zh}} for _, en, zh in projects],
        }
        if spec.seats:
            body["training_seats_per_year"] = spec.seats
        if spec.cub_return_age:
            body["cub_return_age_years"] = spec.cub_return_age
        agreement = await self.coord.post("/partnerships/agreements", body)
        self.agreements[spec.key] = agreement
        return agreement, projects, terms

    async def _agreement(self, spec: AgreementSpec, agreement: dict[str, Any], projects: list[tuple[str, str, str]],
                         terms: tuple[dt.date, dt.date, dt.date]) -> None:
        start, until, signed_on = terms
        path = f"/partnerships/agreements/{agreement['id']}"
        if spec.state != "draft":
            agreement = await self.coord.act(path, "submit", note="Terms sent to the partner for review.")
        if spec.state in ("signed", "active", "expiring", "terminated"):
            agreement = await self.coord.act(path, "sign", signed_on=signed_on.isoformat())
        if spec.state in ("active", "expiring", "terminated"):
            agreement = await self.coord.act(path, "activate")
            if spec.renew_to:
                agreement = await self.coord.act(path, "renew", effective_until=spec.renew_to.isoformat())
                until = spec.renew_to
            await self._loans(spec, agreement)
        self.agreements[spec.key] = agreement
        for i, project in enumerate(projects):
            await self._project(spec, agreement, i, project, start, until)
        if spec.state == "terminated":
            agreement = await self.coord.act(path, "terminate", reason=spec.terminate_reason or "Ended early.")
        self.agreements[spec.key] = agreement
        self.report.add("agreements")
        self.report.add("agreements", spec.state)
        self.report.add("agreement_kinds", spec.kind)

    async def _project(self, spec: AgreementSpec, agreement: dict[str, Any], i: int,
                       project: tuple[str, str, str], start: dt.date, until: dt.date) -> None:
        rng = self.rng("project", spec.key, i)
        area, en, zh = project
        span = (until - start).days
        begins = start + dt.timedelta(days=rng.randint(0, max(0, span // 3)))
        ends = min(until, _years_later(begins, rng.randint(2, 4)))
        created = await self.coord.post(f"/partnerships/agreements/{agreement['id']}/projects", {
            "title": {"en": en, "zh": zh}, "area": area, "lead_partner_id": self.partner_ids[rng.choice(spec.partners)],
            "start_date": begins.isoformat(), "end_date": ends.isoformat(),
            "description": {"en": f"A research project under {spec.title['en']}."},
        })
        path = f"/partnerships/agreements/{agreement['id']}/projects/{created['id']}"
        in_force = spec.state in ("active", "expiring", "terminated")
        if in_force and begins <= self.today:
            created = await self.coord.act(path, "start")
            if ends < self.today:
                created = await self.coord.act(path, "complete")
            elif spec.state == "terminated":
                created = await self.coord.act(path, "cancel")
        self.projects[spec.key].append(created)
        self.report.add("projects")
        self.report.add("projects", created["status"])

    async def _studbook(self) -> None:
        """Every panda not born on one of the chosen loans, each once its parents are registered."""
        born_on_loan = {c.panda for s in self.agreement_specs.values()
                        if s.state in ("active", "expiring", "terminated") for c in s.cubs}
        await _all(self._register_panda(p) for p in data.PANDAS if p.key not in born_on_loan)

    async def _register_panda(self, spec: PandaSpec) -> None:
        body: dict[str, Any] = {"studbook_number": spec.studbook_number, "name": spec.name, "sex": spec.sex,
                                "birth_date": spec.birth_date.isoformat()}
        if spec.birthplace:
            body["birthplace"] = spec.birthplace
        if spec.dam:
            body["dam_id"] = await self.pandas[spec.dam]
        if spec.sire:
            body["sire_id"] = await self.pandas[spec.sire]
        panda = await self.coord.post("/partnerships/pandas", body)
        self.report.add("pandas")
        self.pandas[spec.key].set_result(panda["id"])

    async def _loans(self, spec: AgreementSpec, agreement: dict[str, Any]) -> None:
        host = self.partner_ids[spec.partners[0]]
        loans: dict[str, dict[str, Any]] = {}
        for loan in spec.loans:
            loans[loan.panda] = await self.coord.post("/partnerships/loans", {
                "panda_id": await self.pandas[loan.panda], "agreement_id": agreement["id"], "host_partner_id": host,
                "start_date": loan.start.isoformat(), "planned_end_date": loan.planned_end.isoformat()})
            self.report.add("loans")
        for cub in spec.cubs:
            panda = next(p for p in data.PANDAS if p.key == cub.panda)
            body: dict[str, Any] = {"studbook_number": panda.studbook_number, "name": panda.name, "sex": panda.sex,
                                    "birth_date": panda.birth_date.isoformat()}
            if panda.sire:
                body["sire_id"] = await self.pandas[panda.sire]
            born = await self.coord.post(f"/partnerships/loans/{loans[cub.mother]['id']}/cubs", body)
            self.report.add("pandas")
            self.report.add("loans")
            self.report.add("loans", "cubs born on loan")
            if cub.returned_on:
                await self.coord.act(f"/partnerships/loans/{born['loan']['id']}", "return",
                                     returned_on=cub.returned_on.isoformat())
                self.report.add("loans", "returned")
            self.pandas[cub.panda].set_result(born["panda"]["id"])
        for loan in spec.loans:
            if loan.returned_on:
                await self.coord.act(f"/partnerships/loans/{loans[loan.panda]['id']}", "return",
                                     returned_on=loan.returned_on.isoformat())
                self.report.add("loans", "returned")

    # -- publications

    def _researchers(self, institution: str, country: str, partner: str | None) -> list[Person]:
        rng = self.rng("researchers", institution)
        people = People()
        return [people.new(rng, country, _domain(self.partners.get(partner or "")), partner) for _ in range(8)]

    async def _works(self) -> None:
        n = self.count(200, 10)
        rng = self.rng("works")
        types = _spread(n, {t: w for t, (w, _) in WORK_TYPES.items()}, rng)
        research = [i for i, t in enumerate(types) if t in ("journal_article", "conference_paper")]
        retracted = set(research[: max(1, round(n * 0.03))])
        drafts = set(research[len(retracted): len(retracted) + max(1, round(n * 0.06))])
        base_staff = self._researchers("base", "CN", None)
        staff = {p.key: self._researchers(p.key, p.country, p.key) for p in data.PARTNERS}
        linkable = [k for k, s in self.agreement_specs.items()
                    if s.kind in ("research_cooperation", "framework", "panda_loan")
                    and s.state in ("active", "expiring", "terminated")]
        used_titles: set[str] = set()
        plans = []
        for i, kind in enumerate(types):
            status = "retracted" if i in retracted else "draft" if i in drafts else "published"
            plans.append(self._work_plan(i, kind, status, base_staff, staff, linkable, used_titles))
        await _all(self._work(i, body, status) for i, (body, status) in enumerate(plans))
        self.works_ready.set()

    def _work_plan(self, i: int, kind: str, status: str, base_staff: list[Person], staff: dict[str, list[Person]],
                   linkable: list[str], used_titles: set[str]) -> tuple[dict[str, Any], str]:
        rng = self.rng("work", i)
        agreement_key = rng.choice(linkable) if linkable and kind not in (
            "popular_article", "popular_science_book") and rng.random() < 0.8 else None
        spec = self.agreement_specs.get(agreement_key or "")
        projects = [p for p in self.projects.get(agreement_key or "", []) if p["status"] in ("active", "completed")]
        project = rng.choice(projects) if projects and rng.random() < 0.6 else None
        area = project["area"] if project else rng.choice(list(data.PHRASES))
        partners = list(spec.partners) if spec else [rng.choice([p.key for p in data.PARTNERS])]
        earliest = max(2010, (dt.date.fromisoformat(self.agreements[agreement_key]["effective_from"]).year + 1)
                       if agreement_key else 2010)
        year = rng.randint(min(earliest, self.today.year), self.today.year)
        day = min(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), self.today - dt.timedelta(days=1))
        language = "en"
        topic_en, topic_zh = "", ""

        if kind == "popular_science_book":
            en, zh = data.POPULAR_BOOKS[i % len(data.POPULAR_BOOKS)]
        elif kind == "popular_article":
            en, zh = (data.POPULAR_ARTICLES + data.TOPICS)[i % (len(data.POPULAR_ARTICLES) + len(data.TOPICS))]
        else:
            for _ in range(20):
                phrase_en, phrase_zh = rng.choice(data.PHRASES[area])
                wild = area in data.SUBJECT_AREAS
                subject_en, subject_zh = rng.choice([s for s in data.SUBJECTS if ("wild" in s[0]) == wild]
                                                    or data.SUBJECTS)
                en, zh = phrase_en.format(s=subject_en), phrase_zh.format(s=subject_zh) + "研究"
                if en not in used_titles:
                    break
            topic_en, topic_zh = en, zh
            if kind == "report":
                en, zh = f"{en}: technical report", f"{zh}技术报告"
            elif kind == "dataset":
                en, zh = f"Data from: {en}", f"{zh}数据集"
        used_titles.add(en)

        low, high = WORK_TYPES[kind][1]
        count = rng.randint(low, high)
        authors: list[dict[str, Any]] = []
        chosen: set[str] = set()
        for n in range(count):
            if n == 0 and kind == "thesis":
                partner = rng.choice(partners)
            else:
                partner = rng.choice(partners) if (n % 2 == 1 or rng.random() < 0.3) else None
            pool = staff[partner] if partner else base_staff
            person = rng.choice([p for p in pool if p.email not in chosen] or pool)
            chosen.add(person.email)
            author: dict[str, Any] = {"name": person.name}
            if partner:
                author["affiliation_partner_id"] = self.partner_ids[partner]
            else:
                author["affiliation"] = data.BASE_NAME["en"]
            if n == 0:
                author["corresponding"] = True
            authors.append(author)

        body: dict[str, Any] = {
            "type": kind, "title": {"en": en, "zh": zh}, "authors": authors, "research_areas": [area],
            "keywords": ["giant panda", *rng.sample(data.KEYWORDS[area], 3)],
        }
        doi = f"10.5555/cpb.{year}.{i + 1:04d}"
        if kind in ("journal_article", "conference_paper", "book_chapter", "dataset"):
            body["doi"] = doi
        if kind == "journal_article":
            chinese = rng.random() < 0.12
            body["venue"] = rng.choice(data.CHINESE_JOURNALS if chinese else data.JOURNALS)
            language = "zh" if chinese else "en"
            body.update(volume=str(year - 1980), issue=str(rng.randint(1, 12)),
                        pages=f"{(p := rng.randint(1, 900))}-{p + rng.randint(6, 18)}")
            body["date"] = day.isoformat()
        elif kind == "conference_paper":
            body["venue"] = rng.choice(data.CONFERENCES)
            body["date"] = day.isoformat()[:7]
        elif kind in ("book", "book_chapter", "popular_science_book"):
            body["publisher"] = rng.choice(data.PUBLISHERS)
            body["isbn"] = _isbn(rng)
            body["date"] = str(year)
            if kind == "book_chapter":
                body["venue"] = "Giant Pandas: Biology, Veterinary Medicine and Management"
            if kind == "popular_science_book":
                language = rng.choice(["en", "zh"])
        elif kind == "thesis":
            university = next((self.partners[p] for p in partners if self.partners[p].kind == "university"), None)
            body["publisher"] = university.name["en"] if university else "Sichuan University"
            body["date"] = str(year)
        elif kind == "report":
            body["publisher"] = data.BASE_NAME["en"]
            body["venue"] = "Technical Reports of the Chengdu Research Base"
            body["date"] = day.isoformat()[:7]
            if rng.random() < 0.5:
                body["doi"] = doi
        else:  # popular_article, dataset
            body["venue"] = "Panda Magazine" if kind == "popular_article" else "Panda Base Data Repository"
            body["date"] = day.isoformat()
            language = rng.choice(["en", "zh"]) if kind == "popular_article" else "en"
        body["language"] = language
        if topic_en:
            body["abstract"] = {
                "en": f"We report on {topic_en[0].lower() + topic_en[1:]}, drawing on records and samples collected "
                      f"jointly by the partners between {year - 3} and {year - 1}, and discuss what the results mean "
                      "for the management of the population.",
                "zh": f"本文基于合作双方{year - 3}年至{year - 1}年共同收集的记录与样本，报告了{topic_zh}的结果，"
                      "并讨论其对种群管理的意义。",
            }
        if rng.random() < 0.4:
            body["open_access_url"] = f"https://repository.panda-base.example/works/{i + 1:04d}"
        if agreement_key:
            body["agreement_ids"] = [self.agreements[agreement_key]["id"]]
        if project:
            body["project_ids"] = [project["id"]]
        return body, status

    async def _work(self, i: int, body: dict[str, Any], status: str) -> None:
        work = await self.coord.post("/publications/works", body)
        path = f"/publications/works/{work['id']}"
        if status in ("published", "retracted"):
            work = await self.coord.act(path, "publish")
        if status == "retracted":
            reason = data.RETRACTION_REASONS[i % len(data.RETRACTION_REASONS)]
            work = await self.coord.act(path, "retract", reason=reason)
        if work["type"] == "popular_science_book" and work["status"] == "published":
            self.popular_books.append(work)
        self.report.add("works")
        self.report.add("works", work["status"])
        self.report.add("work_types", work["type"])

    # -- training

    async def _training(self) -> None:
        plan = self._training_plan()
        programs: dict[str, dict[str, Any]] = {}

        async def create(spec: ProgramSpec) -> None:
            program = await self.coord.post("/training/programs", {
                "title": spec.title, "description": {"en": spec.description}, "topics": list(spec.topics),
                "format": spec.format, "languages": list(spec.languages)})
            if spec.status != "draft":
                program = await self.coord.act(f"/training/programs/{program['id']}", "publish")
            programs[spec.key] = program

        await _all(create(spec) for spec in plan["programs"])
        # Partner seat quotas count per year, across cohorts: the cohorts of one year take applications one
        # after the other, in order, so the same seed always gives the same seats; the years run side by side.
        turns: dict[int, asyncio.Event] = {}
        cohorts = []
        for c in plan["cohorts"]:
            done = asyncio.Event()
            cohorts.append(self._cohort(programs[c["program"].key], c, turns.get(c["starts"].year), done))
            turns[c["starts"].year] = done
        await _all(cohorts)
        for spec in plan["programs"]:
            if spec.status == "archived":
                programs[spec.key] = await self.coord.act(f"/training/programs/{programs[spec.key]['id']}", "archive")
        for program in programs.values():
            self.report.add("programs")
            self.report.add("programs", program["status"])

    def _training_plan(self) -> dict[str, Any]:
        rng = self.rng("training")
        published = [p for p in data.PROGRAMS if p.status == "published"][: self.count(15, 2)]
        archived = [p for p in data.PROGRAMS if p.status == "archived"]
        programs = published + archived + [p for p in data.PROGRAMS if p.status == "draft"]
        n = self.count(60, 4)
        future = max(1, round(n * 0.22))
        current = max(1, round(n * 0.06))
        past = n - future - current
        first_day = self.today - dt.timedelta(days=int(6.5 * 365))
        last_past = self.today - dt.timedelta(days=75)
        slots: list[tuple[str, dt.date]] = []
        for i in range(past):
            day = first_day + dt.timedelta(days=(last_past - first_day).days * i // max(1, past - 1))
            slots.append(("past", min(last_past, day + dt.timedelta(days=rng.randint(0, 20)))))
        slots += [("current", self.today - dt.timedelta(days=rng.randint(1, 5))) for _ in range(current)]
        slots += [("future", self.today + dt.timedelta(days=rng.randint(14, 330))) for _ in range(future)]
        owners = [archived[0]] * min(2, past - 1) if archived else []
        owners += [published[i % len(published)] for i in range(n - len(owners))]
        people = People()
        returning: dict[str, list[Person]] = defaultdict(list)
        cohorts = []
        for i, ((phase, starts), program) in enumerate(zip(slots, owners, strict=True)):
            crng = self.rng("cohort", i)
            days = {"onsite": (9, 20), "online": (28, 56), "hybrid": (14, 28)}[program.format]
            ends = starts + dt.timedelta(days=crng.randint(*days))
            capacity = crng.choice([20, 24, 24, 25, 28, 30, 30, 32])
            applicants = {"past": capacity + crng.randint(-3, 2), "current": capacity - crng.randint(0, 3),
                          "future": int(capacity * crng.uniform(0.4, 1.15))}[phase]
            cohort = {"index": i, "phase": phase, "program": program, "starts": starts, "ends": ends,
                      "capacity": capacity, "reserved": 4 if program.format != "online" and crng.random() < 0.35 else 0,
                      "site": crng.choice(data.TRAINING_SITES), "applicants": []}
            in_cohort: set[str] = set()
            for j in range(max(1, applicants)):
                arng = self.rng("applicant", i, j)
                staff = arng.random() < 0.5
                group = (arng.choice(["zoo_negara", "chiang_mai", "taman_safari", "everland"] * 3
                                     + [p.key for p in data.PARTNERS if p.kind == "zoo"]) if staff else None)
                country = self.partners[group].country if group else arng.choice(data.INDIVIDUAL_COUNTRIES)
                known = [p for p in returning[group or country] if p.email not in in_cohort]
                if known and arng.random() < 0.05:  # back for another course
                    person = arng.choice(known)
                else:
                    person = people.new(arng, country, _domain(self.partners.get(group or "")), group)
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
                by_partner = group in self.partner_callers and arng.random() < 0.8
                cohort["applicants"].append((person, fate, by_partner))
            cohorts.append(cohort)
        return {"programs": programs, "cohorts": cohorts}

    async def _cohort(self, program: dict[str, Any], c: dict[str, Any], after: asyncio.Event | None,
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
        opens = _instant(c["starts"] - dt.timedelta(days=90))
        if c["phase"] != "future":  # enrollment closed before it started: open it for now, close it afterwards
            body["enrollment_opens_at"] = _z(opens)
            body["enrollment_closes_at"] = _z(self.now + dt.timedelta(hours=6))
        cohort = await self.coord.post(f"/training/programs/{program['id']}/cohorts", body)
        cid = cohort["id"]
        if after is not None:
            await after.wait()
        enrolled: list[tuple[dict[str, Any], Caller, str]] = []
        for person, fate, by_partner in c["applicants"]:
            caller = self.partner_callers[person.partner] if by_partner and person.partner else self.coord
            applied: dict[str, Any] = {"name": person.name, "email": person.email, "country": person.country}
            if person.partner and caller is self.coord:
                applied["partner_id"] = self.partner_ids[person.partner]
            enrolled.append((await caller.post(f"/training/cohorts/{cid}/enrollments", applied), caller, fate))
        final: dict[str, str] = {e["id"]: e["status"] for e, _, _ in enrolled}
        for e, caller, fate in enrolled:  # before it starts: some withdraw, a few are turned down
            if fate in ("withdraw", "reject"):
                who = caller if fate == "withdraw" else self.coord
                final[e["id"]] = (await who.act(f"/training/enrollments/{e['id']}", fate))["status"]
        done.set()
        if c["phase"] != "future":
            now = {e["id"]: e["status"] for e in await self.coord.every(f"/training/cohorts/{cid}/enrollments")}

            async def settle(e: dict[str, Any], caller: Caller, fate: str) -> None:
                """What became of a place once the cohort ran (or, under way, so far); the order does not
                matter any more: nobody gives up a seat here."""
                path = f"/training/enrollments/{e['id']}"
                status = now[e["id"]]
                if status == "waitlisted" and c["phase"] == "past":  # no seat freed up in time
                    status = (await caller.act(path, "withdraw"))["status"]
                elif status == "accepted" and c["phase"] == "past":
                    if fate == "no_show":
                        status = (await self.coord.act(path, "no_show"))["status"]
                    else:  # attended; most completed (those who did not, failed the final assessment)
                        status = (await self.coord.act(path, "attend"))["status"]
                        if fate != "attend":
                            done = await self.coord.act(path, "complete")
                            status = done["status"]
                            self.report.add("certificates", "total" if done.get("certificate_code") else "missing")
                elif status == "accepted" and fate == "attend":  # under way: the first days are attended
                    status = (await self.coord.act(path, "attend"))["status"]
                final[e["id"]] = status

            await _all(settle(e, caller, fate) for e, caller, fate in enrolled)
            await self.coord.patch(f"/training/cohorts/{cid}", {
                "enrollment_opens_at": _z(opens), "enrollment_closes_at": _z(_instant(c["starts"]) - dt.timedelta(
                    days=7))})
        self.report.add("cohorts")
        self.report.add("cohorts", c["phase"])
        for status in final.values():
            self.report.add("enrollments")
            self.report.add("enrollments", status)

    # -- outreach

    async def _outreach(self) -> None:
        n = self.count(150, 12)
        rng = self.rng("outreach")
        kinds = _spread(n, {k: v[0] for k, v in EVENT_KINDS.items()}, rng)
        drafts, cancelled, upcoming = max(1, round(n * 0.03)), max(1, round(n * 0.04)), max(1, round(n * 0.17))
        statuses = (["draft"] * drafts + ["cancelled"] * cancelled + ["scheduled"] * upcoming
                    + ["completed"] * (n - drafts - cancelled - upcoming))
        rng.shuffle(statuses)
        if "bookstore_event" in kinds:  # a book launch that took place, when there is one
            b = kinds.index("bookstore_event")
            c = statuses.index("completed")
            statuses[b], statuses[c] = statuses[c], statuses[b]
        people = People()
        plans = [self._event_plan(i, kind, status, people) for i, (kind, status) in enumerate(zip(kinds, statuses,
                                                                                                    strict=True))]
        await _all(self._event(plan) for plan in plans)

    def _agreements_with(self, partner: str | None) -> list[str]:
        return [self.agreements[k]["id"] for k, s in self.agreement_specs.items()
                if partner in s.partners and s.state in ("active", "expiring")
                and s.kind in ("cultural_exchange", "framework", "panda_loan")]

    def _event_plan(self, i: int, kind: str, status: str, people: People) -> dict[str, Any]:
        rng = self.rng("event", i)
        _, capacity, (reg_low, reg_high), (party_low, party_high), walk_ins = EVENT_KINDS[kind]
        zoos = [p for p in data.PARTNERS if p.kind == "zoo"]
        host: PartnerSpec | None = None
        venue: dict[str, Any] | None = None
        tz = data.BASE_TZ
        if kind == "online_broadcast":
            host = rng.choice(zoos) if rng.random() < 0.3 else None
        elif kind == "museum_tour":
            venue = {"name": rng.choice(data.BASE_VENUES), "city": data.BASE_CITY, "country": data.BASE_COUNTRY}
        elif kind == "bookstore_event":
            country = rng.choice(sorted(data.BOOKSTORES))
            name, city = data.BOOKSTORES[country]
            host = next((p for p in data.PARTNERS if p.country == country), None)
            tz = host.timezone if host and host.city == city else data.CITY_TZ.get(city, tz)
            venue = {"name": name, "city": city, "country": country}
        elif rng.random() < 0.55:
            host = rng.choice(zoos)
            tz = host.timezone
            place = host.name["en"]
            if kind == "school_visit":
                place = f"{host.city} International School"
            venue = {"name": place, "city": host.city, "country": host.country}
        else:
            place = rng.choice(data.BASE_VENUES)
            if kind == "school_visit":
                place = rng.choice(data.SCHOOLS[data.BASE_CITY])
            venue = {"name": place, "city": data.BASE_CITY, "country": data.BASE_COUNTRY}

        long_running = kind in ("exhibition", "festival")
        if status == "completed":
            day = self.today - dt.timedelta(days=rng.randint(100 if long_running else 2, 4 * 365))
        elif status == "scheduled":
            day = self.today + dt.timedelta(days=rng.randint(3, 150))
        elif status == "draft":
            day = self.today + dt.timedelta(days=rng.randint(60, 240))
        else:
            day = self.today + dt.timedelta(days=rng.randint(-700, 90))
        hour = 19 if kind == "lecture" and rng.random() < 0.5 else rng.choice([10, 10, 14, 15])
        starts = _instant(day, hour, 0, tz)
        length = {"exhibition": dt.timedelta(days=rng.randint(30, 90)), "festival": dt.timedelta(days=2)}.get(
            kind, dt.timedelta(minutes=rng.choice([60, 90, 120])))
        topic = rng.choice(data.TOPICS)
        city = venue["city"] if venue else data.BASE_CITY
        title = {
            "classroom": (f"Panda Classroom: {topic[0]}", f"熊猫课堂：{topic[1]}"),
            "hands_on_course": (lambda a: (f"Hands-on: {a[0]}", f"动手课堂：{a[1]}"))(rng.choice(data.ACTIVITIES)),
            "lecture": (f"Lecture: {topic[0]}", f"讲座：{topic[1]}"),
            "exhibition": rng.choice(data.EXHIBITIONS),
            "museum_tour": ("Guided tour of the Giant Panda Museum", "大熊猫博物馆导览"),
            "bookstore_event": (f"Meet the authors: {topic[0]}", f"作者见面会：{topic[1]}"),
            "online_broadcast": (f"Live from Chengdu: {topic[0]}", f"成都直播：{topic[1]}"),
            "school_visit": (f"Pandas at school: {topic[0]}", f"熊猫进校园：{topic[1]}"),
            "festival": (f"Panda Festival {city} {day.year}", f"{day.year}年熊猫文化节（{city}）"),
        }[kind]
        languages = ["en", "zh"]
        country = venue["country"] if venue else (host.country if host else "CN")
        if data.LOCAL_LANGUAGE.get(country):
            languages.append(data.LOCAL_LANGUAGE[country])
        popular = (status == "scheduled" and kind in ("museum_tour", "hands_on_course", "classroom")
                   and rng.random() < 0.6)
        if popular:  # booked out: a waitlist forms
            capacity = max(party_high * 2, capacity * 2 // 3)
        registrations = []
        for _ in range(rng.randint(reg_low, reg_high) + (3 if popular else 0)):
            person = people.new(rng, country if country in data.NAMES else "CN", "mail.example")
            party = rng.randint(party_low, party_high)
            name = person.name
            if party >= 15:
                name = f"{person.name}, class {rng.randint(3, 9)}{rng.choice('ABCD')}"
            registrations.append({"name": name, "email": person.email, "party_size": min(party, capacity)})
        body: dict[str, Any] = {
            "title": {"en": title[0], "zh": title[1]}, "kind": kind, "audiences": AUDIENCES[kind],
            "languages": languages, "starts_at": _z(starts), "ends_at": _z(starts + length), "timezone": tz,
            "capacity": capacity,
        }
        if venue:
            body["venue"] = venue
        else:
            body["online_url"] = f"https://live.panda-base.example/{day:%Y%m%d}-{i + 1:03d}"
        if host:
            body["partner_ids"] = [self.partner_ids[host.key]]
            agreements = self._agreements_with(host.key)
            if agreements:
                body["agreement_ids"] = agreements[:1]
        return {"i": i, "rng": rng, "status": status, "body": body, "host": host,
                "registrations": registrations, "walk_ins": walk_ins, "from_draft": rng.random() < 0.3}

    async def _event(self, plan: dict[str, Any]) -> None:
        rng: random.Random = plan["rng"]
        body = plan["body"]
        status = plan["status"]
        if body["kind"] == "bookstore_event":
            await self.works_ready.wait()
            if self.popular_books:
                book = self.popular_books[plan["i"] % len(self.popular_books)]
                body = {**body, "work_ids": [book["id"]],
                        "title": {"en": f"Book launch: {book['title']['en']}",
                                  "zh": f"新书发布：《{book['title'].get('zh', book['title']['en'])}》"}}
        event = await self.coord.post("/outreach/events", body)
        path = f"/outreach/events/{event['id']}"
        if (status == "cancelled" and plan["from_draft"]) or status == "draft":
            if status == "cancelled":
                event = await self.coord.act(path, "cancel", reason=rng.choice(data.CANCEL_REASONS))
            return self._count_event(event, [])
        event = await self.coord.act(path, "schedule")
        host = plan["host"]
        registered: list[tuple[dict[str, Any], Caller]] = []
        for r in plan["registrations"]:
            caller = self.partner_callers.get(host.key) if host and rng.random() < 0.5 else None
            caller = caller or self.coord
            registered.append((await caller.post(f"{path}/registrations", r), caller))
        final = {reg["id"]: reg["status"] for reg, _ in registered}
        if registered and rng.random() < (0.5 if status == "scheduled" else 0.2):  # someone cannot come after all
            reg, caller = registered[rng.randrange(len(registered))]
            final[reg["id"]] = (await caller.act(f"/outreach/registrations/{reg['id']}", "cancel"))["status"]
        if status == "cancelled":
            event = await self.coord.act(path, "cancel", reason=rng.choice(data.CANCEL_REASONS))
            return self._count_event(event, list(final.values()))
        if status == "completed":
            now = {r["id"]: r["status"] for r in await self.coord.every(f"{path}/registrations")}
            final.update(now)
            arriving = [reg["id"] for reg, _ in registered if now[reg["id"]] == "confirmed" and rng.random() < 0.85]

            async def check_in(registration_id: str) -> None:
                final[registration_id] = (await self.coord.act(f"/outreach/registrations/{registration_id}",
                                                               "check_in"))["status"]

            await _all(check_in(r) for r in arriving)
            low, high = plan["walk_ins"]
            done: dict[str, Any] = {"walk_ins": rng.randint(low, high)}
            if body["kind"] == "online_broadcast":
                done["reach"] = rng.randint(800, 12000)
            event = await self.coord.act(path, "complete", **done)
        return self._count_event(event, list(final.values()))

    def _count_event(self, event: dict[str, Any], registrations: list[str]) -> None:
        self.report.add("events")
        self.report.add("events", event["status"])
        self.report.add("event_kinds", event["kind"])
        self.report.add("attendance", n=event.get("attendance") or 0)
        for status in registrations:
            self.report.add("registrations")
            self.report.add("registrations", status)


def _isbn(rng: random.Random) -> str:
    """A well-formed ISBN-13 (978, a made-up registrant and title, the right check digit)."""
    digits = "978" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10) % 10
    return digits + str(check)


# --- what the caller sees --------------------------------------------------------------------------------------


def load(gateway_url: str, admin_key: str, *, scale: float = 1.0, seed: int = 7, concurrency: int = 12,
         out: Callable[[str], None] | None = None) -> Report:
    """Load the demo through the gateway at `gateway_url`; raises `AlreadyLoaded` on a database that has it."""
    return asyncio.run(Loader(gateway_url, admin_key, scale=scale, seed=seed, concurrency=concurrency,
                              out=out).run())


def summary_table(summary: dict[str, Any] | None) -> str:
    """The dashboard summary's headline figures, as a small table."""
    if not summary:
        return "(no dashboard summary)"
    p = summary.get("partnerships") or {}
    t = summary.get("training") or {}
    o = summary.get("outreach") or {}
    w = summary.get("publications") or {}

    def pairs(values: Any) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in (values or {}).items() if isinstance(v, int) and v) or "-"

    def num(value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) else "-"

    rows = [
        ("partnerships", "partner institutions", num(p.get("partners"))),
        ("", "countries", num(len(p["partners_by_country"])) if "partners_by_country" in p else "-"),
        ("", "agreements", f"{num(p.get('agreements'))} ({pairs(p.get('agreements_by_state'))})"),
        ("", "pandas / on loan", f"{num(p.get('pandas'))} / {num(p.get('pandas_on_loan'))}"),
        ("training", "participants", num(t.get("participants"))),
        ("", "completions / certificates", f"{num(t.get('completions'))} / {num(t.get('certificates'))}"),
        ("outreach", "events held", num(o.get("events_held"))),
        ("", "attendance", num(o.get("attendance"))),
        ("publications", "works", f"{num(w.get('works'))} ({pairs(w.get('by_status'))})"),
        ("", "open access", num((w.get("open_access") or {}).get("works"))),
        ("missing", "", ", ".join(summary.get("missing") or []) or "none"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return "\n".join(f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows)


def _print_report(report: Report, out: Callable[[str], None]) -> None:
    out(f"\nDemo data loaded in {report.seconds:.1f} s ({report.requests:,} requests).")
    out("Dashboard summary (GET /api/v1/dashboard/summary):")
    out(summary_table(report.summary))
    expiring = report.counts["agreements"].get("expiring", 0)
    if expiring:
        out(f"({expiring} active agreement{'s end' if expiring > 1 else ' ends'} today: "
            f"{'they expire' if expiring > 1 else 'it expires'} by {'themselves' if expiring > 1 else 'itself'} "
            "tomorrow.)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}",
                        help="the gateway's base URL (default: %(default)s)")
    parser.add_argument("--admin-key", default=os.environ.get("GATEWAY_ADMIN_API_KEY") or "dev-admin-key",
                        help="an admin API key (default: $GATEWAY_ADMIN_API_KEY, else the dev key)")
    parser.add_argument("--scale", type=float, default=1.0, help="how much to load (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="the seed every choice comes from (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=12, help="requests in flight (default: %(default)s)")
    args = parser.parse_args(argv)
    out = _say
    out(f"Loading the demo data into {args.gateway} (scale {args.scale}, seed {args.seed}) ...")
    try:
        report = load(args.gateway, args.admin_key, scale=args.scale, seed=args.seed, concurrency=args.concurrency,
                      out=out)
    except AlreadyLoaded as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except DemoError as exc:
        print(f"demo: failed: {exc}", file=sys.stderr)
        return 1
    _print_report(report, out)
    return 0


def offer_demo(gateway_url: str, admin_key: str, *, timeout: float = 180.0) -> threading.Thread:
    """For `make run`: in the background, wait for the gateway to be ready; then, if there are no partners yet,
    load the demo when `DEMO=1` (`DEMO_SCALE`, `DEMO_SEED` apply), else print how to load it."""

    def offer() -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{gateway_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                return
            time.sleep(0.5)
        try:
            r = httpx.get(f"{gateway_url}{API}/partnerships/partners", params={"limit": 1},
                          headers={"X-API-Key": admin_key}, timeout=10)
        except httpx.HTTPError:
            return
        if r.status_code != 200 or r.json().get("items"):
            return
        if os.environ.get("DEMO") != "1":
            print("demo: the database is empty; `make demo` (in another terminal) loads a demo dataset, "
                  "or start with `DEMO=1 make run`.", flush=True)
            return
        def out(line: str) -> None:
            print(f"demo: {line}", flush=True)

        try:
            report = load(gateway_url, admin_key, scale=float(os.environ.get("DEMO_SCALE") or 1.0),
                          seed=int(os.environ.get("DEMO_SEED") or 7), out=out)
        except DemoError as exc:
            out(f"not loaded: {exc}")
            return
        out(f"loaded in {report.seconds:.1f} s ({report.requests:,} requests)")
        for line in summary_table(report.summary).split("\n"):
            out(line)

    thread = threading.Thread(target=offer, name="demo-offer", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    sys.exit(main())
