"""An agreement between the base and one or more partner institutions, and its lifecycle:

    draft --submit--> negotiating --sign--> signed --activate--> active --(term ends)--> expired
                                              |                    |  ^
                                              |                    renew
                                              +----terminate-------+---> terminated

Every transition is kept in the agreement's history (who, when, from, to, note) and recorded as its event
(`partnerships.agreement.<step>`). Draft and negotiating agreements are private to staff and to the agreement's
own partners; from signing on they are public.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.partnerships.domain import notices
from services.partnerships.domain.partner import Partner
from shared.contracts.partnerships import (
    AgreementActivated,
    AgreementDrafted,
    AgreementExpired,
    AgreementRenewed,
    AgreementSigned,
    AgreementSubmitted,
    AgreementTerminated,
    AgreementTransitioned,
    AgreementUpdated,
)
from shared.domain import Aggregate, Conflict, RuleViolated, StateMachine
from shared.ids import new_id


class AgreementKind(enum.StrEnum):
    panda_loan = "panda_loan"
    research_cooperation = "research_cooperation"
    training_cooperation = "training_cooperation"
    framework = "framework"
    cultural_exchange = "cultural_exchange"


class AgreementState(enum.StrEnum):
    draft = "draft"
    negotiating = "negotiating"
    signed = "signed"
    active = "active"
    expired = "expired"
    terminated = "terminated"


S = AgreementState
PRIVATE_STATES = frozenset({S.draft, S.negotiating})
PUBLIC_STATES = frozenset(S) - PRIVATE_STATES
# Until it is signed, an agreement's terms are still being negotiated and may change.
EDITABLE_STATES = PRIVATE_STATES

LIFECYCLE = StateMachine(
    "agreement",
    {
        "submit": ({S.draft}, S.negotiating),
        "sign": ({S.negotiating}, S.signed),
        "activate": ({S.signed}, S.active),
        "renew": ({S.active}, S.active),
        "terminate": ({S.signed, S.active}, S.terminated),
        "expire": ({S.active}, S.expired),
    },
    automatic={"expire"},
)

# How old a cub born on loan is when it goes home, unless the agreement says otherwise.
DEFAULT_CUB_RETURN_AGE_YEARS = 4


@dataclass
class Transition:
    """One step of an agreement's history."""

    agreement_id: uuid.UUID
    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: dt.datetime
    note: str | None = None
    id: int | None = None


@dataclass(eq=False, kw_only=True)
class Agreement(Aggregate):
    EDITABLE = ("title", "partner_ids", "effective_from", "effective_until", "training_seats_per_year",
                "key_projects", "cub_return_age_years")
    UPDATED = AgreementUpdated

    id: uuid.UUID
    code: str
    title: dict[str, str]
    kind: AgreementKind
    state: AgreementState
    partner_ids: list[str]  # as strings: the JSON column keeps them so on both databases
    signed_on: dt.date | None
    effective_from: dt.date
    effective_until: dt.date
    training_seats_per_year: int | None
    key_projects: list[dict[str, Any]]
    cub_return_age_years: int | None
    termination_reason: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[Transition] = field(default_factory=list, init=False)

    # --- creation and terms ------------------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        code: str,
        title: dict[str, str],
        kind: AgreementKind,
        partner_ids: list[uuid.UUID],
        effective_from: dt.date,
        effective_until: dt.date,
        actor: str,
        now: dt.datetime,
        training_seats_per_year: int | None = None,
        key_projects: list[dict[str, Any]] | None = None,
        cub_return_age_years: int | None = None,
    ) -> Agreement:
        agreement = cls(
            id=new_id(), code=code, title=title, kind=AgreementKind(kind), state=S.draft,
            partner_ids=_ids(partner_ids), signed_on=None, effective_from=effective_from,
            effective_until=effective_until, training_seats_per_year=training_seats_per_year,
            key_projects=list(key_projects or []), cub_return_age_years=cub_return_age_years,
            termination_reason=None, version=1, created_at=now, updated_at=now,
        )
        agreement.check()
        agreement.history.append(Transition(agreement.id, "draft", None, S.draft, actor, now))
        agreement.record(AgreementDrafted.of(agreement))
        return agreement

    def apply_changes(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """The terms, while they are negotiated (partner ids compared as the agreement keeps them)."""
        if "partner_ids" in changes:
            changes = {**changes, "partner_ids": _ids(changes["partner_ids"])}
        return super().apply_changes(changes, now)

    def check_changeable(self, fields: list[str]) -> None:
        if self.state not in EDITABLE_STATES:
            raise Conflict(f"the terms of a {self.state} agreement are fixed; only draft and negotiating "
                           "agreements can be changed")

    def check(self) -> None:
        ids = _ids(self.partner_ids)
        if not ids:
            raise RuleViolated("an agreement names at least one partner", ("body", "partner_ids"))
        if len(set(ids)) != len(ids):
            raise RuleViolated("a partner is named twice", ("body", "partner_ids"))
        self.partner_ids = ids
        if self.effective_from >= self.effective_until:
            raise RuleViolated("effective_from must be before effective_until", ("body", "effective_until"))
        if self.training_seats_per_year is not None and self.kind is not AgreementKind.training_cooperation:
            raise RuleViolated("only a training_cooperation agreement gives training seats",
                               ("body", "training_seats_per_year"))
        if self.cub_return_age_years is not None and self.kind is not AgreementKind.panda_loan:
            raise RuleViolated("only a panda_loan agreement sets when cubs return", ("body", "cub_return_age_years"))

    # --- the lifecycle: each step is kept in the history and recorded as its event --------------------------

    def submit(self, actor: str, now: dt.datetime, note: str | None = None) -> Transition:
        return self._move("submit", actor, now, note, AgreementSubmitted)

    def sign(self, signed_on: dt.date, actor: str, now: dt.datetime, note: str | None = None) -> Transition:
        LIFECYCLE.next_state(self.state, "sign")  # the state decides first: a 409 beats a 422
        if signed_on > now.date():
            raise RuleViolated("signed_on cannot be in the future", ("body", "signed_on"))
        self.signed_on = signed_on
        return self._move("sign", actor, now, note, AgreementSigned)

    def activate(self, actor: str, now: dt.datetime, note: str | None = None) -> Transition:
        LIFECYCLE.next_state(self.state, "activate")
        if now.date() > self.effective_until:
            raise RuleViolated(f"the term ended on {self.effective_until}; renew the term before activating",
                               ("body", "action"))
        return self._move("activate", actor, now, note, AgreementActivated)

    def renew(self, effective_until: dt.date, actor: str, now: dt.datetime, note: str | None = None) -> Transition:
        LIFECYCLE.next_state(self.state, "renew")
        if effective_until <= self.effective_until:
            raise RuleViolated(f"a renewal extends the term beyond {self.effective_until}",
                               ("body", "effective_until"))
        previous = self.effective_until
        self.effective_until = effective_until
        return self._move("renew", actor, now, note or f"term extended from {previous} to {effective_until}",
                          AgreementRenewed)

    def terminate(self, reason: str, actor: str, now: dt.datetime) -> Transition:
        LIFECYCLE.next_state(self.state, "terminate")
        self.termination_reason = reason
        return self._move("terminate", actor, now, reason, AgreementTerminated)

    def expire(self, actor: str, now: dt.datetime) -> Transition:
        """The day after its term ends, an active agreement expires by itself (the expiry job, never a client).
        Conflict if it is not active (any more) or its term has not ended (it was renewed meanwhile)."""
        LIFECYCLE.next_state(self.state, "expire")
        if now.date() <= self.effective_until:
            raise Conflict(f"the term runs until {self.effective_until}")
        return self._move("expire", actor, now, f"term ended on {self.effective_until}", AgreementExpired)

    def _move(self, action: str, actor: str, now: dt.datetime, note: str | None,
              happened: type[AgreementTransitioned]) -> Transition:
        target = LIFECYCLE.next_state(self.state, action)
        step = Transition(self.id, action, self.state.value, target, actor, now, note)
        self.state = AgreementState(target)
        self.history.append(step)
        self.touch(now)
        self.record(happened.of(self, action=action, from_state=step.from_state, actor=actor, note=note))
        return step

    def tell(self, partners: Iterable[Partner], step: Transition) -> None:
        """After a lifecycle `step`: the contacts of the `partners` it names are told what it means for them
        (`notices`: signed, activated, expiring soon, expired)."""
        for request in notices.told(self, step.action, partners):
            self.record(request)

    # --- who may see it, what it allows ------------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def allowed_actions(self) -> list[str]:
        return LIFECYCLE.allowed(self.state)

    def names(self, partner_id: uuid.UUID | None) -> bool:
        return partner_id is not None and str(partner_id) in self.partner_ids

    def in_force(self, on: dt.date) -> bool:
        return self.state is S.active and self.effective_from <= on <= self.effective_until

    def cub_return_date(self, birth_date: dt.date) -> dt.date:
        years = self.cub_return_age_years or DEFAULT_CUB_RETURN_AGE_YEARS
        try:
            return birth_date.replace(year=birth_date.year + years)
        except ValueError:  # born on 29 February
            return birth_date.replace(year=birth_date.year + years, day=28)


def _ids(values: list[Any]) -> list[str]:
    return [str(uuid.UUID(str(v))) for v in values]


def agreement_code(year: int, number: int) -> str:
    return f"AGR-{year}-{number:04d}"
