"""The working-day calendar (data/calendar/) for the dates a batch of records speaks about.

Deadline shapes count `dxo:WorkingDay` resources between two dates in SPARQL. Validation sees only the days
between the earliest and the latest date in the records (and the calendar's own description with its
coverage), not all 4,018 days, and the calendar never enters the owlrl closure (shared/notes/performance.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kb import resources
from kb.namespaces import DXCAL
from kb.terms import rdflib_term


@cache
def calendar() -> Graph:
    return Graph().parse(resources.CALENDAR_FILE, format="turtle")


@cache
def _by_subject() -> dict[str, list]:
    """The calendar's triples by subject, read by Oxigraph's parser: rdflib's Turtle parser takes more than a
    second over the 4,018 days, paid by every `kb` process, while a batch needs only its window."""
    triples: dict[str, list] = {}
    for triple in ox.parse(path=resources.CALENDAR_FILE, format=ox.RdfFormat.TURTLE):
        triples.setdefault(triple.subject.value, []).append(triple)
    return triples


def _triples_of(subject: URIRef) -> list[tuple]:
    return [(subject, URIRef(t.predicate.value), rdflib_term(t.object)) for t in _by_subject().get(str(subject), ())]


def days_for(data: Graph) -> Graph:
    """The calendar's description and its days from the records' earliest to their latest date."""
    dates = [_as_date(o) for o in data.objects() if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.dateTime)]
    dates = [d for d in dates if d is not None]
    window = Graph()
    window += _triples_of(DXCAL.calendar)
    if not dates:
        return window
    day, last = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
    while day <= last:
        window += _triples_of(DXCAL[day.isoformat()])
        day += timedelta(days=1)
    return window


def _as_date(literal: Literal) -> date | None:
    """The date a date or date-time literal is written with (in its own offset); read off the lexical form, which
    is many times faster than converting every literal of a large batch to a Python value."""
    try:
        return date.fromisoformat(str(literal)[:10])
    except ValueError:
        return None
