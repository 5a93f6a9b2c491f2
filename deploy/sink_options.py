"""The command line of the local mail and push sinks (`--host`, `--port`, `--dir`), and their log."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path


def sink_options(description: str, port: int, folder: str) -> argparse.Namespace:
    """The sink's `host` (127.0.0.1), `port` (`port`) and `dir` (`$VAR_DIR/<folder>`, `var/<folder>` without
    VAR_DIR) from the command line, the folder made, and the log set to one plain line per message."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("VAR_DIR", "var")) / folder)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return args
