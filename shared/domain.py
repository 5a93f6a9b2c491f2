"""The domain layer's shared parts, plain Python: what it raises when it refuses a change (the API layer maps these
to HTTP), the state machines of lifecycles, and the aggregate bases (`Aggregate`, `LifecycleAggregate`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar


class DomainError(Exception):
    """A rule of the domain refused the change."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The thing named does not exist (or the caller may not know it exists)."""


class Conflict(DomainError):
    """The change clashes with what exists: a duplicate, or a state that does not allow it."""


class Incomplete(Conflict):
    """The change needs something the aggregate does not have yet: `missing` names the fields to give first."""

    def __init__(self, detail: str, missing: Iterable[str]) -> None:
        super().__init__(detail)
        self.missing = list(missing)


class InvalidTransition(Conflict):
    """A state machine was asked for an action its current state does not allow."""

    def __init__(self, entity: str, state: str, action: str, allowed: Iterable[str]) -> None:
        self.state = state
        self.action = action
        self.allowed = sorted(allowed)
        allowed_text = ", ".join(self.allowed) or "none"
        super().__init__(f"cannot {action} the {entity}: it is {state}; allowed actions: {allowed_text}")


class RuleViolated(DomainError):
    """The input is well-formed but breaks a rule (dates out of order, a reference that does not fit)."""

    def __init__(self, detail: str, loc: tuple[str | int, ...] = ("body",), kind: str = "value_error") -> None:
        super().__init__(detail)
        self.loc = loc
        self.kind = kind  # the `type` of the error in the 422's `errors`


class StaleVersion(DomainError):
    """The writer last saw another version of the aggregate than the one there now (HTTP: a stale If-Match)."""


@dataclass(frozen=True, slots=True)
class ExpectedVersion:
    """The versions a writer accepts the aggregate at: what its `If-Match` named. None: any version."""

    versions: frozenset[int] | None = None

    def check(self, version: int) -> None:
        """Raises StaleVersion when the aggregate is at a version the writer did not expect."""
        if self.versions is not None and version not in self.versions:
            raise StaleVersion(f"the resource is at version {version}; your If-Match names another. "
                               "Read it again and retry.")


ANY_VERSION = ExpectedVersion()


class StateMachine:
    """A state machine as data: each action names the states it may start from and the state it leads to.
    Entities keep their state in a plain attribute and ask the machine before they change it."""

    def __init__(self, entity: str, actions: dict[str, tuple[Iterable[str], str]],
                 automatic: Iterable[str] = ()) -> None:
        self.entity = entity
        self.actions = {action: (frozenset(sources), target) for action, (sources, target) in actions.items()}
        self.automatic = frozenset(automatic)  # happen by themselves (expiry): never offered to a client

    def allowed(self, state: str) -> list[str]:
        """The actions a client may ask for in `state`."""
        return sorted(a for a, (sources, _) in self.actions.items() if state in sources and a not in self.automatic)

    def next_state(self, state: str, action: str) -> str:
        """The state `action` leads to from `state`, or InvalidTransition naming what is allowed instead."""
        sources, target = self.actions[action]
        if state not in sources:
            raise InvalidTransition(self.entity, state, action, self.allowed(state))
        return target


_recorded_order = itertools.count()  # one sequence for every aggregate: events publish in the order recorded


class Aggregate:
    """What every aggregate shares: a `version` that grows with each change (its ETag, and the order of its
    events), `updated_at`, a versioned update of its `EDITABLE` fields, and the events its changes caused.

    A change records its events (`record`); the unit of work takes them (`take_recorded`) and writes them to
    the outbox in the commit that writes the change, in the order they were recorded. So no router or use case
    ever chooses an event: the aggregate that changed says what happened.
    """

    EDITABLE: ClassVar[tuple[str, ...]] = ()
    UPDATED: ClassVar[Any] = None  # the contract class of "fields changed" (it carries `changed`), if any
    version: int
    updated_at: dt.datetime

    def record(self, event: Any) -> None:
        # In __dict__ and not a declared field: it is never mapped to a column, and an instance loaded from the
        # database (whose __init__ never ran) starts with none.
        self.__dict__.setdefault("_recorded", []).append((next(_recorded_order), event))

    def take_recorded(self) -> list[tuple[int, Any]]:
        """The events recorded since the last call, each with its place in the order of recording."""
        return self.__dict__.pop("_recorded", [])

    def touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """`apply_changes`, and when something changed, the `UPDATED` event naming what."""
        changed = self.apply_changes(changes, now)
        if changed and self.UPDATED is not None:
            self.record(self.UPDATED.of(self, changed=changed))
        return changed

    def apply_changes(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """Set the `EDITABLE` fields given; answer which actually changed (no change, no new version).
        Raises RuleViolated for a field that is not editable, and whatever `check_changeable` and `check`
        raise."""
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        self.check_changeable(changed)
        for k in changed:
            setattr(self, k, changes[k])
        self.check()
        self.touch(now)
        return changed

    def check_changeable(self, fields: list[str]) -> None:
        """Raise if the aggregate's state does not allow changing `fields` (an archived program, say)."""

    def check(self) -> None:
        """Raise if the aggregate's own rules do not hold (dates in order, capacity above what is taken)."""


class LifecycleAggregate(Aggregate):
    """An aggregate whose `status` moves through a `StateMachine`, its `LIFECYCLE`: the transitions a caller asks
    for by name (`publish`, `cancel`, ...) take their action with `_move`, and `allowed_actions` is what it offers
    next. A place given by a cohort or an event (an enrollment accepted, a registration confirmed) is set by the
    aggregate that decides it, not asked for."""

    LIFECYCLE: ClassVar[StateMachine]
    status: str

    def _move(self, action: str, now: dt.datetime, happened: Any = None, **extra: Any) -> None:
        """Take `action` (InvalidTransition, naming the allowed ones, where `status` does not allow it): the
        status it leads to, a new version and, given its contract class, the event that `happened` (`extra`:
        the fields the aggregate does not have)."""
        self.status = self.LIFECYCLE.next_state(self.status, action)
        self.touch(now)
        if happened is not None:
            self.record(happened.of(self, **extra))

    @property
    def allowed_actions(self) -> list[str]:
        return self.LIFECYCLE.allowed(self.status)
