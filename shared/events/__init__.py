"""Events between services: the CloudEvents envelope, the transactional outbox and its relay, the consumer."""

from shared.events.envelope import CloudEvent, PublishedEvent

__all__ = ["CloudEvent", "PublishedEvent"]
