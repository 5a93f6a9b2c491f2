"""Kafka clients configured once: producer settings, topic provisioning."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger("kafka")


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def new_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    # No idempotent producer (the embedded broker lacks it, and the consumers' inbox already gives
    # exactly-once effects); acks=all so a publish counts only once the broker has it.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=False,
        acks="all",
        linger_ms=0,
        request_timeout_ms=10_000,
        retry_backoff_ms=100,
        client_id="panda-coop",
    )


async def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int) -> None:
    """Create the topics (and their DLQs) if missing. Production clusters declare them instead (deploy/)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topics if t not in existing]
        if not wanted:
            return
        new = [NewTopic(t, num_partitions=1 if t.endswith(".dlq") else partitions, replication_factor=1)
               for t in wanted]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            pass
        except KafkaError as exc:  # a racing replica created it first
            if "already exists" not in str(exc).lower():
                raise
        log.info("created topics", extra={"topics": wanted})
    finally:
        await admin.close()
