"""Nothing acknowledged is lost when `make run` stops or crashes.

The embedded broker keeps its log in memory only, so every stop of `make run` loses every event it held, also
those the relays had published and the consumers not yet read. Here `make run` loads the demo dataset, is
stopped in the middle (Ctrl-C, or `kill -9` of its process group), and is started again on the same databases:
within 30 seconds the impact ledger of partnerships, counted from the other services' events, equals what those
services themselves report, partner by partner.

For the stop to find events published and not yet consumed (what a busy machine makes likely, and a quiet one
rare), the partnerships service is paused (SIGSTOP) for the last seconds before it: its consumer falls behind
while the demo goes on completing enrollments and events in the other services. On Ctrl-C it is let go on only
once the stop has reached the services (a stop that took the broker down at once would have lost its backlog);
on `kill -9` it dies paused."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import MakeRun, wait_until

ADMIN = {"X-API-Key": "dev-admin-key"}


def _all_partners(client: httpx.Client) -> list[str]:
    ids, cursor = [], None
    while True:
        page = client.get("/api/v1/partnerships/partners", params={"limit": 200, "cursor": cursor} if cursor
                          else {"limit": 200}).json()
        ids += [p["id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            return ids


def ledger_differences(gateway_url: str) -> dict[str, Any]:
    """Per partner, where the impact ledger differs from the sources' own figures (empty when it does not)."""
    with httpx.Client(base_url=gateway_url, headers=ADMIN, timeout=10) as c:
        training = {f["partner_id"]: f for f in c.get("/api/v1/training/stats").json()["by_partner"]}
        outreach = {f["partner_id"]: f for f in c.get("/api/v1/outreach/stats").json()["by_partner"]}
        works = {f["partner_id"]: f["works"] for f in
                 c.get("/api/v1/publications/stats", params={"status": "published"}).json()["by_partner"]}
        differences = {}
        for partner in _all_partners(c):
            t, o = training.get(partner, {}), outreach.get(partner, {})
            sources = {"trainees_completed": t.get("completions", 0), "certificates_issued": t.get("certificates", 0),
                       "outreach_events_held": o.get("events_held", 0), "outreach_attendance": o.get("attendance", 0),
                       "works_published": works.get(partner, 0)}
            ledger = c.get(f"/api/v1/partnerships/partners/{partner}/impact").json()
            if wrong := {k: (ledger.get(k), v) for k, v in sources.items() if ledger.get(k) != v}:
                differences[partner] = wrong
        return differences


def _certificates(gateway_url: str) -> int:
    return httpx.get(f"{gateway_url}/api/v1/training/stats", headers=ADMIN, timeout=5).json()["certificates"]


@pytest.mark.parametrize("stop", ["ctrl-c", "kill -9"])
def test_after_make_run_stops_mid_load_the_impact_ledger_catches_up_with_its_sources(tmp_path: Path, stop: str):
    var = tmp_path / "var"
    first = MakeRun(var, tmp_path / "first.log", {"DEMO": "1", "DEMO_SCALE": "0.1"}).start()
    partnerships = None
    try:
        wait_until(lambda: _certificates(first.gateway_url) > 0, 120, interval=0.2,
                   what="the demo to have issued certificates")
        partnerships = first.pid_of("services.partnerships.app")
        os.kill(partnerships, signal.SIGSTOP)
        issued = _certificates(first.gateway_url)
        wait_until(lambda: _certificates(first.gateway_url) >= issued + 2, 60, interval=0.2,
                   what="more certificates issued while partnerships is paused")
    finally:
        if stop == "ctrl-c":
            first.send_interrupt()
            if partnerships is not None:
                wait_until(lambda: "sending SIGTERM to partnerships" in first.log_tail(50_000), 30,
                           what="the stop to reach the services")
                os.kill(partnerships, signal.SIGCONT)
            first.wait_stopped()
        else:
            first.crash()
    assert "demo: loaded in" not in first.log_tail(100_000), "the demo was finished before the stop"

    second = MakeRun(var, tmp_path / "second.log").start()
    try:
        wait_until(lambda: not ledger_differences(second.gateway_url), 30, interval=0.5,
                   what="the impact ledger to equal the sources' own figures")
        assert _certificates(second.gateway_url) > 0
    except AssertionError:
        print(second.log_tail())
        raise
    finally:
        second.interrupt()
