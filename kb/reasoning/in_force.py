"""Rules in time: a record is judged by the provisions in force on its date.

Each provision carries the date it applies from (`eli:first_date_entry_in_force`) and may carry the last day it
applied (`eli:date_no_longer_in_force`) when a newer version replaced it; an amendment is one more file in
data/regulation/ with the new version and its shapes. A record dated before the regulation applied is
"not in force": it gets that answer rather than a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rdflib import Graph, Literal
from rdflib.namespace import XSD

from kb.namespaces import DXO, DXP, ELI


@dataclass(frozen=True)
class NotInForce:
    """A record the regulation does not yet govern on its date."""

    record: str
    record_date: str
    applies_from: str

    def message(self, lang: str) -> str:
        if lang == "zh":
            return f"不适用: 该记录日期为 {self.record_date}, 本规定自 {self.applies_from} 起施行"
        return f"not in force: the record is dated {self.record_date}; the regulation applies from {self.applies_from}"


def record_date(data: Graph, record) -> date | None:
    """The record's own local date, else the earliest date anywhere in its description."""
    local = data.value(record, DXO.localDate)
    if local is not None:
        return _as_date(local)
    dates = [_as_date(o) for o in data.cbd(record).objects() if isinstance(o, Literal)]
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


def in_force(regulation: Graph, provision, on: date | None) -> bool:
    """Whether `provision` applies on `on` (a record without a date is judged by the provisions in force)."""
    start = _as_date(regulation.value(provision, ELI.first_date_entry_in_force))
    end = _as_date(regulation.value(provision, ELI.date_no_longer_in_force))
    if on is None:
        return end is None
    return (start is None or start <= on) and (end is None or on <= end)


def act_applies_from(regulation: Graph) -> date | None:
    return _as_date(regulation.value(DXP.act, ELI.first_date_entry_in_force))


def _as_date(value) -> date | None:
    if not isinstance(value, Literal) or value.datatype not in (XSD.date, XSD.dateTime):
        return None
    python = value.toPython()
    if isinstance(python, datetime):
        return python.date()
    return python if isinstance(python, date) else None
