"""Facts the engine computes from recorded ones: durations, local dates, weekdays, cost per head, characters.

These are arithmetic, not rules: no threshold or reading of the regulation is here. They go into the
inferred graph with the owlrl closure, never into the input. A value the record states itself wins.

A time may be recorded as a date-time or, when only the day is known, as a date (xsd:date). A date's local date
is the date itself; a duration needs two date-times, so none is derived from a date (the rules that need one then
lack it: "not enough data", never a guess).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from kb.namespaces import DXO, ORG, SCHEMA

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight-saving time since 1991
# Timestamps whose local date (Asia/Shanghai) the same-day rules compare: receipt (A10.4), minutes (A11.9).
LOCAL_DATE_OF = {DXO.receivedAt: DXO.receivedOn, DXO.submittedForApprovalAt: DXO.submittedForApprovalOn}
# Records whose schema:startDate / schema:endDate are the first and last days of a period (since / until: a review
# period, a periodical's run, a post held), not the times of an event: no local date or weekday is derived from them.
PERIODS = (DXO.ReviewPeriod, DXO.BulletinPeriodical)
# Which recorded properties each derived one is computed from: what the documentation of the record format says a
# rule reading the derived fact reads (scripts/build_records_doc.py).
DERIVED_FROM = {
    DXO.localDate: (SCHEMA.startDate, DXO.scheduledStart),
    DXO.localDayOfWeek: (SCHEMA.startDate, DXO.scheduledStart),
    DXO.localEndDate: (SCHEMA.endDate, DXO.scheduledEnd),
    DXO.durationMinutes: (SCHEMA.startDate, SCHEMA.endDate, DXO.scheduledStart, DXO.scheduledEnd),
    DXO.durationIsEstimate: (DXO.scheduledStart, DXO.scheduledEnd),
    **{day: (moment,) for moment, day in LOCAL_DATE_OF.items()},
    DXO.costPerHead: (DXO.headcount, DXO.totalCost),
    DXO.charCount: (DXO.title, SCHEMA.text),
}


def derived_facts(data: Graph) -> Graph:
    """Return the derived triples for every record in `data`."""
    out = Graph()
    periods = {node for cls in PERIODS for node in data.subjects(RDF.type, cls)} | set(data.objects(None, ORG.holds))
    for node in (set(data.subjects(SCHEMA.startDate)) | set(data.subjects(DXO.scheduledStart))) - periods:
        actual = _times(data, node, SCHEMA.startDate, SCHEMA.endDate)
        planned = _times(data, node, DXO.scheduledStart, DXO.scheduledEnd)
        start, end = actual if actual[0] and actual[1] else (actual[0] or planned[0], planned[1])
        if start is None:
            continue
        local = _local_date(start)
        out.add((node, DXO.localDate, Literal(local, datatype=XSD.date)))
        out.add((node, DXO.localDayOfWeek, Literal(local.isoweekday())))
        if end is not None:
            out.add((node, DXO.localEndDate, Literal(_local_date(end), datatype=XSD.date)))
        if isinstance(start, datetime) and isinstance(end, datetime) and (node, DXO.durationMinutes, None) not in data:
            minutes = Decimal((end - start).total_seconds()) / 60
            out.add((node, DXO.durationMinutes, Literal(_tidy(minutes), datatype=XSD.decimal)))
            if actual[1] is None or actual[0] is None:
                out.add((node, DXO.durationIsEstimate, Literal(True)))
    for moment, day in LOCAL_DATE_OF.items():
        for node, value in data.subject_objects(moment):
            when = _moment(value)
            if when is not None and (node, day, None) not in data:
                out.add((node, day, Literal(_local_date(when), datatype=XSD.date)))
    for meal in data.subjects(DXO.totalCost):
        heads, total = data.value(meal, DXO.headcount), data.value(meal, DXO.totalCost)
        if (meal, DXO.costPerHead, None) not in data and _number(heads) and _number(total) is not None:
            per_head = Decimal(str(total.toPython())) / Decimal(str(heads.toPython()))
            out.add((meal, DXO.costPerHead, Literal(_tidy(per_head), datatype=XSD.decimal)))
    for node in set(data.subjects(SCHEMA.text)):
        if (node, DXO.charCount, None) not in data:
            texts = [str(data.value(node, DXO.title) or ""), *(str(t) for t in data.objects(node, SCHEMA.text))]
            out.add((node, DXO.charCount, Literal(sum(character_count(t) for t in texts))))
    return out


def character_count(text: str) -> int:
    """Characters as the catalogue counts them (P_charCount): no whitespace, a run of Latin letters or digits
    counts as one, full-width punctuation counts."""
    return len(_LATIN_RUN.sub("A", _SPACE.sub("", text)))


_SPACE = re.compile(r"\s+")
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+")


def _times(data: Graph, node, start_p, end_p) -> tuple[datetime | date | None, datetime | date | None]:
    return _moment(data.value(node, start_p)), _moment(data.value(node, end_p))


def _moment(value) -> datetime | date | None:
    """A timezone-aware datetime (a time without an offset is read as Beijing time), or a date when only the day
    was recorded."""
    python = value.toPython() if isinstance(value, Literal) else None
    if isinstance(python, datetime):
        return python if python.tzinfo else python.replace(tzinfo=SHANGHAI)
    return python if isinstance(python, date) else None


def _local_date(moment: datetime | date) -> date:
    """The calendar date in Asia/Shanghai: of a date-time, its date there; of a date, the date itself."""
    return moment.astimezone(SHANGHAI).date() if isinstance(moment, datetime) else moment


def _number(value):
    python = value.toPython() if isinstance(value, Literal) else None
    return python if isinstance(python, int | float | Decimal) and not isinstance(python, bool) else None


def _tidy(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01")).normalize() if value % 1 else Decimal(int(value))
