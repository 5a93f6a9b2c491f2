"""What keeps one failing service from taking the others down with it: a circuit breaker per service, and
retries for requests that are safe to repeat.

A service that refuses connections or times out `failures` times in a row has its circuit opened: for the next
`open_seconds` the gateway answers its requests at once with a 503 instead of waiting on it. Then one trial
request goes through; if the service answers, the circuit closes again, otherwise it stays open another while.
Only a connection that could not be made is retried (the request never reached the service), and only for
GET, HEAD and OPTIONS.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from prometheus_client import Gauge
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

T = TypeVar("T")

CIRCUIT_OPEN = Gauge("gateway_circuit_open", "1 while a service's circuit is open (failing fast)", ["service"])
SAFE_TO_REPEAT = frozenset({"GET", "HEAD", "OPTIONS"})


class CircuitBreaker:
    def __init__(self, service: str, failures: int, open_seconds: float) -> None:
        self.service = service
        self.failures = failures
        self.open_seconds = open_seconds
        self.consecutive = 0
        self.opened_at: float | None = None
        self.trial_in_flight = False

    def allow(self) -> bool:
        """May a request go to the service now? While open, no; after `open_seconds`, one trial at a time."""
        if self.opened_at is None:
            return True
        if time.monotonic() - self.opened_at < self.open_seconds or self.trial_in_flight:
            return False
        self.trial_in_flight = True
        return True

    def succeeded(self) -> None:
        self.consecutive = 0
        self.trial_in_flight = False
        if self.opened_at is not None:
            self.opened_at = None
            CIRCUIT_OPEN.labels(self.service).set(0)

    def failed(self) -> None:
        self.consecutive += 1
        if self.trial_in_flight or self.consecutive >= self.failures:
            self.opened_at = time.monotonic()
            CIRCUIT_OPEN.labels(self.service).set(1)
        self.trial_in_flight = False

    def seconds_until_trial(self) -> int:
        if self.opened_at is None:
            return 0
        return max(1, round(self.open_seconds - (time.monotonic() - self.opened_at)))


async def with_retries(method: str, send: Callable[[], Awaitable[T]]) -> T:
    """`send()`, and when no connection could be made, for safe methods only, up to two more tries 50 then 100 ms
    apart. The first try runs bare: building tenacity's retry loop for every request cost the gateway 4 % of its
    CPU (docs/performance.md), and almost every request needs one try."""
    try:
        return await send()
    except aiohttp.ClientConnectorError:
        if method not in SAFE_TO_REPEAT:
            raise
    await asyncio.sleep(0.05)
    async for attempt in AsyncRetrying(retry=retry_if_exception_type(aiohttp.ClientConnectorError),
                                       stop=stop_after_attempt(2), wait=wait_exponential(multiplier=0.1, max=0.2),
                                       reraise=True):
        with attempt:
            return await send()
    raise AssertionError("unreachable: the last try's error is re-raised")
