"""`make demo`: load a realistic demo dataset through the gateway's public API.

    python -m deploy.demo [--gateway URL] [--admin-key KEY] [--scale 1.0] [--seed 7] [--concurrency 12]

At scale 1.0: 27 partner institutions in 21 countries, 40 agreements of every kind in every state (with their
cooperation plans' research projects), a studbook of 312 pandas over six decades (`studbook.py`), loans under the
panda loan agreements
and a cub born on loan, 17 training programs with 60 cohorts and 1,200+ enrollments, 150 outreach events with
registrations and attendance, and 200 works. A smaller scale makes fewer agreements, cohorts, events and works,
but always at least one of every kind and state.

It talks only to the public API: the admin key issues a coordinator key, which writes almost everything, and
partner keys for six partner institutions, which enroll their own staff and register their visitors. Nothing is
random between runs: every choice comes from `random.Random` seeded with `--seed` and what it is for, and dates
are placed relative to today. It refuses to run twice on one database: when the partners already include the
demo's institutions it stops and says so.

`offer_demo` is what `make run` calls: once the gateway is ready, on an empty database, it loads the demo when
`DEMO=1` is set and otherwise prints a one-line hint.

The package: `loader` runs the parts, one module per service (`partnerships`, `publications`, `training`,
`outreach`) over a shared `state.Load`; the rules are tables in `plan`, the fixed data is `dataset`; `client`
talks to the gateway, `report` prints what was made, `cli` is the command line (docs/demo.md, "Where it lives").
"""

from deploy.demo.cli import main, offer_demo
from deploy.demo.client import AlreadyLoaded, ApiError, DemoError
from deploy.demo.loader import Loader, load
from deploy.demo.report import Report, summary_table

__all__ = ["AlreadyLoaded", "ApiError", "DemoError", "Loader", "Report", "load", "main", "offer_demo", "summary_table"]
