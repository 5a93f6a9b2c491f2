"""What a load made, as the loader prints it: a line for each part as it finishes, and at the end the dashboard
summary's headline figures as a small table."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from deploy.demo.plan import STATES


@dataclass
class Report:
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0
    requests: int = 0
    summary: dict[str, Any] | None = None

    def add(self, kind: str, what: str = "total", n: int = 1) -> None:
        self.counts[kind][what] += n

    def tally(self, kind: str, what: str) -> None:
        """One more `kind`, in all and as `what` (its status, say)."""
        self.add(kind)
        self.add(kind, what)


def _fmt(counter: Counter[str], order: Iterable[str] = ()) -> str:
    keys = [k for k in order if counter.get(k)] + sorted(k for k in counter if k not in order and k != "total")
    return ", ".join(f"{k.replace('_', ' ')} {counter[k]:,}" for k in keys)


_PHASE_SUMMARIES: dict[str, Callable[[dict[str, Counter[str]]], str]] = {
    "partners": lambda c: (f"{c['partners']['total']} partner institutions in {len(c['countries'])} countries, "
                           f"{c['partner_keys']['total']} partner API keys"),
    "partnerships": lambda c: (
        f"{c['agreements']['total']} agreements ({_fmt(c['agreements'], STATES)}); {c['projects']['total']} "
        f"projects ({_fmt(c['projects'])}); {c['pandas']['total']} pandas; {c['loans']['total']} loans "
        f"({_fmt(c['loans'])})"),
    "training": lambda c: (
        f"{c['programs']['total']} programs ({_fmt(c['programs'])}), {c['cohorts']['total']} cohorts "
        f"({_fmt(c['cohorts'])}), {c['enrollments']['total']:,} enrollments ({_fmt(c['enrollments'])})"),
    "outreach": lambda c: (
        f"{c['events']['total']} events ({_fmt(c['events'])}), {c['registrations']['total']:,} registrations "
        f"({_fmt(c['registrations'])}), attendance {c['attendance']['total']:,}"),
    "publications": lambda c: f"{c['works']['total']} works ({_fmt(c['works'])}); by type: {_fmt(c['work_types'])}",
}


def phase_summary(report: Report, name: str) -> str:
    """What the part `name` made, in one line."""
    summary = _PHASE_SUMMARIES.get(name)
    return summary(report.counts) if summary else ""


def summary_table(summary: dict[str, Any] | None) -> str:
    """The dashboard summary's headline figures, as a small table."""
    if not summary:
        return "(no dashboard summary)"
    p = summary.get("partnerships") or {}
    t = summary.get("training") or {}
    o = summary.get("outreach") or {}
    w = summary.get("publications") or {}

    def pairs(values: Any) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in (values or {}).items() if isinstance(v, int) and v) or "-"

    def num(value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) else "-"

    rows = [
        ("partnerships", "partner institutions", num(p.get("partners"))),
        ("", "countries", num(len(p["partners_by_country"])) if "partners_by_country" in p else "-"),
        ("", "agreements", f"{num(p.get('agreements'))} ({pairs(p.get('agreements_by_state'))})"),
        ("", "pandas / on loan", f"{num(p.get('pandas'))} / {num(p.get('pandas_on_loan'))}"),
        ("training", "participants", num(t.get("participants"))),
        ("", "completions / certificates", f"{num(t.get('completions'))} / {num(t.get('certificates'))}"),
        ("outreach", "events held", num(o.get("events_held"))),
        ("", "attendance", num(o.get("attendance"))),
        ("publications", "works", f"{num(w.get('works'))} ({pairs(w.get('by_status'))})"),
        ("", "open access", num((w.get("open_access") or {}).get("works"))),
        ("missing", "", ", ".join(summary.get("missing") or []) or "none"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return "\n".join(f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows)


def print_report(report: Report, out: Callable[[str], None]) -> None:
    out(f"\nDemo data loaded in {report.seconds:.1f} s ({report.requests:,} requests).")
    out("Dashboard summary (GET /api/v1/dashboard/summary):")
    out(summary_table(report.summary))
    expiring = report.counts["agreements"].get("expiring", 0)
    if expiring:
        out(f"({expiring} active agreement{'s end' if expiring > 1 else ' ends'} today: "
            f"{'they expire' if expiring > 1 else 'it expires'} by {'themselves' if expiring > 1 else 'itself'} "
            "tomorrow.)")
