"""Tables of the notifications database: the messages (the delivery log), the reminders waiting for their time,
members' devices and preferences, and the opt-outs of one-click unsubscribe links."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, Uuid

from services.notifications.domain.message import Channel, MessageStatus
from shared.db.naming import NAMING
from shared.db.types import JSONType, UTCDateTime, enum_column
from shared.messaging import messaging_tables

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)

messages = Table(
    "messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("dedupe_key", String(600), nullable=False),
    Column("fact_id", String(300), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("channel", enum_column(Channel, 10), nullable=False),
    Column("template", String(100), nullable=False),
    Column("category", String(50), nullable=False),
    Column("language", String(35), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("address", String(500), nullable=True),
    Column("name", String(200), nullable=True),
    Column("member", String(200), nullable=True),
    Column("context", JSONType, nullable=True),
    Column("status", enum_column(MessageStatus, 12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    # Which replica is sending it, until when: another replica may take it over only after that.
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("keep_until", UTCDateTime, nullable=True),
    UniqueConstraint("dedupe_key"),
    Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_messages_subject", "subject"),
    Index("ix_messages_fact_id", "fact_id"),
    Index("ix_messages_recipient", "recipient"),
)

# A message to send at its time unless called off first (the 24-hour reminder of an event): one per key.
reminders = Table(
    "reminders",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("subject", String(200), nullable=False),
    Column("template", String(100), nullable=False),
    Column("category", String(50), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("recipient", JSONType, nullable=False),
    # Whom, as digests and the member: what an erasure finds the reminder by (usecases/people.py).
    Column("email_key", String(64), nullable=True),
    Column("phone_key", String(64), nullable=True),
    Column("member", String(200), nullable=True),
    Column("context", JSONType, nullable=False),
    Column("keep_until", UTCDateTime, nullable=True),
    Index("ix_reminders_due_at", "due_at"),
    Index("ix_reminders_email_key", "email_key"),
    Index("ix_reminders_phone_key", "phone_key"),
    Index("ix_reminders_member", "member"),
)

# The devices a member registered for push: an FCM registration token each.
devices = Table(
    "devices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("member", String(200), nullable=False),
    Column("token", String(4096), nullable=False),
    Column("token_key", String(64), nullable=False),  # recipient_key(token): unique, and indexable on any database
    Column("platform", String(20), nullable=False),
    Column("label", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("token_key"),
    Index("ix_devices_member", "member"),
)

# A member's choices: a category off on a channel (what is not here is on).
preferences = Table(
    "preferences",
    metadata,
    Column("member", String(200), primary_key=True),
    Column("category", String(50), primary_key=True),
    Column("channel", enum_column(Channel, 10), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Opt-outs by one-click unsubscribe: an address (its recipient key) no longer told of a category.
unsubscribes = Table(
    "unsubscribes",
    metadata,
    Column("recipient", String(64), primary_key=True),
    Column("category", String(50), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)
