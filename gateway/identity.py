"""Who is calling: an API key (X-API-Key), a person's JWT (Authorization: Bearer), or nobody (anonymous).

Bad credentials are a 401 even on public routes: a client that sent a key expects it to count, and silently
treating it as anonymous would hide a revoked or mistyped key.
"""

from __future__ import annotations

import hmac
import time
import uuid

import jwt
from async_lru import alru_cache
from sqlalchemy import select

from gateway.domain.api_key import ApiKey, hash_key
from gateway.settings import GatewaySettings
from shared.auth import ANONYMOUS, Caller, Role, jwt_subject, key_subject
from shared.db.engine import Database
from shared.problems import unauthorized

BOOTSTRAP_ADMIN = "bootstrap-admin"


class Identity:
    def __init__(self, settings: GatewaySettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        # Who a key belongs to, for a few seconds (0: only while the lookup runs): a key's concurrent callers
        # share one lookup. Without the sharing, all requests in flight missed together when the entry expired,
        # each with its own query, and stalled every `api_key_cache_seconds` (a 100 ms p99 in `make bench`).
        self._key_owner = alru_cache(maxsize=10_000, ttl=settings.api_key_cache_seconds)(self._lookup)
        if settings.jwt_public_key:
            self._jwt_key: str = settings.jwt_public_key
            self._jwt_algorithms = ["RS256"]
        else:
            assert settings.jwt_secret is not None
            self._jwt_key = settings.jwt_secret.get_secret_value()
            self._jwt_algorithms = ["HS256"]
        self._jwt_required = ["exp", "sub", "role", *(["aud"] if settings.jwt_audience else []),
                              *(["iss"] if settings.jwt_issuer else [])]

    async def caller(self, api_key: str | None, authorization: str | None) -> Caller:
        if api_key is not None:
            return await self._by_key(api_key.strip())
        if authorization is not None:
            scheme, _, token = authorization.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise unauthorized("Authorization must be 'Bearer <token>'")
            return self._by_token(token.strip())
        return ANONYMOUS

    async def _by_key(self, key: str) -> Caller:
        admin = self.settings.admin_api_key
        if admin is not None and hmac.compare_digest(key.encode(), admin.get_secret_value().encode()):
            return Caller(Role.admin, subject=key_subject(BOOTSTRAP_ADMIN), via="api-key")
        caller = await self._key_owner(hash_key(key))
        if caller is None:
            raise unauthorized("unknown or revoked API key")
        return caller

    async def _lookup(self, digest: str) -> Caller | None:
        async with self.db.read() as s:
            found = (await s.execute(select(ApiKey).where(ApiKey.key_hash == digest))).scalar_one_or_none()  # type: ignore[arg-type]
        if found is None or not found.active:
            return None
        return Caller(found.role, subject=key_subject(found.id), partner_id=found.partner_id, via="api-key")

    def forget_key(self, key_hash: str) -> None:
        """Revocation takes effect at once on this process."""
        self._key_owner.cache_invalidate(key_hash)

    def _by_token(self, token: str) -> Caller:
        settings = self.settings
        try:
            claims = jwt.decode(
                token, self._jwt_key, algorithms=self._jwt_algorithms, audience=settings.jwt_audience,
                issuer=settings.jwt_issuer, leeway=5,
                options={"require": self._jwt_required, "verify_aud": bool(settings.jwt_audience)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("token expired") from exc
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
            raise unauthorized("token is not for this API (its audience or issuer)") from exc
        except jwt.PyJWTError as exc:
            raise unauthorized("token invalid") from exc
        # A lifetime is exp - iat; without iat, what is left of it from now. Either way no longer than the setting.
        issued = claims.get("iat") if isinstance(claims.get("iat"), int | float) else time.time()
        if claims["exp"] - issued > settings.jwt_max_lifetime_seconds + 5:
            raise unauthorized(f"token lives longer than {settings.jwt_max_lifetime_seconds} s: ask for a shorter one")
        try:
            role = Role(claims["role"])
            partner = claims.get("partner_id")
            partner_id = uuid.UUID(str(partner)) if partner else None
        except (ValueError, TypeError) as exc:
            raise unauthorized("token has an unknown role or a malformed partner_id") from exc
        if role is Role.anonymous:
            raise unauthorized("token has an unknown role")
        if role is Role.partner and partner_id is None:
            raise unauthorized("a partner token must carry partner_id")
        return Caller(role, subject=jwt_subject(claims["sub"]), partner_id=partner_id, via="jwt")
