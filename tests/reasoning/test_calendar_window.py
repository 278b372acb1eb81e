"""Validation sees the calendar days the records speak about, with the calendar's coverage."""

from rdflib import Graph, Literal
from rdflib.namespace import XSD

from kb.namespaces import DXCAL, DXD, DXO
from kb.reasoning.calendar import days_for


def test_the_window_runs_from_the_earliest_to_the_latest_date_with_the_coverage():
    data = Graph()
    data.add((DXD["doc/1"], DXO.received, Literal("2016-06-08T10:00:00+08:00", datatype=XSD.dateTime)))
    data.add((DXD["doc/1"], DXO.issuedDown, Literal("2016-06-14", datatype=XSD.date)))
    window = days_for(data)
    days = {str(d) for d in window.objects(None, DXO.date)}
    assert {"2016-06-08", "2016-06-12", "2016-06-14"} <= days
    assert "2016-06-20" not in days
    assert (DXCAL["2016-06-12"], DXO.isWorkingDay, Literal(True)) in window  # the make-up working day
    assert window.value(DXCAL.calendar, DXO.coverageEnd) == Literal("2026-12-31", datatype=XSD.date)


def test_dates_outside_the_coverage_bring_no_days():
    data = Graph()
    data.add((DXD["doc/2"], DXO.issuedDown, Literal("2027-01-05", datatype=XSD.date)))
    window = days_for(data)
    assert not list(window.objects(None, DXO.date))
    assert (DXCAL.calendar, None, None) in window
