"""A panda loan: a panda placed with a host partner under an active `panda_loan` agreement that names that
partner, from `start_date` until it is returned (planned for `planned_end_date`).

    active --return--> returned

A panda is never on two loans at once. A cub born on loan is recorded with its mother's loan: it gets a loan of
its own under the same agreement and host, from its birth until the return date the agreement sets for cubs.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from services.partnerships.domain.agreement import Agreement, AgreementKind, AgreementState
from services.partnerships.domain.panda import Panda, Sex
from services.partnerships.domain.partner import Partner
from shared.contracts.partnerships import LoanReturned, LoanStarted, PandaBorn
from shared.domain import Aggregate, Conflict, RuleViolated, StateMachine
from shared.ids import new_id


class LoanState(enum.StrEnum):
    active = "active"
    returned = "returned"


L = LoanState
TERMS = StateMachine("loan", {"return": ({L.active}, L.returned)})


@dataclass(eq=False, kw_only=True)
class Loan(Aggregate):
    id: uuid.UUID
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: dt.date
    planned_end_date: dt.date
    returned_on: dt.date | None
    state: LoanState
    mother_loan_id: uuid.UUID | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def start(
        cls,
        panda: Panda,
        agreement: Agreement,
        host_partner_id: uuid.UUID,
        start_date: dt.date,
        planned_end_date: dt.date,
        now: dt.datetime,
        current_loan: Loan | None = None,
        last_returned_on: dt.date | None = None,
    ) -> Loan:
        """A new loan of `panda`. `current_loan` is the panda's active loan, if it has one (the database's unique
        index is what holds under concurrency; this check gives the clear answer); `last_returned_on` is when
        its latest loan ended, if it had one: loans of one panda do not overlap in time either."""
        if agreement.kind is not AgreementKind.panda_loan:
            raise RuleViolated(f"agreement {agreement.code} is a {agreement.kind.value} agreement; a loan needs a "
                               "panda_loan agreement", ("body", "agreement_id"))
        if agreement.state is not AgreementState.active:
            raise Conflict(f"agreement {agreement.code} is {agreement.state.value}; a loan needs an active "
                           "agreement")
        if not agreement.names(host_partner_id):
            raise RuleViolated(f"the host partner is not named by agreement {agreement.code}",
                               ("body", "host_partner_id"))
        if start_date >= planned_end_date:
            raise RuleViolated("start_date must be before planned_end_date", ("body", "planned_end_date"))
        if start_date < agreement.effective_from or planned_end_date > agreement.effective_until:
            raise RuleViolated(
                f"the loan must lie within the agreement's term ({agreement.effective_from} to "
                f"{agreement.effective_until})", ("body", "start_date" if start_date < agreement.effective_from
                                                   else "planned_end_date"),
            )
        if panda.birth_date > start_date:
            raise RuleViolated(f"panda {panda.studbook_number} is born on {panda.birth_date}, after start_date",
                               ("body", "start_date"))
        if current_loan is not None and current_loan.state is LoanState.active:
            raise Conflict(f"panda {panda.studbook_number} is already on loan (loan {current_loan.id})")
        if last_returned_on is not None and start_date < last_returned_on:
            raise RuleViolated(f"panda {panda.studbook_number} was on loan until {last_returned_on}; a new loan "
                               "starts on or after that day", ("body", "start_date"))
        loan = cls._new(panda, agreement, host_partner_id, start_date, planned_end_date, now, None)
        loan.record(LoanStarted.of(loan))
        return loan

    @classmethod
    def _new(
        cls, panda: Panda, agreement: Agreement, host_partner_id: uuid.UUID, start_date: dt.date,
        planned_end_date: dt.date, now: dt.datetime, mother_loan_id: uuid.UUID | None,
    ) -> Loan:
        return cls(
            id=new_id(), panda_id=panda.id, agreement_id=agreement.id, host_partner_id=host_partner_id,
            start_date=start_date, planned_end_date=planned_end_date, returned_on=None, state=L.active,
            mother_loan_id=mother_loan_id, version=1, created_at=now, updated_at=now,
        )

    def return_(self, returned_on: dt.date, now: dt.datetime) -> None:
        target = TERMS.next_state(LoanState(self.state), "return")  # the state decides first: a 409 beats a 422
        if returned_on < self.start_date:
            raise RuleViolated(f"returned_on cannot be before the loan's start ({self.start_date})",
                               ("body", "returned_on"))
        if returned_on > now.date():
            raise RuleViolated("returned_on cannot be in the future", ("body", "returned_on"))
        self.state = LoanState(target)
        self.returned_on = returned_on
        self.touch(now)
        self.record(LoanReturned.of(self))

    def record_cub(
        self,
        *,
        mother: Panda,
        agreement: Agreement,
        host: Partner,
        studbook_number: str,
        name: dict[str, str],
        sex: Sex,
        birth_date: dt.date,
        now: dt.datetime,
        sire: Panda | None = None,
    ) -> tuple[Panda, Loan]:
        """A cub born to the panda on this loan: the cub (dam: the mother, born at the host) and its own loan
        under the same agreement and host, until the return date the agreement sets for cubs. Recorded as the
        cub's birth, then its loan's start."""
        if mother.id != self.panda_id or agreement.id != self.agreement_id or host.id != self.host_partner_id:
            raise ValueError("record_cub needs this loan's own panda, agreement and host")
        if LoanState(self.state) is not L.active:
            raise Conflict(f"the loan is {LoanState(self.state).value}; a cub born on loan is recorded only while "
                           "its mother's loan is active")
        if not mother.is_female:
            raise RuleViolated(f"panda {mother.studbook_number} on this loan is male; a cub's dam is female")
        if not self.start_date <= birth_date <= self.planned_end_date:
            raise RuleViolated(f"a cub born on loan is born within the loan ({self.start_date} to "
                               f"{self.planned_end_date})", ("body", "birth_date"))
        cub = Panda.entry(
            studbook_number=studbook_number, name=name, sex=sex, birth_date=birth_date, today=now.date(), now=now,
            birthplace=birthplace_at(host), dam=mother, sire=sire,
        )
        loan = Loan._new(cub, agreement, self.host_partner_id, birth_date, agreement.cub_return_date(birth_date),
                         now, self.id)
        cub.record(PandaBorn.of(cub, mother_loan_id=self.id, loan_id=loan.id))
        loan.record(LoanStarted.of(loan))
        return cub, loan

    @property
    def allowed_actions(self) -> list[str]:
        return TERMS.allowed(LoanState(self.state))


def birthplace_at(host: Partner) -> str:
    """Where a cub born at `host` was born: the institution's name (English if it has one) and its city."""
    name = host.name.get("en") or next(iter(host.name.values()))
    place = f"{name}, {host.city}" if host.city else name
    return place[:200]
