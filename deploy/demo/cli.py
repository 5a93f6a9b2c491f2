"""`python -m deploy.demo` (`make demo`), and `offer_demo` for `make run`."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

import httpx

from deploy.demo.client import API, AlreadyLoaded, DemoError
from deploy.demo.loader import load, say
from deploy.demo.report import print_report, summary_table

DESCRIPTION = "`make demo`: load a realistic demo dataset through the gateway's public API."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description=DESCRIPTION)
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}",
                        help="the gateway's base URL (default: %(default)s)")
    parser.add_argument("--admin-key", default=os.environ.get("GATEWAY_ADMIN_API_KEY") or "dev-admin-key",
                        help="an admin API key (default: $GATEWAY_ADMIN_API_KEY, else the dev key)")
    parser.add_argument("--scale", type=float, default=1.0, help="how much to load (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="the seed every choice comes from (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=12, help="requests in flight (default: %(default)s)")
    args = parser.parse_args(argv)
    out = say
    out(f"Loading the demo data into {args.gateway} (scale {args.scale}, seed {args.seed}) ...")
    try:
        report = load(args.gateway, args.admin_key, scale=args.scale, seed=args.seed, concurrency=args.concurrency,
                      out=out)
    except AlreadyLoaded as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except DemoError as exc:
        print(f"demo: failed: {exc}", file=sys.stderr)
        return 1
    print_report(report, out)
    return 0


def _ready_within(gateway_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{gateway_url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def _no_partners_yet(gateway_url: str, admin_key: str) -> bool:
    try:
        r = httpx.get(f"{gateway_url}{API}/partnerships/partners", params={"limit": 1},
                      headers={"X-API-Key": admin_key}, timeout=10)
    except httpx.HTTPError:
        return False
    return r.status_code == 200 and not r.json().get("items")


def offer_demo(gateway_url: str, admin_key: str, *, timeout: float = 180.0) -> threading.Thread:
    """For `make run`: in the background, wait for the gateway to be ready; then, if there are no partners yet,
    load the demo when `DEMO=1` (`DEMO_SCALE`, `DEMO_SEED` apply), else print how to load it."""

    def offer() -> None:
        if not _ready_within(gateway_url, timeout) or not _no_partners_yet(gateway_url, admin_key):
            return
        if os.environ.get("DEMO") != "1":
            print("demo: the database is empty; `make demo` (in another terminal) loads a demo dataset, "
                  "or start with `DEMO=1 make run`.", flush=True)
            return

        def out(line: str) -> None:
            print(f"demo: {line}", flush=True)

        try:
            report = load(gateway_url, admin_key, scale=float(os.environ.get("DEMO_SCALE") or 1.0),
                          seed=int(os.environ.get("DEMO_SEED") or 7), out=out)
        except DemoError as exc:
            out(f"not loaded: {exc}")
            return
        out(f"loaded in {report.seconds:.1f} s ({report.requests:,} requests)")
        for line in summary_table(report.summary).split("\n"):
            out(line)

    thread = threading.Thread(target=offer, name="demo-offer", daemon=True)
    thread.start()
    return thread
