"""Ids are UUIDv7: unique without coordination, and time-ordered, so `ORDER BY id` is creation order and
a keyset page on the primary key is an index seek."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid6.uuid7().bytes)
