"""Reads every service does the same way: one row that the caller may see, and places on a waitlist."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain import NotFound

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


async def waitlist_positions(session: AsyncSession, waiting: Sequence[Any], *, group: Any, ticket: Any,
                             is_waiting: Any) -> dict[uuid.UUID, int]:
    """The place of each of `waiting` (rows on a waitlist) in its group's waitlist: 1 is next. One query for a
    whole page: the number of places up to each row's ticket, in ticket order (`group`: the column of the
    waitlist's owner, `ticket`: the column of the order of arrival, `is_waiting`: the condition of being on it)."""
    if not waiting:
        return {}
    entity = type(waiting[0])
    ranked = (select(entity.id.label("id"), func.row_number().over(partition_by=group, order_by=ticket)
                     .label("position"))
              .where(is_waiting, group.in_({getattr(w, group.key) for w in waiting})).subquery())
    rows = await session.execute(select(ranked.c.id, ranked.c.position)
                                 .where(ranked.c.id.in_([w.id for w in waiting])))
    return {row.id: row.position for row in rows}
