"""What the local mail and push sinks share: a folder of one file per message, each written under a temporary
name and renamed, so a reader (a test polling the folder, a person opening it) never sees half a message."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path


class SinkFolder:
    """Files named `<local time, to the second>-<pid>-<n>.<suffix>`, n counting from 1 in this process."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix
        self.counter = itertools.count(1)
        folder.mkdir(parents=True, exist_ok=True)

    def keep(self, content: bytes) -> tuple[int, str]:
        """Writes `content` as the next file; answers its number and name."""
        n = next(self.counter)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{n:06d}.{self.suffix}"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.replace(self.folder / name)
        return n, name
