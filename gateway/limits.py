"""What a client may send, checked at the front door before any service spends time on it.

- The body is read here, whole, before the request is forwarded: at most the route's `max_bytes` (a larger
  `Content-Length` is refused with 413 before a byte of it is read; a chunked body is cut off with 413 when it
  grows past the limit), within the route's `timeout_seconds` (else 408). A service therefore never waits on a
  client, and a slow client's request never counts against a service's circuit breaker. The limits are data,
  per path, in `routes.toml` (`[body_limits]`).
- An answer given before the body was read (401, 403, 408, 413, 429, ...) closes the connection
  (`Connection: close`), so the unread rest of a body cannot hold the connection open or be taken for the next
  request.

Header size and header read time are limited by the server protocol itself (`shared/http_server.py`).
"""

from __future__ import annotations

import asyncio

from fastapi import Request
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from gateway.routing import BodyLimit
from shared.middleware import HTTPMiddleware
from shared.problems import invalid, problem


class ClientGone(Exception):
    """The client closed the connection before its body arrived: there is no one to answer."""


def too_large(limit: BodyLimit) -> Exception:
    return problem(413, "content-too-large", "Content too large",
                   f"the request body may be at most {limit.max_bytes} bytes on this route",
                   max_bytes=limit.max_bytes)


async def read_body(request: Request, limit: BodyLimit) -> bytes:
    """The whole request body, within `limit`. Raises 413 (too large: checked against `Content-Length` before
    reading), 408 (not all there within `limit.timeout_seconds`), 422 (a `Content-Length` that is not a
    number), or `ClientGone`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise invalid("Content-Length is not a number of bytes", ("header", "Content-Length"))
        if int(declared) > limit.max_bytes:
            raise too_large(limit)
        if int(declared) == 0:
            return b""
    elif "transfer-encoding" not in request.headers:
        return b""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limit.timeout_seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit.max_bytes:
                    raise too_large(limit)
                chunks.append(chunk)
    except TimeoutError as exc:
        raise problem(408, "request-timeout", "Request timeout",
                      f"the request body did not arrive within {limit.timeout_seconds:g} seconds") from exc
    except ClientDisconnect as exc:
        raise ClientGone from exc
    return b"".join(chunks)


class CloseWhenBodyUnreadMiddleware(HTTPMiddleware):
    """Adds `Connection: close` to an answer sent while the request's body has not been read to its end."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ()))
        unread = headers.get(b"transfer-encoding") is not None or headers.get(b"content-length", b"0") != b"0"

        async def receive_tracked() -> Message:
            nonlocal unread
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                unread = False
            return message

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and unread:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive_tracked, send_closing)
