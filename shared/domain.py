"""What the domain layer raises when it refuses a change. Plain Python: the API layer maps these to HTTP."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """A rule of the domain refused the change."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The thing named does not exist (or the caller may not know it exists)."""


class Conflict(DomainError):
    """The change clashes with what exists: a duplicate, or a state that does not allow it."""


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

    def __init__(self, detail: str, loc: tuple[str | int, ...] = ("body",)) -> None:
        super().__init__(detail)
        self.loc = loc


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
