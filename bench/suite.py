"""Starting the suite for a benchmark: the test harness's `running_stack` as deployed (clients straight at the
broker, jobs at their default intervals, no test clock), in a throwaway directory."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.harness import Stack, running_stack, use_postgres


def database() -> str:
    """The database the suite runs on: `postgres` with TEST_DATABASE=postgres (as in the tests), else `sqlite`."""
    return "postgres" if use_postgres() else "sqlite"


def database_label() -> str:
    return {"postgres": "PostgreSQL", "sqlite": "SQLite"}[database()]


@contextlib.contextmanager
def suite() -> Iterator[Stack]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as workdir,
        running_stack(Path(workdir), as_deployed=True) as stack,
    ):
        yield stack
