"""A small HTTP/1.1 load generator that runs in its own process, so that the benchmark's own Python does not
share an interpreter (and its GIL) with the client that is measuring.

It speaks just enough HTTP/1.1 for GET requests, and POSTs whose JSON body is made anew for each request from a
template (`{n}` becomes the request's number, so each can carry a unique email), over keep-alive connections
(Content-Length or chunked bodies),
on asyncio streams with uvloop (installed with `uvicorn[standard]`): per request it costs a fraction of what
httpx costs, so one client process stays far from saturating a core while the service under test does.

Two modes:
- closed loop (`rate=None`): `connections` clients, each sending its next request as soon as the previous
  answer arrived, for `seconds`; what it measures is the maximum throughput.
- open loop (`rate=N`): requests start on a fixed schedule of N per second whatever the answers do, over a pool
  of `connections` keep-alive connections; each latency runs from the request's scheduled start, so a stall
  shows up as the latency of every request it delayed (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import resource
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadResult:
    seconds: float  # measured wall time
    latencies: list[float] = field(default_factory=list)  # seconds, of the answered requests
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0  # transport failures
    client_cpu: float = 0.0  # the load generator's CPU seconds over the measured time
    warmup_answered: int = 0  # requests answered during the warm-up (not in the figures)

    @classmethod
    def merged(cls, results: list[LoadResult]) -> LoadResult:
        """Several runs of the same measurement as one."""
        statuses: dict[int, int] = {}
        for r in results:
            for code, n in r.statuses.items():
                statuses[code] = statuses.get(code, 0) + n
        return cls(seconds=sum(r.seconds for r in results),
                   latencies=[x for r in results for x in r.latencies], statuses=statuses,
                   errors=sum(r.errors for r in results), client_cpu=sum(r.client_cpu for r in results),
                   warmup_answered=sum(r.warmup_answered for r in results))

    @property
    def answered(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def non_200(self) -> int:
        return sum(n for code, n in self.statuses.items() if code != 200) + self.errors

    @property
    def client_cpu_share(self) -> float:
        """The load generator's busy share of one core while it measured."""
        return self.client_cpu / self.seconds if self.seconds else 0.0


def run_load(host: str, port: int, path: str, headers: dict[str, str], *, connections: int, seconds: float,
             rate: float | None = None, warmup: float = 1.0, post: str | None = None) -> LoadResult:
    """Run one measurement in a fresh process (spawned: nothing of the caller's state comes along). With `post`
    (a JSON body template), every request is a POST of that body with `{n}` replaced by the request's number."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(_in_process, host, port, path, headers, connections, seconds, rate, warmup,
                           post).result()


class _Requests:
    """The bytes of the next request: the same GET every time, or a POST with the next number in its body."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str], post: str | None) -> None:
        method = "POST" if post is not None else "GET"
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.head = head
        self.post = post
        self.count = 0
        self.get = (head + "\r\n").encode()

    def __call__(self) -> bytes:
        if self.post is None:
            return self.get
        self.count += 1
        body = self.post.replace("{n}", str(self.count)).encode()
        return (self.head + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def _in_process(host: str, port: int, path: str, headers: dict[str, str], connections: int, seconds: float,
                rate: float | None, warmup: float, post: str | None = None) -> LoadResult:
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    return runner(_load(host, port, _Requests(host, port, path, headers, post), connections, seconds, rate, warmup))


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def request(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = None
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def _load(host: str, port: int, raw: _Requests, connections: int, seconds: float,
                rate: float | None, warmup: float) -> LoadResult:
    pool = [_Connection(*await asyncio.open_connection(host, port)) for _ in range(connections)]
    try:
        warm = None
        if warmup > 0:
            warm = await _closed(pool, raw, warmup) if rate is None else await _open(pool, raw, warmup, rate)
        cpu = _cpu()
        result = await _closed(pool, raw, seconds) if rate is None else await _open(pool, raw, seconds, rate)
        result.client_cpu = _cpu() - cpu
        result.warmup_answered = warm.answered if warm else 0
        return result
    finally:
        for c in pool:
            c.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _record(result: LoadResult, status: int) -> None:
    result.statuses[status] = result.statuses.get(status, 0) + 1


async def _closed(pool: list[_Connection], raw: _Requests, seconds: float) -> LoadResult:
    result = LoadResult(seconds)
    start = time.perf_counter()
    deadline = start + seconds

    async def client(conn: _Connection) -> None:
        while (sent := time.perf_counter()) < deadline:
            try:
                status = await conn.request(raw())
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                return
            result.latencies.append(time.perf_counter() - sent)
            _record(result, status)

    await asyncio.gather(*(client(c) for c in pool))
    result.seconds = time.perf_counter() - start  # the last answers arrive a little after the deadline
    return result


async def _open(pool: list[_Connection], raw: _Requests, seconds: float, rate: float) -> LoadResult:
    result = LoadResult(seconds)
    idle: asyncio.Queue[_Connection] = asyncio.Queue()
    for c in pool:
        idle.put_nowait(c)
    tasks: set[asyncio.Task[None]] = set()

    async def one(scheduled: float) -> None:
        conn = await idle.get()  # waiting for a free connection counts: it is part of the latency
        try:
            status = await conn.request(raw())
        except (OSError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            return  # this connection is broken: it does not go back to the pool
        result.latencies.append(time.perf_counter() - scheduled)
        _record(result, status)
        idle.put_nowait(conn)

    interval = 1.0 / rate
    start = time.perf_counter()
    total = int(seconds * rate)
    for i in range(total):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        await asyncio.sleep(max(delay, 0))  # behind schedule, still let the answers in
        task = asyncio.create_task(one(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=30)
        for task in pending:  # never answered (every connection broke, or the server stalled)
            task.cancel()
            result.errors += 1
    result.seconds = time.perf_counter() - start
    return result
