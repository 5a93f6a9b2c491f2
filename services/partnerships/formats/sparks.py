"""The studbook in the exchange layout of SPARKS (the Single Population Analysis and Records Keeping System),
as PMx and the studbook keepers' tools read and write it: one record per animal, `EXCHANGE.CSV` (its `.DBF` twin
holds the same fields).

Columns (SPARKS' names; a header row names them, in any order; unknown columns are ignored):

| column | what |
|---|---|
| `STUD_ID` | the studbook number |
| `SIRE_ID`, `DAM_ID` | a parent's number, or `UNK` (unknown), `WILD` (wild-born), `MULT` (several sires) |
| `SEX` | `M`, `F` |
| `BDATE` | the birth date, `YYYYMMDD` (SPARKS) or `YYYY-MM-DD` |
| `BIRTH_EST` | `Y` when the birth date is an estimate, else `N` or empty |
| `DDATE` | the death date, empty while alive |
| `LOCATION` | where the animal is (written on export: the holder; read and not kept on import, the loans say) |
| `NAME` | the house name |
| `MULT_SIRES` | for `SIRE_ID` = `MULT`: `number:probability;...` (SPARKS keeps these in a table of its own) |

Plain text in, records out; no I/O.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

COLUMNS = ("STUD_ID", "SIRE_ID", "DAM_ID", "SEX", "BDATE", "BIRTH_EST", "DDATE", "LOCATION", "NAME", "MULT_SIRES")
ORIGINS = {"UNK": "unknown", "WILD": "wild", "MULT": "multiple"}
CODES = {v: k for k, v in ORIGINS.items()}
MEDIA_TYPE = "text/csv"


class UnreadableExchange(ValueError):
    """The body is not an exchange file at all (no header naming STUD_ID, or not text)."""


@dataclass
class ExchangeRecord:
    """One row: its line in the file, its studbook number, and either the panda's fields (as `POST /pandas`
    takes them, parents as studbook numbers) or the errors found, each `{"loc": [column], "msg", "type"}`."""

    line: int
    stud_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, column: str, msg: str, kind: str = "value_error") -> None:
        self.errors.append({"loc": [column], "msg": msg, "type": kind})


def _date(value: str) -> dt.date:
    value = value.strip()
    return dt.date.fromisoformat(value if "-" in value else f"{value[:4]}-{value[4:6]}-{value[6:8]}")


def read_exchange(text: str) -> list[ExchangeRecord]:
    """The records of an exchange file. Raises UnreadableExchange for a file with no `STUD_ID` column."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not rows.fieldnames or "STUD_ID" not in [f.strip().upper() for f in rows.fieldnames]:
        raise UnreadableExchange("the first line names the columns, STUD_ID among them (SPARKS' exchange layout)")
    out = []
    for row in rows:
        cells = {(k or "").strip().upper(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        record = ExchangeRecord(rows.line_num, cells.get("STUD_ID", ""))
        _fields(record, cells)
        out.append(record)
    return out


def _fields(r: ExchangeRecord, c: dict[str, str]) -> None:
    f = r.fields
    if not r.stud_id:
        r.fail("STUD_ID", "every record has a studbook number", "missing")
    f["studbook_number"] = r.stud_id
    f["name"] = {"en": c.get("NAME") or r.stud_id}
    sex = c.get("SEX", "").upper()
    if sex not in ("M", "F"):
        r.fail("SEX", "SEX is M or F (the studbook keeps no animal of unknown sex)")
    f["sex"] = "male" if sex == "M" else "female"
    for column, key in (("BDATE", "birth_date"), ("DDATE", "death_date")):
        if c.get(column):
            try:
                f[key] = _date(c[column])
            except ValueError:
                r.fail(column, f"{column} is a date, YYYYMMDD or YYYY-MM-DD")
    if "birth_date" not in f and not any(e["loc"] == ["BDATE"] for e in r.errors):
        r.fail("BDATE", "every record has a birth date (an estimate with BIRTH_EST=Y if need be)", "missing")
    f["birth_date_estimated"] = c.get("BIRTH_EST", "").upper() in ("Y", "YES", "1", "TRUE")
    for column, role in (("SIRE_ID", "sire"), ("DAM_ID", "dam")):
        value = c.get(column, "").upper() or "UNK"
        if value in ORIGINS:
            f[f"{role}_origin"] = ORIGINS[value]
        else:
            f[f"{role}_number"] = c[column]
    if f.get("sire_origin") == "multiple":
        try:
            pairs = [p.split(":") for p in c.get("MULT_SIRES", "").split(";") if p.strip()]
            f["possible_sire_numbers"] = [(n.strip(), float(p)) for n, p in pairs]
        except ValueError:
            r.fail("MULT_SIRES", "MULT_SIRES is number:probability;number:probability")
        if not f.get("possible_sire_numbers") and not any(e["loc"] == ["MULT_SIRES"] for e in r.errors):
            r.fail("MULT_SIRES", "SIRE_ID=MULT needs MULT_SIRES: number:probability;number:probability", "missing")


def write_exchange(rows: list[dict[str, Any]]) -> str:
    """An exchange file of `rows` (each with the `COLUMNS` as keys; parents as studbook numbers or origin
    codes, dates as `datetime.date`), CRLF line ends as SPARKS writes them."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (v.strftime("%Y%m%d") if isinstance(v, dt.date) else "" if v is None else v)
                         for k, v in row.items()})
    return out.getvalue()
