"""Bulk import of works from partners' systems (CSL-JSON and BibTeX) through the gateway: per record what was
created, what was a duplicate (same DOI) and what was invalid and why; valid records kept whatever the others
are; a body that cannot be read, or holds too many records, refused whole with nothing written. And the works'
stats: by status, type, year, area and partner, and the open-access share, for the public and for staff."""

from __future__ import annotations

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.harness import Stack, problem_of, wait_until

WORKS = "/api/v1/publications/works"
IMPORT = f"{WORKS}/import"
STATS = "/api/v1/publications/stats"
PARTNERS = "/api/v1/partnerships/partners"
CSL = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"


def tag() -> str:
    """A word found nowhere else: put in a record's title, it finds the work by full-text search."""
    return f"zq{uuid.uuid4().hex[:10]}"


def doi() -> str:
    return f"10.5555/panda.{uuid.uuid4().hex[:10]}"


def item(word: str, **extra: Any) -> dict[str, Any]:
    return {"type": "article-journal", "title": f"Bamboo diet of captive pandas {word}",
            "author": [{"family": "Li", "given": "Wei"}], "issued": {"date-parts": [[2024, 5, 1]]}} | extra


def send(client: httpx.Client, body: bytes | str, content_type: str | None = CSL) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post(IMPORT, content=body.encode() if isinstance(body, str) else body, headers=headers)


def import_items(client: httpx.Client, items: Any) -> httpx.Response:
    return send(client, json.dumps(items))


def found(client: httpx.Client, word: str) -> set[str]:
    """Every work, drafts included (the client is staff), whose title has `word`."""
    ids, cursor = set(), None
    while True:
        r = client.get(WORKS, params={"q": word, "limit": 200} | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        ids |= {w["id"] for w in r.json()["items"]}
        if not (cursor := r.json()["next_cursor"]):
            return ids


def statuses(report: dict[str, Any]) -> list[str]:
    assert [r["index"] for r in report["results"]] == list(range(len(report["results"])))
    return [r["status"] for r in report["results"]]


def locs(result: dict[str, Any]) -> list[list[Any]]:
    assert result["status"] == "invalid", result
    for e in result["errors"]:
        assert set(e) == {"loc", "msg", "type"} and e["msg"], e
    return [e["loc"] for e in result["errors"]]


# --- import ------------------------------------------------------------------------------------------------------


def test_an_import_with_good_duplicate_and_broken_records(coordinator, anonymous):
    word = tag()
    taken, new = doi(), doi()
    r = coordinator.post(WORKS, json={"type": "journal_article", "title": {"en": f"Already here {word}"},
                                      "authors": [{"name": "Chen Jing"}], "date": "2023", "doi": taken})
    assert r.status_code == 201, r.text
    existing = r.json()
    items = [
        item(word, id="rec-0", DOI=new.upper(), volume=12, issue="3", page="101–109", keyword="bamboo; diet, gut",
             URL="https://example.org/oa/bamboo.pdf", **{"container-title": ["Journal of Zoology"]},
             author=[{"family": "Müller", "given": "Zoë", "ORCID": "https://orcid.org/0000-0002-1825-0097",
                      "affiliation": [{"name": "Berlin Zoo"}]}, {"literal": "Wolong Panda Team"}],
             issued={"date-parts": [[2031, 3, 7]]}),
        {"id": 1, "type": "book", "title": f"大熊猫 {word}", "language": "zh-CN", "ISBN": "0-306-40615-2",
         "editor": [{"family": "Zhang", "given": "Hemin"}], "publisher": "Science Press",
         "issued": {"date-parts": [["2030"]]}, "URL": "https://doi.org/10.9999/not-open-access"},
        item(word, DOI=f"https://doi.org/{taken.upper()}"),  # a work has this DOI already
        item(word, DOI=new),  # record 0 has it
        item(word, DOI="doi-10.1000/x"),
        item(word, type="book", ISBN="978-0-306-40615-8"),  # wrong check digit
        {k: v for k, v in item(word).items() if k != "title"},
        item(word, issued={"raw": "sometime"}),
        "not an item",
        item(word, type="recipe"),  # no CSL type
        item(word, author=[{"family": "Li", "given": "Wei", "ORCID": "0000-0002-1825-0098"}]),
    ]
    r = import_items(coordinator, items)
    assert r.status_code == 200, r.text
    report = r.json()
    assert statuses(report) == ["created", "created", "duplicate", "duplicate", *["invalid"] * 7]
    assert (report["created"], report["duplicates"], report["invalid"]) == (2, 2, 7)
    results = report["results"]
    assert results[0]["key"] == "rec-0" and results[1]["key"] == "1"
    assert results[2]["id"] == existing["id"] and results[2]["doi"] == taken
    assert results[3]["id"] == results[0]["id"] and results[3]["doi"] == new, "a duplicate within the import"
    assert locs(results[4]) == [["DOI"]]
    assert locs(results[5]) == [["ISBN"]]
    assert locs(results[6]) == [["title"]]
    assert locs(results[7]) == [["issued"]]
    assert locs(results[8]) == [[]]
    assert locs(results[9]) == [["type"]] and results[9]["errors"][0]["type"] == "unsupported_type"
    assert locs(results[10]) == [["author", 0, "ORCID"]]

    article = coordinator.get(f"{WORKS}/{results[0]['id']}").json()
    assert article["status"] == "draft", "imported works wait for staff to review them"
    assert (article["type"], article["date"], article["year"], article["doi"]) == \
        ("journal_article", "2031-03-07", 2031, new)
    assert article["title"] == {"en": f"Bamboo diet of captive pandas {word}"}
    assert article["authors"] == [
        {"name": "Zoë Müller", "type": "person", "role": "author", "orcid": "0000-0002-1825-0097",
         "affiliation": "Berlin Zoo", "corresponding": False},
        {"name": "Wolong Panda Team", "type": "organization", "role": "author", "corresponding": False}]
    assert (article["venue"], article["volume"], article["issue"], article["pages"]) == \
        ("Journal of Zoology", "12", "3", "101-109")
    assert article["keywords"] == ["bamboo", "diet", "gut"]
    assert article["open_access_url"] == "https://example.org/oa/bamboo.pdf"
    book = coordinator.get(f"{WORKS}/{results[1]['id']}").json()
    assert (book["type"], book["isbn"], book["date"], book["language"]) == \
        ("edited_book", "9780306406157", "2030", "zh-CN"), "a book with editors and no author is an edited book"
    assert book["title"] == {"zh-CN": f"大熊猫 {word}"}
    assert [(a["name"], a["role"]) for a in book["authors"]] == [("Hemin Zhang", "editor")]
    assert book["open_access_url"] is None, "a doi.org link is no open-access copy"
    assert anonymous.get(f"{WORKS}/{results[0]['id']}").status_code == 404, "a draft is not public"

    assert found(coordinator, word) == {existing["id"], results[0]["id"], results[1]["id"]}, "nothing else written"


def test_a_bibtex_import_decodes_latex_and_reports_the_entry_it_cannot_read(coordinator):
    word, first, second = tag(), doi(), doi()
    bibtex = rf"""
@string{{jz = "Journal of Zoology"}}
Exported by a reference manager.
@article{{mueller2029,
  author   = {{M{{\"u}}ller, Zo{{\"e}} and Li, Wei and {{Chengdu Research Base of Giant Panda Breeding}}}},
  title    = {{{{DNA}} barcoding of \emph{{bamboo}} {word}}},
  journal  = jz,
  year     = 2029, month = may,
  volume   = {{7}}, number = {{2}}, pages = {{11--19}},
  doi      = {{https://doi.org/{first}}},
  keywords = {{genetics; diet}},
}}
@incollection{{zhang2028,
  author    = "Zhang, Hemin",
  title     = "Reintroduction {word}",
  booktitle = "Giant Pandas: Biology and Conservation",
  publisher = "Springer",
  isbn      = "978-0-306-40615-7",
  year      = "2028",
  doi       = "{second}"
}}
@article{{broken, title = {{An entry that never ends {word}}},
@article{{baddoi, author = {{Li, Wei}}, title = {{Bad DOI {word}}}, year = 2027, doi = {{10.12/x}}}}
@recipe{{web, author = {{Li, Wei}}, title = {{Not a type anyone knows {word}}}, year = 2027}}
@article{{noyear, author = {{Li, Wei}}, title = {{Undated {word}}}}}
"""
    r = send(coordinator, bibtex, BIBTEX)
    assert r.status_code == 200, r.text
    report = r.json()
    assert statuses(report) == ["created", "created", "invalid", "invalid", "invalid", "invalid"], report
    results = report["results"]
    assert [r.get("key") for r in results] == ["mueller2029", "zhang2028", None, "baddoi", "web", "noyear"]
    assert locs(results[2]) == [[]] and "line" in results[2]["errors"][0]["msg"]
    assert locs(results[3]) == [["doi"]]
    assert locs(results[4]) == [["entry_type"]]
    assert locs(results[5]) == [["year"]]

    article = coordinator.get(f"{WORKS}/{results[0]['id']}").json()
    assert [a["name"] for a in article["authors"]] == \
        ["Zoë Müller", "Wei Li", "Chengdu Research Base of Giant Panda Breeding"]
    assert article["title"] == {"en": f"DNA barcoding of bamboo {word}"}
    assert (article["type"], article["date"], article["venue"], article["volume"], article["issue"],
            article["pages"], article["doi"]) == ("journal_article", "2029-05", "Journal of Zoology", "7", "2",
                                                  "11-19", first)
    assert article["keywords"] == ["genetics", "diet"]
    chapter = coordinator.get(f"{WORKS}/{results[1]['id']}").json()
    assert (chapter["type"], chapter["venue"], chapter["publisher"], chapter["isbn"], chapter["date"]) == \
        ("book_chapter", "Giant Pandas: Biology and Conservation", "Springer", "9780306406157", "2028")
    assert found(coordinator, word) == {results[0]["id"], results[1]["id"]}

    again = send(coordinator, bibtex, "text/x-bibtex; charset=utf-8").json()
    assert statuses(again)[:2] == ["duplicate", "duplicate"], "imported twice, created once"
    assert found(coordinator, word) == {results[0]["id"], results[1]["id"]}


def test_an_import_of_more_than_1000_records_is_refused_whole(coordinator):
    word = tag()
    r = import_items(coordinator, [item(word, DOI=doi()) for _ in range(1001)])
    assert problem_of(r)["status"] == 413 and "1000" in problem_of(r)["detail"]
    bibtex = "".join(f"@article{{k{i}, author={{Li, Wei}}, title={{T {word}}}, year=2020}}\n" for i in range(1001))
    assert problem_of(send(coordinator, bibtex, BIBTEX))["status"] == 413
    assert found(coordinator, word) == set(), "nothing written"


def test_an_import_of_1000_records_is_answered_in_time(coordinator):
    word = tag()
    r = import_items(coordinator, {"items": [item(word, DOI=doi(), issued={"date-parts": [[1999]]})
                                             for _ in range(1000)]})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1000
    assert len(found(coordinator, word)) == 1000


def test_an_import_sent_again_with_its_idempotency_key_has_no_second_effect(coordinator):
    word = tag()
    body = json.dumps([item(word), item(word, type="report")])
    headers = {"Content-Type": CSL, "Idempotency-Key": uuid.uuid4().hex}
    first = coordinator.post(IMPORT, content=body, headers=headers)
    again = coordinator.post(IMPORT, content=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json() and first.json()["created"] == 2
    assert found(coordinator, word) == {r["id"] for r in first.json()["results"]}


def test_concurrent_imports_of_the_same_dois_create_each_work_once(stack: Stack, keys):
    word = tag()
    dois = [doi() for _ in range(450)]
    bodies = [json.dumps([item(word, DOI=d) for d in dois[:300]]), json.dumps([item(word, DOI=d) for d in dois[150:]])]
    with stack.client(keys["coordinator"]) as one, stack.client(keys["admin"]) as other:
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda c, b: send(c, b), (one, other), bodies))
        assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
        reports = [a.json() for a in answers]
        assert sum(r["created"] for r in reports) == 450 and sum(r["duplicates"] for r in reports) == 150, \
            [(r["created"], r["duplicates"], r["invalid"]) for r in reports]
        created = [(r["doi"], r["id"]) for report in reports for r in report["results"] if r["status"] == "created"]
        assert sorted(d for d, _ in created) == sorted(dois), "each DOI once"
        assert found(one, word) == {i for _, i in created}


BIG = "x" * 100_000


@pytest.mark.parametrize("body, content_type, status", [
    (b"{not json", CSL, 422),
    (b"\xff\xfe\xfa not utf-8", CSL, 422),
    (b'"a string"', "application/json", 422),
    (b'{"records": []}', CSL, 422),
    (b"[]", CSL, 422),
    (b"[" * 100_000, CSL, 422),
    (b"[" + b"1" * 5000 + b"]", CSL, 422),
    (b"hello world", BIBTEX, 422),
    (b"", BIBTEX, 422),
    (b"\x00\x01\x02", BIBTEX, 422),
    (b"[]", "text/plain", 415),
    (b"[]", None, 415),
    (b"[]", f"{CSL}; charset=klingon", 415),
])
def test_a_body_that_cannot_be_read_is_refused_whole(coordinator, body, content_type, status):
    r = send(coordinator, body, content_type)
    assert problem_of(r)["status"] == status, r.text
    assert len(r.content) < 10_000
    if status == 422:
        assert problem_of(r)["errors"][0]["loc"] == ["body"]


def test_records_of_any_shape_are_answered_one_by_one(coordinator):
    word = tag()
    odd: list[Any] = [None, 1, [], {}, {"title": {"en": word}}, item(word, author="Li Wei"),
                      item(word, issued={"date-parts": "2024"}), item(word, issued={"date-parts": [[None]]}),
                      item(word, issued={"date-parts": [[2024, 2, 30]]}), item(word, title=BIG),
                      item(word, abstract=BIG * 3), item(word, author=[{"family": BIG}]), item(word, DOI=BIG),
                      item(word, custom={"research_areas": ["astrology"]}),
                      item(word, custom={"agreement_ids": [str(uuid.uuid4())]}),
                      item(word, author=[{"family": "Li", "affiliation_partner_id": str(uuid.uuid4())}]),
                      item(word, URL="not a url"), item(word, language="x" * 100, volume={"a": 1}),
                      item(word, title="nul \x00 inside")]
    r = import_items(coordinator, odd)
    assert r.status_code == 200, r.text
    assert r.json()["invalid"] == len(odd) and r.json()["created"] == 0
    assert len(r.content) < 30_000, "errors explain; they do not echo what was sent"
    by_index = r.json()["results"]
    assert ["custom", "research_areas", 0] in locs(by_index[13])
    assert locs(by_index[14]) == [["custom", "agreement_ids", 0]]
    assert locs(by_index[15]) == [["author", 0, "affiliation_partner_id"]]
    assert found(coordinator, word) == set()

    too_big = json.dumps([item(word, abstract="x" * (17 * 1024 * 1024))])
    assert problem_of(send(coordinator, too_big))["status"] == 413
    truncated = send(coordinator, "@article{cut, title={" + word, BIBTEX)
    assert truncated.status_code == 200 and statuses(truncated.json()) == ["invalid"]


def test_who_may_import(stack: Stack, coordinator, anonymous, keys):
    body = json.dumps([item(tag())])
    assert problem_of(send(anonymous, body))["status"] == 401
    for role in ("analyst", "member"):
        with stack.client(keys[role]) as c:
            assert problem_of(send(c, body))["status"] == 403
    partner = coordinator.post(PARTNERS, json={"name": {"en": f"Partner {tag()}"}, "kind": "zoo", "country": "AT"})
    assert partner.status_code == 201, partner.text
    with stack.client(stack.issue_key("partner", partner.json()["id"])["key"]) as partner_system:
        report = send(partner_system, body).json()
        assert report["created"] == 1, report
        work_id = report["results"][0]["id"]
        assert partner_system.get(f"{WORKS}/{work_id}").status_code == 404, "a draft, for staff to review"
    assert coordinator.get(f"{WORKS}/{work_id}").json()["status"] == "draft"


# --- stats -------------------------------------------------------------------------------------------------------


def known_partner(coordinator: httpx.Client) -> str:
    r = coordinator.post(PARTNERS, json={"name": {"en": f"Zoo {tag()}"}, "kind": "zoo", "country": "AT"})
    assert r.status_code == 201, r.text
    partner_id = r.json()["id"]
    wait_until(lambda: coordinator.get(f"/api/v1/publications/partners/{partner_id}").status_code == 200, 20,
               what="publications to know the partner")
    return partner_id


def work(client: httpx.Client, then: tuple[dict[str, Any], ...] = ({"action": "publish"},), **fields: Any
         ) -> dict[str, Any]:
    r = client.post(WORKS, json={"title": {"en": f"Work {tag()}"}, "authors": [{"name": "Li Wei"}]} | fields)
    assert r.status_code == 201, r.text
    for action in then:
        r = client.post(f"{WORKS}/{r.json()['id']}/transitions", json=action)
        assert r.status_code == 200, r.text
    return r.json()


def zeros(names: list[str], **counts: int) -> dict[str, int]:
    return {n: counts.get(n, 0) for n in names}


TYPES = ["journal_article", "book", "book_chapter", "conference_paper", "report", "popular_science_book",
         "popular_article", "thesis", "dataset", "edited_book", "manual", "web_resource", "patent", "software",
         "other"]
AREAS = ["protection", "breeding", "disease_treatment", "epidemic_prevention", "wild_population", "habitat",
         "genetics", "education", "other"]


def test_stats_count_works_by_type_year_area_partner_and_open_access(stack: Stack, coordinator, anonymous, keys):
    year = random.randint(1100, 1440)  # no other test's works are this old
    partner = known_partner(coordinator)
    by_partner = [{"name": "Dr. Z", "affiliation_partner_id": partner}]
    work(coordinator, type="journal_article", date=f"{year}-03-01", research_areas=["genetics", "breeding"],
         open_access_url="https://example.org/a.pdf", authors=by_partner)
    work(coordinator, type="book", date=f"{year + 1}", research_areas=["genetics"])
    work(coordinator, (), type="report", date=f"{year}")  # a draft
    work(coordinator, ({"action": "publish"}, {"action": "retract", "reason": "error"}), type="journal_article",
         date=f"{year + 1}-06", authors=by_partner, open_access_url="https://example.org/d.pdf")
    span = {"year_from": year, "year_to": year + 1}

    public = anonymous.get(STATS, params=span)
    assert public.status_code == 200, public.text
    public = public.json()
    assert public["works"] == 2
    assert public["by_status"] == {"draft": 0, "published": 2, "retracted": 0}
    assert public["by_type"] == zeros(TYPES, journal_article=1, book=1)
    assert public["by_year"] == {str(year): 1, str(year + 1): 1}
    assert public["by_area"] == zeros(AREAS, genetics=2, breeding=1)
    assert [(p["partner_id"], p["works"]) for p in public["by_partner"]] == [(partner, 1)]
    assert public["by_partner"][0]["name"]["en"].startswith("Zoo ")
    assert public["open_access"] == {"works": 1, "share": 0.5}

    with stack.client(keys["analyst"]) as analyst:
        staff = analyst.get(STATS, params=span).json()
        assert staff["works"] == 4, "staff count drafts and retractions too"
        assert staff["by_status"] == {"draft": 1, "published": 2, "retracted": 1}
        assert staff["by_type"] == zeros(TYPES, journal_article=2, book=1, report=1)
        assert staff["by_year"] == {str(year): 2, str(year + 1): 2}
        assert [(p["partner_id"], p["works"]) for p in staff["by_partner"]] == [(partner, 2)]
        assert staff["open_access"] == {"works": 2, "share": 0.5}
        assert analyst.get(STATS, params=span | {"status": "published"}).json() == public

    assert anonymous.get(STATS, params={"year": year}).json()["works"] == 1
    assert anonymous.get(STATS, params=span | {"partner_id": partner}).json()["works"] == 1
    assert anonymous.get(STATS, params=span | {"area": "breeding"}).json()["by_type"]["journal_article"] == 1
    assert anonymous.get(STATS, params=span | {"type": "book"}).json()["open_access"] == {"works": 0, "share": 0.0}
    assert anonymous.get(STATS, params=span | {"status": "draft"}).json()["works"] == 0, "drafts are for staff"
    empty = anonymous.get(STATS, params={"year": year + 2}).json()
    assert (empty["works"], empty["by_year"], empty["by_partner"], empty["open_access"]) == \
        (0, {}, [], {"works": 0, "share": 0.0})
    for bad in ({"year_from": year + 1, "year_to": year}, {"year": "soon"}, {"status": "lost"},
                {"partner_id": "p-1"}, {"year": 99999}):
        assert problem_of(anonymous.get(STATS, params=bad))["status"] == 422, bad


def test_stats_count_imported_drafts_for_staff_only(stack: Stack, coordinator, anonymous, keys):
    year = random.randint(1450, 1800)
    report = import_items(coordinator, [
        item(tag(), issued={"date-parts": [[year]]}, custom={"research_areas": ["habitat"]},
             URL="https://example.org/open.pdf"),
        item(tag(), type="thesis", issued={"date-parts": [[year]]}),
    ]).json()
    assert report["created"] == 2, report
    with stack.client(keys["analyst"]) as analyst:
        staff = analyst.get(STATS, params={"year": year}).json()
    assert (staff["works"], staff["by_status"]["draft"], staff["by_area"]["habitat"]) == (2, 2, 1)
    assert staff["by_type"] == zeros(TYPES, journal_article=1, thesis=1)
    assert staff["open_access"] == {"works": 1, "share": 0.5}
    assert anonymous.get(STATS, params={"year": year}).json()["works"] == 0
