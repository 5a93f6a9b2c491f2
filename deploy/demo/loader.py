"""The loader: one load of the demo through the gateway, part by part."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from deploy.demo import dataset
from deploy.demo.client import AlreadyLoaded, ApiError, Caller, DemoError, Gateway, run_all
from deploy.demo.dataset import AgreementSpec, PandaSpec, PartnerSpec, ProgramSpec
from deploy.demo.dates import UTC, instant, years_later, z
from deploy.demo.people import People, Person, email_domain
from deploy.demo.plan import AGREEMENT_KINDS, AUDIENCES, EVENT_KINDS, STATES, WORK_TYPES, spread
from deploy.demo.report import Report, phase_summary


def say(line: str) -> None:
    print(line, flush=True)


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
        self.out = out or say
        self.now = dt.datetime.now(UTC)
        self.today = self.now.date()
        self.report = Report()
        self.partners: dict[str, PartnerSpec] = {p.key: p for p in dataset.PARTNERS}
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
                    self.pandas = {p.key: asyncio.get_running_loop().create_future() for p in dataset.PANDAS}
                    self.agreement_specs = {s.key: s for s in self._chosen_agreements()}
                    await self._phase("partnerships", run_all([self._studbook(), self._agreements()]))
                    self.works_ready = asyncio.Event()
                    await run_all([self._phase("publications", self._works()),
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
        ours = {(p.name["en"], p.country) for p in dataset.PARTNERS}
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
        self.out(f"{name}: done in {time.monotonic() - started:.1f} s. {phase_summary(self.report, name)}")

    async def _tick(self, started: float) -> None:
        while True:
            await asyncio.sleep(15)
            self.out(f"  ... {self.gateway.requests:,} requests in {time.monotonic() - started:.0f} s")

    # -- partners

    async def _partners(self) -> None:
        people = People()
        bodies = []
        for spec in dataset.PARTNERS:
            contact = people.new(self.rng("partner", spec.key), spec.country, email_domain(spec), spec.key)
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

        await run_all(register(spec, body) for spec, body in bodies)

        async def issue(key: str) -> None:
            spec = self.partners[key]
            issued = await self.admin.post("/admin/api-keys", {
                "name": f"Demo: {spec.name['en']} systems", "role": "partner", "partner_id": self.partner_ids[key]})
            self.partner_callers[key] = Caller(self.gateway, issued["key"])
            self.report.add("partner_keys")

        await run_all(issue(k) for k in dataset.PARTNER_KEYS)

    # -- agreements, projects, pandas and loans

    def _chosen_agreements(self) -> list[AgreementSpec]:
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
            start = years_later(self.today, -rng.choice([5, 10]))
            return start, self.today, start - dt.timedelta(days=rng.randint(30, 120))
        if spec.state in ("active", "terminated"):
            start = dt.date(rng.randint(2015, 2023), rng.randint(1, 12), 1)
            until = years_later(start, rng.choice([10, 10, 15])) - dt.timedelta(days=1)
            if until < self.today + dt.timedelta(days=365):
                until = years_later(until, 5)
            return start, until, start - dt.timedelta(days=rng.randint(20, 120))
        if spec.state == "signed":
            signed = self.today - dt.timedelta(days=rng.randint(10, 60))
            start = (self.today + dt.timedelta(days=rng.randint(40, 150))).replace(day=1)
            return start, years_later(start, 10) - dt.timedelta(days=1), signed
        start = (self.today + dt.timedelta(days=rng.randint(70, 300))).replace(day=1)  # draft, negotiating
        return start, years_later(start, rng.choice([5, 10])) - dt.timedelta(days=1), start

    async def _agreements(self) -> None:
        drafted = {}
        for spec in self.agreement_specs.values():  # one by one: their codes (AGR-<year>-<n>) follow the list
            drafted[spec.key] = await self._draft(spec)
        await run_all(self._agreement(spec, *drafted[spec.key]) for spec in self.agreement_specs.values())

    async def _draft(self, spec: AgreementSpec) -> tuple[dict[str, Any], list[tuple[str, str, str]], tuple[
            dt.date, dt.date, dt.date]]:
        rng = self.rng("agreement", spec.key)
        terms = start, until, _ = self._terms(spec, rng)
        projects = rng.sample(dataset.PROJECTS, spec.projects)
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
        ends = min(until, years_later(begins, rng.randint(2, 4)))
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
        await run_all(self._register_panda(p) for p in dataset.PANDAS if p.key not in born_on_loan)

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
            panda = next(p for p in dataset.PANDAS if p.key == cub.panda)
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
        return [people.new(rng, country, email_domain(self.partners.get(partner or "")), partner) for _ in range(8)]

    async def _works(self) -> None:
        n = self.count(200, 10)
        rng = self.rng("works")
        types = spread(n, {t: w for t, (w, _) in WORK_TYPES.items()}, rng)
        research = [i for i, t in enumerate(types) if t in ("journal_article", "conference_paper")]
        retracted = set(research[: max(1, round(n * 0.03))])
        drafts = set(research[len(retracted): len(retracted) + max(1, round(n * 0.06))])
        base_staff = self._researchers("base", "CN", None)
        staff = {p.key: self._researchers(p.key, p.country, p.key) for p in dataset.PARTNERS}
        linkable = [k for k, s in self.agreement_specs.items()
                    if s.kind in ("research_cooperation", "framework", "panda_loan")
                    and s.state in ("active", "expiring", "terminated")]
        used_titles: set[str] = set()
        plans = []
        for i, kind in enumerate(types):
            status = "retracted" if i in retracted else "draft" if i in drafts else "published"
            plans.append(self._work_plan(i, kind, status, base_staff, staff, linkable, used_titles))
        await run_all(self._work(i, body, status) for i, (body, status) in enumerate(plans))
        self.works_ready.set()

    def _work_plan(self, i: int, kind: str, status: str, base_staff: list[Person], staff: dict[str, list[Person]],
                   linkable: list[str], used_titles: set[str]) -> tuple[dict[str, Any], str]:
        rng = self.rng("work", i)
        agreement_key = rng.choice(linkable) if linkable and kind not in (
            "popular_article", "popular_science_book") and rng.random() < 0.8 else None
        spec = self.agreement_specs.get(agreement_key or "")
        projects = [p for p in self.projects.get(agreement_key or "", []) if p["status"] in ("active", "completed")]
        project = rng.choice(projects) if projects and rng.random() < 0.6 else None
        area = project["area"] if project else rng.choice(list(dataset.PHRASES))
        partners = list(spec.partners) if spec else [rng.choice([p.key for p in dataset.PARTNERS])]
        earliest = max(2010, (dt.date.fromisoformat(self.agreements[agreement_key]["effective_from"]).year + 1)
                       if agreement_key else 2010)
        year = rng.randint(min(earliest, self.today.year), self.today.year)
        day = min(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), self.today - dt.timedelta(days=1))
        language = "en"
        topic_en, topic_zh = "", ""

        if kind == "popular_science_book":
            en, zh = dataset.POPULAR_BOOKS[i % len(dataset.POPULAR_BOOKS)]
        elif kind == "popular_article":
            articles = dataset.POPULAR_ARTICLES + dataset.TOPICS
            en, zh = articles[i % len(articles)]
        else:
            for _ in range(20):
                phrase_en, phrase_zh = rng.choice(dataset.PHRASES[area])
                wild = area in dataset.SUBJECT_AREAS
                subject_en, subject_zh = rng.choice([s for s in dataset.SUBJECTS if ("wild" in s[0]) == wild]
                                                    or dataset.SUBJECTS)
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
                author["affiliation"] = dataset.BASE_NAME["en"]
            if n == 0:
                author["corresponding"] = True
            authors.append(author)

        body: dict[str, Any] = {
            "type": kind, "title": {"en": en, "zh": zh}, "authors": authors, "research_areas": [area],
            "keywords": ["giant panda", *rng.sample(dataset.KEYWORDS[area], 3)],
        }
        doi = f"10.5555/cpb.{year}.{i + 1:04d}"
        if kind in ("journal_article", "conference_paper", "book_chapter", "dataset"):
            body["doi"] = doi
        if kind == "journal_article":
            chinese = rng.random() < 0.12
            body["venue"] = rng.choice(dataset.CHINESE_JOURNALS if chinese else dataset.JOURNALS)
            language = "zh" if chinese else "en"
            body.update(volume=str(year - 1980), issue=str(rng.randint(1, 12)),
                        pages=f"{(p := rng.randint(1, 900))}-{p + rng.randint(6, 18)}")
            body["date"] = day.isoformat()
        elif kind == "conference_paper":
            body["venue"] = rng.choice(dataset.CONFERENCES)
            body["date"] = day.isoformat()[:7]
        elif kind in ("book", "book_chapter", "popular_science_book"):
            body["publisher"] = rng.choice(dataset.PUBLISHERS)
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
            body["publisher"] = dataset.BASE_NAME["en"]
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
            reason = dataset.RETRACTION_REASONS[i % len(dataset.RETRACTION_REASONS)]
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

        await run_all(create(spec) for spec in plan["programs"])
        # Partner seat quotas count per year, across cohorts: the cohorts of one year take applications one
        # after the other, in order, so the same seed always gives the same seats; the years run side by side.
        turns: dict[int, asyncio.Event] = {}
        cohorts = []
        for c in plan["cohorts"]:
            done = asyncio.Event()
            cohorts.append(self._cohort(programs[c["program"].key], c, turns.get(c["starts"].year), done))
            turns[c["starts"].year] = done
        await run_all(cohorts)
        for spec in plan["programs"]:
            if spec.status == "archived":
                programs[spec.key] = await self.coord.act(f"/training/programs/{programs[spec.key]['id']}", "archive")
        for program in programs.values():
            self.report.add("programs")
            self.report.add("programs", program["status"])

    def _training_plan(self) -> dict[str, Any]:
        rng = self.rng("training")
        published = [p for p in dataset.PROGRAMS if p.status == "published"][: self.count(15, 2)]
        archived = [p for p in dataset.PROGRAMS if p.status == "archived"]
        programs = published + archived + [p for p in dataset.PROGRAMS if p.status == "draft"]
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
                      "site": crng.choice(dataset.TRAINING_SITES), "applicants": []}
            in_cohort: set[str] = set()
            for j in range(max(1, applicants)):
                arng = self.rng("applicant", i, j)
                staff = arng.random() < 0.5
                group = (arng.choice(["zoo_negara", "chiang_mai", "taman_safari", "everland"] * 3
                                     + [p.key for p in dataset.PARTNERS if p.kind == "zoo"]) if staff else None)
                country = self.partners[group].country if group else arng.choice(dataset.INDIVIDUAL_COUNTRIES)
                known = [p for p in returning[group or country] if p.email not in in_cohort]
                if known and arng.random() < 0.05:  # back for another course
                    person = arng.choice(known)
                else:
                    person = people.new(arng, country, email_domain(self.partners.get(group or "")), group)
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
        opens = instant(c["starts"] - dt.timedelta(days=90))
        if c["phase"] != "future":  # enrollment closed before it started: open it for now, close it afterwards
            body["enrollment_opens_at"] = z(opens)
            body["enrollment_closes_at"] = z(self.now + dt.timedelta(hours=6))
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

            await run_all(settle(e, caller, fate) for e, caller, fate in enrolled)
            await self.coord.patch(f"/training/cohorts/{cid}", {
                "enrollment_opens_at": z(opens), "enrollment_closes_at": z(instant(c["starts"]) - dt.timedelta(
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
        plans = [self._event_plan(i, kind, status, people) for i, (kind, status) in enumerate(zip(kinds, statuses,
                                                                                                    strict=True))]
        await run_all(self._event(plan) for plan in plans)

    def _agreements_with(self, partner: str | None) -> list[str]:
        return [self.agreements[k]["id"] for k, s in self.agreement_specs.items()
                if partner in s.partners and s.state in ("active", "expiring")
                and s.kind in ("cultural_exchange", "framework", "panda_loan")]

    def _event_plan(self, i: int, kind: str, status: str, people: People) -> dict[str, Any]:
        rng = self.rng("event", i)
        _, capacity, (reg_low, reg_high), (party_low, party_high), walk_ins = EVENT_KINDS[kind]
        zoos = [p for p in dataset.PARTNERS if p.kind == "zoo"]
        host: PartnerSpec | None = None
        venue: dict[str, Any] | None = None
        tz = dataset.BASE_TZ
        if kind == "online_broadcast":
            host = rng.choice(zoos) if rng.random() < 0.3 else None
        elif kind == "museum_tour":
            venue = {"name": rng.choice(dataset.BASE_VENUES), "city": dataset.BASE_CITY,
                     "country": dataset.BASE_COUNTRY}
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
            day = self.today - dt.timedelta(days=rng.randint(100 if long_running else 2, 4 * 365))
        elif status == "scheduled":
            day = self.today + dt.timedelta(days=rng.randint(3, 150))
        elif status == "draft":
            day = self.today + dt.timedelta(days=rng.randint(60, 240))
        else:
            day = self.today + dt.timedelta(days=rng.randint(-700, 90))
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
                event = await self.coord.act(path, "cancel", reason=rng.choice(dataset.CANCEL_REASONS))
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
            event = await self.coord.act(path, "cancel", reason=rng.choice(dataset.CANCEL_REASONS))
            return self._count_event(event, list(final.values()))
        if status == "completed":
            now = {r["id"]: r["status"] for r in await self.coord.every(f"{path}/registrations")}
            final.update(now)
            arriving = [reg["id"] for reg, _ in registered if now[reg["id"]] == "confirmed" and rng.random() < 0.85]

            async def check_in(registration_id: str) -> None:
                final[registration_id] = (await self.coord.act(f"/outreach/registrations/{registration_id}",
                                                               "check_in"))["status"]

            await run_all(check_in(r) for r in arriving)
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





def load(gateway_url: str, admin_key: str, *, scale: float = 1.0, seed: int = 7, concurrency: int = 12,
         out: Callable[[str], None] | None = None) -> Report:
    """Load the demo through the gateway at `gateway_url`; raises `AlreadyLoaded` on a database that has it."""
    return asyncio.run(Loader(gateway_url, admin_key, scale=scale, seed=seed, concurrency=concurrency,
                              out=out).run())

