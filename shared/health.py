"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: what it depends on answers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[object]]


def health_router(checks: dict[str, Check], required: set[str] | None = None, timeout: float = 2.0) -> APIRouter:
    """`required` checks decide readiness; the others are reported (a service whose broker is down still takes
    writes into its outbox, so it stays in rotation)."""
    router = APIRouter(include_in_schema=False)
    must = required if required is not None else set(checks)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        async def run(check: Check) -> str:
            try:
                await asyncio.wait_for(check(), timeout)
                return "ok"
            except Exception as exc:
                return f"failing: {type(exc).__name__}"

        results = dict(zip(checks, await asyncio.gather(*(run(c) for c in checks.values())), strict=True))
        ready = all(results[name] == "ok" for name in must)
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": results}, status_code=200 if ready else 503
        )

    return router
