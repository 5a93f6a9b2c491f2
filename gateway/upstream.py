"""What the gateway itself asks of a service (the aggregates, the key issue's partner check): a GET as a given
caller, signed as the proxy signs a forwarded request, within the service's timeout."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from fastapi import Request

from gateway.routing import RoutingTable
from shared.auth import Caller
from shared.context import request_id_var, traceparent_var

log = logging.getLogger("upstream")


async def ask(request: Request, caller: Caller, service: str, path: str, params: dict[str, Any] | None = None
              ) -> httpx.Response | None:
    """`GET <service>/api/v1/<service><path>` asked as `caller` (signed as the proxy signs it), within the
    service's timeout; None when the service is unknown, down or too slow."""
    table: RoutingTable = request.app.state.routing
    route = table.by_service(service)
    if route is None:
        return None
    settings = request.app.state.settings
    headers = {"x-internal-caller": caller.sign(settings.internal_secret()),
               "x-request-id": request_id_var.get() or "", "traceparent": traceparent_var.get() or ""}
    try:
        async with asyncio.timeout(route.timeout_seconds):
            return await request.app.state.http.get(f"{route.upstream}{route.prefix}{path}", params=params,
                                                    headers=headers)
    except Exception as exc:  # down or slow: the caller decides what a missing answer means
        log.warning("upstream read failed", extra={"service": service, "path": path, "error": repr(exc)})
        return None


async def fetch(request: Request, caller: Caller, service: str, path: str, params: dict[str, Any] | None = None
                ) -> Any | None:
    """One service's JSON answer, asked as `caller`; None when it fails, is down or is too slow."""
    r = await ask(request, caller, service, path, params)
    try:
        return r.json() if r is not None and r.status_code == 200 else None
    except ValueError:  # not JSON: the part is missing, the rest still answers
        return None
