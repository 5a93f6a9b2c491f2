"""Dependencies of the gateway's own routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.identity import Identity
from shared.auth import Caller, Role
from shared.db.engine import Database


def identity_of(request: Request) -> Identity:
    return request.app.state.identity


async def database_of(request: Request) -> Database:
    return request.app.state.db


async def gateway_caller(request: Request) -> Caller:
    caller = getattr(request.state, "caller", None)
    if caller is None:
        caller = await identity_of(request).caller(
            request.headers.get("x-api-key"), request.headers.get("authorization")
        )
        request.state.caller = caller
    return caller


GatewayCallerDep = Annotated[Caller, Depends(gateway_caller)]


def client_of(request: Request, caller: Caller) -> str:
    """Who is asking, as a rate bucket and an idempotency scope count it: the caller's subject (`key:<id>`,
    `jwt:<sub>`), or for an anonymous caller its address, `ip:<address>` (the socket's peer, or what a trusted
    proxy forwarded for: `GATEWAY_TRUSTED_PROXIES`)."""
    return caller.subject or f"ip:{request.client.host if request.client else '-'}"


async def admin_caller(caller: GatewayCallerDep) -> Caller:
    caller.require(Role.admin)
    return caller


async def _admin_guard(request: Request) -> None:
    (await gateway_caller(request)).require(Role.admin)


admin_caller.guard = _admin_guard  # type: ignore[attr-defined]  (checked before the body: shared.auth.GuardedRoute)


AdminDep = Annotated[Caller, Depends(admin_caller)]
DatabaseDep = Annotated[Database, Depends(database_of)]
