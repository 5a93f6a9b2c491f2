"""The messages' words, from Jinja2 templates a person can edit: `templates/<language>/<service>/<name>.txt` and
`.html`. The `.txt` holds the `subject` block (also the push's title), the `push` block (the push's body) and the
plain-text part; the `.html` the HTML part (autoescaped). Each language's folder has every message.

Dates and times are shown in the event's own timezone and formatted for the language by Babel (CLDR's patterns):
`Thursday, December 10, 2026, 9:30 AM (China Standard Time)`; in Chinese the date `2026年12月10日星期四` and
the time `17:30 (中国标准时间)`, joined by a full-width comma.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import langcodes
from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name

from shared.language import best_translation

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LANGUAGES = ("en", "zh-Hans")  # the folders under templates/: English first, the fallback


def language_of(tag: str | None) -> str:
    """The templates' language closest to `tag` (`zh`, `zh-CN`, `zh-SG` → zh-Hans), else English."""
    if tag:
        match, distance = langcodes.closest_match(tag, list(LANGUAGES))
        if match != "und" and distance < 25:
            return match
    return LANGUAGES[0]


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render (and the test), not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    push: str


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    """The language's CLDR locale, parsed once: Babel builds it from its data files on every parse."""
    return Locale.parse(language, sep="-")


def _when(language: str, value: str | dt.datetime, timezone: str) -> str:
    """The instant in `timezone`, as the language writes a full date and a short time (CLDR's patterns), with the
    zone's name: `Sunday, January 3, 2027, 5:30 PM (China Standard Time)`."""
    instant = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(zoneinfo.ZoneInfo(timezone))
    locale = _locale(language)
    separator = "，" if locale.language == "zh" else ", "
    return f"{format_date(local, 'full', locale=locale)}{separator}{format_time(local, 'short', locale=locale)} " \
           f"({get_timezone_name(local, 'long', locale=locale)})"


def _day(language: str, value: str | dt.date) -> str:
    """A day as the language writes it in full: `Monday, March 1, 2027` / `2027年3月1日星期一`."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "full", locale=_locale(language))


def _translated(language: str, text: dict[str, str] | str | None) -> str:
    if isinstance(text, str) or text is None:
        return text or ""
    found = best_translation(text, [language])
    return found[1] if found else ""


def render(template: str, language: str, values: dict[str, Any]) -> Rendered:
    """The message `template` (`outreach.registration_confirmed`) in `language` (one of LANGUAGES), with `values`.
    Raises jinja2's TemplateNotFound for a message without templates, UndefinedError for a value it lacks."""
    service, name = template.split(".", 1)
    env = _environment()
    values = {**values, "language": language,
              "when": functools.partial(_when, language), "day": functools.partial(_day, language),
              "tr": functools.partial(_translated, language)}
    text_template = env.get_template(f"{language}/{service}/{name}.txt")
    context = text_template.new_context(values)
    subject = "".join(text_template.blocks["subject"](context)).strip()
    push = "".join(text_template.blocks["push"](context)).strip()
    text = text_template.render(values)
    html = env.get_template(f"{language}/{service}/{name}.html").render(values)
    return Rendered(subject=subject, text=text, html=html, push=push)


def message_names() -> list[str]:
    """Every message that has templates, as `service.name`, from the English folder."""
    root = TEMPLATES / LANGUAGES[0]
    return sorted(f"{p.parent.name}.{p.stem}" for p in root.glob("*/*.txt") if not p.stem.startswith("_"))
