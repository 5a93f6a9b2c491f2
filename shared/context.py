"""Per-request context (request id, W3C trace context), carried in contextvars so logs and events see it."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def valid_request_id(value: str | None) -> str | None:
    """A client's X-Request-ID is kept only if it is short and plain; anything else is replaced."""
    return value if value and _REQUEST_ID.match(value) else None


def new_request_id() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class TraceContext:
    trace_id: str
    parent_id: str
    flags: str = "01"

    @classmethod
    def parse(cls, header: str | None) -> TraceContext | None:
        if not header:
            return None
        m = _TRACEPARENT.match(header.strip().lower())
        if not m or m.group(1) == "0" * 32 or m.group(2) == "0" * 16:
            return None
        return cls(m.group(1), m.group(2), m.group(3))

    @classmethod
    def new(cls) -> TraceContext:
        return cls(secrets.token_hex(16), secrets.token_hex(8))

    def child(self) -> TraceContext:
        """The same trace, a new span: what this hop passes on downstream."""
        return TraceContext(self.trace_id, secrets.token_hex(8), self.flags)

    @property
    def header(self) -> str:
        return f"00-{self.trace_id}-{self.parent_id}-{self.flags}"


def current_trace_id() -> str | None:
    tc = TraceContext.parse(traceparent_var.get())
    return tc.trace_id if tc else None
