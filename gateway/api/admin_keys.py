"""`/api/v1/admin/api-keys`: admins issue, list and revoke API keys. The key is shown once, at issue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from gateway.deps import AdminDep, DatabaseDep, identity_of
from gateway.domain.api_key import ApiKey
from gateway.idempotency import IdempotentPosts
from gateway.proxy import upstream_failed
from gateway.rate_limits import rate_limited
from gateway.upstream import ask
from shared.auth import Caller, GuardedRoute, Role
from shared.db.types import utcnow
from shared.domain import RuleViolated
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import not_found
from shared.validation import ShortText

router = APIRouter(route_class=GuardedRoute, prefix="/api/v1/admin/api-keys", tags=["admin: API keys"],
                   dependencies=[Depends(rate_limited)])


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Zoo Vienna systems", "role": "partner", "partner_id": "0192f0a4-7c1e-7d3a-9b2e-3f4a5b6c7d8e"},
    ]})
    name: ShortText
    role: Role = Field(description="admin, coordinator, analyst, partner or member")
    partner_id: uuid.UUID | None = Field(None, description="Required for (and only for) role partner")


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    role: Role
    partner_id: uuid.UUID | None
    key_prefix: str = Field(description="The key's first characters, to recognise it in a list")
    created_by: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls.model_validate(key, from_attributes=True)


class IssuedApiKey(ApiKeyOut):
    key: str = Field(description="The secret key. Shown this once: store it now.")


@router.post("", status_code=201, response_model=IssuedApiKey)
async def issue_api_key(body: ApiKeyIn, caller: AdminDep, db: DatabaseDep, request: Request) -> Response:
    """Issue a key; its secret is in this answer only (`Cache-Control: no-store`). With an `Idempotency-Key`, a
    retried request gets this same answer again and no second key (gateway/idempotency.py)."""

    if body.partner_id is not None:
        await _check_partner_exists(request, caller, body.partner_id)

    async def issue() -> Response:
        key, secret = ApiKey.issue(name=body.name, role=body.role, partner_id=body.partner_id,
                                  created_by=caller.subject, now=utcnow())
        async with db.write_session() as s:
            s.add(key)
            await s.commit()
        issued = IssuedApiKey(**ApiKeyOut.of(key).model_dump(), key=secret)
        return JSONResponse(issued.model_dump(mode="json"), status_code=201,
                            headers={"Location": f"{router.prefix}/{key.id}", "Cache-Control": "no-store"})

    posts: IdempotentPosts = request.app.state.idempotent_posts
    return await posts.answer(request, await request.body(), caller, issue)


async def _check_partner_exists(request: Request, caller: Caller, partner_id: uuid.UUID) -> None:
    """422 on `partner_id` unless partnerships knows the partner; 503 when it cannot say now. Asked of the
    partnerships service itself, at issue time: keys are issued rarely and by hand, and a copy of the partners
    here would make the gateway a Kafka consumer for this one lookup."""
    answer = await ask(request, caller, "partnerships", f"/partners/{partner_id}")
    if answer is not None and answer.status_code == 404:
        raise RuleViolated(f"no partner {partner_id} is known: register the institution first",
                           ("body", "partner_id"), "unknown_partner")
    if answer is None or answer.status_code != 200:  # it could not say: nothing is issued, the client tries again
        raise upstream_failed("partnerships", "unreachable")


@router.get("", response_model=Page[ApiKeyOut])
async def list_api_keys(_caller: AdminDep, db: DatabaseDep, limit: Limit = 50, cursor: Cursor = None) -> Any:
    """The API keys issued, newest first, without their secrets (admins)."""
    async with db.read() as s:
        rows, next_cursor = await keyset_page(s, select(ApiKey), [ApiKey.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[ApiKeyOut.of(k) for k in rows], next_cursor=next_cursor)


@router.get("/{key_id}", response_model=ApiKeyOut)
async def read_api_key(key_id: uuid.UUID, _caller: AdminDep, db: DatabaseDep) -> Any:
    """One API key: its name, role, partner and state, never its secret (admins)."""
    async with db.read() as s:
        key = await s.get(ApiKey, key_id)
    if key is None:
        raise not_found(f"no API key {key_id}")
    return ApiKeyOut.of(key)


@router.delete("/{key_id}", status_code=204)
async def revoke_api_key(key_id: uuid.UUID, _caller: AdminDep, db: DatabaseDep, request: Request) -> Response:
    """Revoke a key at once: every request with it is refused from then on (admins). 204."""
    async with db.write_session() as s:
        key = await s.get(ApiKey, key_id)
        if key is None:
            raise not_found(f"no API key {key_id}")
        key.revoke(utcnow())
        await s.commit()
    identity_of(request).forget_key(key.key_hash)
    return Response(status_code=204)
