"""Talking to the gateway: one pooled HTTP client for every caller, and a caller per API key.

A POST carries an Idempotency-Key, so one that failed on the way (connection lost, 502/503/504) is sent again
safely with the same key. A 429 is sent again after its Retry-After, and a 422 that names a partner, agreement,
project or work the service has not yet learned of (from another service's events) is sent again for up to
`EVENT_WAIT_SECONDS`; both with a new key, since the answer to the old one is kept for it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

API = "/api/v1"
EVENT_WAIT_SECONDS = 60.0  # how long a write waits for another service to learn of what it names
MAX_FAILURES = 5  # dropped connections and 502/503/504 answers one request lives through


class DemoError(Exception):
    """The demo could not be loaded; the message says why."""


class AlreadyLoaded(DemoError):
    """The database holds the demo's partners already."""


class ApiError(DemoError):
    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"{method} {API}{path} answered {status}: {detail}")
        self.status = status


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        errors = "; ".join(f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in body.get("errors") or [])
        return f"{body.get('detail') or body.get('title')}{' (' + errors + ')' if errors else ''}"
    return str(body)[:300]


def _names_something_unknown(response: httpx.Response) -> bool:
    """A 422 because the service has not yet learned (from another service's events) of a partner, agreement,
    project or work the request names: worth asking again in a moment."""
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(str(e.get("type", "")).startswith("unknown_") for e in errors)


@dataclass
class _Attempts:
    """One request's attempts so far: the key it goes with, its failures, how long it may wait for events."""

    idempotency_key: str | None
    failures: int = 0
    wait_for_events_until: float | None = None


class Gateway:
    """One HTTP client for every caller, at most `concurrency` requests in flight. POSTs carry an
    Idempotency-Key, so one that failed on the way (connection lost, 502/503/504) is sent again safely."""

    def __init__(self, url: str, concurrency: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=httpx.Timeout(60.0, connect=10.0),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self.slots = asyncio.Semaphore(concurrency)
        self.run = uuid.uuid4().hex[:12]
        self.numbers = itertools.count(1)
        self.requests = 0
        self.throttled = 0
        self.waited_for_events = 0
        self.retried = 0

    def _idempotency_key(self) -> str:
        return f"demo-{self.run}-{next(self.numbers)}"

    async def send(self, api_key: str, method: str, path: str, body: Any = None,
                   params: dict[str, Any] | None = None) -> Any:
        attempts = _Attempts(self._idempotency_key() if method == "POST" else None)
        while True:
            headers = {"X-API-Key": api_key}
            if attempts.idempotency_key:
                headers["Idempotency-Key"] = attempts.idempotency_key
            try:
                async with self.slots:
                    r = await self.http.request(method, API + path, json=body, params=params, headers=headers)
            except httpx.TransportError as exc:
                attempts.failures += 1
                if attempts.failures > MAX_FAILURES:
                    raise ApiError(method, path, 0, f"no answer: {exc!r}") from exc
                await self._back_off(attempts)
                continue
            self.requests += 1
            if r.status_code < 300:
                return r.json() if r.content else None
            if not await self._worth_again(r, attempts):
                raise ApiError(method, path, r.status_code, _detail(r))

    async def _back_off(self, attempts: _Attempts) -> None:
        self.retried += 1
        await asyncio.sleep(0.5 * attempts.failures)

    async def _worth_again(self, r: httpx.Response, attempts: _Attempts) -> bool:
        """Whether to send a refused request again; if so, after waiting as long as its answer asks."""
        if r.status_code == 429:  # the caller's rate limit: wait as told, then a new attempt
            self.throttled += 1
            await asyncio.sleep(min(float(r.headers.get("Retry-After") or 1), 10.0))
            attempts.idempotency_key = attempts.idempotency_key and self._idempotency_key()
            return True
        if r.status_code in (502, 503, 504) and attempts.failures < MAX_FAILURES:
            attempts.failures += 1
            await self._back_off(attempts)
            return True
        if r.status_code == 422 and _names_something_unknown(r):
            now = time.monotonic()
            attempts.wait_for_events_until = attempts.wait_for_events_until or now + EVENT_WAIT_SECONDS
            if now < attempts.wait_for_events_until:
                self.waited_for_events += 1
                await asyncio.sleep(0.3)
                # a 422 is kept for its key: the next attempt needs a new one
                attempts.idempotency_key = attempts.idempotency_key and self._idempotency_key()
                return True
        return False


@dataclass
class Caller:
    gateway: Gateway
    key: str

    async def get(self, path: str, **params: Any) -> Any:
        return await self.gateway.send(self.key, "GET", path, params=params or None)

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self.gateway.send(self.key, "POST", path, body)

    async def patch(self, path: str, body: dict[str, Any]) -> Any:
        return await self.gateway.send(self.key, "PATCH", path, body)

    async def act(self, path: str, action: str, **fields: Any) -> Any:
        return await self.post(f"{path}/transitions", {"action": action, **fields})

    async def every(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = await self.get(path, limit=200, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def run_all(coroutines: Iterable[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run them together; the first failure cancels the rest and is raised as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coroutines]
    except BaseExceptionGroup as failed:
        first: BaseException = failed
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [t.result() for t in tasks]
