"""The gateway's own database: API keys (the services never see them, only the caller they authenticate)."""

from __future__ import annotations

from sqlalchemy import Column, Enum, MetaData, String, Table, Uuid
from sqlalchemy.orm import registry

from gateway.domain.api_key import ApiKey
from shared.auth import Role
from shared.db.naming import NAMING
from shared.db.types import UTCDateTime

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

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(ApiKey, api_keys)
