"""The benchmark generator (benchmarks/generate.py): deterministic, well-formed, and its planted violations are
exactly what validation reports.

The validation test is kept small (the whole pipeline costs about half a second per event on this machine); a
high share of violations makes a few dozen events exercise many of the planted kinds.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from rdflib import Literal

from benchmarks import generate as gen
from kb import resources
from kb.checking.pipeline import validate_paths
from kb.namespaces import DXS

BASE = "https://w3id.org/daxing-zuofeng/id/"


def test_generation_is_deterministic_and_seeded():
    first = gen._Generator(300, 0.1, 3).run().records()
    again = gen._Generator(300, 0.1, 3).run().records()
    other = gen._Generator(300, 0.1, 4).run().records()
    assert first == again
    assert first != other


def test_events_of_every_kind_and_the_share_of_violations():
    made = gen._Generator(3000, 0.1, 7).run()
    assert made.event_count() == 3000
    assert set(made.events) == set(gen.KIND_WEIGHTS)
    ids = [r["id"] for r in made.records()]
    assert len(ids) == len(set(ids)), "ids are unique"
    assert 0.08 <= len(made.expected) / made.event_count() <= 0.12
    assert set(made.expected) <= {r["id"] for records in made.events.values() for r in records}
    years = {int(r["id"].split("/")[1][:4]) for records in made.events.values() for r in records}
    assert years <= set(gen.YEARS[:3])
    documents = made.events["document"]
    eves = {d.isoformat() for y in gen.YEARS[:3] for d in gen.holiday_eves(y)}
    assert any(d.get("received", "")[:10] in eves for d in documents), "some documents arrive on a holiday's eve"


def test_write_splits_records_and_keeps_expected_outside(tmp_path):
    manifest = gen.write(tmp_path, 2100, 0.1, 5)
    files = sorted(p.name for p in (tmp_path / "records").iterdir())
    assert "base.json" in files and "meeting-0003.json" in files
    assert not (tmp_path / "records" / "expected.json").exists()
    expected = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    assert len(expected) == manifest["violating_events"]
    assert sum(manifest["events_by_kind"].values()) == manifest["events"] == 2100


def test_planted_violations_are_exactly_the_findings(tmp_path):
    gen.write(tmp_path, 70, 0.5, 13)
    expected = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    outcome = validate_paths([str(tmp_path / "records")])
    assert not outcome.errors, [str(e) for e in outcome.errors]
    found = defaultdict(set)
    undecided = {str(s) for s in resources.shapes().subjects(DXS.reportsUndecided, Literal(True))}
    for finding in outcome.findings:  # a fact not recorded, or a quota with no review period, is no verdict
        if finding.missing or finding.shape in undecided:
            continue
        found[finding.record.removeprefix(BASE)].add(finding.shape.rsplit("/", 1)[1])
    assert {record: sorted(shapes) for record, shapes in found.items()} == expected
    assert len(Counter(s for shapes in expected.values() for s in shapes)) >= 15, "many kinds of violation"
