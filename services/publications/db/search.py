"""Full-text search over works, in each database's own engine: SQLite FTS5 (bm25) and PostgreSQL `tsvector`
(ts_rank). Title counts most, then keywords and author names, then the abstract, so a title match ranks above
an abstract match. The index is written in the same transaction as the work; the migration creates it (an FTS5
table `works_fts`, or the `search_vector` column with its GIN index).

The `simple` configuration (PostgreSQL) and `unicode61` (SQLite) treat every language alike (no stemming), and
text is folded to no accents on the way in and in queries, so "Müller" is found by "muller".
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.publications.db.models import FTS_TABLE
from services.publications.domain.work import Work
from shared.db.search import fold

# bm25 weights of the FTS5 columns (work_id, title, keywords, authors, abstract); ts_rank weighs {D, C, B, A}:
# the abstract (C) counts least, keywords and authors (B) more, the title (A) most.
_FTS5_WEIGHTS = "0.0, 10.0, 4.0, 4.0, 1.0"
_WORDS = re.compile(r"\w+", re.UNICODE)



def _parts(work: Work) -> dict[str, str]:
    return {
        "title": fold(" ".join(work.title.values())),
        "keywords": fold(" ".join(work.keywords)),
        "authors": fold(" ".join(a["name"] for a in work.authors)),
        "abstract": fold(" ".join((work.abstract or {}).values())),
    }


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


async def index_work(session: AsyncSession, work: Work, *, new: bool = False) -> None:
    """(Re)write the work's entry in the full-text index, inside the caller's transaction. `new`: the work was
    just inserted, so there is no entry to replace."""
    await index_works(session, [work], new=new)


async def index_works(session: AsyncSession, works: list[Work], *, new: bool = False) -> None:
    """`index_work` for many works in one statement each (a bulk import). On SQLite, replacing an entry means
    finding it by `work_id`, which FTS5 does not index: a scan of the whole index, so skipped for new works."""
    if not works:
        return
    if _is_postgres(session):
        await session.execute(text(
            "UPDATE works SET search_vector = setweight(to_tsvector('simple', :title), 'A') || "
            "setweight(to_tsvector('simple', :keywords), 'B') || setweight(to_tsvector('simple', :authors), 'B') || "
            "setweight(to_tsvector('simple', :abstract), 'C') WHERE id = :id"),
            [{**_parts(w), "id": w.id} for w in works])
        return
    if not new:
        await session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE work_id = :id"), [{"id": w.id.hex} for w in works])
    await session.execute(text(f"INSERT INTO {FTS_TABLE} (work_id, title, keywords, authors, abstract) "
                               "VALUES (:id, :title, :keywords, :authors, :abstract)"),
                          [{**_parts(w), "id": w.id.hex} for w in works])


def words_of(q: str) -> list[str]:
    """The words of a query: anything else (quotes, operators, punctuation) is not search syntax here."""
    return _WORDS.findall(fold(q.replace("\x00", "")))[:20]


async def ranked_ids(session: AsyncSession, q: str) -> dict[uuid.UUID, float]:
    """Works matching every word of `q`, with their score (higher is better)."""
    words = words_of(q)
    if not words:
        return {}
    if _is_postgres(session):
        rows = await session.execute(text(
            "SELECT id, ts_rank('{0.05, 0.2, 0.5, 1.0}', search_vector, query) FROM works, "
            "plainto_tsquery('simple', :q) AS query WHERE search_vector @@ query"), {"q": " ".join(words)})
        return {row[0]: float(row[1]) for row in rows}
    match = " ".join('"' + w.replace('"', "") + '"' for w in words)
    rows = await session.execute(text(
        f"SELECT work_id, -bm25({FTS_TABLE}, {_FTS5_WEIGHTS}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"),
        {"match": match})
    return {uuid.UUID(hex=row[0]): float(row[1]) for row in rows}

