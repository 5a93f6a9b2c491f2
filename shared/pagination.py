"""Keyset pagination with opaque cursors: `?limit=50&cursor=...` answers `{"items": [...], "next_cursor": ...}`,
and, while there is a next page, `Link: </same/path?same=query&cursor=...>; rel="next"` (RFC 8288 §3; a
reference relative to the request's URL, so it holds behind the gateway and any proxy).

A page continues strictly after the last row's sort key, so it is stable under concurrent inserts and page
1000 costs what page 1 costs (an index seek, never an OFFSET scan).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from shared.problems import invalid

T = TypeVar("T")
Q = TypeVar("Q", bound="PageQuery")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size, 1..200")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")]


class PageQuery(BaseModel):
    """The query of a list: a page (`limit`, `cursor`) and, in a subclass, the list's filters. A router takes it
    whole as `query: ListQuery[XQuery]`, so each filter is a query parameter checked as declared."""

    limit: int = Field(50, ge=1, le=200, description="Page size, 1..200")
    cursor: str | None = Field(None, max_length=512, description="`next_cursor` of the previous page")


# `Query()` has FastAPI read the model's fields from the query string, each a parameter of the API description.
ListQuery = Annotated[Q, Query()]


# Set by the request middleware for each request (shared/middleware.py): the page a list answers with writes its
# next cursor here, and the middleware turns it into the Link header.
next_page_var: ContextVar[dict[str, str] | None] = ContextVar("next_page", default=None)


class PageBase(BaseModel):
    """What every list answers: a page's items and the cursor of the next page (None on the last). Made while a
    request is handled, a page announces its next cursor for the `Link` header."""

    next_cursor: str | None = None

    def model_post_init(self, context: Any, /) -> None:
        holder = next_page_var.get()
        if holder is not None and self.next_cursor is not None:
            holder["cursor"] = self.next_cursor


def next_page_link(path: str, query_string: bytes, cursor: str) -> str:
    """The `Link` header value for the next page: the request's own path and query with `cursor` replaced."""
    query = [(k, v) for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if k != "cursor"]
    return f'<{path}?{urlencode([*query, ("cursor", cursor)])}>; rel="next"'


class Page(PageBase, Generic[T]):
    items: list[T]

    @classmethod
    def of(cls, found: tuple[Sequence[Any], str | None], each: Callable[[Any], T]) -> Page[T]:
        """A page from what a list use case found (`(rows, next_cursor)`), each row shown by `each`."""
        rows, next_cursor = found
        return cls(items=[each(row) for row in rows], next_cursor=next_cursor)


_BIGINT = 2**63  # what a database integer holds: a cursor value beyond it was never issued


def _int(v: Any) -> int:
    n = v if isinstance(v, int) and not isinstance(v, bool) else int(str(v))
    if not -_BIGINT <= n < _BIGINT:
        raise ValueError("integer out of range")
    return n


def _float(v: Any) -> float:
    f = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float(str(v))
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


def _str(v: Any) -> str:
    s = v if isinstance(v, str) else str(v)
    if "\x00" in s:  # PostgreSQL text cannot hold NUL
        raise ValueError("NUL in text")
    return s


def _datetime(v: Any) -> dt.datetime:
    d = dt.datetime.fromisoformat(str(v))
    return d if d.tzinfo is not None else d.replace(tzinfo=dt.UTC)  # we only ever issue UTC instants


# Each decoder refuses (ValueError) what this API never issued, including values a database column cannot hold.
_DECODERS: dict[type, Callable[[Any], Any]] = {
    uuid.UUID: lambda v: uuid.UUID(str(v)),
    dt.datetime: _datetime,
    dt.date: lambda v: dt.date.fromisoformat(str(v)),
    int: _int,
    float: _float,
    str: _str,
}


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in values]
    plain = [str(v) if isinstance(v, uuid.UUID) else v for v in plain]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong shape")
        return tuple(_DECODERS[t](v) for t, v in zip(types, values, strict=True))
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid("cursor is not one this API issued", ("query", "cursor"), "cursor_invalid") from exc


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    key_types: Sequence[type],
    limit: int,
    cursor: str | None,
    *,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """Rows of `stmt` (which selects one entity) after `cursor` in `keys` order, and the next cursor."""
    if cursor:
        after = decode_cursor(cursor, key_types)
        key = tuple_(*keys) if len(keys) > 1 else keys[0]
        value = tuple_(*after) if len(keys) > 1 else after[0]
        stmt = stmt.where(key < value if descending else key > value)
    stmt = stmt.order_by(*[k.desc() if descending else k.asc() for k in keys]).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, k.key) for k in keys])
