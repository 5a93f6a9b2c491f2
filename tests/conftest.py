from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import ADMIN_KEY, Stack, running_stack, use_postgres


def pytest_report_header() -> str:
    return f"databases: {'PostgreSQL' if use_postgres() else 'SQLite'}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole suite, shared by every test that does not break it."""
    with running_stack(Path(tmp_path_factory.mktemp("stack"))) as s:
        yield s


@pytest.fixture(scope="session")
def keys(stack: Stack) -> dict[str, str]:
    """One API key per role (the partner key belongs to a partner created for it)."""
    out = {"admin": ADMIN_KEY}
    for role in ("coordinator", "analyst", "member"):
        out[role] = stack.issue_key(role)["key"]
    return out


@pytest.fixture
def coordinator(stack: Stack, keys: dict[str, str]):  # type: ignore[no-untyped-def]
    with stack.client(keys["coordinator"]) as c:
        yield c


@pytest.fixture
def anonymous(stack: Stack):  # type: ignore[no-untyped-def]
    with stack.client() as c:
        yield c
