"""Every problem type a client can be answered with (RFC 9457 §3.1.1 `type`), and what each means.

A type is a slug (`^[a-z0-9]+(-[a-z0-9]+)*$`) under `/problems/`; the gateway serves each as a short page
(`GET /problems/<slug>`), so the URI in an answer explains itself. A type not listed here cannot be raised
(`checked` refuses it), so a new refusal comes with its explanation. `http-<status phrase>` types are the
framework's answers to a bare HTTP status (`http-method-not-allowed`) and are explained from the status itself.
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    statuses: tuple[int, ...]
    meaning: str  # what happened, for the person who reads the page
    remedy: str  # what the client does about it


_TYPES = (
    ProblemType("invalid-input", "Invalid input", (422,),
                "The request was understood but a value in it breaks a rule: `errors` lists each one, with `loc` "
                "(where: body, query, path or header, then the field) and `msg`.",
                "Correct the values named in `errors` and send the request again. Nothing was changed."),
    ProblemType("unauthorized", "Unauthorized", (401,),
                "The request carried no credentials where they are needed, or ones that are not valid (an unknown or "
                "revoked API key; a token that is expired, not signed by the base's identity provider, or not "
                "meant for this API).",
                "Send `X-API-Key: <key>` or `Authorization: Bearer <token>` with valid credentials."),
    ProblemType("forbidden", "Forbidden", (403,),
                "The caller is known, but its role may not do this (the detail names the roles that may).",
                "Use credentials of a role that may, or ask an administrator."),
    ProblemType("not-found", "Not found", (404,),
                "There is nothing at this address that the caller may see. Something that exists but is not the "
                "caller's to see is answered the same way, so that a refusal reveals nothing.",
                "Check the id and the credentials."),
    ProblemType("conflict", "Conflict", (409,),
                "The request is valid, but the resource's state does not allow it now: `state` and "
                "`allowed_actions` say what it allows, `missing` what it still lacks.",
                "Read the resource again, then do what its state allows."),
    ProblemType("precondition-failed", "Precondition failed", (412,),
                "`If-Match` named a version that is no longer the current one: someone changed the resource since "
                "it was read.",
                "Read it again (its `ETag`), apply the change to what is there now, and send it with the new ETag."),
    ProblemType("content-too-large", "Content too large", (413,),
                "The request body is larger than this route takes (`max_bytes`).",
                "Send less: split a bulk request into several."),
    ProblemType("unsupported-media-type", "Unsupported media type", (415,),
                "The body's `Content-Type` is not one this route reads.",
                "Send one of the media types the route's documentation lists."),
    ProblemType("request-timeout", "Request timeout", (408,),
                "The request's headers or body did not arrive in time.", "Send the whole request promptly."),
    ProblemType("headers-too-large", "Request header fields too large", (431,),
                "The request's headers are larger than the server takes.", "Send smaller headers (cookies, tokens)."),
    ProblemType("rate-limited", "Too many requests", (429,),
                "This caller's requests in the current window are used up (`RateLimit-*` headers say how many it "
                "has and when they come back).",
                "Wait `Retry-After` seconds, then go on at a slower pace."),
    ProblemType("deadline-exceeded", "Service unavailable", (503,),
                "The request could not be completed in the time it was given, and nothing of it was committed.",
                "Send it again after `Retry-After` seconds (with the same `Idempotency-Key` for a POST)."),
    ProblemType("overloaded", "Service unavailable", (503,),
                "The service is at its limit of requests in progress and refused this one at once, before doing "
                "any of it.", "Send it again after `Retry-After` seconds."),
    ProblemType("upstream-unavailable", "Service unavailable", (503,),
                "The service behind this route has been failing, so the gateway stopped sending it requests for a "
                "moment (its circuit is open). Nothing was sent to it.",
                "Send it again after `Retry-After` seconds."),
    ProblemType("upstream-unreachable", "Service unavailable", (503,),
                "The gateway could not connect to the service behind this route. Nothing was sent to it.",
                "Send it again after `Retry-After` seconds."),
    ProblemType("upstream-timeout", "Gateway timeout", (504,),
                "The service behind this route did not answer in time. A write may or may not have been done.",
                "Read the resource to see, or send the request again with the same `Idempotency-Key`."),
    ProblemType("upstream-failed", "Bad gateway", (502,),
                "The service behind this route failed while answering. A write may or may not have been done.",
                "Read the resource to see, or send the request again with the same `Idempotency-Key`."),
    ProblemType("internal-error", "Internal server error", (500,),
                "The server failed; the fault is ours and has been logged. Nothing was committed.",
                "Send it again later; if it keeps failing, tell the base with the answer's `X-Request-ID`."),
)
PROBLEM_TYPES: dict[str, ProblemType] = {t.slug: t for t in _TYPES}
assert all(SLUG.fullmatch(slug) for slug in PROBLEM_TYPES)


def _from_status(slug: str) -> ProblemType | None:
    """`http-<phrase>`: the framework's answer to a bare status (starlette_problem.util.convert_status_code)."""
    if not slug.startswith("http-"):
        return None
    for status in http.HTTPStatus:
        if "-".join(status.phrase.lower().split()) == slug[5:] and status >= 400:
            return ProblemType(slug, status.phrase, (int(status),), f"HTTP {int(status)} {status.phrase}: "
                               f"{status.description}.", "See the detail of the answer.")
    return None


def explained(slug: str) -> ProblemType | None:
    """The problem type `slug` names, or None if it names none."""
    return PROBLEM_TYPES.get(slug) or _from_status(slug)


def checked(slug: str) -> str:
    """`slug`, if it is a problem type this module explains; AssertionError otherwise (a refusal without its
    page is a bug of ours, found by the tests)."""
    assert slug in PROBLEM_TYPES, f"problem type {slug!r} has no explanation in shared/problem_types.py"
    return slug
