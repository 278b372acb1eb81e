"""The generated sections of docs/records.md (scripts/build_records_doc.py): the provisions an exception may name,
and the provisions that read each field.

The committed page must be what a fresh generation from the shapes and the regulation writes, as the calendar and
the regulation's Turtle are (tests/reasoning/test_calendar.py, tests/test_regulation.py).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import URIRef

from kb.records.fields import justifiable_provisions

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "records.md"


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_records_doc", ROOT / "scripts" / "build_records_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_page_equals_a_fresh_generation(builder):
    assert builder.check(DOC) is None


def test_the_section_lists_every_provision_that_admits_a_justification_with_its_clause(builder):
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(builder.BEGIN):text.index(builder.END)]
    rows = [line for line in section.splitlines() if line.startswith("| `A")]
    assert [row.split("`")[1] for row in rows] == list(justifiable_provisions().values())
    a09_3 = next(row for row in rows if row.startswith("| `A09.3` | `A09-3` |"))
    assert "区政府内部会议室为主" in a09_3 and "internal meeting rooms" in a09_3 and "Warning → Info" in a09_3
    assert "needed" in next(row for row in rows if row.startswith("| `A06.5`"))
    assert "`A09.4`" not in section  # an absolute ban admits no justification


def test_a_stale_or_unmarked_page_is_reported_and_rebuilt(builder, tmp_path):
    stale = tmp_path / "records.md"
    text = DOC.read_text(encoding="utf-8")
    stale.write_text(text.replace("| `A09.3` | `A09-3` |", "| `A09.9` | `A09-3` |"), encoding="utf-8")
    assert "stale" in builder.check(stale)
    assert builder.build(stale.read_text(encoding="utf-8")) == text
    unmarked = tmp_path / "unmarked.md"
    unmarked.write_text(text.replace(builder.END, ""), encoding="utf-8")
    assert "markers" in builder.check(unmarked)
    assert "missing" in builder.check(tmp_path / "absent.md")


def test_check_exits_1_on_a_stale_page_and_0_on_the_committed_one(builder, monkeypatch, tmp_path):
    assert builder.main(["--check"]) == 0
    stale = tmp_path / "records.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("Warning → Info", "Warning"), encoding="utf-8")
    monkeypatch.setattr(builder, "DOC", stale)
    assert builder.main(["--check"]) == 1


def _field_rows(builder) -> dict[str, list[str]]:
    """The table of the fields section, by its `property` cell: [fields, in, property, needed by, also read by]."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(builder.FIELDS_BEGIN):text.index(builder.FIELDS_END)]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| `")]
    return {row[2].strip("`"): row for row in rows}


def test_each_field_names_the_provisions_that_need_it_and_those_that_read_it(builder):
    rows = _field_rows(builder)
    assert "A08.3" in rows["dxo:durationMinutes"][3]  # a special-topic meeting's length, left out: not enough data
    assert "A08.3" in rows["schema:startDate"][3]  # ... and the times it is derived from
    assert "`since`" in rows["schema:startDate"][0]  # several fields write one property: they share the row
    assert "A14.1" in rows["dxo:task"][3]
    assert "A05.10" in rows["dxo:highEnd"][4]  # read through the class it puts a dish in (dxo:HighEndMenuItem)
    assert "A08.4" in rows["dxo:speechKind"][4]  # which speech is the main report
    assert "A16.1" not in rows["dxo:speechKind"][4]


def test_every_fact_a_rule_needs_has_its_field_and_provision_in_the_table(builder):
    from kb.checking import missing
    from kb.reasoning import readings

    shapes = readings.shapes(readings.resolve())
    rows = _field_rows(builder)
    recorded = {str(prop) for _, prop in builder.context_fields()}
    for need in missing.needs(shapes):
        for step in map(URIRef, need.path):  # an inverse step (a document's routing) reads as its property
            fields = [builder._curie(source) for source in builder.fed_by(step) if str(source) in recorded]
            provision = builder.provision_notation(next(shapes.objects(need.shape, builder.DXS.implements)))
            assert fields, f"{need.shape} needs {step}, which no field writes"
            assert any(provision in rows[field][3] for field in fields), (need.shape, step)
