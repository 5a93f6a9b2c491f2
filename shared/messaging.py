"""The tables every service's database carries for messaging, declared on the service's own metadata."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from shared.events.consumer import inbox_table
from shared.events.outbox import outbox_tables


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    relay_lease: Table
    relay_positions: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox, lease, positions = outbox_tables(metadata)
    return MessagingTables(outbox=outbox, relay_lease=lease, relay_positions=positions, inbox=inbox_table(metadata))
