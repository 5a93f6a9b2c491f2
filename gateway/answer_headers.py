"""Headers every answer of the gateway carries, whichever route or service made it.

- **Whose answer it is, for caches** (RFC 9111). A shared cache (a CDN, a company proxy) keys an answer by its URL
  and the request headers named in `Vary`; it must not store an answer to a request with `Authorization`
  (§3.5), but nothing stops it storing one to a request with `X-API-Key`. So every GET/HEAD answer says
  `Vary: Authorization, X-API-Key` (the same URL answers differently per caller), and an answer to a caller with
  credentials is `Cache-Control: private` (only that client's own cache may keep it), or `no-store` where the
  route said so (a newly issued API key). Only an answer that is the same for every caller may say `public`
  (`/api/v1/mobile/home`); it is left as its route made it.
- **The caller's rate limit**: `RateLimit-*` of the count this request made (`gateway/rate_limits.py`).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from shared.middleware import HTTPMiddleware

CREDENTIAL_HEADERS = (b"authorization", b"x-api-key")
VARY_ON_CREDENTIALS = ("Authorization", "X-API-Key")
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


def _directives(headers: list[tuple[bytes, bytes]]) -> set[str]:
    return {d.strip().split("=")[0].lower() for k, value in headers if k.lower() == b"cache-control"
            for d in value.decode("latin-1").split(",")}


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    named = [v.strip() for k, value in headers if k.lower() == b"vary" for v in value.decode("latin-1").split(",")]
    if "*" in named:
        return headers
    lowered = {n.lower() for n in named}
    wanted = [*dict.fromkeys(n for n in named if n), *(h for h in VARY_ON_CREDENTIALS if h.lower() not in lowered)]
    return [(k, v) for k, v in headers if k.lower() != b"vary"] + [(b"vary", ", ".join(wanted).encode())]


def _private(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    given = [v.decode("latin-1") for k, v in headers if k.lower() == b"cache-control"]
    return ([(k, v) for k, v in headers if k.lower() != b"cache-control"]
            + [(b"cache-control", ", ".join(["private", *given]).encode())])


def for_caches(headers: list[tuple[bytes, bytes]], credentials: bool) -> list[tuple[bytes, bytes]]:
    """`headers` of a GET/HEAD answer, saying whose answer it is (module docstring)."""
    directives = _directives(headers)
    if "public" in directives:  # the route vouches that every caller gets this same answer
        return headers
    headers = _with_vary(headers)
    if credentials and not directives & {"private", "no-store"}:
        headers = _private(headers)
    return headers


class AnswerHeadersMiddleware(HTTPMiddleware):
    """Adds the headers every answer carries: its rate limit, and for a GET/HEAD whose answer it is (module
    docstring)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cacheable = scope["method"] in CACHEABLE_METHODS
        credentials = any(k in CREDENTIAL_HEADERS and v.strip() for k, v in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                limit = scope.get("state", {}).get("rate_limit_headers") or {}
                present = {k.lower() for k, _ in headers}
                headers += [(k.lower().encode(), v.encode()) for k, v in limit.items()
                            if k.lower().encode() not in present]
                if cacheable:
                    headers = for_caches(headers, credentials)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
