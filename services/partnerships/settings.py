from pydantic import Field

from shared.settings import ServiceSettings, service_config


class PartnershipsSettings(ServiceSettings):
    service_name = "partnerships"
    model_config = service_config("partnerships")
    # How often each replica looks for active agreements whose term has ended.
    expiry_check_seconds: float = 60.0

    # Webhooks (docs/webhooks.md). Hosts (names or addresses, comma-separated) a subscription may point at
    # although they resolve to a loopback, private or link-local address; plain http is allowed only for them.
    webhook_allowed_hosts: str = ""
    # How often each replica looks for due deliveries when the consumer has not woken it.
    webhook_poll_seconds: float = 1.0
    # Retries: exponential backoff with jitter from the initial delay up to the maximum; a delivery that has
    # failed for `give_up` seconds is given up, and a subscription failing that long is disabled.
    webhook_retry_initial_seconds: float = 10.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_give_up_seconds: float = 86_400.0
    webhook_timeout_seconds: float = 5.0
    # Deliveries one replica sends at once.
    webhook_concurrency: int = 20
    # How long the delivery log keeps a finished entry (delivered, given up, or a notice), counted from when it was
    # queued; pending deliveries stay whatever their age. A given-up delivery can be replayed until then. Each
    # replica looks for entries past it every `webhook_log_purge_seconds`.
    webhook_log_retention_days: float = Field(30.0, gt=0)
    webhook_log_purge_seconds: float = Field(3600.0, gt=0)

    @property
    def webhook_allowlist(self) -> frozenset[str]:
        return frozenset(h.strip().lower().strip("[]") for h in self.webhook_allowed_hosts.split(",") if h.strip())
