"""Publications: the works, by the base's and the partners' researchers, most linked to an agreement and many to a
research project; some drafts and a few retracted. Each work's record follows its type's settings in
`plan.WORK_TYPES`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import run_all
from deploy.demo.people import People, Person, email_domain
from deploy.demo.plan import (
    AGREEMENT_STATES,
    DRAFT_SHARE,
    LINKED_KINDS,
    LINKED_SHARE,
    OPEN_ACCESS_SHARE,
    PARTNER_AUTHOR_SHARE,
    PROJECT_SHARE,
    RESEARCHERS,
    RETRACTED_SHARE,
    WORK_TYPES,
    WorkType,
    one_of,
    spread,
)
from deploy.demo.state import Load


@dataclass
class _Origin:
    """Where a work comes from: an agreement (and a project under it) or none, its area, its partners."""

    agreement: str | None
    project: dict[str, Any] | None
    area: str
    partners: list[str]


@dataclass
class _Staff:
    """The researchers who write the works: at the base, and at each partner."""

    base: list[Person]
    partners: dict[str, list[Person]]


async def load_works(load: Load) -> None:
    n = load.count(200, 10)
    types = spread(n, {t: settings.weight for t, settings in WORK_TYPES.items()}, load.rng("works"))
    statuses = _statuses(types, n)
    staff = _Staff(_researchers(load, "base", "CN", None),
                   {p.key: _researchers(load, p.key, p.country, p.key) for p in dataset.PARTNERS})
    linkable = [k for k, s in load.agreement_specs.items()
                if s.kind in LINKED_KINDS and AGREEMENT_STATES[s.state].activated]
    used_titles: set[str] = set()
    bodies = [_work_plan(load, i, kind, staff, linkable, used_titles) for i, kind in enumerate(types)]
    await run_all(_work(load, i, body, statuses[i]) for i, body in enumerate(bodies))
    load.works_ready.set()


def _statuses(types: list[str], n: int) -> list[str]:
    """The first research papers retracted, the next few drafts, every other work published."""
    research = [i for i, t in enumerate(types) if WORK_TYPES[t].research]
    retracted = research[: max(1, round(n * RETRACTED_SHARE))]
    drafts = research[len(retracted): len(retracted) + max(1, round(n * DRAFT_SHARE))]
    return ["retracted" if i in retracted else "draft" if i in drafts else "published" for i in range(len(types))]


def _researchers(load: Load, institution: str, country: str, partner: str | None) -> list[Person]:
    rng = load.rng("researchers", institution)
    people = People()
    domain = email_domain(load.partners.get(partner or ""))
    return [people.new(rng, country, domain, partner) for _ in range(RESEARCHERS)]


def _work_plan(load: Load, i: int, kind: str, staff: _Staff, linkable: list[str],
               used_titles: set[str]) -> dict[str, Any]:
    rng = load.rng("work", i)
    settings = WORK_TYPES[kind]
    origin = _origin(load, rng, settings, linkable)
    year, day = _date(load, rng, origin.agreement)
    (en, zh), topic = _title(rng, i, settings, origin.area, used_titles)
    authors = _authors(load, rng, settings, origin.partners, staff)
    body: dict[str, Any] = {
        "type": kind, "title": {"en": en, "zh": zh}, "authors": authors, "research_areas": [origin.area],
        "keywords": ["giant panda", *rng.sample(dataset.KEYWORDS[origin.area], 3)],
        **_published(load, rng, settings, i, year, day, origin.partners),
    }
    if topic:
        body["abstract"] = _abstract(topic, year)
    if rng.random() < OPEN_ACCESS_SHARE:
        body["open_access_url"] = f"https://repository.panda-base.example/works/{i + 1:04d}"
    if origin.agreement:
        body["agreement_ids"] = [load.agreements[origin.agreement]["id"]]
    if origin.project:
        body["project_ids"] = [origin.project["id"]]
    return body


def _origin(load: Load, rng: random.Random, settings: WorkType, linkable: list[str]) -> _Origin:
    agreement = (rng.choice(linkable) if linkable and settings.linked and rng.random() < LINKED_SHARE
                 else None)
    spec = load.agreement_specs.get(agreement or "")
    projects = [p for p in load.projects.get(agreement or "", []) if p["status"] in ("active", "completed")]
    project = rng.choice(projects) if projects and rng.random() < PROJECT_SHARE else None
    area = project["area"] if project else rng.choice(list(dataset.PHRASES))
    partners = list(spec.partners) if spec else [rng.choice([p.key for p in dataset.PARTNERS])]
    return _Origin(agreement, project, area, partners)


def _date(load: Load, rng: random.Random, agreement: str | None) -> tuple[int, dt.date]:
    """Its year, from the year after its agreement took effect (2010 at the earliest), and a day before today."""
    earliest = max(2010, (dt.date.fromisoformat(load.agreements[agreement]["effective_from"]).year + 1)
                   if agreement else 2010)
    year = rng.randint(min(earliest, load.today.year), load.today.year)
    day = min(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), load.today - dt.timedelta(days=1))
    return year, day


def _title(rng: random.Random, i: int, settings: WorkType, area: str,
           used_titles: set[str]) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """Its title (en, zh), and the topic an abstract reports on (for research titles)."""
    if settings.titles:
        en, zh = settings.titles[i % len(settings.titles)]
        used_titles.add(en)
        return (en, zh), None
    for _ in range(20):  # a title not used yet, when one turns up
        phrase_en, phrase_zh = rng.choice(dataset.PHRASES[area])
        wild = area in dataset.SUBJECT_AREAS
        subject_en, subject_zh = rng.choice([s for s in dataset.SUBJECTS if ("wild" in s[0]) == wild]
                                            or dataset.SUBJECTS)
        en, zh = phrase_en.format(s=subject_en), phrase_zh.format(s=subject_zh) + "研究"
        if en not in used_titles:
            break
    worded = settings.worded[0].format(en), settings.worded[1].format(zh)
    used_titles.add(worded[0])
    return worded, (en, zh)


def _authors(load: Load, rng: random.Random, settings: WorkType, partners: list[str],
             staff: _Staff) -> list[dict[str, Any]]:
    """The first author corresponds; every second author works at a partner, and some of the others."""
    authors: list[dict[str, Any]] = []
    chosen: set[str] = set()
    for n in range(rng.randint(*settings.authors)):
        if n == 0 and settings.partner_first_author:
            partner = rng.choice(partners)
        else:
            partner = rng.choice(partners) if (n % 2 == 1 or rng.random() < PARTNER_AUTHOR_SHARE) else None
        pool = staff.partners[partner] if partner else staff.base
        person = rng.choice([p for p in pool if p.email not in chosen] or pool)
        chosen.add(person.email)
        author: dict[str, Any] = {"name": person.name}
        if partner:
            author["affiliation_partner_id"] = load.partner_ids[partner]
        else:
            author["affiliation"] = dataset.BASE_NAME["en"]
        if n == 0:
            author["corresponding"] = True
        authors.append(author)
    return authors


def _published(load: Load, rng: random.Random, settings: WorkType, i: int, year: int, day: dt.date,
               partners: list[str]) -> dict[str, Any]:
    """Where, by whom and how it was published, in the order `WorkType` draws it."""
    out: dict[str, Any] = {}
    chinese = bool(settings.chinese_share) and rng.random() < settings.chinese_share
    if settings.venues:
        out["venue"] = one_of(rng, settings.chinese_venues if chinese else settings.venues)
    if settings.numbered:
        out.update(volume=str(year - 1980), issue=str(rng.randint(1, 12)),
                   pages=f"{(p := rng.randint(1, 900))}-{p + rng.randint(6, 18)}")
    if settings.by_university:
        university = next((load.partners[p] for p in partners if load.partners[p].kind == "university"), None)
        out["publisher"] = university.name["en"] if university else "Sichuan University"
    elif settings.publishers:
        out["publisher"] = one_of(rng, settings.publishers)
    if settings.isbn:
        out["isbn"] = _isbn(rng)
    out["date"] = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(year)}[settings.date]
    out["language"] = "zh" if chinese else one_of(rng, settings.languages)
    if settings.doi_share >= 1 or (settings.doi_share and rng.random() < settings.doi_share):
        out["doi"] = f"10.5555/cpb.{year}.{i + 1:04d}"
    return out


def _abstract(topic: tuple[str, str], year: int) -> dict[str, str]:
    en, zh = topic
    return {
        "en": f"We report on {en[0].lower() + en[1:]}, drawing on records and samples collected jointly by the "
              f"partners between {year - 3} and {year - 1}, and discuss what the results mean for the management "
              "of the population.",
        "zh": f"本文基于合作双方{year - 3}年至{year - 1}年共同收集的记录与样本，报告了{zh}的结果，"
              "并讨论其对种群管理的意义。",
    }


async def _work(load: Load, i: int, body: dict[str, Any], status: str) -> None:
    work = await load.coord.post("/publications/works", body)
    path = f"/publications/works/{work['id']}"
    if status in ("published", "retracted"):
        work = await load.coord.act(path, "publish")
    if status == "retracted":
        reason = dataset.RETRACTION_REASONS[i % len(dataset.RETRACTION_REASONS)]
        work = await load.coord.act(path, "retract", reason=reason)
    if work["type"] == "popular_science_book" and work["status"] == "published":
        load.popular_books.append(work)
    load.report.tally("works", work["status"])
    load.report.add("work_types", work["type"])


def _isbn(rng: random.Random) -> str:
    """A well-formed ISBN-13 (978, a made-up registrant and title, the right check digit)."""
    digits = "978" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10) % 10
    return digits + str(check)
