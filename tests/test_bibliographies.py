"""Bibliographies as partners' reference managers export them, through the gateway: a BibTeX file of our own with
every standard BibTeX and biblatex entry type (`tests/data/cooperation.bib`: crossref and xdata inheritance,
editors and translators, organisations as authors, EDTF dates and ranges, TeX macros) is imported, what could
not be is refused with a reason, and every work created is cited in BibTeX and CSL-JSON and read back equal."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import problem_of
from tests.test_works import WORKS

IMPORT = f"{WORKS}/import"
BIBTEX = "application/x-bibtex"
CSL = "application/vnd.citationstyles.csl+json"
BIBLIOGRAPHY = Path(__file__).parent / "data" / "cooperation.bib"
# What a work is, compared between the work imported and the work read back from its citation (its DOI aside: a
# DOI is taken once, so the citations are read back without it and the DOI is checked in the citation's text).
COMPARED = ("type", "title", "abstract", "authors", "venue", "publisher", "date", "year", "volume", "issue", "pages",
            "isbn", "keywords", "language", "open_access_url")


def imported(client: httpx.Client, body: str, media_type: str) -> dict[str, Any]:
    r = client.post(IMPORT, content=body.encode(), headers={"Content-Type": media_type})
    assert r.status_code == 200, r.text
    return r.json()


def cited(client: httpx.Client, work_id: str, fmt: str) -> str:
    r = client.get(f"{WORKS}/{work_id}/citation", params={"format": fmt})
    assert r.status_code == 200, r.text
    return r.content.decode()


def work(client: httpx.Client, work_id: str) -> dict[str, Any]:
    r = client.get(f"{WORKS}/{work_id}")
    assert r.status_code == 200, r.text
    return r.json()


def roles(w: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(a["name"], a["type"], a["role"]) for a in w["authors"]]


@pytest.fixture(scope="module")
def bibliography(stack, keys) -> dict[str, Any]:
    """The file imported once (with a tag of this run in its titles and DOIs): the report, and each created
    work by its citation key."""
    tag = uuid.uuid4().hex[:10]
    with stack.client(keys["coordinator"]) as coordinator:
        report = imported(coordinator, BIBLIOGRAPHY.read_text().replace("RUN", tag), BIBTEX)
        works = {r["key"]: work(coordinator, r["id"]) for r in report["results"] if r["status"] == "created"}
    return {"tag": tag, "report": report, "works": works}


def test_at_least_95_percent_of_the_entries_are_created_and_each_refusal_says_why(bibliography):
    report = bibliography["report"]
    results = report["results"]
    assert len(results) == 64, "every entry of the file is a record (its @string is not)"
    assert report["created"] / len(results) >= 0.95, report
    refused = {r["key"]: r for r in results if r["status"] != "created"}
    assert set(refused) == {"cupx", "panda-set"}, refused
    for result in refused.values():
        assert result["status"] == "invalid" and result["errors"], result
        for error in result["errors"]:
            assert error["loc"] == ["entry_type"] and error["type"] == "not_a_work" and len(error["msg"]) > 20


def test_every_standard_entry_type_maps_to_the_nearest_work_type(bibliography):
    works = bibliography["works"]
    expected = {
        "zhang2019gut": "journal_article", "review2022": "journal_article", "supp2021": "journal_article",
        "nat2020": "popular_article", "texbook": "book", "mvpanda": "book", "booklet2018": "book",
        "hu1995": "book_chapter", "hu1995b": "book_chapter", "hu1995c": "book_chapter", "ellis2006": "book_chapter",
        "suppcoll": "book_chapter", "entry2010": "book_chapter", "wildt2006": "edited_book",
        "mvcoll": "edited_book", "coll2004": "edited_book", "icbp2018": "edited_book", "mvproc": "edited_book",
        "encyc2010": "edited_book", "mvref": "edited_book", "ijz2021": "edited_book",
        "wei2018": "conference_paper", "conf2017": "conference_paper", "report2015": "report",
        "tech2012": "report", "std2016": "report", "thesis2014": "thesis", "phd2011": "thesis", "msc2016": "thesis",
        "dataset2023": "dataset", "data2019": "dataset", "husbandry2020": "manual", "iucn2016": "web_resource",
        "elec2012": "web_resource", "www2014": "web_resource", "patent2019": "patent", "pmx2021": "software",
        **{key: "other" for key in ("letter1972", "draft2025", "art1990", "audio2008", "note1", "comm2013",
                                    "image2007", "court2001", "law1988", "legal1989", "letter2003", "movie2016",
                                    "music2010", "perf2019", "video2020", "customa1", "customb1", "customc1",
                                    "customd1", "custome1", "customf1")},
    }
    assert {key: works[key]["type"] for key in expected} == expected


def test_crossref_and_xdata_are_resolved_within_the_file(bibliography):
    works, tag = bibliography["works"], bibliography["tag"]
    chapter = works["ellis2006"]  # takes its year, book, publisher and editors from its @collection
    assert (chapter["date"], chapter["venue"], chapter["publisher"], chapter["pages"]) == \
        ("2006", f"Giant Pandas: Biology, Veterinary Medicine and Management {tag}", "Cambridge University Press",
         "1-16")
    assert [a["name"] for a in chapter["authors"] if a["role"] == "editor"][:2] == ["David E. Wildt", "Anju Zhang"]
    assert chapter["isbn"] == "9780521832953" and chapter["doi"] is None, "the book's ISBN is the chapter's too; " \
        "its DOI is the book's own"
    assert works["wildt2006"]["publisher"] == "Cambridge University Press", "from its @xdata"
    assert works["hu1995"]["venue"] == f"Research on the Giant Panda {tag}", "an @mvbook's title is a maintitle"
    assert works["supp2021"]["venue"] == f"Conservation of the Giant Panda {tag}", "a @periodical's a journaltitle"
    assert works["suppcoll"]["date"] == "2004/2005", "inherited through two crossrefs"


def test_contributors_keep_their_roles_and_organisations_stay_whole(bibliography):
    works = bibliography["works"]
    assert roles(works["translated2010"]) == [("Jinchu Hu", "person", "author"), ("Wei Li", "person", "editor"),
                                              ("Panda Translation Group", "organization", "translator")]
    assert roles(works["wildt2006"])[0] == ("David E. Wildt", "person", "editor"), "editors and no author"
    assert roles(works["iucn2016"]) == [("IUCN Species Survival Commission", "organization", "author")], \
        "`and others` is BibTeX's et al., not a person"
    assert roles(works["zhang2019gut"])[2] == ("Chengdu Research Base of Giant Panda Breeding", "organization",
                                               "author")
    assert [a["name"] for a in works["quotes2017"]["authors"]] == ["Martin King, Jr.", "Anna van der Berg"]


def test_dates_and_ranges_are_kept_as_edtf(bibliography):
    works = bibliography["works"]
    assert {key: (works[key]["date"], works[key]["year"]) for key in (
        "texbook", "translated2010", "husbandry2020", "letter1972", "draft2025", "icbp2018", "zhang2019gut")} == {
        "texbook": ("1984/1986", 1984), "translated2010": ("1988/1990", 1988), "husbandry2020": ("2020~", 2020),
        "letter1972": ("1972?", 1972), "draft2025": ("2025-01/..", 2025),
        "icbp2018": ("2018-10/2018-11", 2018), "zhang2019gut": ("2019-05-14", 2019)}


def test_tex_macros_in_titles_become_text(bibliography):
    works, tag = bibliography["works"], bibliography["tag"]
    assert works["texbook"]["title"] == {"en": f"The TeXbook {tag}"}
    assert works["tech2012"]["title"] == {"en": f"Captive breeding methodology-independent outcomes {tag}"}
    assert works["quotes2017"]["title"] == {"en": f"“Panda diplomacy” and “soft power” in the LaTeX era {tag}"}
    assert works["review2022"]["title"] == {"en": f"Review of The Giant Pandas of Wolong {tag}"}


@pytest.mark.parametrize("fmt", ["bibtex", "csl-json"])
def test_every_created_work_is_cited_and_read_back_equal(bibliography, coordinator, fmt):
    works = list(bibliography["works"].values())
    citations = [cited(coordinator, w["id"], fmt) for w in works]
    for w, citation in zip(works, citations, strict=True):
        if w["doi"]:
            assert (f"doi = {{{w['doi']}}}" if fmt == "bibtex" else f'"DOI": "{w["doi"]}"') in citation, citation
    if fmt == "bibtex":
        body, media_type = "\n".join(re.sub(r"(?m)^  doi = .*\n", "", c) for c in citations), BIBTEX
    else:
        body, media_type = json.dumps([{k: v for k, v in json.loads(c).items() if k != "DOI"}
                                       for c in citations]), CSL
    report = imported(coordinator, body, media_type)
    assert report["created"] == len(works), [r for r in report["results"] if r["status"] != "created"]
    differ = []
    for original, result in zip(works, report["results"], strict=True):
        again = work(coordinator, result["id"])
        differ += [(original["type"], name, original[name], again[name]) for name in COMPARED
                   if original[name] != again[name]]
    assert not differ, "\n".join(map(str, differ))


def test_an_organisation_is_cited_whole_in_every_format_and_roles_in_their_fields(coordinator, anonymous):
    r = coordinator.post(WORKS, json={
        "type": "report", "title": {"en": f"Red List assessment {uuid.uuid4().hex[:6]}"}, "date": "2016",
        "authors": [{"name": "IUCN Species Survival Commission", "type": "organization"},
                    {"name": "Li, Wei", "role": "editor"}, {"name": "Chen, Li", "role": "translator"}]})
    assert r.status_code == 201, r.text
    report = r.json()
    assert coordinator.post(f"{WORKS}/{report['id']}/transitions", json={"action": "publish"}).status_code == 200
    bibtex = cited(anonymous, report["id"], "bibtex")
    assert "  author = {{IUCN Species Survival Commission}},\n" in bibtex, bibtex
    assert "  editor = {Li, Wei},\n" in bibtex and "  translator = {Chen, Li},\n" in bibtex, bibtex
    item = json.loads(cited(anonymous, report["id"], "csl-json"))
    assert item["author"] == [{"literal": "IUCN Species Survival Commission"}]
    assert item["editor"] == [{"family": "Li", "given": "Wei"}]
    assert item["translator"] == [{"family": "Chen", "given": "Li"}]
    ris = cited(anonymous, report["id"], "ris").split("\r\n")
    assert {"AU  - IUCN Species Survival Commission", "ED  - Li, Wei", "A4  - Chen, Li"} <= set(ris), ris

    imported_item = imported(coordinator, json.dumps([{**item, "title": item["title"] + " again"}]), CSL)
    [result] = imported_item["results"]
    assert roles(work(coordinator, result["id"])) == [
        ("IUCN Species Survival Commission", "organization", "author"), ("Wei Li", "person", "editor"),
        ("Li Chen", "person", "translator")], "a CSL literal is read as an organisation"


@pytest.mark.parametrize(("date", "kept", "year"), [
    ("1984/1986", "1984/1986", 1984), ("2020-03/", "2020-03/..", 2020), ("../2020", "../2020", 2020),
    ("2019~", "2019~", 2019), ("2019-05?", "2019-05?", 2019), ("2019%", "2019%", 2019)])
def test_a_work_may_be_dated_by_a_range_or_a_qualified_date(coordinator, date, kept, year):
    r = coordinator.post(WORKS, json={"type": "book", "title": {"en": "Dated"}, "authors": [{"name": "Li, Wei"}],
                                      "date": date})
    assert r.status_code == 201, r.text
    assert (r.json()["date"], r.json()["year"]) == (kept, year)


@pytest.mark.parametrize("date", ["1986/1984", "199X", "2019-13", "../..", "2019/2020/2021", "2019~~"])
def test_a_date_that_is_no_edtf_date_is_refused_with_its_rule(coordinator, date):
    r = coordinator.post(WORKS, json={"type": "book", "title": {"en": "Dated"}, "authors": [{"name": "Li, Wei"}],
                                      "date": date})
    body = problem_of(r)
    assert r.status_code == 422 and "date" in json.dumps(body), body


def test_a_translator_alone_makes_no_work(coordinator):
    r = coordinator.post(WORKS, json={"type": "book", "title": {"en": "Translated"}, "date": "2020",
                                      "authors": [{"name": "Li, Wei", "role": "translator"}]})
    assert problem_of(r)["status"] == 422 and "author or editor" in r.text
