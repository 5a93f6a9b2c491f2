"""The gateway's own database: API keys (the services never see them, only the caller they authenticate)."""

from __future__ import annotations

from sqlalchemy import Column, Enum, Integer, MetaData, String, Table, Text, Uuid
from sqlalchemy.orm import registry

from gateway.domain.api_key import ApiKey
from shared.auth import Role
from shared.db.naming import NAMING
from shared.db.types import JSONType, UTCDateTime

metadata = MetaData(naming_convention=NAMING)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", Enum(Role, native_enum=False, length=20), nullable=False),
    Column("partner_id", Uuid, nullable=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(20), nullable=False),
    Column("created_by", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Answers to POSTs sent with an Idempotency-Key, per caller and key, kept 24 hours (gateway/idempotency.py).
idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("scope", String(64), primary_key=True),  # sha256 of caller and key
    Column("body_hash", String(64), nullable=False),
    Column("state", String(10), nullable=False),  # pending, done
    Column("status", Integer, nullable=True),
    Column("headers", JSONType, nullable=True),
    Column("body", Text, nullable=True),  # base64
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(ApiKey, api_keys)
