"""The HTTP/1.1 server protocol every process runs: uvicorn's httptools protocol with the two limits it lacks.

uvicorn (with httptools) waits for a request's headers as long as the client likes and takes headers of any
size: a client that sends one header byte every few seconds holds a connection for minutes, and an 8 MB header
was forwarded whole to a service. Here:

- **Header read timeout.** From a connection's first byte (or from the first byte of a later request on a
  kept-alive connection) the whole request head must arrive within `HTTP_HEADER_TIMEOUT_SECONDS` (default 10),
  else the answer is `408 Request Timeout` and the connection is closed. (Go's `ReadHeaderTimeout`, Node's
  `headersTimeout`.) An idle kept-alive connection is still governed by uvicorn's `--timeout-keep-alive`.
- **Header size limit.** A request line plus headers larger than `HTTP_MAX_HEADER_BYTES` (default 16 KiB, as
  h11 and Node) is answered `431 Request Header Fields Too Large` (RFC 6585 §5) and the connection is closed,
  before the head is handed to the application. The bytes are counted as they arrive, so an endless header
  never accumulates in memory.

Use it with `uvicorn --http shared.http_server:LimitedHttpToolsProtocol` (every command in `deploy/` does).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.problem_types import checked


class ServerLimits(BaseSettings):
    """Unprefixed: the same for the gateway and every service."""

    model_config = SettingsConfigDict(extra="ignore")

    max_header_bytes: int = Field(16 * 1024, ge=1024, validation_alias="HTTP_MAX_HEADER_BYTES")
    header_timeout_seconds: float = Field(10.0, gt=0, validation_alias="HTTP_HEADER_TIMEOUT_SECONDS")


LIMITS = ServerLimits()
HTTP_PROTOCOL = "shared.http_server:LimitedHttpToolsProtocol"  # uvicorn's --http


def _problem(status: int, reason: str, type_: str, title: str, detail: str) -> bytes:
    body = json.dumps({"type": f"/problems/{checked(type_)}", "title": title, "status": status,
                       "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
    return head + body


HEAD_TOO_LARGE = _problem(431, "Request Header Fields Too Large", "headers-too-large",
                          "Request header fields too large",
                          f"the request line and headers may be at most {LIMITS.max_header_bytes} bytes")
HEAD_TOO_SLOW = _problem(408, "Request Timeout", "request-timeout", "Request timeout",
                         f"the request headers did not arrive within {LIMITS.header_timeout_seconds:g} seconds")


class _HeadRefused(Exception):
    """Raised from a parser callback to stop parsing; uvicorn then calls `send_400_response`."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus a header read timeout and a header size limit (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = False  # between a request's first byte and the end of its headers
        self._head_bytes = 0  # bytes received while reading the head (a bound on a head split over reads)
        self._head_size = 0  # the parsed head's size: request target and headers
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: bytes | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is a head that never arrives, too.
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
            if self._head_bytes > LIMITS.max_header_bytes:
                self._refuse(HEAD_TOO_LARGE)
                return
        super().data_received(data)

    # Parser callbacks: the exact size of the head, so a large head that arrived in one read is caught too.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_bytes = self._head_size = 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def _count_head(self, size: int) -> None:
        self._head_size += size
        if self._head_size > LIMITS.max_header_bytes:
            self._refusal = HEAD_TOO_LARGE
            raise _HeadRefused

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers every parser error with a 400; a head refused by a callback above gets its own answer.
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    # The timer

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self.loop.call_later(LIMITS.header_timeout_seconds, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        answering = self.cycle is not None and not self.cycle.response_complete and not self._reading_head
        if not answering:
            self._refuse(HEAD_TOO_SLOW)

    def _refuse(self, answer: bytes) -> None:
        self._disarm_head_timer()
        self._reading_head = False
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()
