"""The integration surface against an outside attacker and against each role: what caches may keep, which
address a limit counts, where a webhook may go, how deliveries are signed, and what refusals reveal."""

from __future__ import annotations

import uuid

import httpx

from tests.harness import Stack
from tests.test_works import WORKS, work_body

CREDENTIALS = {"authorization", "x-api-key"}


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


def _cache_control(response: httpx.Response) -> set[str]:
    return {d.strip().split("=")[0].lower() for d in response.headers.get("cache-control", "").split(",") if d}


def test_the_mobile_home_is_the_publics_whoever_asks_so_a_shared_cache_may_keep_it(stack: Stack, coordinator,
                                                                                   keys):
    draft = coordinator.post(WORKS, json=work_body(title={"en": f"Unpublished {uuid.uuid4().hex[:6]}"}))
    assert draft.status_code == 201
    with stack.client(keys["analyst"]) as analyst:
        assert analyst.get(f"{WORKS}/{draft.json()['id']}").status_code == 200  # staff may read the draft
        home = analyst.get("/api/v1/mobile/home")
    assert home.status_code == 200
    assert draft.json()["id"] not in {w["id"] for w in home.json()["new_works"]}
    assert "public" in _cache_control(home)
    with stack.client() as anonymous:
        assert anonymous.get("/api/v1/mobile/home").json()["new_works"] == home.json()["new_works"]


def test_every_answer_that_depends_on_the_caller_is_private_and_varies_on_the_credentials(stack: Stack, keys):
    """Every GET route the API describes, as staff: a shared cache must neither keep the answer nor give it to
    another caller. The same routes answered to nobody in particular still say that they vary by caller."""
    with stack.client(keys["admin"]) as admin:
        paths = [p for p, ops in admin.get("/openapi.json").json()["paths"].items() if "get" in ops and "{" not in p]
        assert len(paths) >= 15
        work = admin.post(WORKS, json=work_body()).json()  # a draft: what only staff may read
        paths += ["/openapi.json", f"{WORKS}/{work['id']}", f"{WORKS}/{work['id']}/citation?format=bibtex"]
        for path in paths:
            answer = admin.get(path)
            assert answer.status_code < 500, (path, answer.text)
            if "public" in _cache_control(answer):
                assert path == "/api/v1/mobile/home", f"{path} is public to a caller with credentials"
                continue
            assert _cache_control(answer) & {"private", "no-store"}, (path, answer.headers.get("cache-control"))
            assert _vary(answer) >= CREDENTIALS, (path, answer.headers.get("vary"))
    with stack.client() as anonymous:
        for path in ("/api/v1/publications/works", "/api/v1/training/programs", "/api/v1/outreach/events"):
            assert _vary(anonymous.get(path)) >= CREDENTIALS, path


# --- identity ---------------------------------------------------------------------------------------------------


def test_a_retried_key_issue_with_an_idempotency_key_issues_one_key(stack: Stack, keys):
    name = f"retried {uuid.uuid4().hex[:8]}"
    with stack.client(keys["admin"]) as admin:
        retry = {"Idempotency-Key": uuid.uuid4().hex}
        first = admin.post("/api/v1/admin/api-keys", json={"name": name, "role": "analyst"}, headers=retry)
        again = admin.post("/api/v1/admin/api-keys", json={"name": name, "role": "analyst"}, headers=retry)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        assert "no-store" in again.headers["cache-control"]
        listed = admin.get("/api/v1/admin/api-keys", params={"limit": 200}).json()["items"]
        assert [k["id"] for k in listed if k["name"] == name] == [first.json()["id"]], "two live keys"
        other = admin.post("/api/v1/admin/api-keys", json={"name": name, "role": "member"}, headers=retry)
        assert other.status_code == 422, "the same key with another body"


def test_a_token_whose_sub_is_a_key_id_is_not_that_key(stack: Stack, coordinator, keys):
    """Subjects live in namespaces (`key:<id>`, `jwt:<sub>`): a person whose token says `sub` = an API key's id
    does not see what that key applied for, nor shares its idempotency keys."""
    from tests.harness import jwt_token
    from tests.test_enrollment import published_program
    from tests.test_training import TRAINING, YEAR, cohort_in, enrolled

    issued = stack.issue_key("member")
    cohort = cohort_in(coordinator, published_program(coordinator)["id"], YEAR + 3, 10)
    with stack.client(issued["key"]) as member:
        own = enrolled(member, cohort["id"])
        assert member.get(f"{TRAINING}/enrollments/{own['id']}").status_code == 200
    for sub in (issued["id"], f"key:{issued['id']}"):
        with stack.client(token=jwt_token("member", sub=sub)) as impostor:
            assert impostor.get(f"{TRAINING}/enrollments/{own['id']}").status_code == 404, sub
            listed = impostor.get(f"{TRAINING}/enrollments", params={"cohort_id": cohort["id"]}).json()["items"]
            assert listed == [], sub


# --- problem types --------------------------------------------------------------------------------------------


def test_every_problem_type_is_a_slug_whose_page_explains_it(stack: Stack, coordinator, keys):
    import re

    from shared.problem_types import PROBLEM_TYPES

    partners = "/api/v1/partnerships/partners"
    partner = coordinator.post(partners, json={"name": {"en": "Problem zoo"}, "kind": "zoo", "country": "DE"}).json()
    with stack.client() as anonymous, stack.client(keys["member"]) as member:
        answers = [
            anonymous.post(partners, json={"name": {"en": "x"}}),  # 401
            member.post(partners, json={"name": {"en": "x"}}),  # 403
            coordinator.get(f"{partners}/{uuid.uuid4()}"),  # 404
            coordinator.post(partners, json={"name": 5}),  # 422
            coordinator.patch(f"{partners}/{partner['id']}", json={"city": "Bonn"}, headers={"If-Match": '"99"'}),
            coordinator.post(WORKS, content=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}),
            anonymous.delete("/api/v1/training/programs"),  # 405 from the service's router
            anonymous.get("/api/v1/nothing-here"),  # 404 from the gateway
        ]
    seen = {a.json()["type"] for a in answers if a.headers.get("content-type") == "application/problem+json"}
    assert {a.status_code for a in answers} >= {401, 403, 404, 405, 412, 413, 422}
    assert len(seen) >= 7, seen
    pages = {f"/problems/{slug}" for slug in PROBLEM_TYPES} | seen
    with stack.client() as anonymous:
        for uri in sorted(pages):
            assert re.fullmatch(r"/problems/[a-z0-9]+(-[a-z0-9]+)*", uri), uri
            page = anonymous.get(uri)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), uri
            assert "What it means" in page.text and "What to do" in page.text, uri
        unknown = anonymous.get("/problems/not-a-problem-we-have")
        assert unknown.status_code == 404 and unknown.json()["type"] == "/problems/not-found"


def test_a_partner_key_is_issued_only_for_a_partner_that_exists(stack: Stack, coordinator, keys):
    name = f"ghost {uuid.uuid4().hex[:8]}"
    with stack.client(keys["admin"]) as admin:
        ghost = admin.post("/api/v1/admin/api-keys", json={"name": name, "role": "partner",
                                                           "partner_id": str(uuid.uuid4())})
        assert ghost.status_code == 422, ghost.text
        assert ghost.json()["errors"][0]["loc"] == ["body", "partner_id"]
        listed = admin.get("/api/v1/admin/api-keys", params={"limit": 200}).json()["items"]
        assert all(k["name"] != name for k in listed), "a key was issued for a partner that does not exist"
    partner = coordinator.post("/api/v1/partnerships/partners",
                               json={"name": {"en": "Real zoo"}, "kind": "zoo", "country": "DE"}).json()
    assert stack.issue_key("partner", partner["id"])["partner_id"] == partner["id"]


# --- refusals -----------------------------------------------------------------------------------------------------


def test_a_refused_application_tells_another_partner_nothing_about_whose_it_is(stack: Stack, coordinator):
    from tests.test_agreements import new_partner
    from tests.test_enrollment import published_program
    from tests.test_training import YEAR, cohort_in, enroll, known_to_training, person

    mine, theirs = new_partner(coordinator), new_partner(coordinator)
    for pid in (mine, theirs):
        known_to_training(coordinator, pid)
    cohort = cohort_in(coordinator, published_program(coordinator)["id"], YEAR + 4, 20)
    staff = person()
    with stack.client(stack.issue_key("partner", mine)["key"]) as own, \
            stack.client(stack.issue_key("partner", theirs)["key"]) as other:
        assert enroll(own, cohort["id"], staff).status_code == 201
        refused = enroll(other, cohort["id"], {**staff, "name": "Someone else"})
        assert refused.status_code == 409
        said = refused.text.lower()
        assert staff["email"] not in said and "already" not in said and "applied" not in said, refused.text
        again = enroll(own, cohort["id"], staff)
        assert again.status_code == 409 and staff["email"] in again.text, "its own application it may be told of"
    assert staff["email"] in enroll(coordinator, cohort["id"], staff).text, "staff see every application"


def test_an_import_does_not_tell_a_partner_of_a_draft_it_cannot_read(stack: Stack, coordinator):
    from tests.test_import_and_stats import PARTNERS, doi, import_items, item, statuses, tag

    draft_doi, published_doi = doi(), doi()
    draft = coordinator.post(WORKS, json=work_body(doi=draft_doi)).json()
    published = coordinator.post(WORKS, json=work_body(doi=published_doi)).json()
    coordinator.post(f"{WORKS}/{published['id']}/transitions", json={"action": "publish"})
    partner = coordinator.post(PARTNERS, json={"name": {"en": f"Importer {tag()}"}, "kind": "zoo",
                                               "country": "AT"}).json()
    with stack.client(stack.issue_key("partner", partner["id"])["key"]) as partner_system:
        report = import_items(partner_system, [item(tag(), DOI=draft_doi), item(tag(), DOI=published_doi)]).json()
    assert statuses(report) == ["invalid", "duplicate"], report
    hidden, seen = report["results"]
    assert [e["type"] for e in hidden["errors"]] == ["doi_unavailable"]
    assert draft["id"] not in str(report) and "exist" not in str(hidden).lower(), hidden
    assert seen["id"] == published["id"], "a work the partner can read is named"
    staff = import_items(coordinator, [item(tag(), DOI=draft_doi)]).json()
    assert statuses(staff) == ["duplicate"] and staff["results"][0]["id"] == draft["id"]
