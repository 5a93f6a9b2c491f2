from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings, service_config

DEV_UNSUBSCRIBE_SECRET = "dev-unsubscribe-secret-not-for-production"  # noqa: S105  (dev only, refused in production)


class NotificationsSettings(ServiceSettings):
    service_name = "notifications"
    model_config = service_config("notifications")

    # Email over SMTP (aiosmtplib). `make run` starts a sink on 127.0.0.1:1025 that keeps each message under
    # var/mail/; a real server is these settings (STARTTLS when `smtp_starttls`, a login when a user is given).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    mail_from: str = "Panda Base International Cooperation <no-reply@panda-coop.example>"
    # Push through Firebase Cloud Messaging's HTTP v1 API: POST {fcm_url}/v1/projects/{fcm_project}/messages:send,
    # with an OAuth 2.0 access token: minted from a service account's key file (`fcm_credentials_file`, the
    # JSON Firebase gives; google-auth refreshes the token before it expires), or given outright
    # (`fcm_access_token`, for a token some other tool keeps fresh). Neither: no Authorization, for the local sink.
    fcm_url: str = "http://127.0.0.1:1026"
    fcm_project: str = "panda-coop-dev"
    fcm_credentials_file: str | None = None
    fcm_access_token: SecretStr | None = None
    fcm_timeout_seconds: float = Field(5.0, gt=0)
    # Where the links in messages point (unsubscribe, certificate verification): the gateway as people reach it.
    public_base_url: str = "http://127.0.0.1:8000"
    # Signs the one-click unsubscribe links (RFC 8058): whoever holds it could unsubscribe anyone.
    unsubscribe_secret: SecretStr | None = None
    # Sending: each replica looks for due messages this often when nothing woke it; a failed send is retried with
    # exponential backoff from `retry_initial` to `retry_max` seconds, and recorded as failed after `give_up`.
    send_poll_seconds: float = Field(0.5, gt=0)
    send_concurrency: int = Field(8, ge=1)
    retry_initial_seconds: float = Field(5.0, gt=0)
    retry_max_seconds: float = Field(600.0, gt=0)
    give_up_seconds: float = Field(86_400.0, gt=0)
    # How often due reminders and expired contacts are looked for.
    reminder_check_seconds: float = Field(30.0, gt=0)

    secret_fields: ClassVar[tuple[str, ...]] = ("internal_auth_secret", "unsubscribe_secret")
    dev_defaults: ClassVar[dict[str, str]] = {**ServiceSettings.dev_defaults,
                                              "unsubscribe_secret": DEV_UNSUBSCRIBE_SECRET}
