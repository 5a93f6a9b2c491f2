"""The columns every table of one kind has, and how an aggregate is mapped onto its table, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Column, Integer, MetaData, Table, Uuid, event
from sqlalchemy.orm import registry
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


def map_aggregate(mappers: registry, aggregate: type, table: Table, **options: Any) -> None:
    """Map an aggregate class onto its `aggregate_table`. Its `version` is the optimistic lock: an update matches
    only the version it was loaded at, and the domain advances it (`Aggregate`, shared/domain.py), so the mapping
    never generates one. `options` as for `registry.map_imperatively` (properties, ...)."""
    mappers.map_imperatively(aggregate, table, version_id_col=table.c.version, version_id_generator=False, **options)


Hook = TypeVar("Hook", bound=Callable[..., None])


def before_save(aggregate: type) -> Callable[[Hook], Hook]:
    """Registers the decorated `fn(mapper, connection, instance)` to run before each insert and each update of an
    `aggregate`: it writes the columns the table derives from the aggregate (search text, tags), so they never
    lag behind what they are derived from."""

    def register(fn: Hook) -> Hook:
        event.listen(aggregate, "before_insert", fn)
        event.listen(aggregate, "before_update", fn)
        return fn

    return register


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
