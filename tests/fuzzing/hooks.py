"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=tests.fuzzing.hooks`): what a real client does that a JSON Schema
cannot say, applied to every generated request before it is sent.

- An `Idempotency-Key` names one request: a client never sends the same key with another body.
- A `cursor` is one the API issued (`next_cursor`): a client does not make one up.
- Language tags and country codes are the registered ones (IANA's language subtag registry, ISO 3166-1): the
  description gives their pattern, but a pattern cannot list which codes are assigned, so a generated `qq` or `XY`
  is replaced by an assigned one, chosen from the generated value so that runs repeat.
"""

from __future__ import annotations

import re
import uuid
import zlib
from typing import Any

import langcodes
import pycountry
import schemathesis

LANGUAGES = ("en", "zh", "zh-Hans", "zh-Hant", "fr", "de", "es", "ja", "ru", "ar", "pt-BR", "ko")
COUNTRIES = tuple(c.alpha_2 for c in pycountry.countries)
# The patterns of the description (shared/validation.py): only a value that matches one is replaced, so a request
# meant to break the schema still does.
TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LANGUAGE_KEYS = {"language", "languages"}
_COUNTRY_KEYS = {"country"}
_LOCALIZED_KEYS = {"title", "name", "description", "abstract"}  # the LocalizedText fields


def _pick(choices: tuple[str, ...], seed: str) -> str:
    return choices[zlib.crc32(seed.encode()) % len(choices)]


def _language(value: Any) -> Any:
    if isinstance(value, str) and 2 <= len(value) <= 35 and TAG.match(value) and not langcodes.tag_is_valid(value):
        return _pick(LANGUAGES, value)
    return value


def _country(value: Any) -> Any:
    if isinstance(value, str) and COUNTRY.match(value) and pycountry.countries.get(alpha_2=value.upper()) is None:
        return _pick(COUNTRIES, value)
    return value


def _localized(value: dict[str, Any]) -> bool:
    """Text by language (`{"en": "..."}`): every key matches the tag pattern and every value is text."""
    return bool(value) and all(isinstance(v, str) for v in value.values()) and all(
        isinstance(k, str) and 2 <= len(k) <= 35 and TAG.match(k) for k in value)


def _registered(value: Any, key: str | None = None) -> Any:
    if isinstance(value, list):
        return [_registered(v, key) for v in value]
    if key in _LANGUAGE_KEYS:
        return _language(value)
    if key in _COUNTRY_KEYS:
        return _country(value)
    if isinstance(value, dict):
        if key in _LOCALIZED_KEYS and _localized(value):
            retagged: dict[str, Any] = {}
            for tag, text in value.items():
                retagged.setdefault(langcodes.standardize_tag(_language(tag)), text)
            return retagged
        return {k: _registered(v, k) for k, v in value.items()}
    return value


# BibTeX is text: sent as the generated string, like text/plain.
schemathesis.serializer.alias(["application/x-bibtex", "text/x-bibtex"], "text/plain")


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Every phase's requests (examples, coverage, fuzzing, stateful) pass here just before they are sent."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if case.query:
        case.query.pop("cursor", None)
        for name, value in list(case.query.items()):
            case.query[name] = _registered(value, name)
    if isinstance(case.body, dict | list):
        case.body = _registered(case.body)
