"""Plain substring search that behaves alike on SQLite and PostgreSQL (the full-text search of works is its
own thing): a LIKE pattern over a lower-cased text column, with the client's `%`, `_` and `\\` taken literally."""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import ColumnElement


def contains(column: Any, q: str) -> ColumnElement[bool]:
    escaped = q.replace("\x00", "").lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
