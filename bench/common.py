"""Small things several benchmarks use: percentiles, the signed caller header for calling a service directly,
and reading a process's resident memory."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from shared.auth import CALLER_HEADER, Caller, Role
from tests.harness import INTERNAL_SECRET


def percentile(values: list[float], p: float) -> float:
    """Nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float, digits: int = 1) -> float:
    return round(seconds * 1000, digits)


def direct_headers(role: Role = Role.analyst) -> dict[str, str]:
    """What the gateway adds before forwarding: the caller, signed with the internal secret. Valid for 60 s
    (the gateway reuses a token while more than half its life is left), so build it again for each phase."""
    return {CALLER_HEADER: Caller(role, subject="bench", via="api-key").sign(INTERNAL_SECRET)}


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024  # kB
    raise ValueError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


class SignedCaller:
    """The signed caller header, signed again before it runs out (for runs longer than its 60 s)."""

    def __init__(self, role: Role = Role.analyst) -> None:
        self.role = role
        self._headers = direct_headers(role)
        self._at = time.monotonic()

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self._at > 30:
            self._headers, self._at = direct_headers(self.role), time.monotonic()
        return self._headers
