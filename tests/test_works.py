"""Works through the gateway: identifiers checked by their standards, full-text search ranked title above
abstract with facets of what the filters leave, who sees drafts, and the credit events of publish/retract."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.harness import Stack, problem_of, wait_until

WORKS = "/api/v1/publications/works"


def work_body(**extra: Any) -> dict[str, Any]:
    return {"type": "journal_article", "title": {"en": f"Study {uuid.uuid4().hex[:6]}"},
            "authors": [{"name": "Li Wei"}], "date": "2026-05-01"} | extra


def new_work(client: httpx.Client, publish: bool = True, **extra: Any) -> dict[str, Any]:
    r = client.post(WORKS, json=work_body(**extra))
    assert r.status_code == 201, r.text
    work = r.json()
    if publish:
        r = client.post(f"{WORKS}/{work['id']}/transitions", json={"action": "publish"})
        assert r.status_code == 200, r.text
        work = r.json()
    return work


@pytest.mark.parametrize("change, loc", [
    ({"doi": "doi-10.1000/x"}, ["body", "doi"]),
    ({"doi": "10.12/x"}, ["body", "doi"]),
    ({"type": "book", "isbn": "978-0-306-40615-8"}, ["body", "isbn"]),
    ({"type": "book", "isbn": "0-306-40615-3"}, ["body", "isbn"]),
    ({"authors": [{"name": "A", "orcid": "0000-0002-1825-0098"}]}, ["body", "authors", 0, "orcid"]),
    ({"authors": [{"name": "A", "orcid": "0000-0002-1825"}]}, ["body", "authors", 0, "orcid"]),
    ({"date": "2026-13-01"}, ["body", "date"]),
    ({"date": "May 2026"}, ["body", "date"]),
    ({"authors": []}, ["body", "authors"]),
    ({"agreement_ids": [str(uuid.uuid4())]}, ["body", "agreement_ids", 0]),
    ({"authors": [{"name": "A", "affiliation_partner_id": str(uuid.uuid4())}]},
     ["body", "authors", 0, "affiliation_partner_id"]),
])
def test_invalid_identifiers_and_references_are_422(coordinator, change, loc):
    r = coordinator.post(WORKS, json=work_body(**change))
    assert r.status_code == 422, r.text
    assert problem_of(r)["errors"][0]["loc"] == loc, problem_of(r)


def test_valid_identifiers_are_kept_in_their_canonical_form(coordinator):
    doi = f"10.1234/Panda.{uuid.uuid4().hex[:6]}"
    work = new_work(coordinator, publish=False, type="book", doi=f"https://doi.org/{doi}", isbn="0-306-40615-2",
                    date="2025", authors=[{"name": "Zoë Müller", "orcid": "https://orcid.org/0000-0002-1825-0097",
                                           "corresponding": True}])
    assert work["doi"] == doi.lower() and work["isbn"] == "9780306406157" and work["year"] == 2025
    assert work["authors"][0]["orcid"] == "0000-0002-1825-0097" and work["authors"][0]["corresponding"] is True
    again = coordinator.post(WORKS, json=work_body(doi=doi.upper()))
    assert problem_of(again)["status"] == 409, "a DOI is unique, whatever its case"


def test_search_ranks_a_title_match_above_an_abstract_match_and_counts_facets(coordinator, anonymous):
    word = f"zq{uuid.uuid4().hex[:8]}"
    in_abstract = new_work(coordinator, title={"en": "Bamboo diet of captive pandas"}, research_areas=["breeding"],
                           abstract={"en": f"We measured {word} in the faeces of twelve animals."}, date="2024")
    in_title = new_work(coordinator, title={"en": f"The {word} of giant pandas"}, research_areas=["genetics"],
                        type="book", date="2025")
    in_keywords = new_work(coordinator, keywords=[word, "habitat"], research_areas=["habitat", "genetics"],
                           date="2025")
    by_author = new_work(coordinator, authors=[{"name": f"Ana {word.capitalize()}"}], date="2023")
    draft = new_work(coordinator, publish=False, title={"en": f"Unpublished {word}"})

    page = anonymous.get(WORKS, params={"q": word}).json()
    ids = [w["id"] for w in page["items"]]
    assert draft["id"] not in ids, "the public sees published works only"
    assert set(ids) == {in_abstract["id"], in_title["id"], in_keywords["id"], by_author["id"]}
    assert ids.index(in_title["id"]) < ids.index(in_abstract["id"]), "a title match ranks above an abstract match"
    assert ids[-1] == in_abstract["id"]
    assert page["facets"]["type"] == {"journal_article": 3, "book": 1}
    assert page["facets"]["year"] == {"2023": 1, "2024": 1, "2025": 2}
    assert page["facets"]["area"] == {"breeding": 1, "genetics": 2, "habitat": 1}

    narrowed = anonymous.get(WORKS, params={"q": word, "area": "genetics"}).json()
    assert {w["id"] for w in narrowed["items"]} == {in_title["id"], in_keywords["id"]}
    assert narrowed["facets"]["type"] == {"book": 1, "journal_article": 1}, "facets count what the filters leave"
    assert anonymous.get(WORKS, params={"q": word, "year_from": 2024, "year_to": 2024}).json()["facets"]["year"] \
        == {"2024": 1}

    seen, cursor = [], None
    while True:
        page = anonymous.get(WORKS, params={"q": word, "limit": 1} | ({"cursor": cursor} if cursor else {})).json()
        seen += [w["id"] for w in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ids, "search pages follow the ranking"
    staff = coordinator.get(WORKS, params={"q": word}).json()
    assert draft["id"] in [w["id"] for w in staff["items"]]
    for odd in ('"', "AND OR NOT", "title:x", "a*", "(", "--", "\\"):
        assert anonymous.get(WORKS, params={"q": odd}).status_code == 200, odd


def test_search_finds_names_without_their_accents(coordinator, anonymous):
    name = f"Müller{uuid.uuid4().hex[:6]}"
    work = new_work(coordinator, authors=[{"name": f"Zoë {name}"}])
    found = anonymous.get(WORKS, params={"q": name.replace("ü", "u")}).json()["items"]
    assert [w["id"] for w in found] == [work["id"]]


def test_drafts_are_hidden_from_the_public_and_retraction_needs_a_reason(coordinator, anonymous):
    work = new_work(coordinator, publish=False)
    url = f"{WORKS}/{work['id']}"
    assert anonymous.get(url).status_code == 404
    assert problem_of(coordinator.post(f"{url}/transitions", json={"action": "retract", "reason": "x"}))[
        "status"] == 409
    coordinator.post(f"{url}/transitions", json={"action": "publish"})
    assert anonymous.get(url).status_code == 200
    assert coordinator.post(f"{url}/transitions", json={"action": "retract"}).status_code == 422
    retracted = coordinator.post(f"{url}/transitions", json={"action": "retract", "reason": "image duplication"})
    assert retracted.json()["status"] == "retracted" and retracted.json()["retraction_reason"] == "image duplication"
    assert anonymous.get(url).status_code == 404
    assert problem_of(coordinator.patch(url, json={"pages": "1-10"}))["status"] == 409


def test_publishing_and_retracting_credit_the_cooperation(stack: Stack, coordinator, keys):
    partner = coordinator.post("/api/v1/partnerships/partners", json={
        "name": {"en": f"Smithsonian {uuid.uuid4().hex[:6]}"}, "kind": "research_institute", "country": "US"}).json()
    wait_until(lambda: coordinator.get(f"/api/v1/publications/partners/{partner['id']}").status_code == 200, 20,
               what="publications to know the partner")
    work = new_work(coordinator, authors=[{"name": "Dr. Smith", "affiliation_partner_id": partner["id"]},
                                          {"name": "Dr. Zhang", "affiliation": "Chengdu base"}])
    assert work["partner_ids"] == [partner["id"]]
    impact = f"/api/v1/partnerships/partners/{partner['id']}/impact"
    with stack.client(keys["analyst"]) as analyst:
        wait_until(lambda: analyst.get(impact).json()["works_published"] == 1, 20, what="the work to count")
        coordinator.post(f"{WORKS}/{work['id']}/transitions", json={"action": "retract", "reason": "error"})
        wait_until(lambda: analyst.get(impact).json()["works_published"] == 0, 20, what="the retraction to count")
