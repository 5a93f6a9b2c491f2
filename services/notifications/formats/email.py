"""An email as sent: `multipart/mixed` of the text and HTML alternatives (the HTML with its QR code image inline,
RFC 2392 `cid:`) and, for a message about a place at an event, the event as an iCalendar attachment (RFC 5545).

Built with the standard library's `email.message.EmailMessage` (RFC 5322, MIME), the QR code with `segno`, the
calendar with `icalendar`. Headers a mailbox provider expects: a stable `Message-ID` (the same on every retry, so a
copy sent twice after a crash is recognisably one message), `Content-Language`, and for a message one may opt out
of, `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058, RFC 2369).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import io
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import icalendar
import segno

from services.notifications.formats.templates import Rendered

QR_CID = "check-in-qr"
PRODID = "-//Giant Panda Research Base//Notifications//EN"
# Messages that give a place at an event carry its check-in code as a QR image and the event as .ics.
WITH_PLACE = frozenset({"outreach.registration_confirmed", "outreach.registration_promoted", "outreach.event_moved",
                        "outreach.event_reminder"})


def qr_png(code: str) -> bytes:
    """The check-in code as a QR code (ISO/IEC 18004), PNG, 6 pixels a module: what a door scanner reads."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def event_ics(context: dict[str, Any], summary: str, now: dt.datetime) -> bytes:
    """The event as one VEVENT, with the UID the outreach calendars give it (so a calendar app that has the
    event from the feed updates it, not doubles it). Times in UTC (RFC 5545 §3.3.5, form #2): they mean one instant
    whatever the reader's timezone data."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{context['event_id']}@outreach.panda-coop")
    entry.add("dtstamp", now.astimezone(dt.UTC))
    entry.add("dtstart", dt.datetime.fromisoformat(context["starts_at"]).astimezone(dt.UTC))
    entry.add("dtend", dt.datetime.fromisoformat(context["ends_at"]).astimezone(dt.UTC))
    entry.add("summary", summary)
    venue = context.get("venue") or {}
    where = ", ".join(str(venue[k]) for k in ("name", "address", "city", "country") if venue.get(k))
    if where or context.get("online_url"):
        entry.add("location", where or context["online_url"])
    if context.get("online_url"):
        entry.add("url", context["online_url"])
    cal.add_component(entry)
    return cal.to_ical()


# Lines up to RFC 5322's 998 characters: a long `List-Unsubscribe` URL stays one `<URL>` a mail client reads,
# where the default 78 folds it into RFC 2047 encoded-words that no client takes for a link.
POLICY = email.policy.SMTP.clone(max_line_length=998)


def compose(*, message_id: str, sender: str, to: str, language: str, rendered: Rendered, template: str,
            context: dict[str, Any], unsubscribe_url: str | None, now: dt.datetime, summary: str) -> EmailMessage:
    mail = EmailMessage(policy=POLICY)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = rendered.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = f"<{message_id}@notifications.panda-coop.example>"
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    if unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.html, subtype="html")
    place = template in WITH_PLACE and context.get("check_in_code")
    if place:
        html = mail.get_payload()[1]
        html.add_related(qr_png(context["check_in_code"]), "image", "png", cid=f"<{QR_CID}>",
                         disposition="inline", filename="check-in.png")
        mail.add_attachment(event_ics(context, summary, now).decode(), subtype="calendar", charset="utf-8",
                            filename="event.ics", params={"method": "PUBLISH"})
    mail["Content-Language"] = language  # last: setting the content moves Content-* headers into the parts
    return mail
