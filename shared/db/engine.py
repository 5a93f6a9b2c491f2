"""One `Database` per service: the async engine, read sessions and write sessions.

SQLite runs in WAL mode with SQLAlchemy (not the sqlite3 driver) emitting BEGIN, and write transactions take
the write lock up front (`BEGIN IMMEDIATE`): two writers that both read and then write would otherwise
deadlock on the lock upgrade and one would fail at once with "database is locked".

A write transaction begun for a request with a deadline (`shared/admission.py`) waits for locks only until that
deadline: SQLite's busy timeout, PostgreSQL's `lock_timeout` and `statement_timeout` are set to the time left,
so a request queued behind a lock gives up (and is answered 503, nothing committed) instead of committing after
the gateway stopped waiting. Transactions without a deadline (consumers, jobs) wait as long as they always did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.deadline import current_deadline

_WRITE = "panda_write_transaction"
SQLITE_BUSY_TIMEOUT_MS = 30_000  # without a deadline


def _ms_left() -> int | None:
    """Milliseconds until the current request's deadline (at least 1), or None outside a request."""
    deadline = current_deadline()
    if deadline is None:
        return None
    return max(1, int(deadline.remaining() * 1000))


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_transactions(self.engine)
        else:
            _postgres_deadlines(self.engine)
        self._read = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False, autoflush=True
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read() as session:
            yield session

    def write_session(self) -> AsyncSession:
        """A session whose transaction holds the write lock from its first statement on SQLite."""
        return self._write()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_transactions(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, decides when BEGIN happens
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN")
            return
        # The busy timeout is the connection's: set for each write transaction, to this request's time left.
        ms = _ms_left()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS if ms is None else ms}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_deadlines(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(_WRITE):
            return
        ms = _ms_left()
        if ms is not None:
            # Transaction-local (`is_local`): the pooled connection forgets them at commit or rollback.
            conn.exec_driver_sql(
                f"SELECT set_config('lock_timeout', '{ms}ms', true), set_config('statement_timeout', '{ms}ms', true)"
            )


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call `callback` once `session`'s transaction has committed (never if it rolls back): how a commit wakes
    what waits for what it wrote (the outbox relay, the webhook deliveries), in this process, at once."""
    event.listen(session.sync_session, "after_commit", lambda _session: callback(), once=True)
