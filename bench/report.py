"""What a benchmark hands back: its figures, each with the target it must meet where one applies."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    key: str  # the name in the JSON file
    label: str  # the name in the printed table
    value: Any
    target: str = ""  # what the value must be, in words; empty when there is no target
    met: bool | None = None  # None when there is no target


@dataclass
class Report:
    name: str
    description: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, key: str, label: str, value: Any, target: str = "", met: bool | None = None) -> None:
        self.figures.append(Figure(key, label, value, target, met))

    @property
    def targets_met(self) -> bool:
        return all(f.met is not False for f in self.figures)

    def table(self, database: str) -> str:
        """A Markdown table, aligned so that it reads well in a terminal too."""
        rows = [("figure", "value", "target", "met")]
        for f in self.figures:
            met = "" if f.met is None else ("yes" if f.met else "NO")
            rows.append((f.label, _text(f.value), f.target, met))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]

        def line(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        body = [line(rows[0]), rule, *(line(row) for row in rows[1:])]
        return "\n".join([f"{self.name} on {database}: {self.description}", "", *body])

    def write(self, database: str) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}-{database}.json"
        data = {
            "benchmark": self.name,
            "description": self.description,
            "database": database,
            "run_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "targets_met": self.targets_met,
            "figures": {f.key: f.value for f in self.figures},
            "targets": {f.key: {"target": f.target, "met": f.met} for f in self.figures if f.met is not None},
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(path)
        return path


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)  # numbers arrive rounded as they are meant to be shown
