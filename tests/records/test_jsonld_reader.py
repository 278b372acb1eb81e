"""The compiled JSON-LD reader (kb/records/jsonld.py) gives the graph rdflib's JSON-LD parser gives, and the same
input errors, on every case, every acceptance situation, every example (JSON and CSV), a benchmark sample and the odd
forms a checked record may still hold. The reference is the real parser: the reader is only switched off, so that
the loader falls back to it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph

from benchmarks import generate
from kb.records import json_records, load
from kb.records.jsonld import NotCompiled

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "tests" / "cases").glob("*/*.json"))
SITUATIONS = sorted((ROOT / "tests" / "acceptance" / "situations").glob("*/*.json"))
EXAMPLES = ROOT / "data" / "examples"


class _Refusing:
    def read(self, records, graph):
        raise NotCompiled("the reference: rdflib's JSON-LD parser")


def _both(monkeypatch, read):
    """What `read()` gives with the compiled reader, then with rdflib's parser."""
    compiled = read()
    with monkeypatch.context() as patched:
        patched.setattr(json_records, "_reader", lambda: _Refusing())
        reference = read()
    return compiled, reference


def _assert_same(compiled, reference):
    assert sorted(compiled.graphs) == sorted(reference.graphs)
    assert [str(e) for e in compiled.errors] == [str(e) for e in reference.errors]
    for source, graph in reference.graphs.items():
        ours, theirs = _triples(compiled.graphs[source]), _triples(graph)
        assert ours == theirs, (source, {"only rdflib": sorted(theirs - ours)[:3],
                                         "only compiled": sorted(ours - theirs)[:3]})


def _triples(graph: Graph) -> Counter:
    """The graph's triples, each blank node written as what hangs below it: records nest blank nodes as trees, and
    rdflib's `isomorphic` takes minutes on a few thousand of them."""
    known: dict[BNode, str] = {}

    def written(node, seen=()) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node not in known:
            assert node not in seen, "blank nodes in a cycle"
            below = sorted(f"{p.n3()} {written(o, (*seen, node))}" for p, o in graph.predicate_objects(node))
            known[node] = "[" + "; ".join(below) + "]"
        return known[node]

    return Counter((written(s), p.n3(), written(o)) for s, p, o in graph)


def test_the_cases_are_there():
    assert len(CASES) > 750 and len({case.parent for case in CASES}) > 100
    assert len(SITUATIONS) > 200 and len({situation.parent for situation in SITUATIONS}) == 16


@pytest.mark.parametrize("chunk", range(8))
def test_every_case_and_situation_reads_the_same(monkeypatch, chunk: int):
    paths = [str(path) for path in (CASES + SITUATIONS)[chunk::8]]
    compiled, reference = _both(monkeypatch, lambda: load.read(paths))
    assert len(reference.graphs) > 100
    _assert_same(compiled, reference)


def test_every_example_reads_the_same(monkeypatch):
    compiled, reference = _both(monkeypatch, lambda: load.read([str(EXAMPLES)]))
    assert any(source.endswith(".csv") for source in reference.graphs), "the CSV examples are read too"
    assert sum(source.endswith(".json") for source in reference.graphs) >= 9
    _assert_same(compiled, reference)


def test_a_benchmark_sample_reads_the_same(monkeypatch, tmp_path: Path):
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps(generate.generate_all(300).records(), ensure_ascii=False), encoding="utf-8")
    compiled, reference = _both(monkeypatch, lambda: load.read([str(sample)]))
    assert len(reference.graphs[str(sample)]) > 10_000
    _assert_same(compiled, reference)


# "vehicle": True and "vehicle": 1 in one file: True == 1 in Python, so a cache of literals must tell them apart.
ODD_RECORDS = [
    {"id": "_:shared", "type": "Person", "name": "张三"},  # a blank node named in two records is one node
    {"@id": "meeting/odd-1", "@type": ["Meeting", "dxo:Event"], "kind": "OfficeInternalMeeting",
     "start": "2024-03-12", "end": "2024-03-12T10:00:00+08:00", "minutes": 59.5, "attendeeCount": 12,
     "organiser": "https://example.org/org/elsewhere", "note": "说明",
     "participants": [{"person": "_:shared", "role": "DistrictLeader", "vehicle": 1.5, "serviceStaff": False},
                      {"person": "person/li-si", "units": ["org/a", "org/b"], "count": 3}],
     "meals": [], "flowersOrPlants": True, "exceptions": [{"provision": "A09.3", "justification": "经批准"}]},
    {"id": "reception/odd-2", "type": "Reception", "kind": ["Reception", "GrassrootsVisit"],
     "participants": [{"person": "_:shared", "vehicle": True}, {"person": "person/wang-wu", "vehicle": 1}],
     "venue": {"kind": "OrdinaryRestaurant"}, "headcount": "6", "totalCost": 1200, "nameEn": "Odd"},
]


def test_odd_records_a_check_lets_through_read_the_same(monkeypatch, tmp_path: Path):
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(ODD_RECORDS, ensure_ascii=False), encoding="utf-8")
    compiled, reference = _both(monkeypatch, lambda: load.read([str(odd)]))
    assert not reference.errors and len(reference.graphs[str(odd)]) > 30, reference.errors
    _assert_same(compiled, reference)
