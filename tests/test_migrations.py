"""Each database's Alembic migrations build exactly the schema its models describe, and can be undone.

For the gateway and every service: a fresh, empty database (a SQLite file, or a PostgreSQL database of its own
when TEST_DATABASE=postgres) is migrated to head through `shared.db.migrations.upgrade`, and Alembic's
autogenerate comparison against the package's `metadata` must find nothing to do. Then the migrations are
taken down to base (only Alembic's version table may remain) and up to head again, and the comparison must
still come back empty.

The tests are synchronous on purpose: every `env.py` calls `asyncio.run`, which cannot be nested in a running
event loop. No processes are started.
"""

from __future__ import annotations

import asyncio
import importlib
import pprint
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db.migrations import alembic_config, include_object, upgrade
from tests.harness import DATABASES, POSTGRES_URL, _pg_admin, use_postgres

MODELS = {name: "gateway.db.models" if name == "gateway" else f"services.{name}.db.models" for name in DATABASES}


def model_metadata(name: str) -> MetaData:
    return importlib.import_module(MODELS[name]).metadata


@pytest.fixture(autouse=True)
def _production_without_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Migrations run in production mode with no secret at hand (a migration job needs only the database)."""
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    for name in ("INTERNAL_AUTH_SECRET", "GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A factory: the URL of a new, empty database for `name`; PostgreSQL ones are dropped afterwards."""
    created: list[str] = []

    def make(name: str) -> str:
        if not use_postgres():
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
        db = f"tmig{uuid.uuid4().hex[:10]}_{name}"
        _pg_admin([f'CREATE DATABASE "{db}"'])
        created.append(db)
        return f"{POSTGRES_URL}/{db}"

    yield make
    if created:
        _pg_admin([f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in created])


def _on_connection(url: str, fn: Callable[[Connection], Any]) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def schema_diff(url: str, metadata: MetaData) -> list[Any]:
    """What autogenerate would emit to bring the database at `url` to `metadata` (empty when they agree)."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "target_metadata": metadata, "include_object": include_object(metadata)})
        return compare_metadata(context, metadata)

    return _on_connection(url, compare)


def table_names(url: str) -> set[str]:
    return set(_on_connection(url, lambda connection: inspect(connection).get_table_names()))


def assert_matches_models(name: str, url: str) -> None:
    diff = schema_diff(url, model_metadata(name))
    assert not diff, f"{name}: the migrated schema differs from the models:\n{pprint.pformat(diff, width=118)}"


@pytest.mark.parametrize("name", DATABASES)
def test_migrations_build_the_models_schema(name: str, fresh_database: Callable[[str], str]) -> None:
    url = fresh_database(name)
    upgrade(name, url)
    assert set(model_metadata(name).tables) <= table_names(url)
    assert_matches_models(name, url)


@pytest.mark.parametrize("name", DATABASES)
def test_migrations_downgrade_to_base_and_upgrade_again(name: str, fresh_database: Callable[[str], str]) -> None:
    url = fresh_database(name)
    upgrade(name, url)

    command.downgrade(alembic_config(name, url), "base")
    assert table_names(url) <= {"alembic_version"}, f"{name}: tables left after downgrade to base"

    upgrade(name, url)
    assert_matches_models(name, url)
