"""The time as the domain sees it. Real UTC time, unless `CLOCK_FILE` names a file holding an ISO 8601 instant:
then that instant is "now" for as long as the file says so. That is how tests move time (an agreement's term
ending, an enrollment window closing) without waiting; nothing in a deployment sets it."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from shared.db.types import utcnow

log = logging.getLogger("clock")


class Clock:
    def __init__(self, file: Path | None = None) -> None:
        self.file = file
        self._cached: tuple[tuple[int, int, int], dt.datetime | None] | None = None
        if file is not None:
            log.warning("time is read from a clock file when it exists", extra={"clock_file": str(file)})

    def now(self) -> dt.datetime:
        return self._from_file() or utcnow()

    def today(self) -> dt.date:
        return self.now().date()

    def _from_file(self) -> dt.datetime | None:
        if self.file is None:
            return None
        try:
            st = self.file.stat()
        except OSError:
            return None
        # A file replaced (new inode) or rewritten (mtime, size) is read again; otherwise the cached instant.
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cached is None or self._cached[0] != stamp:
            try:
                instant = dt.datetime.fromisoformat(self.file.read_text().strip())
            except (OSError, ValueError):
                instant = None
            if instant is not None and instant.tzinfo is None:
                instant = instant.replace(tzinfo=dt.UTC)
            self._cached = (stamp, instant)
        return self._cached[1]
