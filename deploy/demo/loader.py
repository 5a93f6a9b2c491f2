"""The loader: checks the gateway and the database, issues the keys, and runs the parts of the demo, each in its
service's module, printing a line as each finishes."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from deploy.demo import dataset, outreach, partnerships, publications, training
from deploy.demo.client import AlreadyLoaded, ApiError, Caller, DemoError, Gateway, run_all
from deploy.demo.dates import UTC
from deploy.demo.report import Report, phase_summary
from deploy.demo.state import Load
from deploy.demo.studbook import demo_studbook


def say(line: str) -> None:
    print(line, flush=True)


class Loader:
    def __init__(self, gateway_url: str, admin_key: str, *, scale: float = 1.0, seed: int = 7,
                 concurrency: int = 12, out: Callable[[str], None] | None = None) -> None:
        if scale <= 0:
            raise DemoError("--scale must be above 0")
        self.gateway_url = gateway_url
        self.admin_key = admin_key
        self.scale = scale
        self.seed = seed
        self.concurrency = concurrency
        self.out = out or say
        self.now = dt.datetime.now(UTC)
        self.report = Report()

    async def run(self) -> Report:
        started = time.monotonic()
        gateway = Gateway(self.gateway_url, self.concurrency)
        try:
            async with gateway.http:
                await self._ready(gateway)
                admin = Caller(gateway, self.admin_key)
                await self._refuse_if_loaded(admin)
                issued = await admin.post("/admin/api-keys", {"name": "Demo data loader", "role": "coordinator"})
                load = Load(self.seed, self.scale, self.now, gateway, admin, Caller(gateway, issued["key"]),
                            self.report)
                ticker = asyncio.create_task(self._tick(gateway, started))
                try:
                    await self._parts(load)
                finally:
                    ticker.cancel()
                self.report.summary = await admin.get("/dashboard/summary")
        finally:
            self.report.seconds = time.monotonic() - started
            self.report.requests = gateway.requests
        return self.report

    async def _parts(self, load: Load) -> None:
        """The partners first, then the agreements and the studbook; then the rest, side by side."""
        await self._phase("partners", partnerships.load_partners(load))
        load.studbook = demo_studbook(load.seed, load.scale, load.today)
        load.pandas = {p.key: asyncio.get_running_loop().create_future() for p in load.studbook}
        load.agreement_specs = {s.key: s for s in partnerships.choose_agreements(load)}
        await self._phase("partnerships", run_all([partnerships.load_studbook(load),
                                                   partnerships.load_agreements(load)]))
        await run_all([self._phase("publications", publications.load_works(load)),
                       self._phase("training", training.load_training(load)),
                       self._phase("outreach", outreach.load_events(load))])

    async def _ready(self, gateway: Gateway) -> None:
        try:
            r = await gateway.http.get("/readyz")
        except httpx.TransportError as exc:
            raise DemoError(f"no gateway at {self.gateway_url} ({exc!r}); start it with `make run`") from exc
        if r.status_code != 200:
            raise DemoError(f"the gateway at {self.gateway_url} is not ready ({r.status_code}): {r.text[:300]}")

    async def _refuse_if_loaded(self, admin: Caller) -> None:
        try:
            existing = await admin.every("/partnerships/partners")
        except ApiError as exc:
            if exc.status in (401, 403):
                raise DemoError(f"the admin key was refused ({exc}); pass the right one with --admin-key") from exc
            raise
        ours = {(p.name["en"], p.country) for p in dataset.PARTNERS}
        found = [p for p in existing if ((p.get("name") or {}).get("en"), p.get("country")) in ours]
        if found:
            names = ", ".join(sorted({p["name"]["en"] for p in found})[:3])
            raise AlreadyLoaded(
                f"the demo data seems loaded already: {len(found)} of its partner institutions exist ({names}, ...). "
                "Nothing was changed. To load it again, start from empty databases (`make clean`, then `make run`).")

    async def _phase(self, name: str, work: Awaitable[Any]) -> None:
        started = time.monotonic()
        self.out(f"{name}: loading ...")
        await work
        self.out(f"{name}: done in {time.monotonic() - started:.1f} s. {phase_summary(self.report, name)}")

    async def _tick(self, gateway: Gateway, started: float) -> None:
        while True:
            await asyncio.sleep(15)
            self.out(f"  ... {gateway.requests:,} requests in {time.monotonic() - started:.0f} s")


def load(gateway_url: str, admin_key: str, *, scale: float = 1.0, seed: int = 7, concurrency: int = 12,
         out: Callable[[str], None] | None = None) -> Report:
    """Load the demo through the gateway at `gateway_url`; raises `AlreadyLoaded` on a database that has it."""
    return asyncio.run(Loader(gateway_url, admin_key, scale=scale, seed=seed, concurrency=concurrency,
                              out=out).run())
