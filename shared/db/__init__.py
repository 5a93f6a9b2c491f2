"""Async SQLAlchemy: the engine and sessions, the column types every service uses, and Alembic glue."""

from shared.db.engine import Database
from shared.db.types import JSONType, UTCDateTime, utcnow

__all__ = ["Database", "JSONType", "UTCDateTime", "utcnow"]
