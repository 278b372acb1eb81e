"""The working-day calendar (data/calendar/) for the dates a batch of records speaks about.

Deadline shapes count `dxo:WorkingDay` resources between two dates in SPARQL. Validation sees only the days
between the earliest and the latest date in the records (and the calendar's own description with its
coverage), not all 4,018 days, and the calendar never enters the owlrl closure (shared/notes/performance.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kb import resources
from kb.namespaces import DXCAL
from kb.terms import rdflib_term


@cache
def calendar() -> Graph:
    """All 4,018 days, for the knowledge graph that `kb query` and `kb rules` ask (kept pickled between runs)."""
    return resources.parsed([resources.CALENDAR_FILE])


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
    window = Graph()
    for subject in _window(data):
        window += _triples_of(subject)
    return window


def days_ntriples(data: Graph) -> bytes:
    """`days_for` as N-Triples, written by Oxigraph from its own terms: what the compiled checks load, without
    making rdflib terms of a window that may span ten years of days."""
    return b"".join(_day_ntriples(str(subject)) for subject in _window(data))


@lru_cache(maxsize=8192)
def _day_ntriples(subject: str) -> bytes:
    return ox.serialize(_by_subject().get(subject, ()), format=ox.RdfFormat.N_TRIPLES)


def _window(data: Graph) -> list[URIRef]:
    """The calendar's own node, then each day from the day before the earliest date to the day after the latest."""
    dates = [_as_date(o) for o in data.objects() if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.dateTime)]
    dates = [d for d in dates if d is not None]
    subjects = [DXCAL.calendar]
    if dates:
        day, last = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
        while day <= last:
            subjects.append(DXCAL[day.isoformat()])
            day += timedelta(days=1)
    return subjects


def _as_date(literal: Literal) -> date | None:
    """The date a date or date-time literal is written with (in its own offset); read off the lexical form, which
    is many times faster than converting every literal of a large batch to a Python value."""
    try:
        return date.fromisoformat(str(literal)[:10])
    except ValueError:
        return None
