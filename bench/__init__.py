"""Benchmarks of the running suite: `python -m bench [name ...]` (or `make bench`).

Each benchmark is a module here with a `run(stack) -> Report` function, listed in BENCHMARKS. `python -m bench`
starts the suite once (broker, databases, the four services and the gateway, as the tests do), runs every
benchmark named on the command line (all of them when none is), prints each report as a table and writes it to
bench/results/<name>-<sqlite|postgres>.json. To add one: write bench/<name>.py with `run` and list it below.
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    "enrollment_burst": "bench.enrollment_burst",
    # later: gateway_throughput, event_propagation, keyset_pages, memory
}
