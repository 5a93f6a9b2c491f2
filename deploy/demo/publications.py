"""Publications: the works, by the base's and the partners' researchers, most linked to an agreement and many to a
research project; some drafts and a few retracted."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import run_all
from deploy.demo.people import People, Person, email_domain
from deploy.demo.plan import WORK_TYPES, spread
from deploy.demo.state import Load


def _researchers(load: Load, institution: str, country: str, partner: str | None) -> list[Person]:
    rng = load.rng("researchers", institution)
    people = People()
    return [people.new(rng, country, email_domain(load.partners.get(partner or "")), partner) for _ in range(8)]


async def load_works(load: Load) -> None:
    n = load.count(200, 10)
    rng = load.rng("works")
    types = spread(n, {t: w for t, (w, _) in WORK_TYPES.items()}, rng)
    research = [i for i, t in enumerate(types) if t in ("journal_article", "conference_paper")]
    retracted = set(research[: max(1, round(n * 0.03))])
    drafts = set(research[len(retracted): len(retracted) + max(1, round(n * 0.06))])
    base_staff = _researchers(load, "base", "CN", None)
    staff = {p.key: _researchers(load, p.key, p.country, p.key) for p in dataset.PARTNERS}
    linkable = [k for k, s in load.agreement_specs.items()
                if s.kind in ("research_cooperation", "framework", "panda_loan")
                and s.state in ("active", "expiring", "terminated")]
    used_titles: set[str] = set()
    plans = []
    for i, kind in enumerate(types):
        status = "retracted" if i in retracted else "draft" if i in drafts else "published"
        plans.append(_work_plan(load, i, kind, status, base_staff, staff, linkable, used_titles))
    await run_all(_work(load, i, body, status) for i, (body, status) in enumerate(plans))
    load.works_ready.set()


def _work_plan(load: Load, i: int, kind: str, status: str, base_staff: list[Person], staff: dict[str, list[Person]],
               linkable: list[str], used_titles: set[str]) -> tuple[dict[str, Any], str]:
    rng = load.rng("work", i)
    agreement_key = rng.choice(linkable) if linkable and kind not in (
        "popular_article", "popular_science_book") and rng.random() < 0.8 else None
    spec = load.agreement_specs.get(agreement_key or "")
    projects = [p for p in load.projects.get(agreement_key or "", []) if p["status"] in ("active", "completed")]
    project = rng.choice(projects) if projects and rng.random() < 0.6 else None
    area = project["area"] if project else rng.choice(list(dataset.PHRASES))
    partners = list(spec.partners) if spec else [rng.choice([p.key for p in dataset.PARTNERS])]
    earliest = max(2010, (dt.date.fromisoformat(load.agreements[agreement_key]["effective_from"]).year + 1)
                   if agreement_key else 2010)
    year = rng.randint(min(earliest, load.today.year), load.today.year)
    day = min(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), load.today - dt.timedelta(days=1))
    language = "en"
    topic_en, topic_zh = "", ""

    if kind == "popular_science_book":
        en, zh = dataset.POPULAR_BOOKS[i % len(dataset.POPULAR_BOOKS)]
    elif kind == "popular_article":
        en, zh = (dataset.POPULAR_ARTICLES + dataset.TOPICS)[i % (len(dataset.POPULAR_ARTICLES) + len(dataset.TOPICS))]
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
            author["affiliation_partner_id"] = load.partner_ids[partner]
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
        university = next((load.partners[p] for p in partners if load.partners[p].kind == "university"), None)
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
        body["agreement_ids"] = [load.agreements[agreement_key]["id"]]
    if project:
        body["project_ids"] = [project["id"]]
    return body, status


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
    load.report.add("works")
    load.report.add("works", work["status"])
    load.report.add("work_types", work["type"])


def _isbn(rng: random.Random) -> str:
    """A well-formed ISBN-13 (978, a made-up registrant and title, the right check digit)."""
    digits = "978" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10) % 10
    return digits + str(check)
