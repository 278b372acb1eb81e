"""Values as clerks know them: a date alone in a time field, and an exception's provision by its notation.

A time field (xsd:dateTime in the context) also takes a date when only the day is known; the loader reads it as an
xsd:date. An exception names a provision that admits a justification (a shape lowers its severity when justified,
or needs the justification), by the catalogue's notation (A09.3), its id (A09-3) or its IRI; any other provision
is an input error naming the field and the provisions that admit one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef, namespace

from kb import resources
from kb.checking.pipeline import validate_paths
from kb.namespaces import DXD, DXO, DXP, DXS
from kb.records.fields import check_record, justifiable_provisions
from kb.records.load import parse_text, read


def _terms(context: dict) -> dict:
    return {key: value for key, value in context.items() if not key.startswith("@")}


def _iri(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(resources.context()[prefix] + local)


def time_fields() -> list[tuple[tuple[str, ...], URIRef]]:
    """Every field typed xsd:dateTime in the context, top-level or inside a term's own context, with its property."""
    found = []
    for key, definition in _terms(resources.context()).items():
        if not isinstance(definition, dict):
            continue
        if definition.get("@type") == "xsd:dateTime":
            found.append(((key,), _iri(definition["@id"])))
        for inner, scoped in _terms(definition.get("@context") or {}).items():
            if isinstance(scoped, dict) and scoped.get("@type") == "xsd:dateTime":
                found.append(((key, inner), _iri(scoped["@id"])))
    return found


TIME_FIELDS = time_fields()


def _record(path: tuple[str, ...], value) -> dict:
    record = {"id": "meeting/day-only", "type": "Meeting"}
    if len(path) == 1:
        record[path[0]] = value
    else:
        record[path[0]] = [{path[1]: value}]
    return record


def _load(records) -> tuple:
    graph, errors = parse_text(json.dumps(records, ensure_ascii=False), ".json", "records.json")
    return graph, [str(e) for e in errors]


def test_the_time_fields_are_the_ones_the_day_counting_rules_read():
    names = {".".join(path) for path, _ in TIME_FIELDS}
    assert {"start", "end", "received", "issued", "reported", "submittedForApproval", "notice.issued",
            "routing.time", "incidents.occurred", "incidents.known"} <= names


@pytest.mark.parametrize("path,prop", TIME_FIELDS, ids=[".".join(p) for p, _ in TIME_FIELDS])
def test_a_date_alone_is_accepted_in_every_time_field_and_read_as_a_date(path, prop):
    graph, errors = _load([_record(path, "2024-05-13")])
    assert not errors
    assert list(graph.objects(None, prop)) == [Literal("2024-05-13", datatype=namespace.XSD.date)]


@pytest.mark.parametrize("path,prop", TIME_FIELDS, ids=[".".join(p) for p, _ in TIME_FIELDS])
def test_a_time_stays_a_time_in_every_time_field(path, prop):
    graph, errors = _load([_record(path, "2024-05-13T09:00:00")])
    assert not errors
    assert (None, prop, Literal("2024-05-13T09:00:00+08:00", datatype=namespace.XSD.dateTime)) in graph


@pytest.mark.parametrize("bad", ["2024/05/13", "2024-5-13", "2024-02-30", "2024-05-13 09:00", "13.05.2024"])
def test_a_malformed_date_in_a_time_field_is_refused_naming_both_forms(bad):
    [(where, message)] = list(check_record({"id": "document/x", "type": "Document", "received": bad}))
    assert where == "/received"
    assert "xsd:dateTime" in message and '"2024-03-12T09:00:00+08:00"' in message and '"2024-03-12"' in message


def test_a_date_field_still_takes_only_a_date():
    problems = list(check_record({"id": "problem/x", "type": "GrassrootsProblem", "resolved": "2024-05-13T09:00:00"}))
    assert [where for where, _ in problems] == ["/resolved"]


def test_a_date_alone_in_a_document_reaches_the_same_day_rule(tmp_path):
    """End to end: a receipt and a sending recorded by their dates, the second a day late, make a violation."""
    record = {"id": "document/day-only", "type": "Document", "documentKind": ["Report", "RoutineDocument"],
              "received": "2024-05-13",
              "routing": [{"action": "SubmitUpward", "time": "2024-05-14",
                           "recipients": [{"person": "person/zhou-ming", "role": "DistrictMayor"}]}]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    outcome = validate_paths([str(path)])
    assert not outcome.errors
    assert [(f.shape.rsplit("/", 1)[-1], f.severity) for f in outcome.findings if f.severity != "Info"] == [
        ("A10-4_RoutineDocumentSentOnDayOfReceipt", "Violation")]


# --- exceptions: which provision --------------------------------------------------------------------------------


def _exception(provision) -> dict:
    return {"id": "meeting/x", "type": "Meeting", "kind": "WorkConference",
            "exceptions": [{"provision": provision, "justification": "参会人员逾300人, 内部会议室容纳不下"}]}


def test_the_provisions_that_admit_a_justification_are_those_of_the_shapes_that_read_one():
    shapes = resources.shapes()
    expected = {p for s in shapes.subjects(DXS.severityWhenJustified, None) for p in shapes.objects(s, DXS.implements)}
    expected |= {p for s in shapes.subjects(DXS.needsJustification, Literal(True))
                 for p in shapes.objects(s, DXS.implements)}
    admitted = justifiable_provisions()
    assert set(admitted) == expected and DXP["A09-3"] in admitted and DXP["A06-5"] in admitted
    assert DXP["A09-4"] not in admitted  # an absolute ban
    notation = resources.regulation().value(DXP["A09-3"], namespace.SKOS.notation)
    assert admitted[DXP["A09-3"]] == "A09.3" == str(notation)


@pytest.mark.parametrize("written", ["A09.3", "A09-3", str(DXP["A09-3"])])
def test_a_provision_by_notation_id_or_iri_is_the_same_provision(written):
    graph, errors = _load([_exception(written)])
    assert not errors
    assert list(graph.objects(None, DXO.forProvision)) == [DXP["A09-3"]]


def test_every_provision_that_admits_a_justification_is_accepted_in_both_forms():
    for provision, notation in justifiable_provisions().items():
        for written in (notation, str(provision).rsplit("/", 1)[-1]):
            assert not list(check_record(_exception(written))), written


@pytest.mark.parametrize("written,why", [("A09-4", "admits no justification"), ("A09.4", "admits no justification"),
                                         ("A13-21", "admits no justification"), ("A9.3", "unknown provision"),
                                         ("A99-1", "unknown provision"), ("A09", "unknown provision")])
def test_an_exception_for_a_provision_that_admits_none_is_an_error_naming_the_field_and_the_candidates(written, why):
    [(where, message)] = list(check_record(_exception(written)))
    assert where == "/exceptions/0/provision"
    assert why in message and repr(written) in message
    assert ", ".join(justifiable_provisions().values()) in message


def test_the_refused_record_is_not_loaded_and_the_error_names_the_field(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([_exception("A09-4"), {**_exception("A09.3"), "id": "meeting/y"}]), encoding="utf-8")
    batch = read([str(path)])
    [error] = batch.errors
    assert error.field == "/0/exceptions/0/provision" and "A09.3" in error.message
    assert set(batch.union().subjects(namespace.RDF.type, DXO.Meeting)) == {URIRef(DXD["meeting/y"])}


def test_an_exception_by_notation_lowers_the_severity_as_by_id(tmp_path):
    for written in ("A09.3", "A09-3"):
        record = {"id": "meeting/venue", "type": "Meeting", "kind": "WorkConference", "title": "全区安全生产工作会",
                  "start": "2024-03-12T09:00:00+08:00", "end": "2024-03-12T10:30:00+08:00",
                  "venue": {"kind": "DesignatedVenue"},
                  "exceptions": [{"provision": written, "justification": "参会人员逾300人, 内部会议室容纳不下"}]}
        path = Path(tmp_path) / f"{written}.json"
        path.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
        outcome = validate_paths([str(path)])
        assert not outcome.errors
        venue = [f for f in outcome.findings if f.shape.endswith("A09-3_MeetingInInternalRoomByDefault")]
        assert [(f.severity, f.original_severity) for f in venue] == [("Info", "Warning")], written
