"""`python -m bench [name ...]`: start the suite once, run the named benchmarks (all when none is named), print
each table and write each JSON file. Exits 1 when a figure misses its target."""

from __future__ import annotations

import argparse
import importlib
import sys

from bench import BENCHMARKS
from bench.suite import database, database_label, suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"one of: {', '.join(BENCHMARKS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)

    print(f"database: {database_label()}; starting the suite (broker, databases, services, gateway)", flush=True)
    all_met = True
    with suite() as stack:
        for name in names:
            report = importlib.import_module(BENCHMARKS[name]).run(stack)
            path = report.write(database())
            print(f"\n{report.table(database_label())}\n\nwritten to {path}", flush=True)
            if not report.targets_met:
                for process in stack.processes.values():
                    print(f"--- {process.name} log (tail) ---\n{process.log_tail(15)}", file=sys.stderr)
            all_met &= report.targets_met
    if not all_met:
        print("\nsome figures missed their target (marked NO)", file=sys.stderr)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
