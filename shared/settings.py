"""Typed settings read from environment variables.

Secrets have a usable default only in dev mode (`APP_ENV=dev`); in production the process refuses to start
without them, so a forgotten variable can never run a deployment on a well-known key.
"""

from __future__ import annotations

import enum
from contextvars import ContextVar
from pathlib import Path
from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_INTERNAL_SECRET = "dev-internal-secret-not-for-production"  # noqa: S105  (dev only, refused in production)

SERVICE_PORTS = {"partnerships": 8001, "training": 8002, "outreach": 8003, "publications": 8004, "notifications": 8005}
SERVICES = tuple(SERVICE_PORTS)
# Each process serves /metrics on a listener of its own, apart from the API (shared/metrics.py).
METRICS_PORTS = {"gateway": 9100, "partnerships": 9101, "training": 9102, "outreach": 9103, "publications": 9104,
                 "notifications": 9105}

_secrets_waived: ContextVar[bool] = ContextVar("secrets_waived", default=False)


class AppEnv(enum.StrEnum):
    dev = "dev"
    production = "production"


class CommonSettings(BaseSettings):
    """What every process (gateway and services) reads. Unprefixed names, shared by all."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    app_env: AppEnv = Field(AppEnv.production, validation_alias="APP_ENV")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="LOG_JSON")
    # Readable lines (LOG_JSON=false) in colour: `auto` when the output is a terminal and NO_COLOR is unset.
    log_color: Literal["auto", "true", "false"] = Field("auto", validation_alias="LOG_COLOR")
    # Readable lines without their own time and process name, which a supervisor puts before each (`make run`).
    log_labelled: bool = Field(False, validation_alias="LOG_LABELLED")
    var_dir: Path = Field(Path("var"), validation_alias="VAR_DIR")
    # The gateway signs the caller it authenticated with this secret; services verify it.
    internal_auth_secret: SecretStr | None = Field(None, validation_alias="INTERNAL_AUTH_SECRET")
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    # Where the metrics listener binds (shared/metrics.py): loopback by default, so only the host itself (or, in a
    # container, set to 0.0.0.0 behind a network policy, the monitoring) reaches it; never the API's port.
    metrics_host: str = Field("127.0.0.1", validation_alias="METRICS_HOST")
    # Tests only: a file whose ISO instant is "now" while it exists (see shared/clock.py).
    clock_file: Path | None = Field(None, validation_alias="CLOCK_FILE")

    secret_fields: ClassVar[tuple[str, ...]] = ("internal_auth_secret",)
    # Settings that are not secret but have no usable default outside dev either (checked like the secrets, and
    # waived like them for tooling).
    required_outside_dev: ClassVar[tuple[str, ...]] = ()
    dev_defaults: ClassVar[dict[str, str]] = {"internal_auth_secret": DEV_INTERNAL_SECRET}

    @classmethod
    def for_tooling(cls) -> Self:
        """Settings for a tool that needs no secret (migrations read only the database URL), so a migration
        job can run without being handed the secrets of the services."""
        token = _secrets_waived.set(True)
        try:
            return cls()
        finally:
            _secrets_waived.reset(token)

    @model_validator(mode="after")
    def _secrets_present(self) -> CommonSettings:
        if _secrets_waived.get():
            return self
        missing = []
        for name in self.secret_fields:
            value = getattr(self, name)
            if value is not None and not value.get_secret_value().strip():
                value = None  # an empty secret is no secret: as good as missing
                setattr(self, name, None)
            if value is not None or not self.secret_needed(name):
                continue
            if self.app_env is AppEnv.dev and name in self.dev_defaults:
                setattr(self, name, SecretStr(self.dev_defaults[name]))
            else:
                alias = type(self).model_fields[name].validation_alias
                missing.append(str(alias))
        if missing:
            raise ValueError(
                f"missing secret setting(s) {', '.join(missing)}: required when APP_ENV={self.app_env.value} "
                "(set APP_ENV=dev for local development defaults)"
            )
        unset = [str(type(self).model_fields[name].validation_alias) for name in self.required_outside_dev
                 if not str(getattr(self, name) or "").strip()]
        if unset and self.app_env is not AppEnv.dev:
            raise ValueError(f"missing setting(s) {', '.join(unset)}: required when APP_ENV={self.app_env.value}")
        return self

    def secret_needed(self, name: str) -> bool:
        """A subclass may waive a secret that its other settings make unnecessary."""
        return True

    @property
    def is_dev(self) -> bool:
        return self.app_env is AppEnv.dev

    def internal_secret(self) -> str:
        assert self.internal_auth_secret is not None
        return self.internal_auth_secret.get_secret_value()


class ServiceSettings(CommonSettings):
    """One service's settings. Service-specific names carry the service prefix (`TRAINING_DATABASE_URL`):
    a subclass sets `service_name` and `model_config = service_config("training")`."""

    service_name: ClassVar[str]

    database_url: str = ""
    port: int = 0
    metrics_port: int = 0  # <SERVICE>_METRICS_PORT; 0: the default of METRICS_PORTS
    # Kafka consumer tuning: how many events one database transaction applies, and what a failing one costs.
    consumer_batch_size: int = 200
    consumer_max_attempts: int = 4
    consumer_retry_initial_seconds: float = 0.2
    consumer_retry_max_seconds: float = 5.0
    # The relay publishes right after each commit; polling only catches rows another replica committed.
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 500
    # Overload (shared/admission.py): API requests worked on at once (one more is refused with 503 at once), and
    # the longest a request may take; the gateway asks for less in X-Request-Timeout-Ms.
    max_requests_in_flight: int = Field(64, ge=1)
    request_deadline_seconds: float = Field(8.0, gt=0)
    kafka_create_topics: bool = Field(True, validation_alias="KAFKA_CREATE_TOPICS")
    kafka_topic_partitions: int = Field(3, validation_alias="KAFKA_TOPIC_PARTITIONS")
    # How long a consumer's fetch waits for new records. Apache Kafka answers a waiting fetch as soon as records
    # arrive, so a long wait (500 ms, Kafka's default) costs nothing there; the embedded broker answers only when
    # the wait is over, so every event would wait that long: 20 ms is what it gets by default.
    kafka_fetch_max_wait_ms: int = Field(20, ge=1, le=10_000, validation_alias="KAFKA_FETCH_MAX_WAIT_MS")

    @model_validator(mode="after")
    def _service_defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / (self.service_name + '.db')}"
        if not self.port:
            self.port = SERVICE_PORTS.get(self.service_name, 0)
        if not self.metrics_port:
            self.metrics_port = METRICS_PORTS.get(self.service_name, 0)
        return self

    @property
    def topic(self) -> str:
        return f"{self.service_name}.events"


def service_config(service_name: str) -> SettingsConfigDict:
    return SettingsConfigDict(extra="ignore", populate_by_name=True, env_prefix=f"{service_name.upper()}_")
