"""The gateway's settings (GATEWAY_*), on top of the common ones."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from shared.settings import METRICS_PORTS, CommonSettings

DEV_JWT_SECRET = "dev-jwt-secret-not-for-production"  # noqa: S105  (dev only, refused in production)
DEV_ADMIN_API_KEY = "dev-admin-key"


class GatewaySettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="GATEWAY_HOST")
    port: int = Field(8000, validation_alias="GATEWAY_PORT")
    # /metrics is served here, on METRICS_HOST, not on the public port (shared/metrics.py).
    metrics_port: int = Field(METRICS_PORTS["gateway"], validation_alias="GATEWAY_METRICS_PORT")
    database_url: str = Field("", validation_alias="GATEWAY_DATABASE_URL")
    routes_file: Path = Field(Path(__file__).with_name("routes.toml"), validation_alias="GATEWAY_ROUTES_FILE")
    # Overrides the routing table's timeouts when set (seconds until a slow service is answered with 504).
    upstream_timeout_seconds: float | None = Field(None, validation_alias="GATEWAY_UPSTREAM_TIMEOUT_SECONDS")
    # How much sooner than the gateway stops waiting a service is told to give up (X-Request-Timeout-Ms): time
    # for its 503 ("not in time, nothing committed") to come back before the gateway would answer 504.
    deadline_grace_seconds: float = Field(2.0, ge=0.1, validation_alias="GATEWAY_DEADLINE_GRACE_SECONDS")
    jwt_secret: SecretStr | None = Field(None, validation_alias="GATEWAY_JWT_SECRET")
    # A PEM public key: when set, people's tokens are RS256, verified with it, and no HS256 secret is needed.
    jwt_public_key: str | None = Field(None, validation_alias="GATEWAY_JWT_PUBLIC_KEY")
    # What a person's token must say it is for (`aud`) and who issued it (`iss`), as the identity provider writes
    # them; required outside dev, so a token minted for another application with the same key is refused.
    jwt_audience: str | None = Field(None, validation_alias="GATEWAY_JWT_AUDIENCE")
    jwt_issuer: str | None = Field(None, validation_alias="GATEWAY_JWT_ISSUER")
    # The longest life (exp - iat, seconds) a token may have: a stolen long-lived token is refused outright.
    jwt_max_lifetime_seconds: int = Field(86_400, gt=0, validation_alias="GATEWAY_JWT_MAX_LIFETIME_SECONDS")
    admin_api_key: SecretStr | None = Field(None, validation_alias="GATEWAY_ADMIN_API_KEY")
    # How long a verified API key is trusted without asking the database again (revocation on this process
    # is immediate; other gateway processes see it within this time).
    api_key_cache_seconds: float = Field(2.0, ge=0, validation_alias="GATEWAY_API_KEY_CACHE_SECONDS")
    # Origins (the dashboard's, the app's web views) whose pages may call the API from a browser: a JSON list.
    cors_origins: list[str] = Field(default_factory=list, validation_alias="GATEWAY_CORS_ORIGINS")
    # A service that fails this many requests in a row (refused or timed out) is answered 503 at once for this
    # long, then tried again (gateway/resilience.py).
    breaker_failures: int = Field(5, ge=1, validation_alias="GATEWAY_BREAKER_FAILURES")
    breaker_open_seconds: float = Field(5.0, gt=0, validation_alias="GATEWAY_BREAKER_OPEN_SECONDS")
    # Rate limits: the routing table's [rate_limits], unless this JSON replaces them; counters in Redis when set.
    rate_limits: dict[str, dict[str, str]] | None = Field(None, validation_alias="GATEWAY_RATE_LIMITS")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    # The proxies (addresses or CIDR networks, a JSON list) whose X-Forwarded-For / X-Forwarded-Proto are believed:
    # the ingress or load balancer in front of the gateway. Empty: the client is the socket's peer, whatever a
    # request claims, so an anonymous caller cannot pick a fresh rate-limit bucket by inventing an address.
    trusted_proxies: list[str] = Field(default_factory=list, validation_alias="GATEWAY_TRUSTED_PROXIES")
    rate_limit_prefix: str = Field("panda-coop-rate", validation_alias="GATEWAY_RATE_LIMIT_PREFIX")

    secret_fields: ClassVar[tuple[str, ...]] = ("internal_auth_secret", "jwt_secret")
    required_outside_dev: ClassVar[tuple[str, ...]] = ("jwt_audience", "jwt_issuer")
    dev_defaults: ClassVar[dict[str, str]] = {
        **CommonSettings.dev_defaults,
        "jwt_secret": DEV_JWT_SECRET,
        "admin_api_key": DEV_ADMIN_API_KEY,
    }

    @model_validator(mode="after")
    def _defaults(self) -> GatewaySettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'gateway.db'}"
        if self.admin_api_key is None and self.is_dev:
            self.admin_api_key = SecretStr(DEV_ADMIN_API_KEY)
        return self

    def secret_needed(self, name: str) -> bool:
        # With an RS256 public key configured, no HS256 secret is used at all.
        return not (name == "jwt_secret" and self.jwt_public_key)
