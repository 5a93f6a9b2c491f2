"""The columns every table of one kind has, declared once."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Uuid
from sqlalchemy.sql.schema import SchemaItem

from shared.db.types import UTCDateTime


def aggregate_table(name: str, metadata: MetaData, *items: SchemaItem) -> Table:
    """The table an aggregate is mapped onto: its UUID `id`, the columns and indexes given, then the `version`
    (the optimistic lock and the ETag) and the times of its creation and last change."""
    return Table(
        name, metadata,
        Column("id", Uuid, primary_key=True),
        *items,
        Column("version", Integer, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )


def copy_table(name: str, metadata: MetaData, *items: SchemaItem) -> Table:
    """A read model's table: the copied aggregate's `id`, the columns given, its `version` (the newest wins) and
    when the copy was last written."""
    return Table(
        name, metadata,
        Column("id", Uuid, primary_key=True),
        *items,
        Column("version", Integer, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )
