"""Benchmarks of the running suite: `python -m bench [name ...]` (or `make bench`).

Each benchmark is a module here with a `run(stack) -> Report` function, listed in BENCHMARKS. `python -m bench`
starts the suite once (broker, databases, the five services and the gateway, as the tests do), runs every
benchmark named on the command line (all of them when none is), prints each report as a table and writes it to
bench/results/<name>-<sqlite|postgres>.json. To add one: write bench/<name>.py with `run` and list it below.
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    # In this order: memory measures the idle processes right after start-up, before anything else ran, and
    # keyset_pages fills the partners table with a million rows, so it comes last.
    "memory": "bench.memory",
    "floor": "bench.floor",
    "gateway_overhead": "bench.gateway_overhead",
    "event_propagation": "bench.event_propagation",
    "enrollment_burst": "bench.enrollment_burst",
    "notifications": "bench.notifications",
    "dashboard": "bench.dashboard",
    "genetics": "bench.genetics",
    "keyset_pages": "bench.keyset_pages",
}
