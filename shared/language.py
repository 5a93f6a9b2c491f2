"""Content negotiation of language: what `Accept-Language` asks for, and which of a text's translations answers it.

Ranges and weights as RFC 9110 §12.5.4 gives them; a range matched to a translation by `langcodes`' distance
between languages (CLDR's language matching data), so `zh-TW` and `zh-HK` find `zh-Hant`, `en-GB` finds `en`, and
`zh-TW` does not take a Simplified `zh` for a match. A text is stored as `{language tag: text}`.
"""

from __future__ import annotations

import langcodes

from shared.http import weighted

FALLBACK = "en"  # the base publishes everything in English at least


def wanted_languages(accept_language: str | None) -> list[str]:
    """The language ranges of an `Accept-Language` value, most wanted first (`zh-TW,zh;q=0.9,en;q=0.8` →
    `["zh-TW", "zh", "en"]`). `*`, ranges weighted 0, and weights that are not numbers are left out."""
    wanted = [(-weight, order, tag) for order, (tag, weight) in enumerate(weighted(accept_language))
              if tag != "*" and weight > 0 and langcodes.tag_is_valid(tag)]
    return [tag for _, _, tag in sorted(wanted)]


def best_translation(text: dict[str, str] | None, wanted: list[str]) -> tuple[str, str] | None:
    """`(language tag, text)`: the translation closest to the most wanted language that has one within
    `langcodes`' "understandable" distance, else English, else the first there is. None for no text."""
    if not text:
        return None
    available = list(text)
    for tag in wanted:
        match, distance = langcodes.closest_match(tag, available)
        if match != "und" and distance < 25:
            return match, text[match]
    if FALLBACK in text:
        return FALLBACK, text[FALLBACK]
    first = available[0]
    return first, text[first]


def language_asked(given: str | None, accept_language: str | None) -> str:
    """The language a person is told things in (emails, pushes): the one they gave, else their request's most
    wanted (`Accept-Language`), else English. Kept as a BCP 47 tag; the notifications service picks the closest
    language it has templates for."""
    return given or next(iter(wanted_languages(accept_language)), FALLBACK)
