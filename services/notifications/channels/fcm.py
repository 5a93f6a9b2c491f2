"""Push through Firebase Cloud Messaging's HTTP v1 API: `POST /v1/projects/{project}/messages:send` with
`{"message": {"token", "notification": {"title", "body"}, "data"}}` (firebase.google.com/docs/reference/fcm/rest).
In dev and the tests the URL is a local sink that answers as FCM does."""

from __future__ import annotations

from typing import Any

import httpx

from services.notifications.channels import SendFailed
from services.notifications.settings import NotificationsSettings

# FCM's answers that mean the token is gone for good: the app was uninstalled, or the token was never valid.
_GONE = {"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"}


async def send_push(settings: NotificationsSettings, client: httpx.AsyncClient, token: str, title: str, body: str,
                    data: dict[str, str]) -> None:
    """Raises SendFailed: permanent when FCM says the token is gone (404, or 400 with such an error code), else
    (429, 5xx, no answer) worth trying again."""
    url = f"{settings.fcm_url.rstrip('/')}/v1/projects/{settings.fcm_project}/messages:send"
    headers = {"Authorization": f"Bearer {settings.fcm_access_token.get_secret_value()}"} \
        if settings.fcm_access_token else {}
    payload: dict[str, Any] = {"message": {"token": token, "notification": {"title": title, "body": body},
                                           "data": data}}
    try:
        response = await client.post(url, json=payload, headers=headers, timeout=settings.fcm_timeout_seconds)
    except httpx.HTTPError as exc:
        raise SendFailed(f"FCM not reachable: {exc!r}") from exc
    if response.is_success:
        return
    code = ""
    try:
        details = response.json().get("error", {}).get("details", [])
        code = next((d.get("errorCode", "") for d in details if isinstance(d, dict)), "")
    except ValueError:
        pass
    permanent = response.status_code == 404 or (response.status_code == 400 and code in _GONE)
    raise SendFailed(f"FCM answered {response.status_code} {code}".strip(), permanent=permanent)
