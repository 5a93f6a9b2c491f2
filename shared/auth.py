"""Who is calling. The gateway authenticates clients and passes the caller to the services in one header,
signed with the internal secret; a service trusts nothing else, so a request that bypassed the gateway (or
carries a forged caller) is refused.

In a service, `caller: CallerDep` is the caller; object-level rules are one line where they apply:
`caller.require(Role.coordinator)` or `if not caller.may_see_partner(partner_id): raise ...`.
"""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from cachetools import TTLCache
from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.problems import forbidden, unauthorized
from shared.roles import SIGNED_IN, STAFF, WRITERS, Role

__all__ = ["SIGNED_IN", "STAFF", "WRITERS", "Caller", "Role"]  # the roles are re-exported for the API layer

CALLER_HEADER = "x-internal-caller"
_AUDIENCE = "panda-coop-services"
_ISSUER = "panda-coop-gateway"
_TOKEN_SECONDS = 60
# The gateway signs the caller on every request and the service verifies it: an HMAC and a JSON round trip on
# each side, for a caller that is the same one request after another. A signed token is reused while more than
# half its life is left, and a service verifies each token once (then only checks that it has not expired).
_REUSE_SECONDS = _TOKEN_SECONDS / 2
_signed: TTLCache[tuple[Caller, str], str] = TTLCache(maxsize=10_000, ttl=_REUSE_SECONDS)
_verified: TTLCache[tuple[str, str], tuple[Caller, int]] = TTLCache(maxsize=10_000, ttl=_REUSE_SECONDS)


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role
    # Who, in a namespace of its own: `key:<API key id>` or `jwt:<the token's sub>` (shared.auth.KEY_SUBJECT,
    # JWT_SUBJECT), so a person's token can never pass for an API key in a rate bucket, an idempotency scope or
    # "own" records, whatever its `sub` says.
    subject: str | None = None
    partner_id: uuid.UUID | None = None  # set for partner callers (and people who belong to a partner)
    via: str = "anonymous"  # "api-key", "jwt" or "anonymous"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.anonymous

    def require(self, *roles: Role) -> None:
        """401 for an anonymous caller, 403 for a caller whose role is not among `roles` (admin always is)."""
        if self.role is Role.admin or self.role in roles:
            return
        if self.is_anonymous:
            raise unauthorized("this action needs credentials: send X-API-Key or Authorization: Bearer")
        raise forbidden(f"role {self.role.value} may not do this; it needs one of: "
                        + ", ".join(sorted(r.value for r in {Role.admin, *roles})))

    def require_staff(self) -> None:
        self.require(*STAFF)

    def require_writer(self) -> None:
        self.require(*WRITERS)

    def may_see_partner(self, partner_ids: uuid.UUID | set[uuid.UUID] | list[uuid.UUID]) -> bool:
        """Staff see every partner's private records; a partner caller only its own institution's."""
        if self.is_staff:
            return True
        if self.partner_id is None:
            return False
        if isinstance(partner_ids, uuid.UUID):
            return partner_ids == self.partner_id
        return self.partner_id in partner_ids

    # --- the signed header between gateway and services -------------------------------------------------

    def sign(self, secret: str) -> str:
        """The caller as a JWT (HS256) for `CALLER_HEADER`, valid `_TOKEN_SECONDS`; the same token while it is
        fresh (`_REUSE_SECONDS`)."""
        token = _signed.get((self, secret))
        if token is None:
            token = _signed[(self, secret)] = self._signed_now(secret)
        return token

    def _signed_now(self, secret: str) -> str:
        now = int(time.time())
        claims = {
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "iat": now,
            "exp": now + _TOKEN_SECONDS,
            "role": self.role.value,
            "via": self.via,
        }
        # Absent rather than null: PyJWT refuses a `sub` that is not a string.
        if self.subject is not None:
            claims["sub"] = self.subject
        if self.partner_id is not None:
            claims["partner_id"] = str(self.partner_id)
        return jwt.encode(claims, secret, algorithm="HS256")

    @classmethod
    def verify(cls, token: str, secret: str) -> Caller:
        """The caller a `sign`ed token names. Raises `jwt.PyJWTError` (bad signature, audience, issuer or claims,
        expired), `ValueError` or `KeyError` for a token that is not one of ours."""
        known = _verified.get((token, secret))
        if known is not None and known[1] > time.time():
            return known[0]
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=_AUDIENCE, issuer=_ISSUER,
            options={"require": ["exp", "iat", "role"]},
        )
        partner = claims.get("partner_id")
        caller = cls(
            role=Role(claims["role"]),
            subject=claims.get("sub"),
            partner_id=uuid.UUID(partner) if partner else None,
            via=claims.get("via", "anonymous"),
        )
        _verified[(token, secret)] = (caller, int(claims["exp"]))
        return caller


ANONYMOUS = Caller(Role.anonymous)
KEY_SUBJECT = "key:"
JWT_SUBJECT = "jwt:"
SUBJECT_MAX = 200  # the columns that keep a subject (`applicant`, `created_by`) are this wide


def key_subject(key_id: object) -> str:
    return f"{KEY_SUBJECT}{key_id}"


def jwt_subject(sub: object) -> str:
    return f"{JWT_SUBJECT}{sub}"[:SUBJECT_MAX]


def caller_of(request: Request) -> Caller:
    """Set by the service's gateway-trust middleware; a request without it never reaches a route."""
    caller = getattr(request.state, "caller", None)
    if caller is None:
        raise unauthorized("request did not come through the gateway")
    return caller


# Dependencies are `async def` although they await nothing: FastAPI runs a plain `def` dependency in a worker
# thread, a thread hop per request for a dictionary lookup (docs/performance.md).
async def current_caller(request: Request) -> Caller:
    return caller_of(request)


CallerDep = Annotated[Caller, Depends(current_caller)]


def requires(*roles: Role) -> object:
    """A dependency that lets through only callers with one of `roles` (admin always). On a route of a
    `GuardedRoute` router it is checked before the body is read, so an anonymous caller gets 401 and a wrong role
    403 whatever it sent."""

    async def check(caller: CallerDep) -> Caller:
        caller.require(*roles)
        return caller

    check.guard = lambda request: caller_of(request).require(*roles)  # type: ignore[attr-defined]
    return Depends(check)


Guard = Callable[[Request], "Awaitable[object] | object"]


def _guards(dependant: Dependant) -> list[Guard]:
    found = [guard] if (guard := getattr(dependant.call, "guard", None)) else []
    for sub in dependant.dependencies:
        found += [g for g in _guards(sub) if g not in found]
    return found


class GuardedRoute(APIRoute):
    """A route that checks who may call it before it reads the body.

    FastAPI reads and parses a request's body before it solves the dependencies, so a role check written as a
    dependency would come after a body that cannot be parsed (an anonymous POST of broken JSON got 422, not 401)
    and after a large body was read. Dependencies that carry a `guard` (every `requires(...)` does: `WriterDep`,
    `StaffDep`, `SignedInDep`) are run here first, from the request's headers alone; they run again as ordinary
    dependencies, at no cost. Routers are made with `APIRouter(route_class=GuardedRoute)`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        guards = _guards(self.dependant)
        if not guards:
            return handler

        async def guarded(request: Request) -> Response:
            for guard in guards:
                if inspect.isawaitable(result := guard(request)):
                    await result
            return await handler(request)

        return guarded


WriterDep = Annotated[Caller, requires(*WRITERS)]
StaffDep = Annotated[Caller, requires(*STAFF)]
SignedInDep = Annotated[Caller, requires(*SIGNED_IN)]
