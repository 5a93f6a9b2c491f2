"""One `Database` per service: the async engine, read sessions and write sessions.

SQLite runs in WAL mode with SQLAlchemy (not the sqlite3 driver) emitting BEGIN, and write transactions take
the write lock up front (`BEGIN IMMEDIATE`): two writers that both read and then write would otherwise
deadlock on the lock upgrade and one would fail at once with "database is locked".

SQLite admits one writer at a time, and a writer that finds the lock taken waits in SQLite's busy handler: it
sleeps and tries again, 1, 2, 5 ... up to 100 ms a try, so under a burst the writer that happens to wake at the
right moment goes first and the unlucky ones wait seconds. The writers of one process therefore queue for the
lock in the event loop instead (`_WriteTurns`), first come first served, and each is woken the moment the one
before it commits; the busy handler is left only for other processes (a migration, a second replica).

A write transaction begun for a request with a deadline (`shared/admission.py`) waits for locks only until that
deadline: SQLite's busy timeout, PostgreSQL's `lock_timeout` and `statement_timeout` are set to the time left,
so a request queued behind a lock gives up (and is answered 503, nothing committed) instead of committing after
the gateway stopped waiting. Transactions without a deadline (consumers, jobs) wait as long as they always did.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from shared.deadline import DeadlinePassed, current_deadline

_WRITE = "panda_write_transaction"
_BUSY_MS = "panda_busy_timeout_ms"  # in the connection's info: the busy timeout it has now
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


class _WriteTurns:
    """The SQLite write lock, taken in turn by this process's writers (FIFO: `asyncio.Lock` wakes its waiters in
    the order they came). A turn begins before `BEGIN IMMEDIATE` and ends as the transaction commits or rolls
    back; a request waits for its turn only until its deadline (`DeadlinePassed`: nothing was written)."""

    HELD = "panda_write_turn"  # in the connection's info while it holds the turn

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    def take(self, conn: Any) -> None:
        """Called from SQLAlchemy's synchronous `begin` event, inside the session's greenlet."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new event loop (a test's second `asyncio.run`): the old one's lock is gone
            self.lock, self.loop = asyncio.Lock(), loop
        lock = self.lock
        left = current_deadline()
        if left is None:
            await_only(lock.acquire())
        else:
            try:
                await_only(asyncio.wait_for(lock.acquire(), max(left.remaining(), 0.001)))
            except TimeoutError:
                raise DeadlinePassed("the request's deadline passed while it waited to write") from None
        conn.info[self.HELD] = lock

    def give_back(self, info: dict[str, Any]) -> None:
        lock = info.pop(self.HELD, None)
        if lock is not None:
            lock.release()


def _sqlite_transactions(engine: AsyncEngine) -> None:
    turns = _WriteTurns()

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
        turns.take(conn)
        try:
            # The busy timeout is the connection's: set for each write transaction, to this request's time left
            # (each statement is a hop to the driver's thread, so not again when it is already the one wanted:
            # consumers and jobs, which have no deadline, write with the connection's default).
            ms = _ms_left()
            busy_ms = SQLITE_BUSY_TIMEOUT_MS if ms is None else ms
            if conn.info.get(_BUSY_MS) != busy_ms:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
                conn.info[_BUSY_MS] = busy_ms
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(conn.info)
            raise

    # The turn ends as the transaction ends. These events come just before the driver's COMMIT or ROLLBACK; the
    # next writer runs only once this one awaits it, and should it still find the lock, the busy handler's
    # first short wait covers a commit's few microseconds.
    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def _on_end(conn: Any) -> None:
        turns.give_back(conn.info)

    # A connection closed or invalidated mid-transaction (a cancelled request) gives its turn back too.
    @event.listens_for(engine.sync_engine, "checkin")
    @event.listens_for(engine.sync_engine, "invalidate")
    @event.listens_for(engine.sync_engine, "close")
    def _on_release(_dbapi_connection: Any, record: Any, *_exc: Any) -> None:
        if record is not None:
            turns.give_back(record.info)


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
