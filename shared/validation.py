"""Input types of the wire contract, checked at the edge: a value that passes these is safe to store."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, ClassVar

import langcodes
import pycountry
from pydantic import (
    AfterValidator,
    AnyUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from shared.problems import invalid


def _stored_text(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refusing it here keeps a client's bytes from becoming a 500.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    # One form for every text stored and compared (Unicode NFC): "Zürich" sent as "u" + a combining diaeresis is
    # stored as the "ü" everyone else sends.
    return unicodedata.normalize("NFC", value)


def _country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


def _language(value: str) -> str:
    if not langcodes.tag_is_valid(value):
        raise ValueError("not a valid BCP 47 language tag")
    return langcodes.standardize_tag(value)


def _localized(value: dict[str, str]) -> dict[str, str]:
    normalized: dict[str, str] = {}
    for tag, text in value.items():
        key = _language(tag)
        if key in normalized:
            raise ValueError(f"language {key} given twice")
        normalized[key] = text
    return normalized


def as_sent(max_length: int, pattern: str | None = None) -> BeforeValidator:
    """Checks a string as the client sent it, before it is stripped: JSON Schema's `maxLength` and `pattern` hold
    for the raw value, so 5,000 characters that strip to 4,000 are too long for a limit of 4,096 and " x" does not
    match `^x` (schemathesis sent both). Put it after the `StringConstraints` that strip, so it runs first."""
    compiled = re.compile(pattern) if pattern else None

    def check(value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > max_length:
                raise PydanticCustomError("string_too_long", "String should have at most {max_length} characters",
                                          {"max_length": max_length})
            if compiled is not None and not compiled.search(value):
                raise PydanticCustomError("string_pattern_mismatch", "String should match pattern '{pattern}'",
                                          {"pattern": pattern})
        return value
    return BeforeValidator(check)


def Stripped(max_length: int, pattern: str | None = None, min_length: int = 1) -> type[str]:
    """A string stripped of surrounding white space, its length and `pattern` holding as sent (`as_sent`) and
    once stripped."""
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern),
        as_sent(max_length, pattern),
    ]


def Text(max_length: int = 500, min_length: int = 1) -> type[str]:
    """Text as stored: at most `max_length` characters as sent, at least `min_length` once surrounding white space
    is stripped, without NUL, in Unicode NFC."""
    return Annotated[Stripped(max_length, min_length=min_length), AfterValidator(_stored_text)]  # type: ignore[return-value]


ShortText = Text(200)
LongText = Text(20_000)
# The rules are in the API description too (pattern, description, example), so a client's generator and
# validator know them; the validators decide (a pattern cannot say which codes ISO 3166-1 assigns).
CountryCode = Annotated[str, StringConstraints(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$"),
                        AfterValidator(_country),
                        Field(description="ISO 3166-1 alpha-2 country code (answered upper-case)", examples=["CN"])]
_TAG = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"  # RFC 5646's shape; which subtags exist the validator knows
LanguageTag = Annotated[str, StringConstraints(min_length=2, max_length=35, pattern=_TAG),
                        AfterValidator(_language),
                        Field(description="BCP 47 language tag (answered in its standard form)", examples=["zh-Hans"])]


class _TagKeys:
    """Describes the language-tag keys of a text-by-language object as JSON Schema's `propertyNames` (pydantic
    would write `patternProperties`, which lets any other key through with any value)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for pattern, values in schema.pop("patternProperties", {}).items():
            schema["additionalProperties"] = values
            schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}
        return schema


LocalizedText = Annotated[
    dict[Annotated[str, StringConstraints(min_length=2, max_length=35, pattern=_TAG)], Text(2000)],
    Field(min_length=1, max_length=20, description='Text by language: {"en": "...", "zh": "..."}'),
    AfterValidator(_localized), _TagKeys(),
]
LocalizedLongText = Annotated[
    dict[Annotated[str, StringConstraints(min_length=2, max_length=35, pattern=_TAG)], Text(20_000)],
    Field(min_length=1, max_length=20),
    AfterValidator(_localized), _TagKeys(),
]

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_day(value: Any) -> Any:
    # pydantic alone also reads a number as seconds since 1970 (`?to=0` would be 1970-01-01); a day is written
    # only as ISO 8601 says (RFC 3339 full-date), as the API description's `format: date` tells clients.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DAY.match(value):
        return value
    raise ValueError("must be a day as YYYY-MM-DD (ISO 8601)")


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
"""A calendar day, written `YYYY-MM-DD` (RFC 3339 `full-date`); no other form is read."""

# Far enough from year 1 and 9999 that converting to UTC or to any timezone cannot overflow.
EARLIEST, LATEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _instant(value: dt.datetime) -> dt.datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 1900-01-01 and 2199-12-31 (UTC)")
    return value.astimezone(dt.UTC)


def _instant_text(value: Any) -> Any:
    # pydantic alone also reads a number as seconds since 1970; an instant is written as RFC 3339 says.
    if isinstance(value, dt.datetime | str):
        return value
    raise ValueError("must be an instant with its offset, as RFC 3339 writes it (2026-03-29T08:00:00Z)")


Instant = Annotated[AwareDatetime, BeforeValidator(_instant_text), AfterValidator(_instant)]
"""An instant with its offset (ISO 8601, `2026-03-29T08:00:00Z`), kept in UTC."""

_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _web_url(value: str) -> str:
    # pydantic's normal form (a `/` after a bare host, punycode, percent-encoding) where it fits the 500 characters
    # the schema promises and the columns hold; as sent where it would not (a 500-character bare host).
    try:
        normal = str(_HTTP_URL.validate_python(value))
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None
    return normal if len(normal) <= 500 else value


WebUrl = Annotated[Stripped(500), AfterValidator(_web_url),
                   WithJsonSchema({"type": "string", "format": "uri", "minLength": 1, "maxLength": 500})]
"""An http(s) URL of at most 500 characters as sent, kept in pydantic's normal form when that fits in 500."""

Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()./-]{3,40}$", max_length=40)]
"""A phone number as people write it: digits, spaces and `+()./-`, 3 to 40 characters."""


def stored(value: Any) -> Any:
    """A parsed value as the domain keeps it: nested models as plain dicts (without absent fields), URLs as
    text, lists element by element."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True)
    if isinstance(value, AnyUrl):
        return str(value)
    if isinstance(value, list):
        return [stored(v) for v in value]
    return value


def _not_nullable(schema: dict[str, Any], model: Any) -> None:
    # The description says what the 422 says: a field the resource must have may be left out, never null.
    for name in getattr(model, "REQUIRED", ()):
        field = schema.get("properties", {}).get(name)
        if not field or "anyOf" not in field:
            continue
        kept = [branch for branch in field["anyOf"] if branch.get("type") != "null"]
        field.pop("default", None)
        if len(kept) == 1:
            field.pop("anyOf")
            field.update({**kept[0], **field})
        else:
            field["anyOf"] = kept


class Changes(BaseModel):
    """A PATCH body: the fields sent are the changes (an absent field stays as it is); a field the resource must
    have (`REQUIRED`) cannot be removed by sending null (422). `changes()` answers `{field: value}` as the domain
    keeps values; a subclass may say more in `stored_field`."""

    model_config = ConfigDict(extra="forbid")
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        schema = handler.resolve_ref_schema(handler(core_schema))
        _not_nullable(schema, cls)
        return schema

    def changes(self) -> dict[str, Any]:
        sent = [name for name in type(self).model_fields if name in self.model_fields_set]  # in field order
        for name in self.REQUIRED:
            if name in sent and getattr(self, name) is None:
                raise invalid(f"{name} cannot be removed", ("body", name))
        return {name: self.stored_field(name, getattr(self, name)) for name in sent}

    def stored_field(self, name: str, value: Any) -> Any:
        return stored(value)
