"""Identity and access through the gateway: who may call, what a client cannot claim about itself, and that a
service answers only what came through the gateway. Every refusal is a problem+json 401 or 403."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from shared.auth import ANONYMOUS
from tests.harness import (
    ADMIN_KEY,
    INTERNAL_SECRET,
    JWT_AUDIENCE,
    JWT_ISSUER,
    JWT_SECRET,
    Stack,
    jwt_token,
    problem_of,
)

PARTNERS = "/api/v1/partnerships/partners"
KEYS = "/api/v1/admin/api-keys"
CALLER_HEADER = "X-Internal-Caller"  # shared.auth.CALLER_HEADER, as a client would spell it
WRONG_SECRET = "a-secret-the-services-do-not-know-" + uuid.uuid4().hex


def partner_body(tag: str = "") -> dict[str, Any]:
    return {"name": {"en": f"Identity test {tag or uuid.uuid4().hex}"}, "kind": "university", "country": "DE"}


def internal_token(role: str = "admin", secret: str = INTERNAL_SECRET, expires_in: int = 60,
                   **overrides: Any) -> str:
    """A caller header as the gateway signs it (shared.auth.Caller.sign), with claims overridden (`...` drops
    one)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "panda-coop-gateway", "aud": "panda-coop-services", "iat": now, "exp": now + expires_in,
        "role": role, "sub": "forged", "partner_id": None, "via": "api-key",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not ...}
    return jwt.encode(claims, secret, algorithm="HS256")


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    return problem_of(response)


def nothing_named(client: httpx.Client, tag: str) -> bool:
    r = client.get(PARTNERS, params={"q": tag, "limit": 200})
    assert r.status_code == 200, r.text
    return r.json()["items"] == []


# --- roles --------------------------------------------------------------------------------------------------


def test_anonymous_write_is_401(anonymous, coordinator):
    tag = uuid.uuid4().hex
    refused(anonymous.post(PARTNERS, json=partner_body(tag)), 401)
    assert nothing_named(coordinator, tag)


# Bodies that parse as JSON but break the body rules. (Malformed JSON is left out: FastAPI parses the body
# before it solves any dependency, so `requires` cannot answer it before a 422.)
SPOILED_BODIES = {
    "empty object": b"{}",
    "array": b"[]",
    "string": b'"partner"',
    "invalid fields": b'{"name": {"en": "x"}, "kind": "ship", "country": "XX", "extra": 1}',
}


@pytest.mark.parametrize("content", SPOILED_BODIES.values(), ids=SPOILED_BODIES.keys())
def test_who_may_write_is_settled_before_the_body_rules(stack: Stack, keys, anonymous, content):
    """shared.auth.requires: an anonymous caller gets 401 and a wrong role 403 whatever it sent, so neither
    learns the body rules of a route it may not use."""
    headers = {"Content-Type": "application/json"}
    refused(anonymous.post(PARTNERS, content=content, headers=headers), 401)
    with stack.client(keys["member"]) as member:
        refused(member.post(PARTNERS, content=content, headers=headers), 403)


def test_anonymous_cannot_read_partners(anonymous):
    # Partners are for signed-in callers; no credentials is a 401, never an empty list.
    refused(anonymous.get(PARTNERS), 401)


@pytest.mark.parametrize("role", ["analyst", "member"])
def test_wrong_role_write_is_403(stack: Stack, keys, coordinator, role):
    tag = uuid.uuid4().hex
    with stack.client(keys[role]) as c:
        refused(c.post(PARTNERS, json=partner_body(tag)), 403)
    assert nothing_named(coordinator, tag)


def test_wrong_role_patch_is_403_and_changes_nothing(stack: Stack, keys, coordinator):
    partner = coordinator.post(PARTNERS, json=partner_body()).json()
    url = f"{PARTNERS}/{partner['id']}"
    for role in ("analyst", "member"):
        with stack.client(keys[role]) as c:
            refused(c.patch(url, json={"city": "Nowhere"}), 403)
    after = coordinator.get(url).json()
    assert after["version"] == 1 and after["city"] is None


def test_partner_key_cannot_write_even_its_own_partner(stack: Stack, coordinator):
    partner = coordinator.post(PARTNERS, json=partner_body()).json()
    own = stack.issue_key("partner", partner["id"])["key"]
    with stack.client(own) as c:
        refused(c.patch(f"{PARTNERS}/{partner['id']}", json={"city": "Elsewhere"}), 403)
        refused(c.post(PARTNERS, json=partner_body()), 403)
    assert coordinator.get(f"{PARTNERS}/{partner['id']}").json()["version"] == 1


# --- forged identity headers --------------------------------------------------------------------------------

def forged_caller(role: str = "admin", **kwargs: Any) -> dict[str, str]:
    return {CALLER_HEADER: internal_token(role, **kwargs)}


def expired_caller() -> dict[str, str]:
    return forged_caller(expires_in=-3600, iat=int(time.time()) - 3700)


FORGED = {
    "self-signed admin caller": lambda: forged_caller(secret=WRONG_SECRET),
    "admin caller signed with the real internal secret": lambda: forged_caller(),
    "coordinator caller signed with the real internal secret": lambda: forged_caller("coordinator"),
    "lower-case header name": lambda: {CALLER_HEADER.lower(): internal_token("admin")},
    "underscore spelling": lambda: {CALLER_HEADER.replace("-", "_"): internal_token("admin")},
    "forwarded-for loopback": lambda: {
        "X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1;proto=https",
        "X-Forwarded-Host": "localhost", "X-Forwarded-Proto": "https",
    },
    "everything at once": lambda: forged_caller() | {
        "X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "X-User-Role": "admin", "X-Role": "admin",
        "X-Caller": "admin", "X-Authenticated-User": "admin",
    },
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_forged_identity_headers_do_not_help_an_anonymous_client(stack: Stack, coordinator, forged):
    tag = uuid.uuid4().hex
    with stack.client() as c:
        refused(c.post(PARTNERS, json=partner_body(tag), headers=forged()), 401)
        refused(c.get(PARTNERS, headers=forged()), 401)
        refused(c.get(KEYS, headers=forged()), 401)
    assert nothing_named(coordinator, tag)


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_forged_identity_headers_do_not_raise_a_members_role(stack: Stack, keys, coordinator, forged):
    tag = uuid.uuid4().hex
    with stack.client(keys["member"]) as c:
        refused(c.post(PARTNERS, json=partner_body(tag), headers=forged()), 403)
        refused(c.post(KEYS, json={"name": "mine now", "role": "admin"}, headers=forged()), 403)
    assert nothing_named(coordinator, tag)


def test_forged_header_beside_a_jwt_counts_for_nothing(stack: Stack, coordinator):
    tag = uuid.uuid4().hex
    with stack.client(token=jwt_token("analyst")) as c:
        r = c.post(PARTNERS, json=partner_body(tag), headers=forged_caller())
    refused(r, 403)
    assert nothing_named(coordinator, tag)


def test_a_caller_sees_its_own_identity_not_a_forged_one(stack: Stack, coordinator):
    """A member sees no contacts; a forged admin caller must not change that."""
    body = partner_body() | {"contacts": [{"name": "Dr. Private", "email": "private@example.org"}]}
    partner = coordinator.post(PARTNERS, json=body).json()
    with stack.client(token=jwt_token("member")) as member:
        r = member.get(f"{PARTNERS}/{partner['id']}", headers=forged_caller())
    assert r.status_code == 200, r.text
    assert r.json()["contacts"] is None


# --- calling a service directly -----------------------------------------------------------------------------


def _direct(stack: Stack, method: str, headers: dict[str, str], body: Any = None) -> httpx.Response:
    return httpx.request(method, stack.service_url("partnerships") + PARTNERS, json=body, headers=headers,
                         timeout=10)


DIRECT = {
    "no caller header": lambda: {},
    "no caller header but an admin key": lambda: {"X-API-Key": ADMIN_KEY},
    "no caller header but a valid person token": lambda: {"Authorization": f"Bearer {jwt_token('admin')}"},
    "caller signed with a wrong secret": lambda: forged_caller(secret=WRONG_SECRET),
    "caller signed with the JWT secret": lambda: forged_caller(secret=JWT_SECRET),
    "expired caller, right secret": expired_caller,
    "caller for another audience": lambda: forged_caller(aud="someone-else"),
    "caller from another issuer": lambda: forged_caller(iss="someone-else"),
    "caller without exp": lambda: forged_caller(exp=...),
    "caller without iat": lambda: forged_caller(iat=...),
    "caller with an unknown role": lambda: forged_caller("root"),
    "caller with a malformed partner_id": lambda: forged_caller("partner", partner_id="nope"),
    "unsigned caller (alg none)": lambda: {CALLER_HEADER: jwt.encode(
        {"iss": "panda-coop-gateway", "aud": "panda-coop-services", "iat": int(time.time()),
         "exp": int(time.time()) + 60, "role": "admin"}, None, algorithm="none")},
    "garbage caller": lambda: {CALLER_HEADER: "not-a-token"},
    "empty caller": lambda: {CALLER_HEADER: ""},
}


@pytest.mark.parametrize("headers", DIRECT.values(), ids=DIRECT.keys())
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_service_refuses_what_did_not_come_through_the_gateway(stack: Stack, coordinator, method, headers):
    tag = uuid.uuid4().hex
    r = _direct(stack, method, headers(), partner_body(tag) if method == "POST" else None)
    assert r.status_code == 401, r.text
    problem_of(r)
    assert nothing_named(coordinator, tag)


def test_a_direct_read_of_one_partner_is_refused_too(stack: Stack, coordinator):
    partner = coordinator.post(PARTNERS, json=partner_body()).json()
    for service in ("partnerships", "training", "outreach", "publications"):
        url = f"{stack.service_url(service)}/api/v1/{service}/partners/{partner['id']}"
        for headers in ({}, forged_caller(secret=WRONG_SECRET), expired_caller()):
            r = httpx.get(url, headers=headers, timeout=10)
            assert r.status_code == 401, (service, r.text)
            problem_of(r)


def test_a_fresh_caller_signed_with_the_right_secret_is_accepted(stack: Stack):
    """The counter-check of the tests above: a fresh caller signed with the right secret is accepted, so the
    refusals are about the forgery, not about the service being unreachable."""
    r = httpx.get(stack.service_url("partnerships") + PARTNERS,
                  headers=forged_caller("analyst"), timeout=10)
    assert r.status_code == 200, r.text


# --- API keys -----------------------------------------------------------------------------------------------


def test_a_revoked_key_is_refused_at_once(stack: Stack, coordinator):
    issued = stack.issue_key("coordinator", name="to be revoked")
    with stack.client(issued["key"]) as c:
        assert c.get(PARTNERS, params={"limit": 1}).status_code == 200
        created = c.post(PARTNERS, json=partner_body())
        assert created.status_code == 201, created.text

        with stack.client(ADMIN_KEY) as admin:
            r = admin.delete(f"{KEYS}/{issued['id']}")
            assert r.status_code == 204, r.text
            shown = admin.get(f"{KEYS}/{issued['id']}").json()
            assert shown["revoked_at"] is not None
            assert admin.delete(f"{KEYS}/{issued['id']}").status_code == 204  # revoking twice changes nothing

        tag = uuid.uuid4().hex
        refused(c.get(PARTNERS), 401)
        refused(c.post(PARTNERS, json=partner_body(tag)), 401)
        refused(c.get(f"{PARTNERS}/{created.json()['id']}"), 401)
    assert nothing_named(coordinator, tag)


@pytest.mark.parametrize("key", ["pcoop_" + "A" * 43, "not-a-key", ADMIN_KEY + "x", ADMIN_KEY[:-1], ""])
def test_an_unknown_key_is_401_even_on_reads(stack: Stack, key):
    with stack.client() as c:
        refused(c.get(PARTNERS, headers={"X-API-Key": key}), 401)
        refused(c.post(PARTNERS, json=partner_body(), headers={"X-API-Key": key}), 401)


def test_a_bad_key_is_not_rescued_by_a_good_token(stack: Stack):
    # Bad credentials are a 401 whatever else was sent: the client meant the key to count.
    with stack.client("pcoop_unknown", token=jwt_token("admin")) as c:
        refused(c.get(PARTNERS), 401)


def test_key_list_and_read_never_show_the_secret(stack: Stack):
    issued = stack.issue_key("analyst", name="secret-keeping")
    secret = issued["key"]
    assert secret.startswith(issued["key_prefix"]) and len(secret) > len(issued["key_prefix"]) + 20
    with stack.client(ADMIN_KEY) as admin:
        read = admin.get(f"{KEYS}/{issued['id']}")
        assert read.status_code == 200, read.text
        assert "key" not in read.json() and secret not in read.text
        assert read.json()["key_prefix"] == issued["key_prefix"]

        seen, cursor = [], None
        while True:
            page = admin.get(KEYS, params={"limit": 200} | ({"cursor": cursor} if cursor else {}))
            assert page.status_code == 200, page.text
            assert secret not in page.text
            assert all("key" not in item and "key_hash" not in item for item in page.json()["items"])
            seen += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
    assert issued["id"] in seen


@pytest.mark.parametrize("role", ["coordinator", "analyst", "member"])
def test_only_an_admin_manages_keys(stack: Stack, keys, role):
    target = stack.issue_key("analyst", name="not yours to revoke")
    with stack.client(keys[role]) as c:
        refused(c.post(KEYS, json={"name": "self-made", "role": "admin"}), 403)
        refused(c.get(KEYS), 403)
        refused(c.get(f"{KEYS}/{target['id']}"), 403)
        refused(c.delete(f"{KEYS}/{target['id']}"), 403)
    with stack.client(token=jwt_token(role)) as c:
        refused(c.post(KEYS, json={"name": "self-made", "role": "admin"}), 403)
    with stack.client(target["key"]) as c:
        assert c.get(PARTNERS, params={"limit": 1}).status_code == 200, "the key survived"


def test_a_partner_key_cannot_manage_keys(stack: Stack, coordinator):
    partner = coordinator.post(PARTNERS, json=partner_body()).json()
    own = stack.issue_key("partner", partner["id"])["key"]
    with stack.client(own) as c:
        refused(c.post(KEYS, json={"name": "more", "role": "partner", "partner_id": partner["id"]}), 403)


def test_anonymous_cannot_manage_keys(stack: Stack, anonymous):
    target = stack.issue_key("analyst")
    refused(anonymous.post(KEYS, json={"name": "self-made", "role": "admin"}), 401)
    refused(anonymous.get(KEYS), 401)
    refused(anonymous.delete(f"{KEYS}/{target['id']}"), 401)


def test_an_admin_jwt_manages_keys(stack: Stack):
    with stack.client(token=jwt_token("admin")) as admin:
        r = admin.post(KEYS, json={"name": "by a person", "role": "member"})
        assert r.status_code == 201, r.text
        assert admin.delete(f"{KEYS}/{r.json()['id']}").status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"name": "no partner", "role": "partner"},
        {"name": "null partner", "role": "partner", "partner_id": None},
        {"name": "bound coordinator", "role": "coordinator", "partner_id": str(uuid.uuid4())},
        {"name": "nobody", "role": "anonymous"},
        {"name": "root", "role": "root"},
        {"name": "bad partner id", "role": "partner", "partner_id": "not-a-uuid"},
        {"role": "analyst"},
        {"name": "", "role": "analyst"},
        {"name": "extra", "role": "analyst", "key": "pcoop_chosen-by-the-client"},
    ],
    ids=["partner-without-partner_id", "partner-with-null-partner_id", "non-partner-with-partner_id",
         "role-anonymous", "unknown-role", "malformed-partner_id", "no-name", "empty-name",
         "client-chosen-key"],
)
def test_invalid_key_requests_are_422(stack: Stack, body):
    with stack.client(ADMIN_KEY) as admin:
        before = _key_count(admin)
        r = admin.post(KEYS, json=body)
        assert r.status_code == 422, r.text
        problem = problem_of(r)
        assert problem["errors"] and all({"loc", "msg", "type"} <= set(e) for e in problem["errors"])
        assert _key_count(admin) == before


def _key_count(admin: httpx.Client) -> int:
    count, cursor = 0, None
    while True:
        page = admin.get(KEYS, params={"limit": 200} | ({"cursor": cursor} if cursor else {})).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


# --- JWTs ---------------------------------------------------------------------------------------------------


def test_a_valid_token_reads_and_a_coordinator_token_writes(stack: Stack, coordinator):
    with stack.client(token=jwt_token("analyst")) as analyst:
        assert analyst.get(PARTNERS, params={"limit": 1}).status_code == 200
    tag = uuid.uuid4().hex
    with stack.client(token=jwt_token("coordinator", sub="coordinator-person")) as person:
        r = person.post(PARTNERS, json=partner_body(tag))
        assert r.status_code == 201, r.text
        assert person.get(f"{PARTNERS}/{r.json()['id']}").status_code == 200
    assert not nothing_named(coordinator, tag)


def test_a_member_token_reads_but_cannot_write(stack: Stack, coordinator):
    tag = uuid.uuid4().hex
    with stack.client(token=jwt_token("member")) as member:
        assert member.get(PARTNERS, params={"limit": 1}).status_code == 200
        refused(member.post(PARTNERS, json=partner_body(tag)), 403)
    assert nothing_named(coordinator, tag)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _swap(text: str, index: int) -> str:
    # A middle character: its bits all count (the last one of a segment may carry unused padding bits).
    return text[:index] + ("B" if text[index] != "B" else "C") + text[index + 1:]


def _tampered_payload() -> str:
    header, _payload, signature = jwt_token("analyst").split(".")
    claims = {"sub": "person-1", "role": "admin", "exp": int(time.time()) + 600}
    return f"{header}.{_b64(claims)}.{signature}"


def _tampered_signature() -> str:
    header, payload, signature = jwt_token("coordinator").split(".")
    return f"{header}.{payload}.{_swap(signature, 10)}"


def _tampered_payload_char() -> str:
    header, payload, signature = jwt_token("coordinator").split(".")
    return f"{header}.{_swap(payload, 5)}.{signature}"


def _no_signature() -> str:
    header, payload, _signature = jwt_token("coordinator").split(".")
    return f"{header}.{payload}."


def _alg_none() -> str:
    return jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 600}, None, algorithm="none")


def _claims(**claims: Any) -> str:
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


BAD_TOKENS = {
    "expired": lambda: jwt_token("coordinator", expires_in=-120),
    "payload swapped for admin": _tampered_payload,
    "signature char changed": _tampered_signature,
    "payload char changed": _tampered_payload_char,
    "signature removed": _no_signature,
    "another secret": lambda: jwt_token("coordinator", secret=WRONG_SECRET),
    "signed with the internal secret": lambda: jwt_token("admin", secret=INTERNAL_SECRET),
    "alg none": _alg_none,
    "HS512": lambda: jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 600}, JWT_SECRET,
                                algorithm="HS512"),
    "unknown role": lambda: jwt_token("superuser"),
    "role anonymous": lambda: jwt_token("anonymous"),
    "role not a string": lambda: _claims(sub="x", role=["admin"], exp=int(time.time()) + 600),
    "partner role without partner_id": lambda: jwt_token("partner"),
    "malformed partner_id": lambda: jwt_token("partner", partner_id="not-a-uuid"),
    "no exp": lambda: _claims(sub="x", role="admin"),
    "no sub": lambda: _claims(role="admin", exp=int(time.time()) + 600),
    "no role": lambda: _claims(sub="x", exp=int(time.time()) + 600),
    "exp not a number": lambda: _claims(sub="x", role="admin", exp="tomorrow"),
    "not a JWT": lambda: "not.a.jwt",
    "garbage": lambda: "%%%",
    "minted for another application": lambda: jwt_token("coordinator", aud="another-app"),
    "issued by someone else": lambda: jwt_token("coordinator", iss="https://id.elsewhere.example/"),
    "no audience": lambda: _claims(sub="x", role="admin", exp=int(time.time()) + 600, iss=JWT_ISSUER),
    "no issuer": lambda: _claims(sub="x", role="admin", exp=int(time.time()) + 600, aud=JWT_AUDIENCE),
    "lives two days": lambda: jwt_token("coordinator", expires_in=2 * 86_400),
    "a year left and no iat": lambda: _claims(sub="x", role="admin", exp=int(time.time()) + 365 * 86_400,
                                              aud=JWT_AUDIENCE, iss=JWT_ISSUER),
}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 with the HS256 secret
@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_401(stack: Stack, coordinator, token):
    tag = uuid.uuid4().hex
    with stack.client(token=token()) as c:
        refused(c.get(PARTNERS), 401)
        refused(c.post(PARTNERS, json=partner_body(tag)), 401)
    assert nothing_named(coordinator, tag)


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"admin:admin").decode(),
        "Basic " + base64.b64encode(f"x:{ADMIN_KEY}".encode()).decode(),
        "Bearer",
        "Token abc",
        "bearer",
        "",
        "Digest username=admin",
        "ApiKey " + ADMIN_KEY,
    ],
    ids=["basic", "basic-with-admin-key", "bearer-no-token", "token-scheme", "scheme-only",
         "empty", "digest", "apikey-scheme"],
)
def test_other_authorization_schemes_are_401(stack: Stack, coordinator, authorization):
    tag = uuid.uuid4().hex
    with stack.client() as c:
        refused(c.get(PARTNERS, headers={"Authorization": authorization}), 401)
        refused(c.post(PARTNERS, json=partner_body(tag), headers={"Authorization": authorization}), 401)
    assert nothing_named(coordinator, tag)


def test_bearer_scheme_is_case_insensitive(stack: Stack):
    # RFC 9110: the auth scheme is case-insensitive.
    with stack.client() as c:
        r = c.get(PARTNERS, params={"limit": 1}, headers={"Authorization": f"bearer {jwt_token('analyst')}"})
    assert r.status_code == 200, r.text


def test_the_services_accept_the_gateways_anonymous_caller(stack: Stack):
    """The gateway signs every caller, anonymous included (shared.auth.ANONYMOUS); a service must accept that
    signature and then apply the route's own rule, not take the request for one that bypassed the gateway."""
    r = httpx.get(stack.service_url("partnerships") + PARTNERS,
                  headers={CALLER_HEADER: ANONYMOUS.sign(INTERNAL_SECRET)}, timeout=10)
    refused(r, 401)
    assert r.headers.get("www-authenticate"), "the route's 401 (credentials needed), not the bypass refusal"


# --- the shape of every refusal -----------------------------------------------------------------------------


def test_refusals_are_problems_with_a_request_id(stack: Stack, keys, anonymous):
    with stack.client(keys["member"]) as member:
        for r, status in (
            (anonymous.post(PARTNERS, json=partner_body()), 401),
            (member.post(PARTNERS, json=partner_body()), 403),
            (anonymous.get(PARTNERS, headers={"X-API-Key": "nope"}), 401),
        ):
            problem = refused(r, status)
            assert problem["type"] and problem["title"] and problem["detail"]
            assert r.headers.get("x-request-id")
            # A refusal says why without echoing the credentials it was given.
            assert "nope" not in r.text


def test_every_401_says_how_to_authenticate(stack: Stack, anonymous):
    # RFC 9110: a 401 carries WWW-Authenticate, so a client knows which credentials to send.
    expired = jwt_token("coordinator", expires_in=-120)
    for r in (
        anonymous.post(PARTNERS, json=partner_body()),
        anonymous.get(PARTNERS),
        anonymous.get(KEYS),
        anonymous.get(PARTNERS, headers={"X-API-Key": "nope"}),
        anonymous.get(PARTNERS, headers={"Authorization": f"Bearer {expired}"}),
        anonymous.get(PARTNERS, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}),
    ):
        refused(r, 401)
        assert r.headers.get("www-authenticate"), (r.request.method, r.request.url, r.text)
