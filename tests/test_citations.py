"""Citations through the gateway, read back by real tools: the BibTeX by bibtexparser (names and title LaTeX-decoded
by pylatexenc), the CSL-JSON rendered by citeproc-py with the style it ships and checked against the CSL schema's
own lists of item types and variables, the RIS by rispy. Also: the work's own URL answers them by `Accept`, with
ETags of their own, and whoever may not see the work may not cite it."""

from __future__ import annotations

import json
import re
import uuid
import warnings
from pathlib import Path
from typing import Any

import bibtexparser
import citeproc
import httpx
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pylatexenc.latex2text import LatexNodes2Text

from tests.harness import problem_of
from tests.test_works import WORKS, new_work

BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"
CSL = "application/vnd.citationstyles.csl+json"

AUTHORS = [{"name": "Müller, Zoë"}, {"name": "Anna van der Berg"}, {"name": "WWF", "type": "organization"}]
NAMES = ["Müller, Zoë", "van der Berg, Anna", "WWF"]  # as "Family, Given", the way RIS writes them


def tricky_title() -> str:
    return f"Ünïcödé {{bamboo}} & 100% of the giant panda's diet, #{uuid.uuid4().hex[:6]}"


def doi() -> str:
    return f"10.5555/panda.{uuid.uuid4().hex[:8]}"


# type, fields of the work; what each format must say (BibTeX entry type and fields, RIS tags, CSL variables)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "journal_article": (
        {"venue": "Journal of Zoo & Wildlife Medicine", "volume": "12", "issue": "3", "pages": "101–115",
         "date": "2026-05-01", "keywords": ["bamboo", "R&D"], "language": "en",
         "abstract": {"en": "Line one.\n\nLine two: 50% of {them}."},
         "open_access_url": "https://repository.example.org/works/a_b?id=7"},
        {"bibtex": ("article", {"journal": "Journal of Zoo & Wildlife Medicine", "volume": "12", "number": "3",
                                "pages": "101--115", "month": "may", "keywords": "bamboo, R&D", "language": "en",
                                "url": "https://repository.example.org/works/a_b?id=7",
                                "abstract": "Line one. Line two: 50% of {them}."}),
         "ris": ("JOUR", {"secondary_title": "Journal of Zoo & Wildlife Medicine", "volume": "12", "number": "3",
                          "start_page": "101", "end_page": "115", "date": "2026/05/01/", "language": "en",
                          "keywords": ["bamboo", "R&D"], "urls": ["https://repository.example.org/works/a_b?id=7"],
                          "abstract": "Line one. Line two: 50% of {them}."}),
         "csl": ("article-journal", {"container-title": "Journal of Zoo & Wildlife Medicine", "volume": "12",
                                     "issue": "3", "page": "101-115", "issued": {"date-parts": [[2026, 5, 1]]},
                                     "keyword": "bamboo, R&D", "language": "en",
                                     "URL": "https://repository.example.org/works/a_b?id=7",
                                     "abstract": "Line one.\n\nLine two: 50% of {them}."})},
    ),
    "book": (
        {"isbn": "978-0-306-40615-7", "publisher": "Springer & Sons", "venue": "Panda Studies", "date": "2025"},
        {"bibtex": ("book", {"publisher": "Springer & Sons", "series": "Panda Studies", "isbn": "9780306406157"}),
         "ris": ("BOOK", {"publisher": "Springer & Sons", "secondary_title": "Panda Studies",
                          "issn": "9780306406157"}),
         "csl": ("book", {"publisher": "Springer & Sons", "collection-title": "Panda Studies",
                          "ISBN": "9780306406157", "issued": {"date-parts": [[2025]]}})},
    ),
    "book_chapter": (
        {"venue": "Handbook of {Giant} Panda Care", "publisher": "Academic Press", "pages": "7-31",
         "isbn": "0-306-40615-2", "date": "2024-11"},
        {"bibtex": ("incollection", {"booktitle": "Handbook of {Giant} Panda Care", "publisher": "Academic Press",
                                     "pages": "7--31", "month": "nov"}),
         "ris": ("CHAP", {"secondary_title": "Handbook of {Giant} Panda Care", "publisher": "Academic Press",
                          "start_page": "7", "end_page": "31", "date": "2024/11//"}),
         "csl": ("chapter", {"container-title": "Handbook of {Giant} Panda Care", "page": "7-31",
                             "issued": {"date-parts": [[2024, 11]]}})},
    ),
    "thesis": (
        {"venue": "Sichuan University", "date": "2023"},
        {"bibtex": ("phdthesis", {"school": "Sichuan University"}),
         "ris": ("THES", {"publisher": "Sichuan University"}),
         "csl": ("thesis", {"publisher": "Sichuan University", "issued": {"date-parts": [[2023]]}})},
    ),
    "conference_paper": (
        {"venue": "Proceedings of the 5th Panda Symposium", "pages": "e12"},
        {"bibtex": ("inproceedings", {"booktitle": "Proceedings of the 5th Panda Symposium", "pages": "e12"}),
         "ris": ("CONF", {"secondary_title": "Proceedings of the 5th Panda Symposium", "start_page": "e12"}),
         "csl": ("paper-conference", {"container-title": "Proceedings of the 5th Panda Symposium", "page": "e12"})},
    ),
    "report": (
        {"publisher": "Chengdu Research Base", "venue": "Technical Reports"},
        {"bibtex": ("techreport", {"institution": "Chengdu Research Base", "series": "Technical Reports"}),
         "ris": ("RPRT", {"publisher": "Chengdu Research Base"}),
         "csl": ("report", {"publisher": "Chengdu Research Base", "collection-title": "Technical Reports"})},
    ),
    "popular_article": (
        {"venue": "National Geographic"},
        {"bibtex": ("article", {"journal": "National Geographic", "entrysubtype": "magazine"}),
         "ris": ("MGZN", {"secondary_title": "National Geographic"}),
         "csl": ("article-magazine", {"container-title": "National Geographic"})},
    ),
    "popular_science_book": (
        {"publisher": "Panda Press"},
        {"bibtex": ("book", {"publisher": "Panda Press"}), "ris": ("BOOK", {"publisher": "Panda Press"}),
         "csl": ("book", {"publisher": "Panda Press", "custom": {"type": "popular_science_book"}})},
    ),
    "dataset": (
        {"venue": "Dryad"},
        {"bibtex": ("dataset", {"publisher": "Dryad"}), "ris": ("DATA", {"publisher": "Dryad"}),
         "csl": ("dataset", {"publisher": "Dryad"})},
    ),
    "edited_book": (
        {"publisher": "Cambridge University Press", "venue": "Panda Monographs"},
        {"bibtex": ("collection", {"publisher": "Cambridge University Press", "series": "Panda Monographs"}),
         "ris": ("EDBOOK", {"publisher": "Cambridge University Press"}),
         "csl": ("book", {"publisher": "Cambridge University Press", "collection-title": "Panda Monographs",
                          "custom": {"type": "edited_book"}})},
    ),
    "manual": (
        {"publisher": "Chengdu Research Base"},
        {"bibtex": ("manual", {"publisher": "Chengdu Research Base"}),
         "ris": ("GEN", {"publisher": "Chengdu Research Base"}),
         "csl": ("book", {"publisher": "Chengdu Research Base", "custom": {"type": "manual"}})},
    ),
    "web_resource": (
        {"publisher": "IUCN", "open_access_url": "https://iucn.example/pandas"},
        {"bibtex": ("online", {"organization": "IUCN", "url": "https://iucn.example/pandas"}),
         "ris": ("ELEC", {"publisher": "IUCN"}),
         "csl": ("webpage", {"publisher": "IUCN", "URL": "https://iucn.example/pandas"})},
    ),
    "patent": (
        {"venue": "China National Intellectual Property Administration", "issue": "CN112345678A"},
        {"bibtex": ("patent", {"publisher": "China National Intellectual Property Administration",
                               "number": "CN112345678A"}),
         "ris": ("PAT", {"publisher": "China National Intellectual Property Administration"}),
         "csl": ("patent", {"publisher": "China National Intellectual Property Administration",
                            "issue": "CN112345678A"})},
    ),
    "software": (
        {"publisher": "Zenodo"},
        {"bibtex": ("software", {"publisher": "Zenodo"}), "ris": ("COMP", {"publisher": "Zenodo"}),
         "csl": ("software", {"publisher": "Zenodo"})},
    ),
    "other": (
        {"venue": "Letters from the Base"},
        {"bibtex": ("misc", {"howpublished": "Letters from the Base"}),
         "ris": ("GEN", {"secondary_title": "Letters from the Base"}),
         "csl": ("document", {"container-title": "Letters from the Base"})},
    ),
}


def cite(client: httpx.Client, work: dict[str, Any], fmt: str, media: str) -> str:
    r = client.get(f"{WORKS}/{work['id']}/citation", params={"format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{media}; charset=utf-8"
    return r.content.decode("utf-8")


def latex_to_text(value: str) -> str:
    return LatexNodes2Text().latex_to_text(value)


def parse_bibtex(text: str) -> bibtexparser.model.Entry:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, text
    assert len(library.entries) == 1, text
    return library.entries[0]


def csl_schema_names(file: str) -> set[str]:
    """The quoted names in one of the CSL schema files that citeproc-py ships (item types, variables)."""
    schema = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles" / file
    return set(re.findall(r'"([^"\s]+)"', schema.read_text()))


@pytest.mark.parametrize("work_type", list(CASES))
def test_a_citation_reads_back_through_bibtexparser_citeproc_and_rispy(coordinator, anonymous, work_type):
    fields, expect = CASES[work_type]
    title = tricky_title()
    work = new_work(coordinator, type=work_type, title={"zh": "大熊猫的竹子", "en": title}, authors=AUTHORS,
                    doi=doi(), **{"date": "2026"} | fields)
    year = int(fields.get("date", "2026")[:4])

    # BibTeX: parsed by bibtexparser; names and title the same once the LaTeX is decoded.
    text = cite(anonymous, work, "bibtex", BIBTEX)
    assert text.count("{") == text.count("}"), "BibTeX counts braces even escaped ones: they must pair up"
    entry = parse_bibtex(text)
    for raw in (entry["title"], text.split("\n")[1]):  # the title, the authors: as LaTeX
        assert not re.search(r"(?<!\\)[&%$#_]", raw), f"a special character unescaped in {raw}"
        assert not re.search(r"[^\x00-\x7f]", raw), f"a letter not written as LaTeX in {raw}"
    assert r"{\"U}n{\"\i}c{\"o}d{\'e} \{bamboo\} \& 100\%" in entry["title"]
    assert text.split("\n")[1] == r'  author = {M{\"u}ller, Zo{\"e} and van der Berg, Anna and {WWF}},'
    entry_type, bib_fields = expect["bibtex"]
    assert entry.entry_type == entry_type
    assert re.fullmatch(r"muller\d{4}unicode", entry.key), entry.key
    assert entry["title"].startswith("{") and latex_to_text(entry["title"]) == title, "case-protected, decoded"
    names = [(" ".join([*n.von, *n.last]), " ".join(n.first)) for n in entry["author"]]
    assert [f"{latex_to_text(last)}, {latex_to_text(first)}".removesuffix(", ") for last, first in names] == NAMES
    assert entry["year"] == str(year) and entry["doi"] == work["doi"]
    for name, value in bib_fields.items():
        raw = entry[name]  # bibtexparser took off the delimiting braces
        assert (raw if name in ("url", "month", "pages") else latex_to_text(raw)) == value, (name, text)

    # CSL-JSON: item types and variables the CSL schema knows, rendered by citeproc-py.
    r = anonymous.get(f"{WORKS}/{work['id']}/citation")
    assert r.headers["content-type"] == f"{CSL}; charset=utf-8", "CSL-JSON is the default format"
    item = r.json()
    csl_type, csl_fields = expect["csl"]
    assert item["type"] == csl_type and item["type"] in csl_schema_names("csl-types.rnc")
    # `custom` is CSL-JSON 1.0.2's place for what has no variable (our type, where CSL has none of its own).
    assert set(item) - {"id", "type", "custom"} <= csl_schema_names("csl-variables.rnc"), item
    assert item["title"] == title and item["DOI"] == work["doi"] and item["citation-key"] == entry.key
    assert item["author"] == [{"family": "Müller", "given": "Zoë"}, {"family": "van der Berg", "given": "Anna"},
                              {"literal": "WWF"}]
    assert item["issued"] == csl_fields.get("issued", {"date-parts": [[year]]})
    for name, value in csl_fields.items():
        assert item[name] == value, (name, item)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # citeproc-py predates CSL 1.0.2's `citation-key`
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
        citation = Citation([CitationItem(item["id"])])
        bibliography.register(citation)
        in_text = bibliography.cite(citation, lambda missing: pytest.fail(f"citeproc-py lacks {missing}"))
        rendered = str(bibliography.bibliography()[0])
    assert in_text == f"(Müller, van der Berg and WWF, {year})"
    assert rendered.startswith(f"Müller, Z., van der Berg, A. and WWF ({year})"), rendered
    assert title in rendered and work["doi"] in rendered, rendered

    # RIS: UTF-8, one tag a line, read back by rispy.
    text = cite(anonymous, work, "ris", RIS)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.split("\r\n") if line), text
    [record] = rispy.loads(text)
    ris_type, ris_fields = expect["ris"]
    assert record["type_of_reference"] == ris_type
    assert record["authors"] == NAMES
    assert record["title"] == title and record["year"] == str(year) and record["doi"] == work["doi"]
    for name, value in ris_fields.items():
        assert record[name] == value, (name, record)


def test_an_unpaired_brace_keeps_the_bibtex_entry_whole(coordinator, anonymous):
    work = new_work(coordinator, title={"en": "Left { alone, 5$ & a_b ~ c^d \\ e"}, doi=doi(), volume="7")
    text = cite(anonymous, work, "bibtex", BIBTEX)
    assert text.count("{") == text.count("}"), text
    entry = parse_bibtex(text)
    assert entry["volume"] == "7" and entry["doi"] == work["doi"], "the fields after the title are read too"
    assert "\\textbraceleft{}" in entry["title"] and "\\$" in entry["title"] and "\\_" in entry["title"]


def test_the_work_url_answers_a_citation_when_accept_asks_for_one(coordinator, anonymous):
    work = new_work(coordinator, title={"en": tricky_title()}, authors=AUTHORS, doi=doi())
    url = f"{WORKS}/{work['id']}"
    citations = {media: anonymous.get(f"{url}/citation", params={"format": fmt}).content
                 for fmt, media in (("bibtex", BIBTEX), ("ris", RIS), ("csl-json", CSL))}
    for accept, media in [
        (BIBTEX, BIBTEX), (RIS, RIS), (CSL, CSL),
        (f"{BIBTEX}, application/json", BIBTEX),
        (f"text/html;q=0.9, {RIS}", RIS),
        (f"*/*;q=0.1, {CSL}", CSL),
        (f"application/json, {BIBTEX}", "application/json"),
        (f"{BIBTEX};q=0.5, application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
        ("application/pdf", "application/json"),
    ]:
        r = anonymous.get(url, headers={"Accept": accept})
        assert r.status_code == 200, (accept, r.text)
        assert r.headers["content-type"].split(";")[0] == media, accept
        assert "accept" in r.headers["vary"].lower(), accept
        if media == "application/json":
            assert r.json()["id"] == work["id"], accept
        else:
            assert r.content == citations[media], accept
    assert "accept" in anonymous.get(url).headers["vary"].lower()


def test_each_representation_has_its_own_etag_and_304(coordinator, anonymous):
    work = new_work(coordinator, title={"en": tricky_title()}, authors=AUTHORS, doi=doi())
    url = f"{WORKS}/{work['id']}"
    as_json = anonymous.get(url)
    as_bibtex = anonymous.get(url, headers={"Accept": BIBTEX})
    as_ris = anonymous.get(f"{url}/citation", params={"format": "ris"})
    etags = {r.headers["etag"] for r in (as_json, as_bibtex, as_ris)}
    assert len(etags) == 3, etags

    unchanged = anonymous.get(url, headers={"Accept": BIBTEX, "If-None-Match": as_bibtex.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert "accept" in unchanged.headers["vary"].lower()
    assert anonymous.get(url, headers={"If-None-Match": as_json.headers["etag"]}).status_code == 304
    other = anonymous.get(url, headers={"Accept": BIBTEX, "If-None-Match": as_json.headers["etag"]})
    assert other.status_code == 200 and other.content == as_bibtex.content, "the JSON's ETag is not the BibTeX's"
    assert anonymous.get(f"{url}/citation", params={"format": "ris"},
                         headers={"If-None-Match": as_ris.headers["etag"]}).status_code == 304

    r = coordinator.patch(url, json={"volume": "42"}, headers={"If-Match": as_json.headers["etag"]})
    assert r.status_code == 200, r.text
    changed = anonymous.get(f"{url}/citation", params={"format": "ris"},
                            headers={"If-None-Match": as_ris.headers["etag"]})
    assert changed.status_code == 200 and "VL  - 42" in changed.text, "a changed work is a new citation"


def test_whoever_may_not_see_the_work_may_not_cite_it(coordinator, anonymous):
    draft = new_work(coordinator, publish=False, title={"en": tricky_title()})
    url = f"{WORKS}/{draft['id']}"
    for fmt in ("bibtex", "ris", "csl-json"):
        assert problem_of(anonymous.get(f"{url}/citation", params={"format": fmt}))["status"] == 404
        assert coordinator.get(f"{url}/citation", params={"format": fmt}).status_code == 200, "staff see drafts"
    assert problem_of(anonymous.get(url, headers={"Accept": BIBTEX}))["status"] == 404
    assert problem_of(anonymous.get(f"{WORKS}/{uuid.uuid4()}/citation"))["status"] == 404

    coordinator.post(f"{url}/transitions", json={"action": "publish"})
    coordinator.post(f"{url}/transitions", json={"action": "retract", "reason": "duplicated figures"})
    assert problem_of(anonymous.get(f"{url}/citation"))["status"] == 404, "nor a retracted one"
    assert coordinator.get(f"{url}/citation").json()["status"] == "retracted"
    assert "N1  - Retracted" in coordinator.get(f"{url}/citation", params={"format": "ris"}).text


@pytest.mark.parametrize("fmt", ["pdf", "BibTeX", "", "csl_json"])
def test_an_unknown_format_is_422(coordinator, anonymous, fmt):
    work = new_work(coordinator)
    problem = problem_of(anonymous.get(f"{WORKS}/{work['id']}/citation", params={"format": fmt}))
    assert problem["status"] == 422 and problem["errors"][0]["loc"] == ["query", "format"], problem


def test_csl_json_is_one_item_that_json_tools_read(coordinator, anonymous):
    work = new_work(coordinator, title={"en": tricky_title()}, authors=[{"name": "Li, Wei"}, {"name": "Zoë Müller"}],
                    date="2026-02")
    item = json.loads(cite(anonymous, work, "csl-json", CSL))
    assert item["id"] == work["id"]
    assert item["author"] == [{"family": "Li", "given": "Wei"}, {"family": "Müller", "given": "Zoë"}]
    assert item["issued"] == {"date-parts": [[2026, 2]]}
