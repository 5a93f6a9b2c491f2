"""What a service admits, and for how long it works on it: the two rules behind "a 5xx means nothing was
committed, a 2xx means it was".

**Deadlines.** The gateway tells a service how long it will wait for the answer, in `X-Request-Timeout-Ms`
(milliseconds from the moment the service reads the request; Envoy's `x-envoy-expected-rq-timeout-ms` is the
same idea). The gateway's own timeout is longer than that by a grace period, so it is always still waiting
when the service answers. Inside the service:
- the unit of work refuses to commit once the deadline has passed (`Deadline.check_before_commit`), and once a
  commit has begun it is never interrupted;
- the database gives up waiting for a lock by the deadline (SQLite's busy timeout, PostgreSQL's `lock_timeout`
  and `statement_timeout`, set per write transaction in `shared/db/engine.py`);
- as a backstop, a request still running shortly after its deadline is cancelled (its transaction is rolled
  back);
and the answer in each case is `503` problem+json with `Retry-After`: nothing was committed, so the client may
send the same request again (with the same `Idempotency-Key`). A request without the header (a direct call, a
test) gets the service's own `<SERVICE>_REQUEST_DEADLINE_SECONDS`; a header asking for more is cut to it.

**Admission.** A service works on at most `<SERVICE>_MAX_REQUESTS_IN_FLIGHT` API requests at once. One more is
answered `503` (`/problems/overloaded`, `Retry-After: 1`) at once, before any work: under a burst, queueing behind
a database lock until the deadline helps nobody, while a quick refusal tells the client to come back.
Health checks and metrics are never refused.
"""

from __future__ import annotations

import asyncio

from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.deadline import Deadline, deadline_var
from shared.middleware import HTTPMiddleware, send_problem

DEADLINE_HEADER = "x-request-timeout-ms"
# On an admission refusal, so the gateway can tell "at its limit, answered at once" from a failure.
SHED_HEADER = "x-request-shed"
RETRY_AFTER_SECONDS = 1
# A request still running this long after its deadline is cancelled; until then the database's own timeouts,
# set to the deadline, are what ends a wait (a cancelled database call is the rougher way out).
CANCEL_AFTER_DEADLINE_SECONDS = 0.5

SHED = Counter("requests_shed_total", "API requests refused at once because the service was at its limit",
               ["service"])
PAST_DEADLINE = Counter("requests_past_deadline_total", "API requests abandoned (rolled back) at their deadline",
                        ["service"])
IN_FLIGHT = Gauge("requests_in_flight", "API requests being worked on", ["service"])


def _requested_seconds(scope: Scope) -> float | None:
    for name, value in scope.get("headers", ()):
        if name == DEADLINE_HEADER.encode():
            try:
                ms = int(value)
            except ValueError:
                return None
            return ms / 1000 if ms > 0 else None
    return None


class DeadlineMiddleware(HTTPMiddleware):
    """Gives each API request its deadline (`X-Request-Timeout-Ms`, at most `max_seconds`), answers 503 when the
    work could not be committed by it, and cancels work still running `CANCEL_AFTER_DEADLINE_SECONDS` later."""

    def __init__(self, app: ASGIApp, service: str, max_seconds: float, prefix: str = "/api/") -> None:
        super().__init__(app, prefix)
        self.service = service
        self.max_seconds = max_seconds

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = min(_requested_seconds(scope) or self.max_seconds, self.max_seconds)
        loop = asyncio.get_running_loop()
        deadline = Deadline(loop.time() + seconds)
        token = deadline_var.set(deadline)
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        timeout = asyncio.timeout_at(deadline.at + CANCEL_AFTER_DEADLINE_SECONDS)
        deadline._timeout = timeout
        try:
            async with timeout:
                await self.app(scope, receive, send_tracked)
        except TimeoutError:
            if not timeout.expired():
                raise
            # Cancelled past its deadline: whatever it had begun was rolled back by its unit of work.
            PAST_DEADLINE.labels(self.service).inc()
            if not started:
                await send_problem(send, 503, "deadline-exceeded", "Service unavailable", PAST_DEADLINE_DETAIL,
                                   {"Retry-After": str(RETRY_AFTER_SECONDS)})
        finally:
            deadline_var.reset(token)


PAST_DEADLINE_DETAIL = "the request could not be completed in time and nothing was changed; send it again"


class AdmissionMiddleware(HTTPMiddleware):
    """At most `limit` API requests at once; the next one is refused with 503 before any work is done."""

    def __init__(self, app: ASGIApp, service: str, limit: int, prefix: str = "/api/") -> None:
        super().__init__(app, prefix)
        self.service = service
        self.limit = limit
        self.in_flight = 0

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.in_flight >= self.limit:
            SHED.labels(self.service).inc()
            await send_problem(send, 503, "overloaded", "Service unavailable",
                               f"the {self.service} service is at its limit of requests in flight and did "
                               "nothing with this one; send it again shortly",
                               {"Retry-After": str(RETRY_AFTER_SECONDS), SHED_HEADER: "1"})
            return
        self.in_flight += 1
        IN_FLIGHT.labels(self.service).set(self.in_flight)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.in_flight -= 1
                IN_FLIGHT.labels(self.service).set(self.in_flight)

        async def send_releasing(message: Message) -> None:
            await send(message)
            # Answered: the client may send its next request now, and it must not find this one still counted
            # while the request's clean-up (closing its session) finishes.
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                release()

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()
