"""Input types of the wire contract, checked at the edge: a value that passes these is safe to store."""

from __future__ import annotations

from typing import Annotated

import langcodes
import pycountry
from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refusing it here keeps a client's bytes from becoming a 500.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


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


def Text(max_length: int = 500, min_length: int = 1) -> type[str]:
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


ShortText = Text(200)
LongText = Text(20_000)
CountryCode = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_country)]
LanguageTag = Annotated[str, StringConstraints(min_length=2, max_length=35), AfterValidator(_language)]
LocalizedText = Annotated[
    dict[Annotated[str, StringConstraints(min_length=2, max_length=35)], Text(2000)],
    Field(min_length=1, max_length=20, description='Text by language: {"en": "...", "zh": "..."}'),
    AfterValidator(_localized),
]
LocalizedLongText = Annotated[
    dict[Annotated[str, StringConstraints(min_length=2, max_length=35)], Text(20_000)],
    Field(min_length=1, max_length=20),
    AfterValidator(_localized),
]
