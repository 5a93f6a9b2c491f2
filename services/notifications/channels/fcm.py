"""Push through Firebase Cloud Messaging's HTTP v1 API: `POST /v1/projects/{project}/messages:send` with
`{"message": {"token", "notification": {"title", "body"}, "data"}}` (firebase.google.com/docs/reference/fcm/rest).
In dev and the tests the URL is a local sink that answers as FCM does."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.notifications.channels import SendFailed
from services.notifications.settings import NotificationsSettings

# FCM's answers that mean the token is gone for good: the app was uninstalled, or the token was never valid.
_GONE = {"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"}


SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


class AccessToken:
    """The OAuth 2.0 bearer token FCM wants: from a service account's key file through google-auth (refreshed, in
    a thread, when it is about to expire: google-auth's transport is synchronous), or the one given outright."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self.fixed = settings.fcm_access_token.get_secret_value() if settings.fcm_access_token else None
        self.credentials = None
        if settings.fcm_credentials_file:
            from google.oauth2 import service_account

            self.credentials = service_account.Credentials.from_service_account_file(
                settings.fcm_credentials_file, scopes=[SCOPE])
        self._refreshing = asyncio.Lock()

    async def header(self) -> dict[str, str]:
        if self.credentials is None:
            return {"Authorization": f"Bearer {self.fixed}"} if self.fixed else {}
        async with self._refreshing:
            if not self.credentials.valid:  # none yet, or expiring within google-auth's margin
                from google.auth.transport.requests import Request

                try:
                    await asyncio.to_thread(self.credentials.refresh, Request())
                except Exception as exc:  # the token endpoint away: worth trying again later
                    raise SendFailed(f"no FCM access token: {exc!r}") from exc
        return {"Authorization": f"Bearer {self.credentials.token}"}


async def send_push(settings: NotificationsSettings, client: httpx.AsyncClient, access: AccessToken, token: str,
                    title: str, body: str, data: dict[str, str]) -> None:
    """Raises SendFailed: permanent when FCM says the token is gone (404, or 400 with such an error code), else
    (429, 5xx, no answer) worth trying again."""
    url = f"{settings.fcm_url.rstrip('/')}/v1/projects/{settings.fcm_project}/messages:send"
    headers = await access.header()
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
