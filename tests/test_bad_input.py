"""Bad input is refused with a 4xx problem (422 with `errors` for invalid input), never a 5xx, and never
writes anything: after each refusal the partners are counted and the partner a PATCH aimed at is unchanged."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.harness import PARTNER_COPIES, SERVICES, Stack, problem_of

PARTNERS = "/api/v1/partnerships/partners"
BIG = "x" * 100_000  # 100 kB
LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl", "cs", "sk", "hu", "ro", "bg",
             "el", "tr", "ru", "uk", "ja", "zh", "ko"]


@dataclass(frozen=True)
class Raw:
    """A body sent as these bytes, not as JSON made from a Python value."""

    content: bytes
    content_type: str = "application/json"


def send(client: httpx.Client, method: str, url: str, body: Any, headers: dict[str, str] | None = None
         ) -> httpx.Response:
    if isinstance(body, Raw):
        return client.request(method, url, content=body.content,
                               headers={"Content-Type": body.content_type, **(headers or {})})
    return client.request(method, url, json=body, headers=headers)


def assert_refused(r: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text[:500])
    problem = problem_of(r)
    if status == 422:
        errors = problem.get("errors")
        assert isinstance(errors, list) and errors, problem
        for e in errors:
            assert set(e) == {"loc", "msg", "type"}, e
            assert isinstance(e["loc"], list) and isinstance(e["msg"], str) and isinstance(e["type"], str), e
    # A refusal explains; it does not echo what it was sent (100 kB strings included).
    assert len(r.content) < 10_000, f"{len(r.content)} bytes of problem"
    return problem


def partner_count(client: httpx.Client) -> int:
    count, cursor = 0, None
    while True:
        r = client.get(PARTNERS, params={"limit": 200} | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        count += len(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return count


def named(client: httpx.Client, tag: str) -> list[dict[str, Any]]:
    r = client.get(PARTNERS, params={"q": tag, "limit": 200})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def valid(tag: str) -> dict[str, Any]:
    return {"name": {"en": f"Bad input {tag}"}, "kind": "zoo", "country": "CN"}


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def nothing_written(coordinator, tag):
    """Counts the partners before the test and checks afterwards that no partner was added."""
    before = partner_count(coordinator)
    yield
    assert named(coordinator, tag) == []
    assert partner_count(coordinator) == before


# --- POST /partners --------------------------------------------------------------------------------------

Body = Callable[[str], Any]


def with_(**fields: Any) -> Body:
    return lambda tag: valid(tag) | fields


def without(field: str) -> Body:
    return lambda tag: {k: v for k, v in valid(tag).items() if k != field}


def named_in(**name: Any) -> Body:
    """A body whose name has these languages besides the tagged English one."""
    return lambda tag: valid(tag) | {"name": {"en": f"Bad input {tag}", **name}}


def raw(make: Callable[[str], bytes], content_type: str = "application/json") -> Body:
    return lambda tag: Raw(make(tag), content_type)


def _valid_json(tag: str) -> bytes:
    return json.dumps(valid(tag)).encode()


POST_CASES: dict[str, Body] = {
    # not JSON, or not a JSON object
    "malformed JSON": raw(lambda tag: _valid_json(tag)[:-5]),
    "trailing garbage": raw(lambda tag: _valid_json(tag) + b" }"),
    "single quotes": raw(lambda tag: _valid_json(tag).replace(b'"', b"'")),
    "raw NUL byte in a string": raw(lambda tag: _valid_json(tag).replace(b"Bad input", b"Bad\x00input")),
    "not UTF-8": raw(lambda tag: _valid_json(tag).replace(b"Bad input", b"Bad \xff\xfe input")),
    "nested 100000 deep": raw(lambda tag: b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "a 5000-digit number": raw(lambda tag: _valid_json(tag).replace(b'"zoo"', b"9" * 5000)),
    "empty body": raw(lambda tag: b""),
    "JSON null": raw(lambda tag: b"null"),
    "JSON array": lambda tag: [valid(tag)],
    "JSON string": lambda tag: f"Bad input {tag}",
    "JSON number": lambda tag: 42,
    "JSON true": lambda tag: True,
    "text/plain body": raw(_valid_json, "text/plain"),
    "form body": raw(lambda tag: f"name=Bad+input+{tag}&kind=zoo&country=CN".encode(),
                     "application/x-www-form-urlencoded"),
    # wrong types
    "name a string": with_(name="Bad input"),
    "name a list": with_(name=["Bad input"]),
    "name a number": with_(name=1),
    "name value a number": named_in(de=5),
    "name value a list": named_in(de=["Schlechte Eingabe"]),
    "name value null": named_in(de=None),
    "name value an object": named_in(de={"x": "y"}),
    "kind a number": with_(kind=1),
    "kind a list": with_(kind=["zoo"]),
    "kind null": with_(kind=None),
    "country a number": with_(country=12),
    "country a list": with_(country=["CN"]),
    "country null": with_(country=None),
    "city a number": with_(city=5),
    "city an object": with_(city={"en": "Vienna"}),
    "website a number": with_(website=5),
    "contacts an object": with_(contacts={"name": "Dr. Lin"}),
    "contacts of strings": with_(contacts=["Dr. Lin"]),
    "contact name a number": with_(contacts=[{"name": 5}]),
    # missing
    "no name": without("name"),
    "no kind": without("kind"),
    "no country": without("country"),
    "empty object": lambda tag: {},
    # unknown enum values
    "kind aquarium": with_(kind="aquarium"),
    "kind upper case": with_(kind="ZOO"),
    "kind empty": with_(kind=""),
    "kind with a space": with_(kind="zoo "),
    # invalid countries
    "country XX": with_(country="XX"),
    "country USA": with_(country="USA"),
    "country ZZ": with_(country="ZZ"),
    "country empty": with_(country=""),
    "country one letter": with_(country="U"),
    "country digits": with_(country="12"),
    "country flag emoji": with_(country="\U0001f1fa\U0001f1f8"),
    # 100 kB strings
    "100 kB name": named_in(de=BIG),
    "100 kB language key": lambda tag: valid(tag) | {"name": {"en": f"Bad input {tag}", BIG: "x"}},
    "100 kB city": with_(city=BIG),
    "100 kB website": with_(website="https://example.org/" + BIG),
    "100 kB contact name": with_(contacts=[{"name": BIG}]),
    "100 kB contact role": with_(contacts=[{"name": "Dr. Lin", "role": BIG}]),
    "100 kB contact email": with_(contacts=[{"name": "Dr. Lin", "email": BIG + "@example.org"}]),
    # the limits hold for the text as sent, not once its white space is stripped (schemathesis sent these)
    "city long only in spaces": with_(city="Vienna" + " " * 200),
    "website long only in spaces": with_(website="https://example.org/" + " " * 500),
    # NUL characters (PostgreSQL cannot store them)
    "NUL in name": lambda tag: valid(tag) | {"name": {"en": f"Bad input {tag}\x00"}},
    "NUL alone as a name": named_in(de="\x00"),
    "NUL in city": with_(city="Vienna\x00"),
    "NUL in a language key": named_in(**{"de\x00": "Schlechte Eingabe"}),
    "NUL in contact name": with_(contacts=[{"name": "Dr.\x00Lin"}]),
    "NUL in contact role": with_(contacts=[{"name": "Dr. Lin", "role": "\x00"}]),
    "lone surrogate in name": raw(lambda tag: _valid_json(tag).replace(b"Bad input", b"Bad \\ud800 input")),
    "lone surrogate in city": raw(lambda tag: _valid_json(tag)[:-1] + b', "city": "\\udfff"}'),
    # localized text
    "empty name": with_(name={}),
    "blank name": with_(name={"en": "   "}),
    "empty name text": named_in(de=""),
    "language tag english": named_in(english="English"),
    "language tag xx-!!": named_in(**{"xx-!!": "x"}),
    "language tag digits": named_in(**{"123": "x"}),
    "language tag one letter": named_in(e="x"),
    "language tag unregistered zz": named_in(zz="x"),
    "language tag trailing dash": named_in(**{"en-": "x"}),
    "language tag with spaces": named_in(**{"not a tag": "x"}),
    "language tag empty": named_in(**{"": "x"}),
    "language twice after normalising": named_in(EN="Bad input twice"),
    "too many languages": lambda tag: valid(tag) | {"name": {lang: f"Bad input {tag}" for lang in LANGUAGES}},
    "name too long": named_in(de="x" * 2001),
    # unknown extra fields
    "unknown field": with_(founded=1826),
    "client-chosen id": with_(id=str(uuid.uuid4())),
    "client-chosen version": with_(version=7),
    "client-chosen created_at": with_(created_at="2020-01-01T00:00:00Z"),
    "unknown contact field": with_(contacts=[{"name": "Dr. Lin", "passport": "X123"}]),
    # other field rules
    "too many contacts": with_(contacts=[{"name": f"Person {i}"} for i in range(51)]),
    "contact email invalid": with_(contacts=[{"name": "Dr. Lin", "email": "not-an-email"}]),
    "contact phone letters": with_(contacts=[{"name": "Dr. Lin", "phone": "call me maybe"}]),
    "website javascript": with_(website="javascript:alert(1)"),
    "website ftp": with_(website="ftp://example.org/"),
    "website not a URL": with_(website="not a url"),
    "website too long": with_(website="https://example.org/" + "a" * 600),
}


@pytest.mark.usefixtures("nothing_written")
@pytest.mark.parametrize("make", POST_CASES.values(), ids=POST_CASES.keys())
def test_post_bad_input_is_refused_and_writes_nothing(coordinator, tag, make):
    assert_refused(send(coordinator, "POST", PARTNERS, make(tag)))


def test_the_valid_body_of_these_cases_is_accepted(coordinator, tag):
    """The counter-check: the body the cases above spoil is itself valid, so each refusal is the spoiling."""
    r = coordinator.post(PARTNERS, json=valid(tag))
    assert r.status_code == 201, r.text
    assert [p["id"] for p in named(coordinator, tag)] == [r.json()["id"]]


def test_errors_point_at_the_offending_field(coordinator, tag):
    body = valid(tag) | {"country": "XX", "kind": "aquarium"}
    problem = assert_refused(coordinator.post(PARTNERS, json=body))
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("body", "country") in locs and ("body", "kind") in locs, locs


# --- PATCH /partners/{id} --------------------------------------------------------------------------------

TARGET_FIELDS = {"kind": "university", "country": "AT", "city": "Vienna", "website": "https://example.org/",
                 "contacts": [{"name": "Dr. Lin", "email": "lin@example.org"}]}


@pytest.fixture(scope="module")
def target(stack: Stack, keys) -> dict[str, Any]:
    """A partner every PATCH case aims at; none of them may change it."""
    with stack.client(keys["coordinator"]) as c:
        r = c.post(PARTNERS, json={"name": {"en": f"Patch target {uuid.uuid4().hex}"}, **TARGET_FIELDS})
    assert r.status_code == 201, r.text
    return r.json()


def assert_unchanged(client: httpx.Client, partner: dict[str, Any]) -> None:
    r = client.get(f"{PARTNERS}/{partner['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == partner
    assert r.headers["etag"] == f'"{partner["version"]}"'


PATCH_CASES: dict[str, Any] = {
    "malformed JSON": Raw(b'{"city": "Graz"'),
    "not UTF-8": Raw(b'{"city": "Gr\xffz"}'),
    "nested 100000 deep": Raw(b'{"city": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "empty body": Raw(b""),
    "JSON null": Raw(b"null"),
    "JSON array": [{"city": "Graz"}],
    "JSON string": "Graz",
    "JSON number": 7,
    "text/plain body": Raw(b'{"city": "Graz"}', "text/plain"),
    "name null": {"name": None},
    "kind null": {"kind": None},
    "country null": {"country": None},
    "name null beside a valid change": {"city": "Graz", "name": None},
    "name empty": {"name": {}},
    "name a string": {"name": "Graz Zoo"},
    "name invalid language": {"name": {"xx-!!": "Graz"}},
    "name NUL": {"name": {"en": "Graz\x00"}},
    "name 100 kB": {"name": {"en": BIG}},
    "name NUL in language key": {"name": {"en\x00": "Graz"}},
    "kind unknown": {"kind": "aquarium"},
    "kind a number": {"kind": 3},
    "country XX": {"country": "XX"},
    "country USA": {"country": "USA"},
    "country a number": {"country": 12},
    "city 100 kB": {"city": BIG},
    "city NUL": {"city": "Gr\x00z"},
    "city a number": {"city": 5},
    "website invalid": {"website": "javascript:alert(1)"},
    "contacts invalid email": {"contacts": [{"name": "Dr. Wu", "email": "nope"}]},
    "contacts an object": {"contacts": {"name": "Dr. Wu"}},
    "unknown field": {"founded": 1752},
    "version": {"version": 99},
    "id": {"id": str(uuid.uuid4())},
    "created_at": {"created_at": "2020-01-01T00:00:00Z"},
    "valid change beside an invalid one": {"city": "Graz", "country": "XX"},
    "valid change beside an unknown field": {"city": "Graz", "founded": 1752},
}


@pytest.mark.parametrize("body", PATCH_CASES.values(), ids=PATCH_CASES.keys())
def test_patch_bad_input_is_refused_and_changes_nothing(coordinator, target, body):
    before = partner_count(coordinator)
    assert_refused(send(coordinator, "PATCH", f"{PARTNERS}/{target['id']}", body))
    assert_unchanged(coordinator, target)
    assert partner_count(coordinator) == before


@pytest.mark.parametrize("if_match", ['"999"', '"0"', "garbage", '"2", "3"', 'W/"7"'])
def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(coordinator, target, if_match):
    r = coordinator.patch(f"{PARTNERS}/{target['id']}", json={"city": "Graz"}, headers={"If-Match": if_match})
    assert_refused(r, 412)
    assert_unchanged(coordinator, target)


def test_patch_that_sets_nothing_new_keeps_the_version(coordinator, target):
    for body in ({}, {"city": TARGET_FIELDS["city"]}, {"kind": TARGET_FIELDS["kind"]}):
        r = coordinator.patch(f"{PARTNERS}/{target['id']}", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["version"] == target["version"]
    assert_unchanged(coordinator, target)


# --- ids in paths ----------------------------------------------------------------------------------------

BAD_IDS = {
    "not-a-uuid": "not-a-uuid",
    "a number": "1",
    "very long": "a" * 5000,
    "uuid plus one": str(uuid.UUID(int=1)) + "0",
    "uuid minus one": str(uuid.UUID(int=1))[:-1],
    "non-hex uuid": "00000000-0000-0000-0000-00000000000g",
    "blank": "%20",
    "NUL": "%00",
    "uuid then NUL": str(uuid.UUID(int=1)) + "%00",
    "non-ASCII": "%E7%86%8A%E7%8C%AB",
    "not UTF-8": "%FF%FE",
}


@pytest.mark.usefixtures("nothing_written")
@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_bad_ids_are_422(coordinator, target, bad_id):
    url = f"{PARTNERS}/{bad_id}"
    assert_refused(coordinator.get(url))
    assert_refused(coordinator.patch(url, json={"city": "Graz"}))
    assert_unchanged(coordinator, target)


@pytest.mark.usefixtures("nothing_written")
def test_an_unknown_valid_id_is_404(coordinator):
    url = f"{PARTNERS}/{uuid.uuid4()}"
    assert_refused(coordinator.get(url), 404)
    assert_refused(coordinator.patch(url, json={"city": "Graz"}), 404)
    assert_refused(coordinator.patch(url, json={"city": "Graz"}, headers={"If-Match": '"1"'}), 404)


@pytest.mark.parametrize("service", PARTNER_COPIES)
@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_other_services_refuse_bad_partner_ids(stack: Stack, keys, service, bad_id):
    with stack.client(keys["analyst"]) as analyst:
        assert_refused(analyst.get(f"/api/v1/{service}/partners/{bad_id}"))


@pytest.mark.parametrize("service", PARTNER_COPIES)
def test_other_services_answer_404_for_an_unknown_partner(stack: Stack, keys, service):
    with stack.client(keys["analyst"]) as analyst:
        assert_refused(analyst.get(f"/api/v1/{service}/partners/{uuid.uuid4()}"), 404)


@pytest.mark.parametrize("service", SERVICES)
def test_a_missing_id_never_redirects_to_the_service(stack: Stack, keys, service):
    """`.../partners/` with no id: whatever the answer, it must not send the client to the service's own
    address, which clients cannot (and must not) reach."""
    with stack.client(keys["analyst"]) as analyst:
        r = analyst.get(f"/api/v1/{service}/partners/")
    assert r.status_code < 500, r.text
    location = r.headers.get("location", "")
    assert str(stack.ports[service]) not in location, f"{r.status_code} redirect to {location}"


# --- GET /partners query parameters ----------------------------------------------------------------------


def _b64(raw_bytes: bytes) -> str:
    return base64.urlsafe_b64encode(raw_bytes).decode().rstrip("=")


LIST_CASES: dict[str, tuple[str, str]] = {
    "limit 0": ("limit", "0"),
    "limit 201": ("limit", "201"),
    "limit -1": ("limit", "-1"),
    "limit abc": ("limit", "abc"),
    "limit 1.5": ("limit", "1.5"),
    "limit empty": ("limit", ""),
    "limit 5000 digits": ("limit", "9" * 5000),
    "cursor random base64": ("cursor", _b64(os.urandom(24))),
    "cursor JSON object": ("cursor", _b64(json.dumps({"id": str(uuid.uuid4())}).encode())),
    "cursor JSON empty list": ("cursor", _b64(b"[]")),
    "cursor JSON two values": ("cursor", _b64(json.dumps([str(uuid.uuid4()), 1]).encode())),
    "cursor JSON not a uuid": ("cursor", _b64(b'["not-a-uuid"]')),
    "cursor JSON null": ("cursor", _b64(b"[null]")),
    "cursor JSON number": ("cursor", _b64(b"[12345]")),
    "cursor JSON nested": ("cursor", _b64(b"[[[[]]]]")),
    "cursor JSON string": ("cursor", _b64(b'"abc"')),
    "cursor NUL in JSON": ("cursor", _b64(b'["\\u0000"]')),
    "cursor not base64": ("cursor", "!!!not base64!!!"),
    "cursor percent signs": ("cursor", "%%%"),
    "cursor non-ASCII": ("cursor", "熊猫"),
    "cursor NUL": ("cursor", "abc\x00def"),
    "cursor too long": ("cursor", "A" * 600),
    "cursor empty": ("cursor", "="),
    "country XX": ("country", "XX"),
    "country USA": ("country", "USA"),
    "country 12": ("country", "12"),
    "country NUL": ("country", "C\x00"),
    "kind bogus": ("kind", "bogus"),
    "kind NUL": ("kind", "zoo\x00"),
    "q empty": ("q", ""),
    "q too long": ("q", "x" * 101),
}


@pytest.mark.usefixtures("nothing_written")
@pytest.mark.parametrize(("name", "value"), LIST_CASES.values(), ids=LIST_CASES.keys())
def test_list_bad_parameters_are_422(coordinator, name, value):
    problem = assert_refused(coordinator.get(PARTNERS, params={name: value}))
    assert any(e["loc"][:2] == ["query", name] for e in problem["errors"]), problem["errors"]


@pytest.mark.parametrize("q", ["a\x00b", "\x00", "%", "_", "\\", "'; DROP TABLE partners; --", "熊猫\x00"])
def test_list_odd_search_text_is_a_plain_search(coordinator, tag, q):
    """A NUL or a LIKE wildcard in `q` is text to search for (or ignored), never an error of ours."""
    before = partner_count(coordinator)
    r = coordinator.get(PARTNERS, params={"q": q})
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["items"], list)
    assert partner_count(coordinator) == before


def test_a_cursor_from_the_api_still_works(coordinator, tag):
    """The counter-check of the forged cursors: a real one pages on."""
    for i in range(2):
        assert coordinator.post(PARTNERS, json=valid(f"{tag} {i}")).status_code == 201
    first = coordinator.get(PARTNERS, params={"q": tag, "limit": 1}).json()
    assert first["next_cursor"]
    second = coordinator.get(PARTNERS, params={"q": tag, "limit": 1, "cursor": first["next_cursor"]})
    assert second.status_code == 200, second.text
    assert [p["id"] for p in second.json()["items"]] != [p["id"] for p in first["items"]]


# --- what the API description says, held to the letter (schemathesis found each) ---------------------------


def test_a_parameter_that_takes_one_value_given_twice_is_422(coordinator):
    problem = assert_refused(coordinator.get(PARTNERS, params=[("q", "zoo"), ("q", "park")]))
    assert problem["errors"][0]["loc"] == ["query", "q"], problem
    # One that takes several may repeat (`state` takes one or more).
    assert coordinator.get("/api/v1/partnerships/agreements",
                           params=[("state", "draft"), ("state", "active")]).status_code == 200


@pytest.mark.parametrize(("path", "params"), [
    ("/api/v1/outreach/events", {"to": "0"}),
    ("/api/v1/outreach/stats", {"from": "0"}),
    ("/api/v1/partnerships/agreements", {"signed_to": "0"}),
])
def test_a_day_is_only_ever_written_yyyy_mm_dd(coordinator, path, params):
    """pydantic alone reads a number as seconds since 1970: `?to=0` was 1970-01-01."""
    problem = assert_refused(coordinator.get(path, params=params))
    assert problem["errors"][0]["loc"] == ["query", next(iter(params))], problem


@pytest.mark.usefixtures("nothing_written")
def test_a_number_is_not_a_date_in_a_body(coordinator):
    body = {"name": {"en": "Number as a date"}, "birth_date": 0, "sex": "female"}
    problem = assert_refused(coordinator.post("/api/v1/partnerships/pandas", json=body))
    assert ["body", "birth_date"] in [e["loc"] for e in problem["errors"]], problem


def test_a_number_is_not_an_instant_nor_true_a_count(coordinator):
    event = {"title": {"en": "Panda talk"}, "kind": "lecture", "starts_at": 0, "ends_at": "2027-06-01T11:30:00Z",
             "timezone": "Asia/Shanghai", "capacity": True, "languages": ["en"]}
    problem = assert_refused(coordinator.post("/api/v1/outreach/events", json=event))
    assert {("body", "starts_at"), ("body", "capacity")} <= {tuple(e["loc"]) for e in problem["errors"]}, problem


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("OPTIONS", "/api/v1/partnerships/partners/{id}", "GET, PATCH"),  # two routes: Starlette named only the first
    ("DELETE", "/api/v1/partnerships/partners", "GET, POST"),
    ("PATCH", "/api/v1/publications/works/import", "POST"),  # not `PATCH /works/{work_id}` with a bad id
    ("PUT", "/api/v1/mobile/home", "GET"),  # the gateway's own
    ("TRACE", "/api/v1/training/programs", "GET, POST"),
])
def test_a_method_a_resource_does_not_take_is_405_with_what_it_takes(coordinator, method, path, allowed):
    r = coordinator.request(method, path.format(id=uuid.uuid4()))
    assert r.status_code == 405 and problem_of(r)["status"] == 405, r.text
    assert r.headers["Allow"] == allowed


def test_a_url_of_500_characters_as_sent_is_kept(coordinator):
    """The schema allows 500 characters as sent; pydantic's normal form adds a `/` after a bare host, which the
    database's 500 would not hold (on PostgreSQL it was a 500)."""
    host = "https://" + ".".join(["a" * 63] * 7) + "." + "a" * (500 - 8 - 7 * 64)
    body = {"name": {"en": f"Long URL zoo {uuid.uuid4()}"}, "kind": "zoo", "country": "AT", "website": host}
    r = coordinator.post(PARTNERS, json=body)
    assert r.status_code == 201, r.text
    assert coordinator.get(f"{PARTNERS}/{r.json()['id']}").json()["website"] == host
