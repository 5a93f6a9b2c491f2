"""What the local mail and push sinks share: their command line (`--host`, `--port`, `--dir`) and log, and a
folder of one file per message, each written under a temporary name and renamed, so a reader (a test polling the
folder, a person opening it) never sees half a message. Standard library only: the push sink runs in the app
image."""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import time
from pathlib import Path


def sink_options(description: str, port: int, folder: str) -> argparse.Namespace:
    """The sink's `host` (127.0.0.1), `port` (`port`) and `dir` (`$VAR_DIR/<folder>`, `var/<folder>` without
    VAR_DIR) from the command line; the log set to one plain line per message."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("VAR_DIR", "var")) / folder)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return parser.parse_args()


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
