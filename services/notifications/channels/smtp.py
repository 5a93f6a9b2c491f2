"""Email over SMTP with aiosmtplib (RFC 5321): the settings name the server; STARTTLS and a login when given."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from services.notifications.channels import SendFailed
from services.notifications.settings import NotificationsSettings


async def send_email(settings: NotificationsSettings, mail: EmailMessage) -> None:
    """Hand `mail` to the SMTP server. Raises SendFailed: permanent for a 5xx refusal of the recipient or the
    message (RFC 5321 §4.2.1), else (a 4xx, no answer, a dropped connection) worth trying again."""
    # Flattened here, with the message's own policy: aiosmtplib would flatten with `email.policy.SMTP`, whose
    # 78-character lines fold a long `List-Unsubscribe` URL into encoded-words (formats/email.py).
    raw = mail.as_bytes(policy=mail.policy)
    sender = parseaddr(str(mail["From"]))[1]
    recipients = [parseaddr(str(mail["To"]))[1]]
    try:
        await aiosmtplib.send(
            raw, sender=sender, recipients=recipients, hostname=settings.smtp_host, port=settings.smtp_port,
            timeout=settings.smtp_timeout_seconds, start_tls=settings.smtp_starttls, username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        raise SendFailed(f"recipient refused: {exc}", permanent=all(500 <= c < 600 for c in codes)) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise SendFailed(f"SMTP {exc.code}: {exc.message}", permanent=500 <= exc.code < 600) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise SendFailed(f"SMTP server not reachable: {exc!r}") from exc
