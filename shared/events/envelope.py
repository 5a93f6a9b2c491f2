"""The CloudEvents 1.0 envelope every message on Kafka carries (structured JSON mode)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from shared.context import traceparent_var


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: dt.datetime
    datacontenttype: str = "application/json"
    dataschemaversion: str = "1"
    traceparent: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)


class PublishedEvent(BaseModel):
    """Base of the contract classes in `shared/contracts/<topic>.py`: one class per event type, used by the
    service that publishes it and by every service that consumes it.

    A subclass names its `event_type` and which field is the aggregate id (`subject_field`); its fields are
    the event's `data`. `dataschemaversion` changes only when a field is removed or changes meaning.
    """

    event_type: ClassVar[str]
    schema_version: ClassVar[str] = "1"
    subject_field: ClassVar[str] = "id"

    @classmethod
    def of(cls, source: object, **extra: Any) -> Self:
        """The event built from an aggregate: each field from the attribute of the same name (enums become
        their values, string ids UUIDs), unless given in `extra`."""
        values = dict(extra)
        for name in cls.model_fields:
            if name not in values and hasattr(source, name):
                values[name] = getattr(source, name)
        return cls.model_validate(values)

    @classmethod
    def parse(cls, event: CloudEvent) -> Self:
        """A consumer's reading of an event's `data` (raises pydantic's ValidationError if it does not fit)."""
        return cls.model_validate(event.data)

    def to_cloudevent(self, source: str) -> CloudEvent:
        data = self.model_dump(mode="json")
        return CloudEvent(
            id=str(uuid.uuid4()),
            source=source,
            type=self.event_type,
            subject=str(data[self.subject_field]),
            time=dt.datetime.now(dt.UTC),
            dataschemaversion=self.schema_version,
            traceparent=traceparent_var.get(),
            data=data,
        )


def event_types(*bases: type[PublishedEvent]) -> tuple[str, ...]:
    """Every event type defined under `bases` (the classes themselves included), in definition order: the
    lists a consumer subscribes to derive from the contract, never typed out again."""
    found: list[str] = []

    def walk(cls: type[PublishedEvent]) -> None:
        if "event_type" in cls.__dict__ and cls.event_type not in found:
            found.append(cls.event_type)
        for sub in cls.__subclasses__():
            walk(sub)

    for base in bases:
        walk(base)
    return tuple(found)
