"""Tables of the partnerships database, and how the domain classes map onto them (imperative mapping keeps
the domain free of ORM imports)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    event,
    false,
    text,
    true,
)
from sqlalchemy.orm import registry, relationship
from sqlalchemy.orm.attributes import set_committed_value

from services.partnerships.domain.agreement import Agreement, AgreementKind, AgreementState, Transition
from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex
from services.partnerships.domain.partner import Partner, PartnerKind
from services.partnerships.domain.pedigree import ParentOrigin
from services.partnerships.domain.project import Project, ProjectStatus
from services.partnerships.domain.webhook import Subscription, SubscriptionState
from shared.db.naming import NAMING
from shared.db.search import fold
from shared.db.tables import aggregate_table, before_save, map_aggregate
from shared.db.types import BigIntId, JSONType, UTCDateTime, enum_column
from shared.messaging import messaging_tables
from shared.research import ResearchArea

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)



# --- partners ------------------------------------------------------------------------------------------------

partners = aggregate_table(
    "partners",
    metadata,
    Column("name", JSONType, nullable=False),
    Column("kind", Enum(PartnerKind, native_enum=False, length=40), nullable=False),
    Column("country", String(2), nullable=False),
    Column("city", String(200), nullable=True),
    Column("website", String(500), nullable=True),
    Column("contacts", JSONType, nullable=False),
    # Lower-cased names in every language, for `q`: JSON text is not searchable alike on SQLite and PostgreSQL.
    Column("search_text", Text, nullable=False),
    Index("ix_partners_country_id", "country", "id"),
    Index("ix_partners_kind_id", "kind", "id"),
)

# --- agreements ----------------------------------------------------------------------------------------------

agreements = aggregate_table(
    "agreements",
    metadata,
    Column("code", String(20), nullable=False, unique=True),
    Column("title", JSONType, nullable=False),
    Column("kind", enum_column(AgreementKind, 40), nullable=False),
    Column("state", enum_column(AgreementState, 20), nullable=False),
    Column("partner_ids", JSONType, nullable=False),
    Column("signed_on", Date, nullable=True),
    Column("effective_from", Date, nullable=False),
    Column("effective_until", Date, nullable=False),
    Column("training_seats_per_year", Integer, nullable=True),
    Column("key_projects", JSONType, nullable=False),
    Column("cub_return_age_years", Integer, nullable=True),
    Column("termination_reason", Text, nullable=True),
    Column("search_text", Text, nullable=False),  # code and titles, lower-cased, for `q`
    Index("ix_agreements_state_id", "state", "id"),
    Index("ix_agreements_kind_id", "kind", "id"),
    Index("ix_agreements_state_effective_until", "state", "effective_until"),  # the expiry sweep
)

# Which partners an agreement names, as rows: for `?partner_id=` and for what a partner may see.
agreement_partners = Table(
    "agreement_partners",
    metadata,
    Column("agreement_id", Uuid, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", Uuid, ForeignKey("partners.id"), primary_key=True),
    Index("ix_agreement_partners_partner_id", "partner_id", "agreement_id"),
)

agreement_transitions = Table(
    "agreement_transitions",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("agreement_id", Uuid, ForeignKey("agreements.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=True),
)

# Numbering that has no gaps and no duplicates under concurrent writers (`AGR-2026-0001`): one row a series.
code_sequences = Table(
    "code_sequences",
    metadata,
    Column("series", String(40), primary_key=True),
    Column("last", Integer, nullable=False),
)

projects = aggregate_table(
    "projects",
    metadata,
    Column("agreement_id", Uuid, ForeignKey("agreements.id"), nullable=False),
    Column("title", JSONType, nullable=False),
    Column("description", JSONType, nullable=True),
    Column("area", enum_column(ResearchArea, 40), nullable=False),
    Column("lead_partner_id", Uuid, ForeignKey("partners.id"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", enum_column(ProjectStatus, 20), nullable=False),
    Index("ix_projects_agreement_id_id", "agreement_id", "id"),
)

# --- pandas and loans ----------------------------------------------------------------------------------------

pandas = aggregate_table(
    "pandas",
    metadata,
    Column("studbook_number", String(20), nullable=False, unique=True),
    Column("name", JSONType, nullable=False),
    Column("sex", String(10), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("birthplace", String(200), nullable=True),
    Column("dam_id", Uuid, ForeignKey("pandas.id"), nullable=True),
    Column("sire_id", Uuid, ForeignKey("pandas.id"), nullable=True),
    Column("birth_date_estimated", Boolean, nullable=False, server_default=false()),
    Column("death_date", Date, nullable=True),
    Column("managed", Boolean, nullable=False, server_default=true()),
    Column("dam_origin", enum_column(ParentOrigin, 10), nullable=False, server_default="unknown"),
    Column("sire_origin", enum_column(ParentOrigin, 10), nullable=False, server_default="unknown"),
    # [{"panda_id", "probability"}] when sire_origin is `multiple`: read whole with the panda, never queried by.
    Column("possible_sires", JSONType, nullable=True),
    Column("search_text", Text, nullable=False),  # studbook number and names, lower-cased, for `q`
)

# The living managed population's figures as last published (`partnerships.studbook.updated`): one row. The
# kinship itself is held in memory (usecases/genetics.py), rebuilt from the pandas when a process starts or
# finds this revision ahead of its own.
studbook_genetics = Table(
    "studbook_genetics",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("figures", JSONType, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

loans = aggregate_table(
    "loans",
    metadata,
    Column("panda_id", Uuid, ForeignKey("pandas.id"), nullable=False),
    Column("agreement_id", Uuid, ForeignKey("agreements.id"), nullable=False),
    Column("host_partner_id", Uuid, ForeignKey("partners.id"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("planned_end_date", Date, nullable=False),
    Column("returned_on", Date, nullable=True),
    Column("state", String(20), nullable=False),
    Column("mother_loan_id", Uuid, ForeignKey("loans.id"), nullable=True),  # a cub born on loan
    Index("ix_loans_panda_id", "panda_id"),
    Index("ix_loans_agreement_id", "agreement_id"),
    Index("ix_loans_host_partner_id", "host_partner_id"),
    # A panda is never on two loans at once, whatever the concurrency: the database refuses the second.
    Index("uq_loans_one_active_per_panda", "panda_id", unique=True,
          sqlite_where=text("state = 'active'"), postgresql_where=text("state = 'active'")),
)

# --- the impact ledger ---------------------------------------------------------------------------------------

# One row per thing another service reported (a work, an enrollment, a certificate, an outreach event): the
# newest version of it applied so far. An older or repeated event never overwrites a newer one.
impact_sources = Table(
    "impact_sources",
    metadata,
    Column("source", String(200), primary_key=True),  # e.g. "publications.work:<id>"
    Column("version", Integer, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What each source counts for, and for whom: replaced as a whole whenever a newer version of it arrives, so a
# retraction or cancellation corrects the figures instead of adding to them.
impact_contributions = Table(
    "impact_contributions",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("source", String(200), ForeignKey("impact_sources.source", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("scope", String(20), nullable=False),  # "partner" or "agreement"
    Column("scope_id", Uuid, nullable=False),
    Column("figure", String(40), nullable=False),
    Column("amount", Integer, nullable=False),
    Index("ix_impact_contributions_scope", "scope", "scope_id"),
)

# --- webhooks ------------------------------------------------------------------------------------------------

webhook_subscriptions = aggregate_table(
    "webhook_subscriptions",
    metadata,
    Column("partner_id", Uuid, ForeignKey("partners.id"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSONType, nullable=False),
    # Kept as given: signing needs it. Shown to the partner once, when the subscription is created.
    Column("secret", String(100), nullable=False),
    Column("description", String(500), nullable=True),
    Column("state", enum_column(SubscriptionState, 20), nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),  # the first failed attempt since the last success
    Index("ix_webhook_subscriptions_partner_id_id", "partner_id", "id"),
)

# The delivery log: one row per event a subscription takes (kind "event"), plus notices to the partner (kind
# "subscription_disabled"). `seq` is the order the consumer queued them in: per (subscription, ordering_key),
# only the oldest pending row is ever attempted, so each subject's events arrive in order.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("seq", BigIntId, primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("subscription_id", Uuid, ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("event_id", String(200), nullable=True),
    Column("event_type", String(200), nullable=True),
    Column("subject", String(200), nullable=True),
    Column("ordering_key", String(200), nullable=False),  # the subject (or, without one, the event id)
    Column("payload", Text, nullable=True),  # the CloudEvent as JSON, the body that is sent
    Column("detail", Text, nullable=True),  # what a notice says
    Column("state", String(20), nullable=False),
    Column("attempts", SmallInteger, nullable=False),
    Column("last_status", SmallInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("first_attempt_at", UTCDateTime, nullable=True),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    # A replica claims an attempt by bumping `claim` while the lease is free; another replica's claim of the
    # same attempt then matches no row.
    Column("claim", Integer, nullable=False),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("uq_webhook_deliveries_subscription_id_event_id", "subscription_id", "event_id", unique=True),
    Index("ix_webhook_deliveries_subscription_id_seq", "subscription_id", "seq"),
    Index("ix_webhook_deliveries_order", "subscription_id", "ordering_key", "seq"),
    Index("ix_webhook_deliveries_due", "next_attempt_at",
          sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
)

# --- mapping -------------------------------------------------------------------------------------------------

mapper_registry = registry(metadata=metadata)
map_aggregate(mapper_registry, Partner, partners)
mapper_registry.map_imperatively(Transition, agreement_transitions)
map_aggregate(
    mapper_registry, Agreement, agreements,
    properties={
        "history": relationship(Transition, order_by=agreement_transitions.c.id, lazy="selectin",
                                cascade="all, delete-orphan"),
    },
)
map_aggregate(mapper_registry, Project, projects)
map_aggregate(mapper_registry, Panda, pandas)
map_aggregate(mapper_registry, Loan, loans)
map_aggregate(mapper_registry, Subscription, webhook_subscriptions)


@before_save(Partner)
def _index_partner(_mapper: Any, _conn: Any, partner: Partner) -> None:
    partner.search_text = fold(*partner.name.values())  # type: ignore[attr-defined]


@before_save(Agreement)
def _index_agreement(_mapper: Any, _conn: Any, agreement: Agreement) -> None:
    agreement.search_text = fold(agreement.code, *agreement.title.values())  # type: ignore[attr-defined]


@event.listens_for(Agreement, "after_insert")
@event.listens_for(Agreement, "after_update")
def _agreement_partner_rows(_mapper: Any, conn: Any, agreement: Agreement) -> None:
    # The JSON list is what the agreement says; the rows are how it is found by partner.
    wanted = {str(p) for p in agreement.partner_ids}
    have = {str(r) for r in conn.execute(agreement_partners.select().with_only_columns(
        agreement_partners.c.partner_id).where(agreement_partners.c.agreement_id == agreement.id)).scalars()}
    if wanted == have:
        return
    conn.execute(agreement_partners.delete().where(agreement_partners.c.agreement_id == agreement.id))
    rows = [{"agreement_id": agreement.id, "partner_id": uuid.UUID(p)} for p in wanted]
    conn.execute(agreement_partners.insert(), rows)


@before_save(Panda)
def _index_panda(_mapper: Any, _conn: Any, panda: Panda) -> None:
    panda.search_text = fold(panda.studbook_number, *panda.name.values())  # type: ignore[attr-defined]


# `pandas.sex` and `loans.state` are plain strings in the tables; the domain sees its enums.
@event.listens_for(Panda, "load")
@event.listens_for(Panda, "refresh")
def _panda_enums(panda: Panda, *_args: Any) -> None:
    if type(panda.__dict__.get("sex")) is str:
        set_committed_value(panda, "sex", Sex(panda.__dict__["sex"]))


@event.listens_for(Loan, "load")
@event.listens_for(Loan, "refresh")
def _loan_enums(loan: Loan, *_args: Any) -> None:
    if type(loan.__dict__.get("state")) is str:
        set_committed_value(loan, "state", LoanState(loan.__dict__["state"]))
