"""The CloudEvents 1.0 envelope every message on Kafka carries (structured JSON mode)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal

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
    """Base of the schema classes in each service's `events/published.py`: one class per event type.

    A subclass names its `event_type` and which field is the aggregate id (`subject_field`); its fields are
    the event's `data`. `dataschemaversion` changes only when a field is removed or changes meaning.
    """

    event_type: ClassVar[str]
    schema_version: ClassVar[str] = "1"
    subject_field: ClassVar[str] = "id"

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
