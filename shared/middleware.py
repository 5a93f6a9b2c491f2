"""ASGI middleware every process runs: request ids, trace context, access logs, and (in services) the check
that a request came through the gateway. Pure ASGI, so streaming bodies pass through untouched."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import jwt
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import CALLER_HEADER, Caller
from shared.context import TraceContext, new_request_id, request_id_var, traceparent_var, valid_request_id
from shared.pagination import next_page_link, next_page_var
from shared.problem_types import checked

access_log = logging.getLogger("access")
error_log = logging.getLogger("errors")


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            try:
                return v.decode("latin-1")
            except UnicodeDecodeError:
                return None
    return None


async def send_problem(send: Send, status: int, type_: str, title: str, detail: str,
                       headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"type": f"/problems/{checked(type_)}", "title": title, "status": status,
                       "detail": detail}).encode()
    raw_headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class HTTPMiddleware:
    """A pure ASGI middleware for HTTP requests whose path starts with `prefix` (every one, by default): the
    subclass's `handle` works on those, anything else (lifespan, websockets, other paths) passes through."""

    def __init__(self, app: ASGIApp, prefix: str = "") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestContextMiddleware(HTTPMiddleware):
    """Takes the client's X-Request-ID if valid (else makes one), continues the W3C trace (else starts one),
    answers every response with X-Request-ID, logs one access line, and turns an unhandled exception into a
    500 problem that leaks nothing."""

    def __init__(self, app: ASGIApp, quiet_paths: tuple[str, ...] = ("/healthz", "/readyz", "/metrics")) -> None:
        super().__init__(app)
        self.quiet_paths = quiet_paths

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = valid_request_id(_header(scope, b"x-request-id")) or new_request_id()
        incoming = TraceContext.parse(_header(scope, b"traceparent"))
        trace = incoming.child() if incoming else TraceContext.new()
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(trace.header)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        next_page: dict[str, str] = {}
        page_token = next_page_var.set(next_page)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                if "cursor" in next_page and message["status"] == 200:
                    link = next_page_link(scope.get("path", ""), scope.get("query_string", b""), next_page["cursor"])
                    headers.append((b"link", link.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error", extra={"path": scope.get("path")})
            if not status_holder["started"]:
                await send_problem(send_with_id, 500, "internal-error", "Internal server error",
                                   "The server could not complete the request; it has been logged.")
        finally:
            path = scope.get("path", "")
            if path not in self.quiet_paths:
                route = scope.get("route")
                access_log.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "path": path,
                        "route": getattr(route, "path", None),
                        "status": status_holder["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)
            next_page_var.reset(page_token)


class GatewayTrustMiddleware(HTTPMiddleware):
    """In a service: every `/api/` request must carry the caller the gateway signed. Anything else (a direct
    call, a forged or expired header) is refused before it reaches a route."""

    def __init__(self, app: ASGIApp, secret: Callable[[], str], protected_prefix: str = "/api/") -> None:
        super().__init__(app, protected_prefix)
        self.secret = secret

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _header(scope, CALLER_HEADER.encode())
        caller: Any = None
        if token:
            try:
                caller = Caller.verify(token, self.secret())
            except (jwt.PyJWTError, ValueError, KeyError):
                caller = None
        if caller is None:
            await send_problem(send, 401, "unauthorized", "Unauthorized",
                               "this service answers only requests that come through the gateway")
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)
