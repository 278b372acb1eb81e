"""Derived facts (kb/derive.py): local dates in Asia/Shanghai of the timestamps the same-day and deadline rules read."""

from __future__ import annotations

from datetime import date

from rdflib import BNode, Graph, Literal, URIRef, namespace

from kb.derive import derived_facts
from kb.namespaces import DXO, SCHEMA

DOC = URIRef("https://w3id.org/daxing-zuofeng/id/document/test")


def _moment(text: str) -> Literal:
    return Literal(text, datatype=namespace.XSD.dateTime)


def _date(graph: Graph, node, prop) -> date | None:
    value = graph.value(node, prop)
    return value.toPython() if value is not None else None


def test_receipt_local_date_is_the_date_in_beijing_not_the_date_in_the_string():
    data = Graph()
    data.add((DOC, DXO.receivedAt, _moment("2024-05-13T17:00:00Z")))  # 01:00 on 14 May in Beijing
    assert _date(derived_facts(data), DOC, DXO.receivedOn) == date(2024, 5, 14)


def test_minutes_submission_local_date():
    data = Graph()
    data.add((DOC, DXO.submittedForApprovalAt, _moment("2024-03-05T23:59:00+08:00")))
    assert _date(derived_facts(data), DOC, DXO.submittedForApprovalOn) == date(2024, 3, 5)


def test_a_time_without_offset_is_read_as_beijing_time():
    data = Graph()
    data.add((DOC, DXO.receivedAt, _moment("2024-05-13T23:30:00")))
    assert _date(derived_facts(data), DOC, DXO.receivedOn) == date(2024, 5, 13)


def test_local_end_date_of_a_meeting_past_midnight_and_of_a_handling():
    data = Graph()
    meeting, handling = URIRef("https://w3id.org/daxing-zuofeng/id/meeting/test"), BNode()
    data.add((meeting, SCHEMA.startDate, _moment("2024-07-29T20:00:00+08:00")))
    data.add((meeting, SCHEMA.endDate, _moment("2024-07-30T00:40:00+08:00")))
    data.add((handling, SCHEMA.startDate, _moment("2024-02-08T09:00:00+08:00")))
    data.add((handling, SCHEMA.endDate, _moment("2024-02-20T07:30:00Z")))  # 15:30 in Beijing
    derived = derived_facts(data)
    assert _date(derived, meeting, DXO.localDate) == date(2024, 7, 29)
    assert _date(derived, meeting, DXO.localEndDate) == date(2024, 7, 30)
    assert _date(derived, handling, DXO.localEndDate) == date(2024, 2, 20)


def test_no_end_no_local_end_date_and_a_stated_date_wins():
    data = Graph()
    meeting = URIRef("https://w3id.org/daxing-zuofeng/id/meeting/open")
    data.add((meeting, SCHEMA.startDate, _moment("2024-07-29T20:00:00+08:00")))
    data.add((DOC, DXO.receivedAt, _moment("2024-05-13T17:00:00Z")))
    data.add((DOC, DXO.receivedOn, Literal("2024-05-13", datatype=namespace.XSD.date)))
    derived = derived_facts(data)
    assert derived.value(meeting, DXO.localEndDate) is None
    assert derived.value(DOC, DXO.receivedOn) is None
