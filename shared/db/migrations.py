"""Alembic glue written once: every service's `env.py` calls `run_migrations`, and `upgrade()` migrates a
database from code (the dev runner and the tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = ROOT / "alembic.ini"


def alembic_config(name: str, database_url: str | None = None) -> Config:
    """`name` is a section of alembic.ini: a service's name, or `gateway`."""
    cfg = Config(str(ALEMBIC_INI), ini_section=name)
    cfg.set_main_option("script_location", str(ROOT / cfg.get_main_option("script_location", "")))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(name: str, database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(name, database_url), revision)


def include_object(metadata: MetaData) -> Any:
    """Autogenerate's filter: what the database has beyond the models on purpose (names in
    `metadata.info["database_only"]`, e.g. a full-text index in the database's own form) is not a difference."""
    database_only = metadata.info.get("database_only", set())

    def include(_object: Any, name: str | None, _type: str, reflected: bool, compare_to: Any) -> bool:
        return not (reflected and compare_to is None and name in database_only)

    return include


def run_migrations(metadata: MetaData, settings: type[CommonSettings]) -> None:
    """The body of each `env.py`: online migrations over the async driver, batch mode for SQLite ALTERs. The
    URL is the one given to `upgrade`, else the one the database's settings name."""
    url = context.config.attributes.get("database_url") or settings.for_tooling().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object(metadata),
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run())


def namespace_subjects(table: str, column: str) -> None:
    """A data migration's step: the callers kept in `table.column` before subjects had namespaces get theirs
    (shared.auth.Caller.subject). An API key's id is a UUID (and the bootstrap admin is `bootstrap-admin`); any
    other value was a token's `sub`. A token whose `sub` looked like a UUID is taken for a key: it loses sight of
    what it made before, and sees it again once an admin sets the prefix by hand."""
    from alembic import op

    uuid_shaped = f"length({column}) = 36 AND {column} LIKE '________-____-____-____-____________'"
    untouched = f"{column} IS NOT NULL AND {column} NOT LIKE 'key:%' AND {column} NOT LIKE 'jwt:%'"
    op.execute(f"UPDATE {table} SET {column} = 'key:' || {column} "
               f"WHERE {untouched} AND ({uuid_shaped} OR {column} = 'bootstrap-admin')")
    op.execute(f"UPDATE {table} SET {column} = substr('jwt:' || {column}, 1, 200) WHERE {untouched}")
