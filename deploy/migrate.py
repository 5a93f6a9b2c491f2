"""Migrate every database (or the ones named): `python -m deploy.migrate [gateway partnerships ...]`.

Each database's URL comes from its settings (PARTNERSHIPS_DATABASE_URL, ..., GATEWAY_DATABASE_URL)."""

from __future__ import annotations

import argparse

from shared.db.migrations import upgrade
from shared.settings import SERVICES

DATABASES = ("gateway", *SERVICES)


def migrate(names: list[str] | None = None) -> None:
    for name in names or DATABASES:
        upgrade(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"databases to migrate, of {', '.join(DATABASES)} (default: all)")
    names = parser.parse_args().names
    unknown = set(names) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    migrate(names or None)


if __name__ == "__main__":
    main()
