"""`make run` as a developer uses it: everything comes up behind the gateway, each log line names its process,
and Ctrl-C (SIGINT to the terminal's foreground process group) stops every process it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import httpx

from tests.harness import ROOT, SERVICES, free_port, processes_carrying, wait_until


def test_make_run_serves_the_suite_and_ctrl_c_leaves_nothing_behind(tmp_path: Path):
    marker = f"PANDA_MAKE_RUN_TEST={uuid.uuid4().hex}"
    ports = {name: free_port() for name in (*SERVICES, "gateway", "broker")}
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_PORT"))},
        "APP_ENV": "dev",
        "VAR_DIR": str(tmp_path / "var"),
        "BROKER_PORT": str(ports["broker"]),
        "GATEWAY_PORT": str(ports["gateway"]),
        **{f"{s.upper()}_PORT": str(ports[s]) for s in SERVICES},
        marker.split("=")[0]: marker.split("=")[1],
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)  # the embedded broker, as on a fresh clone
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    try:
        def ready() -> bool:
            assert run.poll() is None, f"make run exited:\n{log.read_text()[-3000:]}"
            return httpx.get(f"{gateway}/readyz", timeout=2).status_code == 200

        wait_until(ready, 90, interval=0.3, what="the gateway ready with every service and the broker")
        admin = {"X-API-Key": "dev-admin-key"}
        r = httpx.post(f"{gateway}/api/v1/partnerships/partners", headers=admin, timeout=10,
                       json={"name": {"en": "Make Run Zoo"}, "kind": "zoo", "country": "BE"})
        assert r.status_code == 201, r.text
        partner = r.json()["id"]
        wait_until(lambda: httpx.get(f"{gateway}/api/v1/outreach/partners/{partner}", headers=admin,
                                     timeout=5).status_code == 200, 20, what="the event to reach outreach")

        text = log.read_text()
        assert f"http://127.0.0.1:{ports['gateway']}/api/v1/" in text, "the banner shows the gateway URL"
        assert "X-API-Key: dev-admin-key" in text, "the banner says how to authenticate"
        assert f"http://127.0.0.1:{ports['gateway']}/dashboard/" in text, "the banner shows the dashboard's URL"
        for name in ("broker", *SERVICES, "gateway"):
            assert re.search(rf"^\d\d:\d\d:\d\d {name}\s+\| ", text, re.M), f"no line prefixed with {name}"
        # People read this: one short line per request and per handled event, every other field kept as key=value,
        # and no colour codes when the output is not a terminal.
        request_id = r.headers["x-request-id"]
        assert re.search(rf"^\d\d:\d\d:\d\d gateway\s+\| POST /api/v1/partnerships/partners 201 [\d.]+ ms "
                         rf"{request_id}$", text, re.M), "no short access line for the POST"
        assert re.search(rf"^\d\d:\d\d:\d\d outreach\s+\| event partnerships\.partner\.registered {partner} ",
                         text, re.M), "no line for the event outreach applied"
        assert re.search(r"\| INFO metrics: metrics listener started host=127\.0\.0\.1 port=\d+$", text, re.M)
        assert "\x1b[" not in text and '{"level"' not in text
        assert len(processes_carrying(marker)) >= 7, "make, the runner, the broker, four services, the gateway"
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            run.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
    wait_until(lambda: not processes_carrying(marker), 15, what="every process make run started to exit")
    assert (tmp_path / "var" / "partnerships.db").exists(), "the SQLite databases live under VAR_DIR"
