"""A request's deadline, as the unit of work and the database layer see it (set by `shared/admission.py`)."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass, field


class DeadlinePassed(Exception):
    """The request's deadline passed before its work could be committed: it was rolled back."""


@dataclass(slots=True)
class Deadline:
    """The loop time by which a request's work is committed or abandoned."""

    at: float
    _timeout: asyncio.Timeout | None = field(default=None, repr=False)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - asyncio.get_running_loop().time()

    def check_before_commit(self) -> None:
        """Called by the unit of work right before it commits. Raises `DeadlinePassed` when the deadline has
        passed; otherwise the commit may go ahead and nothing will cancel it any more."""
        if self.remaining() <= 0:
            raise DeadlinePassed("the request's deadline passed before it could be committed")
        if self._timeout is not None:
            self._timeout.reschedule(None)


deadline_var: ContextVar[Deadline | None] = ContextVar("deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the request being handled, or None outside a request (consumers, jobs)."""
    return deadline_var.get()
