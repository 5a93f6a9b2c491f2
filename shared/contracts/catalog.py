"""The catalog of published events, made from the contract classes themselves: every event type of every topic,
what it means and the fields of its `data`. `python -m shared.contracts.catalog` writes it to `docs/events.md`,
which a test keeps equal to what this makes (so the page never drifts from the contract). `asyncapi()` is the same
catalog as an AsyncAPI 3.1 document (the gateway serves it at `/asyncapi.json`), and `event_schemas()` the
schemas the OpenAPI description's `webhooks` entry refers to.

The same events reach partners' webhooks (docs/webhooks.md): the delivery's body is the CloudEvent, its `data`
as listed here.
"""

from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from shared.contracts import outreach, partnerships, publications, training
from shared.events.envelope import PublishedEvent

TOPICS: tuple[ModuleType, ...] = (partnerships, training, outreach, publications)
# Whom integrators ask, and on what terms they may use the description (both documents say the same).
CONTACT = {"name": "International cooperation office, API support", "email": "api@panda-coop.example",
           "url": "https://panda-coop.example/developers"}
LICENSE = {"name": "Proprietary: for the base's partner institutions", "url": "https://panda-coop.example/terms"}
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def event_classes(topic: ModuleType) -> list[type[PublishedEvent]]:
    """The classes of `topic` that define an event type, in the order they are written."""
    found = [c for _, c in inspect.getmembers(topic, inspect.isclass)
             if issubclass(c, PublishedEvent) and c.__module__ == topic.__name__ and "event_type" in c.__dict__]
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _type(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        kinds = [_type(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " or ".join(kinds) + (" or null" if nullable else "")
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), defs)}"
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            return f"map of string to {_type(values, defs)}"
        if "properties" in schema:
            inner = ", ".join(f"`{k}`: {_type(v, defs)}" for k, v in schema["properties"].items())
            return f"object ({inner})"
        return "object"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _doc(cls: type[PublishedEvent]) -> str:
    for klass in cls.__mro__:
        if klass is PublishedEvent:
            break
        if klass.__doc__:
            return " ".join(inspect.cleandoc(klass.__doc__).split())
    return ""


def catalog_markdown() -> str:
    lines = [
        "# Events",
        "",
        "Generated from the contract classes in `shared/contracts/` by `python -m shared.contracts.catalog`; a test",
        "keeps this page equal to them. Each event is a CloudEvent (`application/cloudevents+json`) on its topic,",
        "keyed by `subject` (the aggregate's id), so the events of one aggregate keep their order. Its `data` has",
        "the fields below. A webhook delivery's body is the same CloudEvent (docs/webhooks.md); a subscription",
        "names these types, a prefix of them (`training.*`) or `*`.",
        "",
    ]
    for topic in TOPICS:
        lines += [f"## `{topic.TOPIC}`", "", " ".join(inspect.cleandoc(topic.__doc__ or "").split()), ""]
        for cls in event_classes(topic):
            schema = cls.model_json_schema()
            defs = schema.get("$defs", {})
            required = set(schema.get("required", []))
            lines += [f"### `{cls.event_type}`", ""]
            if text := _doc(cls):
                lines += [text, ""]
            lines += [f"Subject: `{cls.subject_field}`. Schema version: {cls.schema_version}.", "",
                      "| field | type | always there |", "|---|---|---|"]
            for name, prop in schema.get("properties", {}).items():
                lines.append(f"| `{name}` | {_type(prop, defs)} | {'yes' if name in required else 'no'} |")
            lines.append("")
    return "\n".join(lines)


@functools.cache
def event_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas by name: each event's CloudEvent (`<Class>Event`, its `type` fixed and its `data` the
    contract's fields) and every schema those refer to, with `$ref`s into `#/components/schemas/`."""
    schemas: dict[str, dict[str, Any]] = {}
    for topic in TOPICS:
        for cls in event_classes(topic):
            data = cls.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(data.pop("$defs", {}))
            data["title"] = f"{cls.__name__}Data"
            schemas[f"{cls.__name__}Data"] = data
            schemas[f"{cls.__name__}Event"] = {
                "title": f"{cls.__name__}Event",
                "description": _doc(cls) or f"A `{cls.event_type}` event.",
                "type": "object",
                "required": ["specversion", "id", "source", "type", "time", "data"],
                "properties": {
                    "specversion": {"type": "string", "const": "1.0"},
                    "id": {"type": "string", "description": "Unique per event: a consumer's duplicate check"},
                    "source": {"type": "string", "description": "The publishing service, `/panda-coop/<service>`"},
                    "type": {"type": "string", "const": cls.event_type},
                    "subject": {"type": "string", "description": f"The aggregate's id (`data.{cls.subject_field}`)"},
                    "time": {"type": "string", "format": "date-time"},
                    "datacontenttype": {"type": "string", "const": "application/json"},
                    "dataschemaversion": {"type": "string", "const": cls.schema_version},
                    "traceparent": {"type": "string", "description": "W3C trace context of the write"},
                    "data": {"$ref": f"#/components/schemas/{cls.__name__}Data"},
                },
            }
    return schemas


@functools.cache
def asyncapi(kafka: str, version: str = "1.0.0") -> dict[str, Any]:
    """The topics and their events as an AsyncAPI 3.1 document: the broker at `kafka` (host:port), one channel per
    topic, one message per event type (its payload the CloudEvent, keyed by `subject`), and a `receive` operation
    per channel."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        channel = topic.TOPIC.replace(".", "_")
        names = [cls.__name__ for cls in event_classes(topic)]
        for cls in event_classes(topic):
            messages[cls.__name__] = {
                "name": cls.event_type,
                "title": cls.event_type,
                "summary": _doc(cls) or f"A `{cls.event_type}` event.",
                "contentType": "application/cloudevents+json",
                "payload": {"$ref": f"#/components/schemas/{cls.__name__}Event"},
                "bindings": {"kafka": {"key": {"type": "string", "description": "The CloudEvent's subject"}}},
            }
        channels[channel] = {
            "address": topic.TOPIC,
            "description": " ".join(inspect.cleandoc(topic.__doc__ or "").split()),
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
        operations[f"receive_{channel}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"What `{topic.TOPIC}` carries",
            "description": "Every event of the topic. The events of one subject (one aggregate) are on one "
                           "partition, in the order of its changes; a consumer applies each once (its `id`).",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in names],
        }
    return {
        "asyncapi": "3.1.0",
        "info": {"title": "Panda cooperation events", "version": version,
                 "description": "The events the four services publish to Kafka, CloudEvents 1.0 in structured "
                                "JSON mode. The same events reach partners' webhooks (see the API description's "
                                "`webhooks`).",
                 "contact": CONTACT, "license": LICENSE,
                 "tags": [{"name": t.TOPIC.split(".")[0], "description": " ".join(
                     inspect.cleandoc(t.__doc__ or "").split())} for t in TOPICS]},
        "servers": {"kafka": {"host": kafka, "protocol": "kafka",
                              "description": "The deployment's Kafka; topics are read by the services' consumer "
                                             "groups, with ACLs in production (deploy/k8s)"}},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": event_schemas()},
    }


if __name__ == "__main__":
    DOCUMENT.write_text(catalog_markdown())
    print(f"wrote {DOCUMENT} ({sum(len(event_classes(t)) for t in TOPICS)} event types)", file=sys.stderr)
