"""Reads every service does the same way: one row that the caller may see, and places on a waitlist."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain import NotFound, RuleViolated

T = TypeVar("T")


async def get_visible(session: AsyncSession, entity: type[T], entity_id: uuid.UUID, *, what: str,
                      may_see: Callable[[T], bool] | None = None, for_update: bool = False) -> T:
    """The `entity` with `entity_id` (locked for the transaction when `for_update`). Raises NotFound (404)
    naming `what` when there is none or the caller may not see it: the same answer, so no caller learns what
    exists that it may not see."""
    found = await session.get(entity, entity_id, with_for_update=for_update)
    if found is None or (may_see is not None and not may_see(found)):
        raise NotFound(f"no {what} {entity_id}")
    return found


async def lock_in_turn(session: AsyncSession, found: T) -> T:
    """`found`, read earlier in this write transaction without a lock, as it is now and locked for the rest of
    the transaction (FOR UPDATE). Raises NotFound (404) if it is gone.

    On PostgreSQL, writers that ask at once get the row in the order they asked: each first waits in an
    advisory transaction lock keyed by the row (`pg_advisory_xact_lock`), which PostgreSQL's lock manager
    grants first come first served, whereas waits for a row lock are not served in order (in a burst of 64
    enrollments into one cohort a few waited 2 to 5 s while hundreds that came later went first). Taken only
    here, by the paths a burst goes through, and always before the row itself.

    On SQLite a write transaction has held the database's one write lock since its first statement (and the
    writers of a process queue for it in order, `shared/db/engine.py`): `found` is current and returned as is.
    """
    if session.bind.dialect.name == "sqlite":
        return found
    entity = type(found)
    _, (row_id,), _ = session.identity_key(instance=found)  # the aggregates' key is one column: their id
    table = entity.__table__.name  # type: ignore[attr-defined]
    digest = hashlib.blake2b(f"{table}:{row_id}".encode(), digest_size=8).digest()
    in_line = func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True)).is_not(None)
    # Read again rather than refreshed: a version that moved on since the first read is not a lost update here.
    session.expunge(found)
    # One statement: the turn (evaluated as the row is found) and then the row lock (taken on the rows found),
    # so the row is locked in the same round trip that the turn came in.
    locked = (await session.execute(
        select(entity).where(entity.id == row_id, in_line).with_for_update()  # type: ignore[attr-defined]
    )).scalar_one_or_none()
    if locked is None:
        raise NotFound(f"no {table} {row_id}")
    return locked


async def get_referenced(session: AsyncSession, entity: type[T], entity_id: uuid.UUID, *, field: str, what: str,
                         for_update: bool = False) -> T:
    """The `entity` a request body names in `field`. Raises RuleViolated (422, pointing at that field) when there
    is none: the body is what is wrong, not the URL."""
    found = await session.get(entity, entity_id, with_for_update=for_update)
    if found is None:
        raise RuleViolated(f"no {what} {entity_id}", ("body", field), "not_found")
    return found


@dataclass(frozen=True)
class Placed(Generic[T]):
    """Something that holds a place or waits for one (an enrollment, a registration), and while it waits, its
    place in line: 1 is next."""

    item: T
    waitlist_position: int | None = None


async def placed(session: AsyncSession, items: Sequence[T], *, waiting: Callable[[T], bool], group: Any,
                 ticket: Any, is_waiting: Any) -> list[Placed[T]]:
    """Each of `items` with its place in its group's waitlist, for those that wait (`waiting`): one query for a
    whole page, counting the places up to each one's ticket (`group`: the column of the waitlist's owner,
    `ticket`: the column of the order of arrival, `is_waiting`: the condition of being in line)."""
    in_line: list[Any] = [i for i in items if waiting(i)]
    positions: dict[uuid.UUID, int] = {}
    if in_line:
        entity = type(in_line[0])
        ranked = (select(entity.id.label("id"), func.row_number().over(partition_by=group, order_by=ticket)
                         .label("position"))
                  .where(is_waiting, group.in_({getattr(w, group.key) for w in in_line})).subquery())
        rows = await session.execute(select(ranked.c.id, ranked.c.position)
                                     .where(ranked.c.id.in_([w.id for w in in_line])))
        positions = {row.id: row.position for row in rows}
    return [Placed(i, positions.get(i.id)) for i in items]  # type: ignore[attr-defined]
