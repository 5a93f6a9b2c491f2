"""The impact ledger: what each cooperation produced, counted from the training, outreach and publications
services' events. Plain Python; `usecases/impact.py` stores what this module decides, for the handlers in
`events/handlers.py`.

The figures (`FIGURES`), for a partner institution and for an agreement:

    works_published        works of the joint research that are published (not retracted)
    trainees_completed     training enrollments completed
    certificates_issued    completion certificates issued (and not revoked)
    outreach_events_held   outreach events completed (and not cancelled afterwards)
    outreach_attendance    people who came to those events

Each thing another service reports (a work, an enrollment, a certificate, an outreach event) is a *source*,
keyed `"<service>.<aggregate>:<id>"` (`"publications.work:<id>"`). An event states what its source counts
for *now*, as a whole; it is applied only if its `(version, time)` is newer than what the ledger holds for
that source, and applying it replaces the source's earlier contributions. So a redelivered event (same or new
event id), an older event arriving after a newer one, and a retraction or cancellation all leave the figures
exact: they depend only on the newest state of each source, never on how many events arrived or in which order.

The events consumed, as the other services publish them (CloudEvents on `<service>.events`, keyed and
`subject`-ed by the aggregate id; `data` below). Ids are UUID strings; `version` is the aggregate's version
after the change (an integer that grows with every change; absent means 0, and then only the event `time`
orders the events of one source). `partner_ids` and `agreement_ids` may be empty or absent; an id the ledger
does not know (yet) is counted all the same.

    publications.work.published    {"id", "version", "agreement_ids": [...], "partner_ids": [...]}
        works_published 1 for each agreement and each partner (partners: the authors' affiliations).
    publications.work.retracted    {"id", "version", "agreement_ids"?, "partner_ids"?}
        the work counts for nothing any more.
    training.enrollment.completed  {"id", "version", "partner_id": "..." | null, "agreement_ids": [...]}
        trainees_completed 1 for the participant's partner (if any) and each agreement (the seat quota it
        used, the training cooperation it belongs to).
    training.certificate.issued    {"id" (or "code"), "version" (default 1), "partner_id" | null,
                                    "agreement_ids": [...]}
        certificates_issued 1 for the partner and each agreement.
    training.certificate.revoked   {"id" (or "code", the same one as when issued), "version", ...}
        the certificate counts for nothing any more.
    outreach.event.completed       {"id", "version", "attendance": <int >= 0>, "partner_ids": [...],
                                    "agreement_ids": [...]}
        outreach_events_held 1 and outreach_attendance `attendance`, for each co-host partner and agreement.
    outreach.event.cancelled       {"id", "version", "partner_ids"?, "agreement_ids"?}
        the event counts for nothing any more (it corrects an earlier completion).

An event whose `data` does not fit (an id that is not a UUID, a list that is not a list, a negative
attendance) raises `MalformedImpactEvent`: retrying cannot help, and the consumer parks it in the DLQ.

Why not the contract classes of `shared/contracts/{training,outreach,publications}.py`: they describe the events
those services publish, whole (a `WorkPublished` has its title, status, date...). The ledger reads only the
fields above and must accept less: an event without `version`, a certificate by its `code` alone, lists that
are absent, a subject id that is not a UUID. And it must refuse what the contracts' lax parsing would accept
(`"version": "3"`, `"attendance": true`, more than `MAX_IDS` ids). So it keeps this lenient reading of its own;
the contract classes name the event types it reads (`READERS`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.contracts.outreach import EventCancelled, EventCompleted
from shared.contracts.publications import WorkPublished, WorkRetracted
from shared.contracts.training import CertificateIssued, CertificateRevoked, EnrollmentCompleted

WORKS_PUBLISHED = "works_published"
TRAINEES_COMPLETED = "trainees_completed"
CERTIFICATES_ISSUED = "certificates_issued"
OUTREACH_EVENTS_HELD = "outreach_events_held"
OUTREACH_ATTENDANCE = "outreach_attendance"

FIGURES: tuple[str, ...] = (
    WORKS_PUBLISHED,
    TRAINEES_COMPLETED,
    CERTIFICATES_ISSUED,
    OUTREACH_EVENTS_HELD,
    OUTREACH_ATTENDANCE,
)

# What one source may add to a figure: an amount stored in a 32-bit column.
MAX_AMOUNT = 2_147_483_647
# The source key is stored in 200 characters; the aggregate id gets what the longest prefix leaves.
MAX_SUBJECT_ID_LENGTH = 150
MAX_IDS = 1000


class Scope(enum.StrEnum):
    partner = "partner"
    agreement = "agreement"


class MalformedImpactEvent(ValueError):
    """The event's data cannot be read as the ledger's event format says."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one source adds to one figure of one partner or agreement."""

    scope: Scope
    scope_id: uuid.UUID
    figure: str
    amount: int


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one event says its source counts for now, as a whole."""

    source: str
    version: int
    occurred_at: dt.datetime
    contributions: tuple[Contribution, ...]

    def supersedes(self, version: int, occurred_at: dt.datetime) -> bool:
        """Whether this report is newer than the one the ledger holds (`version`, then event time)."""
        return (self.version, self.occurred_at) > (version, _utc(occurred_at))


@dataclass(frozen=True, slots=True)
class Impact:
    """The five figures of a partner or an agreement."""

    works_published: int = 0
    trainees_completed: int = 0
    certificates_issued: int = 0
    outreach_events_held: int = 0
    outreach_attendance: int = 0

    @classmethod
    def from_totals(cls, totals: Iterable[tuple[str, int | None]]) -> Impact:
        """From `(figure, sum of amounts)` pairs; a figure not among them is 0, one not in FIGURES ignored."""
        known = {f: int(n or 0) for f, n in totals if f in FIGURES}
        return cls(**known)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


# --- reading the events ------------------------------------------------------------------------------------


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.replace(tzinfo=dt.UTC) if instant.tzinfo is None else instant.astimezone(dt.UTC)


def _uuid(value: Any, where: str) -> uuid.UUID:
    if not isinstance(value, str):
        raise MalformedImpactEvent(f"{where} must be a UUID string, not {type(value).__name__}")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise MalformedImpactEvent(f"{where} is not a UUID: {value[:60]!r}") from None


def _uuids(data: Mapping[str, Any], key: str) -> list[uuid.UUID]:
    """A list of UUIDs, each once, in order; absent or null is none."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedImpactEvent(f"data.{key} must be a list of UUID strings")
    if len(value) > MAX_IDS:
        raise MalformedImpactEvent(f"data.{key} names more than {MAX_IDS} ids")
    return list(dict.fromkeys(_uuid(v, f"data.{key}[{i}]") for i, v in enumerate(value)))


def _optional_uuid(data: Mapping[str, Any], key: str) -> list[uuid.UUID]:
    value = data.get(key)
    return [] if value is None else [_uuid(value, f"data.{key}")]


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedImpactEvent(f"{where} must be an integer")
    if not 0 <= value <= MAX_AMOUNT:
        raise MalformedImpactEvent(f"{where} must be between 0 and {MAX_AMOUNT}")
    return value


def _version(data: Mapping[str, Any], default: int = 0) -> int:
    value = data.get("version")
    return default if value is None else _int(value, "data.version")


def _subject_id(data: Mapping[str, Any], *keys: str) -> str:
    """The aggregate's id: the first of `keys` present; a UUID in its canonical form, so that the events of
    one source agree on its key however the id was spelled."""
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise MalformedImpactEvent(f"data.{key} must be a non-empty string")
        if len(value) > MAX_SUBJECT_ID_LENGTH:
            raise MalformedImpactEvent(f"data.{key} is longer than {MAX_SUBJECT_ID_LENGTH} characters")
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value.strip()
    raise MalformedImpactEvent("data has no " + " or ".join(keys))


def _counted(scopes: Iterable[tuple[Scope, uuid.UUID]], amounts: Mapping[str, int]) -> tuple[Contribution, ...]:
    return tuple(
        Contribution(scope, scope_id, figure, amount)
        for scope, scope_id in scopes
        for figure, amount in amounts.items()
        if amount
    )


def _scopes(partner_ids: list[uuid.UUID], agreement_ids: list[uuid.UUID]) -> list[tuple[Scope, uuid.UUID]]:
    return [(Scope.partner, p) for p in partner_ids] + [(Scope.agreement, a) for a in agreement_ids]


Reader = Callable[[Mapping[str, Any]], tuple[str, int, tuple[Contribution, ...]]]


def _work_published(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    scopes = _scopes(_uuids(data, "partner_ids"), _uuids(data, "agreement_ids"))
    return "publications.work:" + _subject_id(data, "id"), _version(data), _counted(scopes, {WORKS_PUBLISHED: 1})


def _work_retracted(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    return "publications.work:" + _subject_id(data, "id"), _version(data), ()


def _enrollment_completed(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    scopes = _scopes(_optional_uuid(data, "partner_id"), _uuids(data, "agreement_ids"))
    return ("training.enrollment:" + _subject_id(data, "id"), _version(data),
            _counted(scopes, {TRAINEES_COMPLETED: 1}))


def _certificate_issued(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    scopes = _scopes(_optional_uuid(data, "partner_id"), _uuids(data, "agreement_ids"))
    return ("training.certificate:" + _subject_id(data, "id", "code"), _version(data, default=1),
            _counted(scopes, {CERTIFICATES_ISSUED: 1}))


def _certificate_revoked(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    # Without a version, a revocation still comes after the issue (version 1) it revokes.
    return "training.certificate:" + _subject_id(data, "id", "code"), _version(data, default=2), ()


def _outreach_event_completed(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    if "attendance" not in data:
        raise MalformedImpactEvent("data has no attendance")
    attendance = _int(data["attendance"], "data.attendance")
    scopes = _scopes(_uuids(data, "partner_ids"), _uuids(data, "agreement_ids"))
    return ("outreach.event:" + _subject_id(data, "id"), _version(data),
            _counted(scopes, {OUTREACH_EVENTS_HELD: 1, OUTREACH_ATTENDANCE: attendance}))


def _outreach_event_cancelled(data: Mapping[str, Any]) -> tuple[str, int, tuple[Contribution, ...]]:
    return "outreach.event:" + _subject_id(data, "id"), _version(data), ()


READERS: dict[str, Reader] = {
    WorkPublished.event_type: _work_published,
    WorkRetracted.event_type: _work_retracted,
    EnrollmentCompleted.event_type: _enrollment_completed,
    CertificateIssued.event_type: _certificate_issued,
    CertificateRevoked.event_type: _certificate_revoked,
    EventCompleted.event_type: _outreach_event_completed,
    EventCancelled.event_type: _outreach_event_cancelled,
}
EVENT_TYPES: tuple[str, ...] = tuple(READERS)


def report_of(event_type: str, data: Mapping[str, Any], occurred_at: dt.datetime) -> SourceReport:
    """What an event of `event_type` says its source counts for, as of `occurred_at` (the event's time)."""
    reader = READERS.get(event_type)
    if reader is None:
        raise MalformedImpactEvent(f"{event_type} is not an event the impact ledger counts")
    if not isinstance(data, Mapping):
        raise MalformedImpactEvent("data must be a JSON object")
    source, version, contributions = reader(data)
    return SourceReport(source, version, _utc(occurred_at), contributions)
