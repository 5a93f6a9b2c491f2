"""Plain substring search that behaves alike on SQLite and PostgreSQL (the full-text search of works is its
own thing, over the same folded text): a LIKE pattern over a column of folded text, with the client's `%`, `_`
and `\\` taken literally.

Folded text is what search compares: compatibility-decomposed (NFKD), without combining marks, case-folded. So
`Zürich` (composed or as `u` + combining diaeresis), `ZÜRICH` and `Zurich` are all `zurich`, alike on both
databases, whatever their collations. A service keeps a folded copy of what it searches (`search_text`) and folds
each query the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy.sql.elements import ColumnElement


def fold(*texts: str) -> str:
    """The texts, joined by spaces, as search compares them: "Zoë Müller" is "zoe muller"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(texts))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def contains(column: Any, q: str) -> ColumnElement[bool]:
    """`column` (folded text) contains the query, folded."""
    escaped = fold(q.replace("\x00", "")).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
