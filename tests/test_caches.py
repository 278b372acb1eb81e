"""What a `kb` process keeps between runs gives the same answers as working it out afresh.

A fresh process used to spend seconds before its first record: rdflib's grammar judging each SHACL-SPARQL
constraint, and rdflib's Turtle parser reading the whole working-day calendar. The judgements are now kept on disk
(keyed by the compiler's source and rdflib's version) and the calendar read by Oxigraph's parser, day by day as a
batch needs it. These tests hold both to what they replace.
"""

from __future__ import annotations

from datetime import date, timedelta

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kb.checking import compiler
from kb.namespaces import DXCAL
from kb.reasoning import calendar, readings


def _compiled(shapes: Graph) -> list[tuple]:
    plan = compiler.compile_shapes(shapes)
    return sorted((str(c.shape), str(c.component), c.query, c.focus_query or "", c.prebind_as_text)
                  for c in plan.checks), sorted(map(str, plan.fallback))


def test_the_kept_sparql_verdicts_compile_the_same_checks_and_a_damaged_file_is_judged_again(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE", str(tmp_path))
    shapes = readings.shapes(readings.resolve())
    fresh = _compiled(shapes)  # judges every constraint and writes the file
    [kept] = tmp_path.glob("sparql-verdicts-*.json")
    verdicts = kept.read_text(encoding="utf-8")
    assert '"prebinding"' in verdicts  # some constraints must run once per focus node, and the file says which
    assert _compiled(shapes) == fresh  # from the file
    kept.write_text("{not json", encoding="utf-8")
    assert _compiled(shapes) == fresh  # judged again, never trusted
    assert kept.read_text(encoding="utf-8") == verdicts


def test_a_batch_sees_the_calendar_days_it_spans_as_rdflib_reads_them():
    records = Graph()
    event = URIRef("https://w3id.org/daxing-zuofeng/id/meeting/m1")
    records.add((event, URIRef("urn:x:start"), Literal("2024-09-28T09:00:00+08:00", datatype=XSD.dateTime)))
    records.add((event, URIRef("urn:x:end"), Literal("2024-10-09", datatype=XSD.date)))  # across National Day
    whole = Graph().parse(calendar.resources.CALENDAR_FILE, format="turtle")
    expected = set(whole.triples((DXCAL.calendar, None, None)))
    day = date(2024, 9, 27)
    while day <= date(2024, 10, 10):
        expected |= set(whole.triples((DXCAL[day.isoformat()], None, None)))
        day += timedelta(days=1)
    window = set(calendar.days_for(records))
    assert window == expected and len(window) > 100
