"""The catalog of published events, made from the contract classes themselves: every event type of every topic,
what it means and the fields of its `data`. `python -m shared.contracts.catalog` writes it to `docs/events.md`,
which a test keeps equal to what this makes (so the page never drifts from the contract).

The same events reach partners' webhooks (docs/webhooks.md): the delivery's body is the CloudEvent, its `data`
as listed here.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from shared.contracts import outreach, partnerships, publications, training
from shared.events.envelope import PublishedEvent

TOPICS: tuple[ModuleType, ...] = (partnerships, training, outreach, publications)
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


if __name__ == "__main__":
    DOCUMENT.write_text(catalog_markdown())
    print(f"wrote {DOCUMENT} ({sum(len(event_classes(t)) for t in TOPICS)} event types)", file=sys.stderr)
