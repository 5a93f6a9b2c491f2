"""Forwarding a request to its service: one pooled keep-alive client, bodies streamed both ways, hop-by-hop
and identity headers dropped, the caller signed in, transport failures turned into 502/503/504 problems that
leak nothing about the inside."""

from __future__ import annotations

import asyncio
import logging
import string
from urllib.parse import quote, quote_from_bytes

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from gateway.resilience import CircuitBreaker, retrying
from gateway.routing import Route
from shared.auth import CALLER_HEADER, Caller
from shared.context import request_id_var, traceparent_var
from shared.problems import problem

log = logging.getLogger("proxy")

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length",
}
# What a client may not say about itself: the gateway alone tells services who is calling.
IDENTITY = {CALLER_HEADER, "x-api-key", "authorization", "x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto", "x-request-id", "traceparent", "tracestate"}
_BODYLESS = {"GET", "HEAD", "DELETE", "OPTIONS"}
_PRINTABLE = string.punctuation  # with letters and digits, what passes through a request target unescaped


def new_client() -> httpx.AsyncClient:
    # Idle connections are dropped before uvicorn's 5 s keep-alive closes them from the other side, so a
    # request never lands on a connection the service is just closing (which would be a spurious 502).
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=500, max_keepalive_connections=200, keepalive_expiry=4),
        timeout=httpx.Timeout(30.0, connect=2.0),
        follow_redirects=False,
    )


def _upstream_failed(route: Route, status: int, what: str, retry_after: int = 1) -> Exception:
    titles = {502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}
    headers = {"Retry-After": str(retry_after)} if status == 503 else None
    return problem(status, f"upstream-{what}", titles[status], f"the {route.service} service {what}",
                   headers=headers, service=route.service)


def _upstream_url(route: Route, request: Request) -> httpx.URL:
    """The service's URL with the path and query as the client sent them. The decoded `request.url.path`
    would turn an escaped `%2F` into a real `/`, another path at the service. Raw bytes outside printable
    ASCII (which some clients send unescaped) are escaped, as a URL needs them."""
    base = httpx.URL(route.upstream)
    raw = request.scope.get("raw_path") or quote(request.url.path).encode()
    query = request.scope.get("query_string") or b""
    target = raw + (b"?" + query if query else b"")
    target = quote_from_bytes(target, safe=_PRINTABLE).encode()
    return base.copy_with(raw_path=base.raw_path.rstrip(b"/") + target)


async def forward(client: httpx.AsyncClient, request: Request, route: Route, caller: Caller, secret: str,
                  breaker: CircuitBreaker) -> Response:
    headers = [
        (k, v) for k, v in request.headers.raw if k.decode("latin-1").lower() not in HOP_BY_HOP | IDENTITY
    ]
    headers += [
        (CALLER_HEADER.encode(), caller.sign(secret).encode()),
        (b"x-request-id", (request_id_var.get() or "").encode()),
        (b"traceparent", (traceparent_var.get() or "").encode()),
        (b"x-forwarded-for", (request.client.host if request.client else "").encode()),
        (b"x-forwarded-proto", request.url.scheme.encode()),
    ]
    has_body = request.method not in _BODYLESS or "content-length" in request.headers \
        or "transfer-encoding" in request.headers
    if has_body and "content-length" in request.headers:
        headers.append((b"content-length", request.headers["content-length"].encode()))
    upstream = httpx.Request(
        request.method,
        _upstream_url(route, request),
        headers=headers,
        content=request.stream() if has_body else None,
    )
    if not breaker.allow():
        raise _upstream_failed(route, 503, "is unavailable", retry_after=breaker.seconds_until_trial())
    try:
        async with asyncio.timeout(route.timeout_seconds):
            async for attempt in retrying(request.method):
                with attempt:
                    response = await client.send(upstream, stream=True)
    except TimeoutError as exc:
        breaker.failed()
        raise _upstream_failed(route, 504, "did not answer in time") from exc
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        breaker.failed()
        raise _upstream_failed(route, 503, "is not reachable") from exc
    except httpx.TimeoutException as exc:
        breaker.failed()
        raise _upstream_failed(route, 504, "did not answer in time") from exc
    except httpx.TransportError as exc:
        breaker.succeeded()  # it is there, if misbehaving: that is a 502, not a reason to stop asking
        log.warning("upstream transport error", extra={"service": route.service, "error": repr(exc)})
        raise _upstream_failed(route, 502, "failed") from exc
    breaker.succeeded()

    if response.status_code >= 500 and response.status_code not in (503, 504):
        # A service's own failure: don't pass its body (which may describe internals) to the client.
        await response.aclose()
        raise _upstream_failed(route, 502, "failed")
    out_headers = {
        # The body passes through undecoded, so the service's content-length still holds.
        k: v for k, v in response.headers.multi_items()
        if k.lower() not in (HOP_BY_HOP - {"content-length"}) | {"x-request-id", "date", "server"}
    }
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers=out_headers,
        background=BackgroundTask(response.aclose),
    )
