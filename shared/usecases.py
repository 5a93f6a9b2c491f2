"""What the use cases of every service do alike: narrowing a list to the filters its caller gave, and checking
the ids a request body names against the copies this service keeps of other services' data."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain import RuleViolated
from shared.readmodels import ReadModel


def where_given(stmt: Select[Any], entity: Any, /, **values: object) -> Select[Any]:
    """`stmt` narrowed to the rows of `entity` whose attribute (by name) equals each value given; a filter the
    caller left out (None) narrows nothing."""
    for name, value in values.items():
        if value is not None:
            stmt = stmt.where(getattr(entity, name) == value)
    return stmt


async def check_known(session: AsyncSession, fields: Mapping[str, Any],
                      references: Sequence[tuple[str, ReadModel, str]], *, service: str) -> None:
    """Every id a body names (as strings, as `fields` hold them) in each of `references` (its field, the read
    model of what it names, what that is: `("partner_ids", known_partners, "partner")`) is one this service has a
    copy of. Raises RuleViolated (422, pointing at the first id that is not, `unknown_<what>`)."""
    for name, known, what in references:
        ids = [uuid.UUID(i) for i in fields.get(name) or []]
        unknown = await known.unknown_among(session, ids)
        if unknown:
            raise _unknown(what, unknown[0], service, ("body", name, ids.index(unknown[0])))


async def check_known_id(session: AsyncSession, id_: uuid.UUID, known: ReadModel, what: str,
                         pointer: tuple[str | int, ...], *, service: str) -> None:
    """The one id a body names at `pointer` (`("body", "partner_id")`) is one this service has a copy of in
    `known`. Raises RuleViolated (422, `unknown_<what>`), as `check_known` does for lists."""
    if await known.unknown_among(session, [id_]):
        raise _unknown(what, id_, service, pointer)


def _unknown(what: str, id_: uuid.UUID, service: str, pointer: tuple[str | int, ...]) -> RuleViolated:
    return RuleViolated(f"no {what} {id_} is known to the {service} service", pointer, f"unknown_{what}")
