"""`Idempotency-Key` on every POST, once for all services, at the front door.

The first request with a key claims it (a row inserted under a unique key: of two racing requests exactly one
claims it) and is forwarded; its answer is kept with a hash of its body. The same key with the same body then
gets that answer again, with no second effect; with another body, a 422. A request that arrives while the first
is still being handled waits for its answer. A 5xx is not kept: the client may try again with the same key.
Keys are per caller (per address for anonymous callers) and kept for 24 hours. The gateway's own POSTs take them
too (`POST /api/v1/admin/api-keys`: a retried request gets the one key it issued).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable

from fastapi import Request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response, StreamingResponse

from gateway.db.models import idempotency_records
from gateway.deps import client_of
from shared.auth import Caller
from shared.db.engine import Database
from shared.db.types import utcnow
from shared.problems import conflict, invalid, problem

log = logging.getLogger("idempotency")

HEADER = "idempotency-key"
KEEP_FOR = dt.timedelta(hours=24)
_KEPT_HEADERS = ("content-type", "location", "etag", "cache-control")


def _valid_key(value: str) -> bool:
    return 1 <= len(value) <= 255 and value.isprintable() and value.isascii()


class IdempotentPosts:
    def __init__(self, db: Database, wait_seconds: float) -> None:
        self.db = db
        self.wait_seconds = wait_seconds

    async def answer(self, request: Request, body: bytes, caller: Caller,
                     forward: Callable[[], Awaitable[Response]]) -> Response:
        """The answer to `request`: made by `forward` once per Idempotency-Key (replayed after), or at once for a
        request without a key."""
        return await self._handle(request, body, caller, forward) or await forward()

    async def _handle(self, request: Request, body: bytes, caller: Caller,
                     forward: Callable[[], Awaitable[Response]]) -> Response | None:
        """The answer for a POST that carries a key (forwarded once, or replayed), or None when it carries none."""
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return None
        if not _valid_key(key):
            raise invalid("Idempotency-Key is 1 to 255 printable ASCII characters", ("header", "Idempotency-Key"))
        digest = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).hexdigest()
        # Per client: an anonymous caller's keys are its address's, never shared with every other anonymous one.
        scope = hashlib.sha256(f"{caller.role.value}:{client_of(request, caller)}:{key}".encode()).hexdigest()
        if not await self._claim(scope, digest):
            return await self._replay(scope, digest)
        try:
            response = await forward()
        except BaseException:
            await self._release(scope)
            raise
        if response.status_code >= 500:
            await self._release(scope)
            return response
        if isinstance(response, StreamingResponse):
            content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[misc]
        else:
            content = bytes(response.body)
        headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        await self._keep(scope, response.status_code, headers, content)
        return Response(content, status_code=response.status_code, headers=dict(response.headers))

    async def _claim(self, scope: str, digest: str) -> bool:
        now = utcnow()
        t = idempotency_records
        async with self.db.write_session() as s, s.begin():
            await s.execute(delete(t).where(t.c.scope == scope, t.c.expires_at < now))
            try:
                async with s.begin_nested():
                    await s.execute(insert(t).values(scope=scope, body_hash=digest, state="pending",
                                                     created_at=now, expires_at=now + KEEP_FOR))
            except IntegrityError:
                return False
        return True

    async def _release(self, scope: str) -> None:
        async with self.db.write_session() as s, s.begin():
            await s.execute(delete(idempotency_records).where(idempotency_records.c.scope == scope))

    async def _keep(self, scope: str, status: int, headers: dict[str, str], content: bytes) -> None:
        t = idempotency_records
        async with self.db.write_session() as s, s.begin():
            await s.execute(update(t).where(t.c.scope == scope).values(
                state="done", status=status, headers=headers, body=base64.b64encode(content).decode()))

    async def _replay(self, scope: str, digest: str) -> Response:
        t = idempotency_records
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while True:
            async with self.db.read() as s:
                row = (await s.execute(select(t).where(t.c.scope == scope))).mappings().first()
            if row is None:
                raise conflict("the first request with this Idempotency-Key failed; send it again")
            if row["body_hash"] != digest:
                raise invalid("this Idempotency-Key was used with another request body",
                              ("header", "Idempotency-Key"), "idempotency_key_reused")
            if row["state"] == "done":
                headers = {**row["headers"], "Idempotent-Replayed": "true"}
                return Response(base64.b64decode(row["body"]), status_code=row["status"], headers=headers)
            if loop.time() > deadline:
                raise problem(409, "conflict", "Conflict", "a request with this Idempotency-Key is still being "
                              "handled; retry shortly", headers={"Retry-After": "1"})
            await asyncio.sleep(0.05)  # the first request is in flight: its answer is what this one returns
