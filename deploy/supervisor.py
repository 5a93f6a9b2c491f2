"""`make run`'s process supervisor: honcho, stopping in order.

honcho starts each process and prints its output under its name, and on Ctrl-C sends SIGTERM to every process
at once (then SIGKILL after 5 s). For this suite that order loses work: the broker (which keeps its log in
memory) would go while relays are still publishing and consumers still committing. `OrderedManager` keeps
honcho's starting and printing and stops in stages instead: each stage's processes get SIGTERM, and the next
stage starts when they have all exited (or after `stage_seconds`, with SIGKILL for what is left). For the suite:
the gateway (no new requests), then the services (each answers what it has in flight, its consumer finishes and
commits the batch in hand, its relay publishes what is left), then the broker.

Each process also dies with its supervisor (Linux `PR_SET_PDEATHSIG`): a `kill -9` of `make run` takes the whole
suite down, as a crash would, instead of leaving services holding their ports.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import functools
import queue
import signal
import sys
from collections.abc import Sequence
from typing import Any

from honcho.manager import SIGNALS, Manager
from honcho.process import Popen

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class OrderedManager(Manager):
    """honcho's Manager, stopping its processes in `stages` (lists of names; any process not named stops in a
    last stage of its own)."""

    def __init__(self, stages: Sequence[Sequence[str]], stage_seconds: float = 20.0) -> None:
        super().__init__()
        self.stages = [list(stage) for stage in stages]
        self.stage_seconds = stage_seconds
        self._stage: int | None = None  # the stage being stopped, once stopping has begun
        self._stage_began: dt.datetime | None = None
        self._stop_asked = False

    def add_process(self, name: str, cmd: str, quiet: bool = False, env: Any = None, cwd: Any = None) -> Any:
        proc = super().add_process(name, cmd, quiet=quiet, env=env, cwd=cwd)
        proc._child_ctor = functools.partial(Popen, preexec_fn=_die_with_parent)
        return proc

    def loop(self) -> None:
        def ask_stop(signum: int, _frame: Any) -> None:
            self._system_print(f"{SIGNALS[signum]['name']} received: stopping in order\n")
            self.returncode = SIGNALS[signum]["rc"]
            self._stop_asked = True

        signal.signal(signal.SIGTERM, ask_stop)
        signal.signal(signal.SIGINT, ask_stop)
        named = {n for stage in self.stages for n in stage}
        self.stages.append([n for n in self._processes if n not in named])
        self._start()
        while True:
            with contextlib.suppress(queue.Empty):
                self._handle(self.events.get(timeout=0.1))
            if self._all_started() and self._all_stopped():
                if self._stop_asked:
                    # Stopped as asked, in order: that is success, not the interrupted command make would report.
                    self._system_print("everything stopped\n")
                    self.returncode = 0
                break
            if self._stage is None and (self._stop_asked or (self._all_started() and self._any_stopped())):
                self._next_stage(0)
            elif self._stage is not None:
                self._advance()

    def _handle(self, msg: Any) -> None:
        if msg.type == "line":
            self._printer.write(msg)
        elif msg.type == "start":
            self._processes[msg.name]["pid"] = msg.data["pid"]
            self._system_print(f"{msg.name} started (pid={msg.data['pid']})\n")
        elif msg.type == "stop":
            self._processes[msg.name]["returncode"] = msg.data["returncode"]
            self._system_print(f"{msg.name} stopped (rc={msg.data['returncode']})\n")
            if self.returncode is None:
                self.returncode = msg.data["returncode"]

    def _running(self, names: Sequence[str]) -> list[str]:
        return [n for n in names if "returncode" not in self._processes[n] and "pid" in self._processes[n]]

    def _next_stage(self, stage: int) -> None:
        self._stage, self._stage_began = stage, self._clock.now()
        if stage >= len(self.stages):
            return
        for name in self._running(self.stages[stage]):
            self._system_print(f"sending SIGTERM to {name} (pid {self._processes[name]['pid']})\n")
            self._procmgr.terminate(self._processes[name]["pid"])

    def _advance(self) -> None:
        assert self._stage is not None and self._stage_began is not None
        if self._stage >= len(self.stages):
            return
        left = self._running(self.stages[self._stage])
        if not left:
            self._next_stage(self._stage + 1)
        elif self._clock.now() - self._stage_began > dt.timedelta(seconds=self.stage_seconds):
            for name in left:
                self._system_print(f"sending SIGKILL to {name} (pid {self._processes[name]['pid']})\n")
                self._procmgr.kill(self._processes[name]["pid"])
            self._stage_began = self._clock.now()  # wait for those to be reported stopped
