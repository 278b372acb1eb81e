"""Derived facts (kb/reasoning/derive.py): local dates in Asia/Shanghai of the timestamps the same-day and deadline
rules read."""

from __future__ import annotations

from datetime import date

from rdflib import BNode, Graph, Literal, URIRef, namespace

from kb.namespaces import DXO, SCHEMA
from kb.reasoning.derive import derived_facts

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


# --- a date alone, when only the day is known -----------------------------------------------------------------


def _day(text: str) -> Literal:
    return Literal(text, datatype=namespace.XSD.date)


def test_a_date_alone_is_its_own_local_date_weekday_and_end_date_with_no_duration():
    data = Graph()
    meeting = URIRef("https://w3id.org/daxing-zuofeng/id/meeting/day-only")
    data.add((meeting, SCHEMA.startDate, _day("2024-03-11")))  # a Monday
    data.add((meeting, SCHEMA.endDate, _day("2024-03-12")))
    derived = derived_facts(data)
    assert _date(derived, meeting, DXO.localDate) == date(2024, 3, 11)
    assert derived.value(meeting, DXO.localDayOfWeek).toPython() == 1
    assert _date(derived, meeting, DXO.localEndDate) == date(2024, 3, 12)
    assert derived.value(meeting, DXO.durationMinutes) is None  # a duration needs the hours: not enough data


def test_a_date_and_a_time_give_local_dates_but_no_duration():
    data = Graph()
    handling = BNode()
    data.add((handling, SCHEMA.startDate, _moment("2016-06-08T23:30:00Z")))  # 07:30 on 9 June in Beijing
    data.add((handling, SCHEMA.endDate, _day("2016-06-14")))
    derived = derived_facts(data)
    assert _date(derived, handling, DXO.localDate) == date(2016, 6, 9)
    assert _date(derived, handling, DXO.localEndDate) == date(2016, 6, 14)
    assert derived.value(handling, DXO.durationMinutes) is None
    assert derived.value(handling, DXO.durationIsEstimate) is None


def test_a_receipt_and_a_submission_recorded_by_date_alone_are_their_own_local_dates():
    data = Graph()
    data.add((DOC, DXO.receivedAt, _day("2024-05-13")))
    data.add((DOC, DXO.submittedForApprovalAt, _day("2024-03-05")))
    derived = derived_facts(data)
    assert _date(derived, DOC, DXO.receivedOn) == date(2024, 5, 13)
    assert _date(derived, DOC, DXO.submittedForApprovalOn) == date(2024, 3, 5)


def test_periods_keep_their_dates_and_get_no_local_date():
    """since / until of a review period, a periodical or a post are days of a period, not the time of an event."""
    data = Graph()
    period, periodical, person = (URIRef(f"https://w3id.org/daxing-zuofeng/id/{name}")
                                  for name in ("period/h1", "periodical/p", "person/p"))
    post = BNode()
    data.add((period, namespace.RDF.type, DXO.ReviewPeriod))
    data.add((periodical, namespace.RDF.type, DXO.BulletinPeriodical))
    data.add((person, URIRef("http://www.w3.org/ns/org#holds"), post))
    for node in (period, periodical, post):
        data.add((node, SCHEMA.startDate, _day("2024-01-01")))
        data.add((node, SCHEMA.endDate, _day("2024-06-30")))
    assert len(derived_facts(data)) == 0
