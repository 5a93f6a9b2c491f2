"""The deployment files against the code: docker-compose.yml and deploy/k8s/*.yaml are parsed (no Docker, no
cluster) and every service, port, environment variable, secret and topic they name is checked against the
settings classes, the routing table and the topics the services publish and read, and the Kafka ACLs against
what each service does on Kafka. A setting renamed in the code, a port moved or a topic added fails here, naming
what differs."""

from __future__ import annotations

import ast
import base64
import importlib
import importlib.util
import os
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from pydantic import AliasChoices, SecretStr, ValidationError
from sqlalchemy.engine import make_url

from deploy.migrate import DATABASES
from gateway.routing import load_routing_table
from gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.contracts.notifications import notifications_topic
from shared.events.kafka import dlq_topic
from shared.http_server import HTTP_PROTOCOL
from shared.settings import METRICS_PORTS, SERVICE_PORTS, SERVICES, AppEnv, CommonSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S_DIR = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
POSTGRES_INIT = ROOT / "deploy" / "postgres-init.sql"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
NOT_APPLIED = {"kustomization.yaml", "secret.example.yaml"}  # the secret's real values come from the cluster


# --- what the code says -----------------------------------------------------------------------------------


def _service_settings(name: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{name}.settings")
    found = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, ServiceSettings)
             and getattr(c, "service_name", None) == name]
    assert len(found) == 1, f"services/{name}/settings.py should define one ServiceSettings with service_name={name!r}"
    return found[0]


SETTINGS: dict[str, type[CommonSettings]] = {"gateway": GatewaySettings, **{n: _service_settings(n) for n in SERVICES}}
APPS = tuple(SETTINGS)
PORTS = {**SERVICE_PORTS, "gateway": GatewaySettings.model_fields["port"].default}
TARGETS = {"gateway": "gateway.app:app", **{n: f"services.{n}.app:app" for n in SERVICES}}
ROUTED_SERVICES = tuple(tomllib.loads(GatewaySettings.model_fields["routes_file"].default.read_text())["services"])


def env_name(cls: type[CommonSettings], field: str) -> str:
    alias = cls.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias.upper()
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0]).upper()
    return f"{cls.model_config.get('env_prefix') or ''}{field}".upper()


def env_names(cls: type[CommonSettings]) -> set[str]:
    """Every environment variable the settings class reads: its fields, under their alias or with its prefix."""
    names = set()
    for field, info in cls.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {c.upper() for c in alias.choices if isinstance(c, str)}
        else:
            names.add(env_name(cls, field))
    if cls is GatewaySettings:  # gateway/routing.py: one override per service of routes.toml
        names |= {f"GATEWAY_UPSTREAM_{s.upper()}" for s in ROUTED_SERVICES}
    return names


ACCEPTED = {app: env_names(cls) for app, cls in SETTINGS.items()}
ACCEPTED_MIGRATE = set().union(*(ACCEPTED[db] for db in DATABASES))  # deploy/migrate.py reads each database's
ACCEPTED_ANY = set().union(*ACCEPTED.values())


def secrets(cls: type[CommonSettings]) -> set[str]:
    """The secrets a deployment gives: what the code refuses to start without in production (`secret_fields`)
    and every other SecretStr (the gateway's admin key)."""
    secret_typed = {f for f, info in cls.model_fields.items()
                    if info.annotation is SecretStr or SecretStr in getattr(info.annotation, "__args__", ())}
    return {env_name(cls, f) for f in (*cls.secret_fields, *secret_typed)}


def secret_names(cls: type[CommonSettings]) -> set[str]:
    """What must not be written in plain configuration: the secrets and the database URL (it has the password)."""
    return secrets(cls) | {env_name(cls, "database_url")}


SECRET_NAMES_ANY = set().union(*(secret_names(c) for c in SETTINGS.values()))


def _consumed_topics(service: str) -> frozenset[str]:
    """The topics `service`'s consumer reads: those of its event handlers (services/<service>/events/handlers.py,
    a `handlers` registry or an `event_handlers(clock)` that makes one)."""
    module = importlib.import_module(f"services.{service}.events.handlers")
    handlers = getattr(module, "handlers", None)
    if handlers is None:
        handlers = module.event_handlers(Clock())
    return frozenset(handlers.topics)


CONSUMED = {s: _consumed_topics(s) for s in SERVICES}
with mock.patch.dict(os.environ, {"APP_ENV": "dev"}, clear=True):
    EVENTS_TOPICS = {s: SETTINGS[s]().topic for s in SERVICES}
# The private `<service>.notifications` topics (shared/contracts/notifications.py) that are read, and the service
# that writes each (its outbox puts its notification requests there). They carry people's contact data.
PRIVATE_TOPICS = {notifications_topic(s): s for s in SERVICES
                  if any(notifications_topic(s) in topics for topics in CONSUMED.values())}
NOTIFICATIONS = "notifications"  # the one service that may read the private topics
PRIVATE_RETENTION_MS = 7 * 24 * 3600 * 1000


def code_topics() -> set[str]:
    """Every topic written or read: each service's events, the private topics read, and the DLQ beside each."""
    topics = set(EVENTS_TOPICS.values()).union(*CONSUMED.values())
    return topics | {dlq_topic(t) for t in topics}


def load_settings(cls: type[CommonSettings], env: dict[str, str], *, tooling: bool = False) -> Any:
    """The settings a process would read in exactly this environment (nothing of the test's own leaks in)."""
    with mock.patch.dict(os.environ, env, clear=True):
        return cls.for_tooling() if tooling else cls()


def try_settings(cls: type[CommonSettings], env: dict[str, str], where: str, problems: list[str]) -> Any:
    try:
        return load_settings(cls, env)
    except ValidationError as exc:
        problems.append(f"{where}: {cls.__name__} refuses its environment: {exc}")
        return None


def upstreams(env: dict[str, str]) -> dict[str, str]:
    with mock.patch.dict(os.environ, env, clear=True):
        table = load_routing_table(GatewaySettings.model_fields["routes_file"].default)
    return {r.service: r.upstream for r in table.routes}


def assert_no_problems(problems: list[str], what: str) -> None:
    assert not problems, f"{what}:\n  " + "\n  ".join(problems)


def module_defines_app(target: str) -> str | None:
    """None when `module:attr` names a module that exists and assigns `attr` at top level (without importing it:
    importing an app reads production settings)."""
    module, _, attr = target.partition(":")
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        return f"no module {module}"
    tree = ast.parse(Path(spec.origin).read_text())
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == attr for t in targets):
            return None
    return f"{module} assigns no `{attr}`"


UVICORN_SWITCHES = {"--no-access-log", "--no-proxy-headers", "--proxy-headers"}  # options that take no value


def parse_uvicorn(command: Any) -> tuple[str | None, dict[str, str]]:
    """(target, options) of a `uvicorn <target> --host ... --port ...` command, or (None, {}) for another one."""
    if isinstance(command, str):
        command = command.split()
    args = list(command or [])
    if args[:3] == ["python", "-m", "uvicorn"]:
        args = args[2:]
    if not args or args[0] != "uvicorn":
        return None, {}
    target, options, rest = None, {}, iter(args[1:])
    for arg in rest:
        if arg.startswith("--"):
            key, eq, value = arg.partition("=")
            options[key] = value if eq else ("" if key in UVICORN_SWITCHES else next(rest, ""))
        elif target is None:
            target = arg
    return target, options


def check_uvicorn(where: str, app: str, command: Any, port: int) -> list[str]:
    target, options = parse_uvicorn(command)
    problems = []
    if target != TARGETS[app]:
        problems.append(f"{where}: runs {target!r}, the code's app is {TARGETS[app]!r}")
    elif (missing := module_defines_app(target)) is not None:
        problems.append(f"{where}: uvicorn target {target}: {missing}")
    if options.get("--port") != str(port):
        problems.append(f"{where}: uvicorn --port {options.get('--port')!r}, the code's port is {port}")
    if options.get("--http") != HTTP_PROTOCOL:
        problems.append(f"{where}: uvicorn --http {options.get('--http')!r}: without {HTTP_PROTOCOL} headers have "
                        "no size limit and no read timeout")
    if options.get("--host") != "0.0.0.0":
        problems.append(f"{where}: uvicorn --host {options.get('--host')!r}: a container must listen on 0.0.0.0")
    if app == "gateway" and "--no-proxy-headers" not in options:
        problems.append(f"{where}: the gateway runs without --no-proxy-headers: uvicorn would believe anyone's "
                        "X-Forwarded-For from its trusted default, not only GATEWAY_TRUSTED_PROXIES")
    return problems


def url_host_port(url: str) -> tuple[str | None, int | None]:
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^:/?#]+)(?::(\d+))?", url)
    return (m.group(1), int(m.group(2)) if m.group(2) else None) if m else (None, None)


def check_database_url(where: str, app: str, url: str | None, host: str) -> list[str]:
    if not url:
        return [f"{where}: {env_name(SETTINGS[app], 'database_url')} is not set (the code would fall back to SQLite)"]
    parsed = make_url(url)
    problems = []
    if parsed.drivername != "postgresql+asyncpg":
        problems.append(f"{where}: database URL driver {parsed.drivername!r}, expected 'postgresql+asyncpg'")
    if parsed.host != host:
        problems.append(f"{where}: database host {parsed.host!r}, expected {host!r}")
    if parsed.database != app:
        problems.append(f"{where}: database {parsed.database!r}, expected {app!r} (one database per service)")
    return problems


# --- docker-compose.yml -----------------------------------------------------------------------------------

INFRA_IMAGES = {"apache/kafka": "kafka", "postgres": "postgres", "redis": "redis", "axllent/mailpit": "mail"}
# Stand-ins for the outside services the notifications service sends to, run from the app image (`python -m ...`).
SINKS = {"deploy.push_sink": "push"}
INFRA_OWN_ENV = {"kafka": ("KAFKA_", "CLUSTER_ID"), "postgres": ("POSTGRES_", "PG"), "redis": (), "mail": ("MP_",),
                 "push": ()}
# Secrets the code can do without (no SMTP login without NOTIFICATIONS_SMTP_USERNAME, no token for an FCM that
# asks none): compose sends to its own mail catcher and push sink, which need neither, so it may leave them out.
# Given, they are required from the host like every other secret.
COMPOSE_OPTIONAL_SECRETS = {"NOTIFICATIONS_SMTP_PASSWORD", "NOTIFICATIONS_FCM_ACCESS_TOKEN"}
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(value: Any) -> tuple[str, dict[str, str]]:
    """A compose value as compose would make it with an empty host environment, except that `${X}` and `${X:?}`
    become a placeholder; and how each host variable is used: required (`:?`), defaulted (`:-`) or bare."""
    used: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        if m.group("escaped"):
            return "$"
        name = m.group("braced") or m.group("bare")
        op = m.group("op") or ""
        if "-" in op:
            used.setdefault(name, "defaulted")
            return m.group("arg")
        if "+" in op:
            used.setdefault(name, "defaulted")
            return ""
        used[name] = "required" if "?" in op else used.get(name, "bare")
        return f"from-host-{name.lower()}"

    return _INTERPOLATION.sub(sub, "" if value is None else str(value)), used


def compose_environment(spec: dict[str, Any]) -> dict[str, Any]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def depends_on(spec: dict[str, Any]) -> dict[str, str]:
    deps = spec.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (d or {}).get("condition", "service_started") for name, d in deps.items()}


def has_healthcheck(spec: dict[str, Any]) -> bool:
    check = spec.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable") and check.get("test") != ["NONE"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def containers(compose: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each compose service: (kind, what) with kind `app` (what: gateway or a service), `migrate` or `infra`
    (what: kafka, postgres, redis, mail, or push: a sink of SINKS run from the app image)."""
    out, problems = {}, []
    for name, spec in compose["services"].items():
        build = spec.get("build")
        dockerfile = (build or {}).get("dockerfile") if isinstance(build, dict) else None
        image = str(spec.get("image", "")).split(":")[0]
        if build is not None:
            if dockerfile is None or (ROOT / (build.get("context") or ".") / dockerfile).resolve() != DOCKERFILE:
                problems.append(f"{name}: built from {build!r}, expected deploy/Dockerfile")
            target, _ = parse_uvicorn(spec.get("command"))
            if target is not None:
                app = next((a for a, t in TARGETS.items() if t == target), None)
                if app is None:
                    problems.append(f"{name}: runs {target!r}, which is none of {sorted(TARGETS.values())}")
                else:
                    out[name] = ("app", app)
            elif spec.get("command") == ["python", "-m", "deploy.migrate"]:
                out[name] = ("migrate", "migrate")
            elif (sink := _sink_module(spec.get("command"))) in SINKS:
                out[name] = ("infra", SINKS[sink])
            else:
                problems.append(f"{name}: the app image running {spec.get('command')!r}, neither uvicorn, migrate "
                                f"nor a sink of {sorted(SINKS)}")
        elif image in INFRA_IMAGES:
            out[name] = ("infra", INFRA_IMAGES[image])
        else:
            problems.append(f"{name}: image {spec.get('image')!r} is none of {sorted(INFRA_IMAGES)}")
    assert_no_problems(problems, "docker-compose.yml has containers the code does not know")
    return out


def _sink_module(command: Any) -> str | None:
    args = list(command or []) if not isinstance(command, str) else command.split()
    return args[2] if args[:2] == ["python", "-m"] and len(args) > 2 else None


def names_container(values: Any, container: str) -> bool:
    """Whether one of the setting values names the container as a host: `host:port` in a URL or a list of servers,
    or the value is the host alone (NOTIFICATIONS_SMTP_HOST, whose port is another setting)."""
    pattern = re.compile(rf"(?:^|[\s/@,]){re.escape(container)}(?::\d+)?(?:$|[\s/,?])")
    return any(pattern.search(str(v).strip()) for v in values)


def _apps(containers: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {what: name for name, (kind, what) in containers.items() if kind == "app"}


def _compose_app(containers: dict[str, tuple[str, str]], app: str) -> str:
    name = _apps(containers).get(app)
    assert name is not None, f"docker-compose.yml: no container runs {app} ({TARGETS[app]})"
    return name


def _infra(containers: dict[str, tuple[str, str]]) -> dict[str, str]:
    """kafka, postgres, redis -> the container running it (each must exist)."""
    infra = {what: name for name, (kind, what) in containers.items() if kind == "infra"}
    missing = [what for what in ("kafka", "postgres", "redis") if what not in infra]
    assert not missing, f"docker-compose.yml: no container runs {', '.join(missing)}"
    return infra


def _migrate(containers: dict[str, tuple[str, str]]) -> str:
    names = [name for name, (kind, _) in containers.items() if kind == "migrate"]
    assert len(names) == 1, f"docker-compose.yml: {len(names)} containers run `python -m deploy.migrate`, expected one"
    return names[0]


def test_compose_runs_the_five_services_the_gateway_and_their_infrastructure(
    compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    apps = [what for kind, what in containers.values() if kind == "app"]
    problems = [f"{a} runs in more than one container" for a in sorted(set(apps)) if apps.count(a) > 1]
    problems += [f"no container runs {a} ({TARGETS[a]})" for a in APPS if a not in apps]
    # The gateway reaches each service at http://<compose service name>:<port>, so the names must be the code's.
    problems += [f"{name} runs {what}: name the container {what!r}" for name, (kind, what) in containers.items()
                 if kind == "app" and name != what]
    _infra(containers), _migrate(containers)  # kafka, postgres, redis and migrate exist
    problems += [f"{name}: ZooKeeper is not wanted (Kafka runs in KRaft mode)" for name in compose["services"]
                 if "zookeeper" in name.lower() or "zookeeper" in str(compose["services"][name].get("image", ""))]
    assert_no_problems(problems, "docker-compose.yml's containers differ from the code's")


def test_compose_kafka_is_kraft_and_postgres_has_one_database_per_service(
    compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    infra = _infra(containers)
    kafka_env = compose_environment(compose["services"][infra["kafka"]])
    roles = set(str(kafka_env.get("KAFKA_PROCESS_ROLES", "")).split(","))
    problems = []
    if not {"broker", "controller"} <= roles:
        problems.append(f"kafka: KAFKA_PROCESS_ROLES {sorted(roles)}: a single KRaft node is broker,controller")
    if "KAFKA_CONTROLLER_QUORUM_VOTERS" not in kafka_env:
        problems.append("kafka: KAFKA_CONTROLLER_QUORUM_VOTERS unset (KRaft)")
    created = set(re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)", POSTGRES_INIT.read_text(), re.IGNORECASE))
    problems += [f"deploy/postgres-init.sql creates no database {db!r}" for db in DATABASES if db not in created]
    mounts = [str(v) for v in compose["services"][infra["postgres"]].get("volumes", [])]
    if not any("postgres-init.sql" in m and "/docker-entrypoint-initdb.d/" in m for m in mounts):
        problems.append("postgres: deploy/postgres-init.sql is not mounted into /docker-entrypoint-initdb.d/")
    assert_no_problems(problems, "docker-compose.yml's infrastructure")


@pytest.mark.parametrize("app", APPS)
def test_compose_command_and_ports_match_the_code(
    app: str, compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    name = _compose_app(containers, app)
    spec, port = compose["services"][name], PORTS[app]
    problems = check_uvicorn(name, app, spec.get("command"), port)
    env = compose_environment(spec)
    port_var = env_name(SETTINGS[app], "port")
    if port_var in env and str(env[port_var]) != str(port):
        problems.append(f"{name}: {port_var}={env[port_var]}, the code's port is {port}")
    check = " ".join(map(str, (spec.get("healthcheck") or {}).get("test") or []))
    for probed in re.findall(r"https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0):(\d+)/", check):
        if int(probed) != port:
            problems.append(f"{name}: healthcheck probes port {probed}, the app listens on {port}")
    for published in spec.get("ports", []):
        inner = str(published).split("/")[0].rsplit(":", 1)[-1]
        if inner != str(port):
            problems.append(f"{name}: publishes container port {inner}, the app listens on {port}")
    if spec.get("ports") and app != "gateway":
        problems.append(f"{name}: publishes {spec['ports']}: clients reach the services only through the gateway")
    assert_no_problems(problems, f"docker-compose.yml's {name} differs from the code")


def test_compose_environment_names_are_read_by_the_code(
    compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    problems = []
    for name, (kind, what) in containers.items():
        env = compose_environment(compose["services"][name])
        for var, value in env.items():
            if isinstance(value, bool):
                problems.append(f"{name}: {var} is a YAML boolean; compose wants a string (quote it)")
            if kind == "infra":
                if not var.startswith(INFRA_OWN_ENV[what]):
                    problems.append(f"{name}: {var} is not one of the {what} image's own settings")
                continue
            accepted = ACCEPTED_MIGRATE if kind == "migrate" else ACCEPTED[what]
            if var.upper() not in accepted:
                problems.append(f"{name}: {var} is read by no settings of {what}")
    assert_no_problems(problems, "docker-compose.yml names environment variables the code does not read")


def test_compose_host_variables_cannot_be_silently_empty(compose: dict[str, Any]) -> None:
    usage: dict[str, set[str]] = {}
    for spec in compose["services"].values():
        for value in compose_environment(spec).values():
            for var, how in interpolate(value)[1].items():
                usage.setdefault(var, set()).add(how)
    problems = [f"${{{var}}} is used but never required (${{{var}:?...}}) nor defaulted (${{{var}:-...}})"
                for var, hows in sorted(usage.items()) if hows == {"bare"}]
    assert_no_problems(problems, "docker-compose.yml")


def _compose_env(spec: dict[str, Any]) -> dict[str, str]:
    return {var: interpolate(value)[0] for var, value in compose_environment(spec).items()}


@pytest.mark.parametrize("app", APPS)
def test_compose_settings_load_in_production_with_every_secret(
    app: str, compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    name, cls = _compose_app(containers, app), SETTINGS[app]
    spec, infra = compose["services"][name], _infra(containers)
    raw = compose_environment(spec)
    problems = []
    for secret in sorted(secrets(cls)):
        if secret in COMPOSE_OPTIONAL_SECRETS and secret not in raw:
            continue
        hows = interpolate(raw[secret])[1] if secret in raw else {}
        if not hows or set(hows.values()) != {"required"}:
            given = f"not {raw[secret]!r}" if secret in raw else "it is missing"
            problems.append(f"{name}: {secret} must be ${{{secret}:?...}} (compose then refuses to start without it); "
                            f"{given}")
    env = _compose_env(spec)
    settings = try_settings(cls, env, name, problems)
    if settings is None:
        assert_no_problems(problems, f"docker-compose.yml's {name}")
    if settings.app_env is not AppEnv.production:
        problems.append(f"{name}: APP_ENV is {settings.app_env.value}, compose runs production")
    problems += check_database_url(name, app, env.get(env_name(cls, "database_url")), infra["postgres"])
    kafka_env = compose_environment(compose["services"][infra["kafka"]])
    advertised = {m for m in re.findall(r"://([^,]+)", str(kafka_env.get("KAFKA_ADVERTISED_LISTENERS", "")))}
    for server in settings.kafka_bootstrap_servers.split(","):
        if server.strip() not in advertised:
            problems.append(f"{name}: KAFKA_BOOTSTRAP_SERVERS names {server!r}; kafka advertises {sorted(advertised)}")
    if app == "gateway":
        apps = _apps(containers)
        for service, url in upstreams(env).items():
            expected = f"http://{apps.get(service, service)}:{PORTS.get(service)}"
            if url != expected:
                problems.append(f"{name}: the gateway reaches {service} at {url}, it runs at {expected}")
        redis_url = settings.redis_url
        if redis_url and url_host_port(redis_url)[0] != infra["redis"]:
            problems.append(f"{name}: REDIS_URL {redis_url} names no redis container ({infra['redis']})")
    assert_no_problems(problems, f"docker-compose.yml's {name}")


def test_compose_migrate_migrates_every_database(
    compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    name = _migrate(containers)
    env = _compose_env(compose["services"][name])
    problems = []
    for db in DATABASES:
        cls = SETTINGS[db]
        url = load_settings(cls, env, tooling=True).database_url
        problems += check_database_url(name, db, url if url.startswith("postgresql") else None,
                                       _infra(containers)["postgres"])
        app_name = _apps(containers).get(db)
        if app_name is not None:
            app_url = _compose_env(compose["services"][app_name]).get(env_name(cls, "database_url"))
            if app_url != url:
                problems.append(f"{name} migrates {url} but {app_name} uses {app_url}")
    assert_no_problems(problems, "docker-compose.yml's migrate job")


def test_compose_healthchecks_and_start_order(compose: dict[str, Any], containers: dict[str, tuple[str, str]]) -> None:
    services, infra = compose["services"], _infra(containers)
    migrate = _migrate(containers)
    problems = [f"{name}: no healthcheck" for name, (kind, _) in containers.items()
                if kind != "migrate" and not has_healthcheck(services[name])]
    for name, (kind, what) in containers.items():
        deps = depends_on(services[name])
        problems += [f"{name}: depends on {dep}, which is not in the file" for dep in deps if dep not in services]
        problems += [f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck"
                     for dep, cond in deps.items()
                     if cond == "service_healthy" and dep in services and not has_healthcheck(services[dep])]
        if kind == "infra":
            continue
        if kind == "app" and deps.get(migrate) != "service_completed_successfully":
            problems.append(f"{name}: must depend on {migrate} with condition service_completed_successfully")
        # Every piece of infrastructure (and, for the gateway, every service) the container's settings point at
        # must be up and healthy before it starts.
        values = _compose_env(services[name]).values()
        for dep in (*infra.values(), *(_apps(containers).values() if what == "gateway" else ())):
            if dep != name and names_container(values, dep) and deps.get(dep) != "service_healthy":
                problems.append(f"{name}: its settings name {dep}, so it must depend on {dep} being service_healthy")
    assert_no_problems(problems, "docker-compose.yml's health checks and start order")


def test_compose_infrastructure_is_used(compose: dict[str, Any], containers: dict[str, tuple[str, str]]) -> None:
    values = [v for name, (kind, _) in containers.items() if kind != "infra"
              for v in _compose_env(compose["services"][name]).values()]
    hints = {"kafka": "KAFKA_BOOTSTRAP_SERVERS", "postgres": "the *_DATABASE_URL", "redis": "the gateway's REDIS_URL",
             "mail": "NOTIFICATIONS_SMTP_HOST", "push": "NOTIFICATIONS_FCM_URL"}
    problems = [f"{name} ({what}) runs, but no app container's settings name it ({hints[what]})"
                for what, name in _infra(containers).items() if not names_container(values, name)]
    assert_no_problems(problems, "docker-compose.yml")


def test_compose_sinks_run_from_the_app_image_need_only_its_dependencies(
    compose: dict[str, Any], containers: dict[str, tuple[str, str]]
) -> None:
    """The image has requirements/runtime.lock only: a sink importing a development dependency (deploy/mail_sink.py
    needs aiosmtpd) would fail at start; a mail catcher image serves instead."""
    runtime = {re.sub(r"[-_.]+", "-", m.lower())
               for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", RUNTIME_LOCK.read_text(), re.MULTILINE)}
    first_party = {"deploy", "gateway", "services", "shared"}
    problems = []
    for name, (kind, _) in containers.items():
        module = _sink_module(compose["services"][name].get("command")) if kind == "infra" else None
        if module is None:
            continue
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, f"{name}: no module {module}"
        tree = ast.parse(Path(spec.origin).read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        third_party = imported - set(sys.stdlib_module_names) - first_party - {"__future__"}
        problems += [f"{name}: {module} imports {m}, which requirements/runtime.lock does not install"
                     for m in sorted(third_party) if re.sub(r"[-_.]+", "-", m.lower()) not in runtime]
    assert_no_problems(problems, "docker-compose.yml's sinks")


# --- deploy/k8s -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, dict[str, Any]]]:
    """kind -> name -> document, over every deploy/k8s/*.yaml (secret.example.yaml included)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    problems = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
            if not (doc.get("apiVersion") and kind and name):
                problems.append(f"{path.name}: a document without apiVersion, kind and metadata.name")
                continue
            if name in out.setdefault(kind, {}):
                problems.append(f"{path.name}: {kind} {name} is defined twice")
            out[kind][name] = doc
    assert_no_problems(problems, "deploy/k8s")
    return out


def deployment(k8s: dict[str, Any], app: str) -> dict[str, Any]:
    doc = k8s.get("Deployment", {}).get(app)
    assert doc is not None, f"deploy/k8s: no Deployment {app}"
    return doc


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["template"]["spec"]


def container_of(doc: dict[str, Any]) -> dict[str, Any]:
    containers = pod_spec(doc)["containers"]
    assert len(containers) == 1, f"{doc['kind']} {doc['metadata']['name']}: expected one container"
    return containers[0]


def named_port(container: dict[str, Any], port: Any) -> int | None:
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == port), None)


def secret_data(k8s: dict[str, Any], name: str) -> dict[str, str] | None:
    secret = k8s.get("Secret", {}).get(name)
    if secret is None:
        return None
    encoded = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
    return {**encoded, **(secret.get("stringData") or {})}


def k8s_env(k8s: dict[str, Any], where: str, container: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The container's environment (secrets from secret.example.yaml) and what is wrong with how it is given."""
    env, problems = {}, []
    configmaps = k8s.get("ConfigMap", {})
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            cm = configmaps.get(source["configMapRef"]["name"])
            if cm is None:
                problems.append(f"{where}: envFrom names ConfigMap {source['configMapRef']['name']!r}, not defined")
            else:
                env.update({k: str(v) for k, v in (cm.get("data") or {}).items()})
        else:
            problems.append(f"{where}: envFrom {source}: only the ConfigMap is given whole (secrets key by key)")
    for item in container.get("env", []):
        var, ref = item["name"], (item.get("valueFrom") or {})
        if "value" in item:
            if not isinstance(item["value"], str):
                problems.append(f"{where}: {var} is {item['value']!r}, not a string (quote it: Kubernetes refuses it)")
            if var in SECRET_NAMES_ANY:
                problems.append(f"{where}: {var} is written in the manifest; take it from the Secret (secretKeyRef)")
            env[var] = str(item["value"])
        elif "secretKeyRef" in ref:
            name, key = ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
            data = secret_data(k8s, name)
            if data is None or key not in data:
                problems.append(f"{where}: {var} comes from Secret {name!r} key {key!r}, which secret.example.yaml "
                                "does not have")
            else:
                env[var] = str(data[key])
        elif "configMapKeyRef" in ref:
            name, key = ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"]
            data = (configmaps.get(name) or {}).get("data") or {}
            if key not in data:
                problems.append(f"{where}: {var} comes from ConfigMap {name!r} key {key!r}, which is not defined")
            else:
                env[var] = str(data[key])
        else:
            problems.append(f"{where}: {var} has neither a value nor a secretKeyRef/configMapKeyRef")
    return env, problems


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    listed = set(kustomization.get("resources", []))
    files = {p.name for p in K8S_DIR.glob("*.yaml")} - NOT_APPLIED
    problems = [f"{f} is not listed in kustomization.yaml" for f in sorted(files - listed)]
    problems += [f"kustomization.yaml lists {f}, which does not exist" for f in sorted(listed - files - NOT_APPLIED)]
    problems += [f"kustomization.yaml lists {f}: applying it would overwrite the real secrets with placeholders"
                 for f in sorted(listed & {"secret.example.yaml"})]
    assert_no_problems(problems, "deploy/k8s/kustomization.yaml")


def test_k8s_deployments_are_the_five_services_and_the_gateway(k8s: dict[str, Any]) -> None:
    deployments = set(k8s.get("Deployment", {}))
    problems = [f"Deployment {d} is none of {list(APPS)}" for d in sorted(deployments - set(APPS))]
    problems += [f"no Deployment for {a}" for a in APPS if a not in deployments]
    assert_no_problems(problems, "deploy/k8s's Deployments differ from the code's")


def dockerfile_uid() -> int:
    text = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM\s", text, re.MULTILINE)) >= 2, "deploy/Dockerfile should be multi-stage"
    user = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert user and user[-1] not in ("root", "0"), "deploy/Dockerfile's final stage should run as a non-root USER"
    uid = re.search(r"useradd\b.*--uid\s+(\d+)", text)
    assert uid, "deploy/Dockerfile: no `useradd --uid <n>` to tell the user's uid"
    return int(uid.group(1))


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() -> None:
    assert dockerfile_uid() > 0, "deploy/Dockerfile's user should not be uid 0"


def _workloads(k8s: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("Deployment", "Job"):
        for name, doc in k8s.get(kind, {}).items():
            yield f"{kind} {name}", doc


def test_k8s_pods_run_the_image_as_its_non_root_user(k8s: dict[str, Any]) -> None:
    uid, problems, images = dockerfile_uid(), [], set()
    for where, doc in _workloads(k8s):
        images.add(container_of(doc)["image"])
        pod_ctx, ctx = pod_spec(doc).get("securityContext") or {}, container_of(doc).get("securityContext") or {}
        merged = pod_ctx | ctx
        if merged.get("runAsNonRoot") is not True:
            problems.append(f"{where}: securityContext.runAsNonRoot is not true")
        # The image's USER is a name, which the kubelet cannot check against runAsNonRoot: the uid must be given.
        if merged.get("runAsUser") != uid:
            problems.append(f"{where}: runAsUser {merged.get('runAsUser')}, the image's user is uid {uid}")
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation should be false")
    if len(images) != 1:
        problems.append(f"the workloads run different images {sorted(images)}; one image (deploy/Dockerfile) runs all")
    assert_no_problems(problems, "deploy/k8s")


@pytest.mark.parametrize("app", APPS)
def test_k8s_deployment_command_port_probes_and_resources(app: str, k8s: dict[str, Any]) -> None:
    doc = deployment(k8s, app)
    container, port, where = container_of(doc), PORTS[app], f"Deployment {app}"
    problems = check_uvicorn(where, app, [*container.get("command", []), *container.get("args", [])], port)
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if ports != {"http": port, "metrics": METRICS_PORTS[app]}:
        problems.append(f"{where}: containerPorts {ports}, the code's are http {port} and metrics "
                        f"{METRICS_PORTS[app]}")
    annotations = doc["spec"]["template"]["metadata"].get("annotations") or {}
    if annotations.get("prometheus.io/port") != str(METRICS_PORTS[app]):
        problems.append(f"{where}: prometheus.io/port {annotations.get('prometheus.io/port')!r}, the metrics "
                        f"listener is on {METRICS_PORTS[app]}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (container.get(probe) or {}).get("httpGet")
        if get is None:
            problems.append(f"{where}: no {probe} (httpGet {path})")
            continue
        if get.get("path") != path:
            problems.append(f"{where}: {probe} on {get.get('path')}, expected {path}")
        if named_port(container, get.get("port")) != port:
            problems.append(f"{where}: {probe} on port {get.get('port')!r}, the container listens on {port}")
    resources = container.get("resources") or {}
    for section in ("requests", "limits"):
        problems += [f"{where}: no resources.{section}.{r}" for r in ("cpu", "memory")
                     if r not in (resources.get(section) or {})]
    assert_no_problems(problems, f"deploy/k8s's {app} differs from the code")


def test_k8s_environment_names_are_read_by_the_code(k8s: dict[str, Any]) -> None:
    problems = []
    for name, cm in k8s.get("ConfigMap", {}).items():
        for var, value in (cm.get("data") or {}).items():
            if not isinstance(value, str):
                problems.append(f"ConfigMap {name}: {var} is {value!r}, not a string (quote it: Kubernetes refuses it)")
            if var not in ACCEPTED_ANY:
                problems.append(f"ConfigMap {name}: {var} is read by no settings class")
            if var in SECRET_NAMES_ANY:
                problems.append(f"ConfigMap {name}: {var} is a secret; it belongs in the Secret")
    for where, doc in _workloads(k8s):
        accepted = ACCEPTED.get(doc["metadata"]["name"], ACCEPTED_MIGRATE) if doc["kind"] == "Deployment" \
            else ACCEPTED_MIGRATE
        problems += [f"{where}: {item['name']} is not read by its settings" for item in container_of(doc).get("env", [])
                     if item["name"] not in accepted]
        problems += k8s_env(k8s, where, container_of(doc))[1]
    referenced = {item["valueFrom"]["secretKeyRef"]["key"] for _, doc in _workloads(k8s)
                  for item in container_of(doc).get("env", []) if "secretKeyRef" in (item.get("valueFrom") or {})}
    for name in k8s.get("Secret", {}):
        problems += [f"Secret {name}: key {key} is given to no container"
                     for key in sorted(set(secret_data(k8s, name) or {}) - referenced)]
    assert_no_problems(problems, "deploy/k8s names environment variables the code does not read")


@pytest.mark.parametrize("app", APPS)
def test_k8s_settings_load_in_production_with_every_secret(app: str, k8s: dict[str, Any]) -> None:
    doc, cls, where = deployment(k8s, app), SETTINGS[app], f"Deployment {app}"
    container = container_of(doc)
    env, problems = k8s_env(k8s, where, container)
    from_secret = {item["name"] for item in container.get("env", [])
                   if "secretKeyRef" in (item.get("valueFrom") or {})}
    wanted = secret_names(cls)
    problems += [f"{where}: {s} is not given from the Secret (secretKeyRef)" for s in sorted(wanted - from_secret)]
    settings = try_settings(cls, env, where, problems)
    if settings is None:
        assert_no_problems(problems, f"deploy/k8s's {app}")
    if settings.app_env is not AppEnv.production:
        problems.append(f"{where}: APP_ENV is {settings.app_env.value}, expected production")
    if settings.port != PORTS[app]:
        problems.append(f"{where}: its settings say port {settings.port}, the code's port is {PORTS[app]}")
    problems += check_database_url(where, app, env.get(env_name(cls, "database_url")), "postgres")
    if isinstance(settings, ServiceSettings) and settings.kafka_create_topics:
        problems.append(f"{where}: KAFKA_CREATE_TOPICS must be false: the topics are declared in topics.yaml")
    if app == "gateway":
        services = k8s.get("Service", {})
        for service, url in upstreams(env).items():
            host, port = url_host_port(url)
            svc = services.get(host or "")
            target = k8s.get("Deployment", {}).get(service)
            if svc is None or target is None:
                problems.append(f"{where}: the gateway reaches {service} at {url}: no Service/Deployment {host!r}")
                continue
            svc_port = next((p for p in svc["spec"]["ports"] if p["port"] == port), None)
            if svc_port is None or named_port(container_of(target), svc_port.get("targetPort", port)) != PORTS[service]:
                problems.append(f"{where}: the gateway reaches {service} at {url}, but Service {host} does not "
                                f"forward port {port} to {service}'s container port {PORTS[service]}")
    assert_no_problems(problems, f"deploy/k8s's {app}")


@pytest.mark.parametrize("app", APPS)
def test_k8s_service_exposes_each_deployment(app: str, k8s: dict[str, Any]) -> None:
    svc, doc = k8s.get("Service", {}).get(app), deployment(k8s, app)
    assert svc is not None, f"no Service {app} for Deployment {app}"
    labels = doc["spec"]["template"]["metadata"].get("labels") or {}
    selector = svc["spec"].get("selector") or {}
    problems = []
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        problems.append(f"Service {app}: selector {selector} does not select Deployment {app}'s pods {labels}")
    if selector != doc["spec"]["selector"]["matchLabels"]:
        problems.append(f"Service {app}: selector {selector} differs from the Deployment's {doc['spec']['selector']}")
    ports = [(p["port"], named_port(container_of(doc), p.get("targetPort", p["port"]))) for p in svc["spec"]["ports"]]
    if ports != [(PORTS[app], PORTS[app])]:
        problems.append(f"Service {app}: ports (port, container port) {ports}, expected {[(PORTS[app], PORTS[app])]}")
    assert_no_problems(problems, f"deploy/k8s's Service {app}")


def test_k8s_migrate_job_migrates_every_database(k8s: dict[str, Any]) -> None:
    jobs = [doc for doc in k8s.get("Job", {}).values()
            if container_of(doc).get("command", []) + container_of(doc).get("args", [])
            == ["python", "-m", "deploy.migrate"]]
    assert len(jobs) == 1, "deploy/k8s should have one Job running `python -m deploy.migrate`"
    where = f"Job {jobs[0]['metadata']['name']}"
    env, problems = k8s_env(k8s, where, container_of(jobs[0]))
    for db in DATABASES:
        url = load_settings(SETTINGS[db], env, tooling=True).database_url
        problems += check_database_url(where, db, url if url.startswith("postgresql") else None, "postgres")
    assert_no_problems(problems, "deploy/k8s's migrate Job")


def test_k8s_every_deployment_has_a_cpu_autoscaler(k8s: dict[str, Any]) -> None:
    hpas = list(k8s.get("HorizontalPodAutoscaler", {}).values())
    problems = []
    for name, doc in k8s.get("Deployment", {}).items():
        mine = [h for h in hpas if h["spec"]["scaleTargetRef"].get("kind") == "Deployment"
                and h["spec"]["scaleTargetRef"].get("name") == name]
        if len(mine) != 1:
            problems.append(f"Deployment {name}: {len(mine)} HorizontalPodAutoscalers target it, expected one")
            continue
        hpa = mine[0]
        if hpa["apiVersion"] != "autoscaling/v2":
            problems.append(f"HPA {hpa['metadata']['name']}: apiVersion {hpa['apiVersion']}, expected autoscaling/v2")
        if not 1 <= hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"]:
            problems.append(f"HPA {hpa['metadata']['name']}: minReplicas/maxReplicas out of order")
        cpu = [m for m in hpa["spec"].get("metrics", []) if m.get("type") == "Resource"
               and m["resource"]["name"] == "cpu" and m["resource"]["target"]["type"] == "Utilization"]
        if not cpu:
            problems.append(f"HPA {hpa['metadata']['name']}: no CPU utilization target")
        if "cpu" not in ((container_of(doc).get("resources") or {}).get("requests") or {}):
            problems.append(f"Deployment {name}: no CPU request, so its HPA has no utilization to measure")
        if "replicas" in doc["spec"]:
            problems.append(f"Deployment {name}: sets replicas, which every apply would reset under its HPA")
    problems += [f"HPA {h['metadata']['name']} targets {h['spec']['scaleTargetRef'].get('name')}, no such Deployment"
                 for h in hpas if h["spec"]["scaleTargetRef"].get("name") not in k8s.get("Deployment", {})]
    assert_no_problems(problems, "deploy/k8s's autoscalers")


def test_k8s_topics_are_the_code_s(k8s: dict[str, Any]) -> None:
    topics = {(doc["spec"].get("topicName") or name): doc for name, doc in k8s.get("KafkaTopic", {}).items()}
    expected = code_topics()
    problems = [f"topics.yaml lacks {t}" for t in sorted(expected - set(topics))]
    problems += [f"topics.yaml declares {t}, which no service publishes" for t in sorted(set(topics) - expected)]
    clusters = set()
    for topic, doc in sorted(topics.items()):
        spec = doc["spec"]
        if doc["apiVersion"] != "kafka.strimzi.io/v1beta2":
            problems.append(f"{topic}: apiVersion {doc['apiVersion']}, expected kafka.strimzi.io/v1beta2")
        if spec.get("replicas") != 3:
            problems.append(f"{topic}: replicas {spec.get('replicas')}, expected 3")
        min_isr = int((spec.get("config") or {}).get("min.insync.replicas", 1))
        if not 2 <= min_isr < spec.get("replicas", 0):
            problems.append(f"{topic}: min.insync.replicas {min_isr}: 2 keeps acks=all writes safe, one broker lost")
        floor = 1 if topic.endswith(".dlq") else 3
        if spec.get("partitions", 0) < floor:
            problems.append(f"{topic}: {spec.get('partitions')} partitions, at least {floor} for consumer parallelism")
        clusters.add((doc["metadata"].get("labels") or {}).get("strimzi.io/cluster"))
    if len(clusters) != 1 or None in clusters:
        problems.append(f"the topics name Strimzi clusters {sorted(map(str, clusters))}; expected one")
    else:
        cluster = clusters.pop()
        for name, cm in k8s.get("ConfigMap", {}).items():
            servers = str((cm.get("data") or {}).get("KAFKA_BOOTSTRAP_SERVERS", ""))
            if servers and not all(s.strip().startswith(f"{cluster}-kafka-bootstrap") for s in servers.split(",")):
                problems.append(f"ConfigMap {name}: KAFKA_BOOTSTRAP_SERVERS {servers} is not the bootstrap Service "
                                f"of the topics' cluster {cluster} ({cluster}-kafka-bootstrap)")
    assert_no_problems(problems, "deploy/k8s/topics.yaml differs from the code's topics")


def test_k8s_services_take_traffic_from_the_gateway_only_and_metrics_from_the_monitoring(k8s: dict[str, Any]) -> None:
    policies = k8s.get("NetworkPolicy", {})
    services = next(p for p in policies.values()
                    if p["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": "service"})
    rules = services["spec"]["ingress"]
    api = [r for r in rules if {"port": "http"} in r.get("ports", [])]
    assert api and all(r["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]
                       for r in api), "a service's API must take traffic from the gateway only"
    gateway = next(p for p in policies.values()
                   if p["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"})
    for policy in (services, gateway):
        metrics = [r for r in policy["spec"]["ingress"] if {"port": "metrics"} in r.get("ports", [])]
        assert metrics and all("namespaceSelector" in f for r in metrics for f in r["from"]), policy["metadata"]
    for app in APPS:
        labels = deployment(k8s, app)["spec"]["template"]["metadata"]["labels"]
        selected = [p for p in (services, gateway)
                    if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
        assert len(selected) == 1, f"{app} is under {len(selected)} of the network policies"


# --- Kafka ACLs (deploy/k8s/kafka-users.yaml) ---------------------------------------------------------------

TOPIC_OPERATIONS = ("Read", "Write", "Create", "Delete", "Alter", "Describe", "AlterConfigs", "DescribeConfigs")
SEES_ONLY = {"Describe", "DescribeConfigs"}  # a topic's name, partitions and settings, none of its records


def _k8s_topics(k8s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {(doc["spec"].get("topicName") or name): doc for name, doc in k8s.get("KafkaTopic", {}).items()}


def _acl_operations(acl: dict[str, Any]) -> set[str]:
    """An ACL rule's operations (Strimzi's `operations`, or the older single `operation`); `All` stays `All`."""
    return set(acl.get("operations") or ()) | ({acl["operation"]} if acl.get("operation") else set())


def _acl_matches(acl: dict[str, Any], resource_type: str, name: str) -> bool:
    resource = acl.get("resource") or {}
    if resource.get("type") != resource_type:
        return False
    pattern, acl_name = resource.get("patternType", "literal"), resource.get("name", "*")
    if pattern == "prefix":
        return name.startswith(acl_name)
    return acl_name in ("*", name)


def may(user: dict[str, Any], operation: str, resource_type: str, name: str) -> bool:
    """Whether a KafkaUser's ACLs let it do `operation` on the named resource, as Kafka decides: a rule allows it
    (by name, prefix or `*`; `All` is every operation; Read, Write, Delete and Alter imply Describe) and none
    denies it."""
    acls = ((user.get("spec") or {}).get("authorization") or {}).get("acls") or []
    granting = {operation, "All"} | ({"Read", "Write", "Delete", "Alter"} if operation == "Describe" else set())
    allowed = any(granting & _acl_operations(a) for a in acls
                  if a.get("type", "allow") == "allow" and _acl_matches(a, resource_type, name))
    denied = any({operation, "All"} & _acl_operations(a) for a in acls
                 if a.get("type") == "deny" and _acl_matches(a, resource_type, name))
    return allowed and not denied


def kafka_users(k8s: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The KafkaUsers by name (the principal `User:<name>`), and what would keep their ACLs from applying."""
    clusters = {(doc["metadata"].get("labels") or {}).get("strimzi.io/cluster") for doc in _k8s_topics(k8s).values()}
    users, problems = {}, []
    for name, doc in k8s.get("KafkaUser", {}).items():
        spec = doc.get("spec") or {}
        if doc["apiVersion"] != "kafka.strimzi.io/v1beta2":
            problems.append(f"KafkaUser {name}: apiVersion {doc['apiVersion']}, expected kafka.strimzi.io/v1beta2")
        if (spec.get("authentication") or {}).get("type") not in ("scram-sha-512", "tls"):
            problems.append(f"KafkaUser {name}: authentication {spec.get('authentication')}: without scram-sha-512 "
                            "or tls no client can be this principal")
        if (spec.get("authorization") or {}).get("type") != "simple":
            problems.append(f"KafkaUser {name}: authorization {spec.get('authorization')}, expected type simple")
        cluster = (doc["metadata"].get("labels") or {}).get("strimzi.io/cluster")
        if {cluster} != clusters:
            problems.append(f"KafkaUser {name}: strimzi.io/cluster {cluster!r}, the topics' cluster is "
                            f"{sorted(map(str, clusters))}: its User Operator would not see it")
        users[name] = doc
    return users, problems


def test_only_the_notifications_service_may_read_the_private_notification_topics(k8s: dict[str, Any]) -> None:
    """partnerships.notifications, training.notifications and outreach.notifications carry people's names, email
    addresses, phone numbers and check-in codes: the notifications service alone may read each, the service it is
    named after alone may write it, and Kafka keeps it 7 days at most (never compacted). Their DLQs carry the same
    data: the notifications service alone may write (and read) them, kept as briefly. Describe is anyone's (a
    topic's name and settings, none of its records)."""
    assert NOTIFICATIONS in SERVICES and PRIVATE_TOPICS, "no consumer reads a <service>.notifications topic"
    users, problems = kafka_users(k8s)
    topics = _k8s_topics(k8s)
    problems += [f"services/{s}'s consumer reads {t}: only {NOTIFICATIONS} may" for s, read in sorted(CONSUMED.items())
                 if s != NOTIFICATIONS for t in sorted(read & PRIVATE_TOPICS.keys())]
    for topic, owner in sorted(PRIVATE_TOPICS.items()):
        rules = ((topic, {(NOTIFICATIONS, "Read"), (owner, "Write")}, set(),
                  f"only {NOTIFICATIONS} may read it, only {owner} write it"),
                 (dlq_topic(topic), {(NOTIFICATIONS, "Write")}, {(NOTIFICATIONS, "Read")},
                  f"only {NOTIFICATIONS} may use it"))
        for name, required, allowed, rule in rules:
            granted = {(user, op) for user, doc in users.items() for op in TOPIC_OPERATIONS
                       if op not in SEES_ONLY and may(doc, op, "topic", name)}
            problems += [f"{name}: KafkaUser {user} may not {op} it, and must"
                         for user, op in sorted(required - granted)]
            problems += [f"{name}: KafkaUser {user} may {op} it; {rule}"
                         for user, op in sorted(granted - required - allowed)]
            doc = topics.get(name)
            if doc is None:
                problems.append(f"{name}: no KafkaTopic in topics.yaml")
                continue
            config = doc["spec"].get("config") or {}
            retention = int(config.get("retention.ms", 0))
            if not 0 < retention <= PRIVATE_RETENTION_MS:
                problems.append(f"{name}: retention.ms {config.get('retention.ms')!r}: contact data is kept 7 days "
                                f"at most ({PRIVATE_RETENTION_MS}), set on the topic (not the cluster's default)")
            if config.get("cleanup.policy") != "delete":
                problems.append(f"{name}: cleanup.policy {config.get('cleanup.policy')!r}, expected delete on the "
                                "topic: compacted, the last record of each key would be kept for good")
    assert_no_problems(problems, "the private notification topics are open to more than they should be")


def kafka_rights(service: str) -> set[tuple[str, str, str]]:
    """What `service` does on Kafka, as (resource type, name, operation): its relay writes its events and its
    private topic, its consumer reads its handlers' topics in the group named after the service
    (shared/events/consumer.py) and writes their DLQs."""
    writes = {EVENTS_TOPICS[service], *(t for t, owner in PRIVATE_TOPICS.items() if owner == service)}
    rights = {("topic", t, "Write") for t in writes}
    rights |= {("topic", t, "Read") for t in CONSUMED[service]}
    rights |= {("topic", dlq_topic(t), "Write") for t in CONSUMED[service]}
    if CONSUMED[service]:
        rights.add(("group", service, "Read"))
    return rights


def test_k8s_kafka_users_have_the_rights_their_service_uses_and_no_more(k8s: dict[str, Any]) -> None:
    """Kafka denies what no ACL allows: a right missing here stops a service once authorization is on, one too
    many lets it read what it should not. Rules name each topic and group (a prefix or `*` would take in the
    private topics) and each operation (not All)."""
    users, problems = kafka_users(k8s)
    problems += [f"KafkaUser {u} is none of the services {list(SERVICES)}" for u in sorted(set(users) - set(SERVICES))]
    for service in SERVICES:
        user = users.get(service)
        if user is None:
            problems.append(f"no KafkaUser {service}: with authorization on, {service} could do nothing on Kafka")
            continue
        granted = set()
        for acl in ((user.get("spec") or {}).get("authorization") or {}).get("acls") or []:
            resource, ops = acl.get("resource") or {}, _acl_operations(acl)
            if acl.get("type", "allow") != "allow":
                continue
            if resource.get("patternType", "literal") != "literal" or resource.get("name", "*") == "*":
                problems.append(f"KafkaUser {service}: a rule on {resource}: name each topic and group")
            if "All" in ops:
                problems.append(f"KafkaUser {service}: All on {resource.get('name')}: name the operations")
            granted |= {(resource.get("type"), resource.get("name"), op) for op in ops - {"All"}}
        needed = kafka_rights(service)
        problems += [f"KafkaUser {service} may not {op} {kind} {name}, which {service} does"
                     for kind, name, op in sorted(needed - granted)]
        problems += [f"KafkaUser {service} may {op} {kind} {name}, which {service} does not"
                     for kind, name, op in sorted(granted - needed) if op not in SEES_ONLY]
    assert_no_problems(problems, "deploy/k8s/kafka-users.yaml differs from what the services do on Kafka")
