"""API keys for partner institutions' systems and internal tools.

The key itself is shown once, at issue; only its SHA-256 is kept. A key is 256 random bits, so a fast hash
is enough (no password-style stretching needed) and lets a request be checked with one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from shared.domain import RuleViolated
from shared.ids import new_id
from shared.roles import Role

KEY_PREFIX = "pcoop_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey:
    def __init__(
        self,
        *,
        id: uuid.UUID,
        name: str,
        role: Role,
        partner_id: uuid.UUID | None,
        key_hash: str,
        key_prefix: str,
        created_by: str | None,
        created_at: dt.datetime,
        revoked_at: dt.datetime | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.role = role
        self.partner_id = partner_id
        self.key_hash = key_hash
        self.key_prefix = key_prefix
        self.created_by = created_by
        self.created_at = created_at
        self.revoked_at = revoked_at

    @classmethod
    def issue(
        cls, *, name: str, role: Role, partner_id: uuid.UUID | None, created_by: str | None, now: dt.datetime
    ) -> tuple[ApiKey, str]:
        """A new key and its secret, which is never stored and never shown again."""
        if role is Role.anonymous:
            raise RuleViolated("a key cannot have role anonymous", ("body", "role"))
        if role is Role.partner and partner_id is None:
            raise RuleViolated("a partner key must name its partner_id", ("body", "partner_id"))
        if role is not Role.partner and partner_id is not None:
            raise RuleViolated("only a partner key is bound to a partner_id", ("body", "partner_id"))
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls(
            id=new_id(), name=name, role=role, partner_id=partner_id, key_hash=hash_key(secret),
            key_prefix=secret[: len(KEY_PREFIX) + 6], created_by=created_by, created_at=now,
        )
        return key, secret

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: dt.datetime) -> None:
        if self.revoked_at is None:  # revoking twice changes nothing
            self.revoked_at = now
