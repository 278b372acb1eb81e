"""The fast SHACL engine (shapes compiled to SPARQL on Oxigraph) reports exactly what pySHACL reports.

Compared on every case under tests/cases (under the case's own profile) and on the bundled examples: each result
as (focus, shape, constraint component, severity, value, path, messages). A blank node (a speech, a meal, a
routing step) is compared by the record that owns it. The results are a multiset: a result reported twice by one
engine and once by the other is a difference. The benchmark sample is compared in test_benchmark_equality.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from kb.checking.pipeline import shacl_results, validation_view
from kb.reasoning import readings
from kb.reasoning.infer import infer
from kb.records.load import read
from kb.records.triples import owner

ROOT = Path(__file__).resolve().parents[2]
CASE_FILES = sorted((ROOT / "tests" / "cases").glob("*/*.json"))
SOURCES = [*CASE_FILES, ROOT / "data" / "examples"]


def result_keys(results: Graph, view: Graph) -> Counter:
    """Each result as comparable values; blank nodes by their owning record."""
    def plain(node):
        if isinstance(node, BNode):
            return ("blank", str(owner(view, node)))
        return str(node) if not isinstance(node, Literal) else (str(node), str(node.datatype or node.language))

    def structure(node):
        """A path by its shape: blank nodes of a path are copied into each results graph under new names."""
        if isinstance(node, BNode):
            return tuple(sorted((str(p), structure(o)) for p, o in results.predicate_objects(node)))
        return plain(node)

    def path(result):
        return structure(results.value(result, SH.resultPath))

    return Counter(
        (plain(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceShape)),
         str(results.value(r, SH.sourceConstraintComponent)), str(results.value(r, SH.resultSeverity)),
         plain(results.value(r, SH.value)), path(r),
         tuple(sorted(str(m) for m in results.objects(r, SH.resultMessage))))
        for r in results.subjects(RDF.type, SH.ValidationResult))


def _choices(source: Path):
    if source.suffix != ".json":
        return readings.resolve()
    case = json.loads(source.read_text(encoding="utf-8"))
    return readings.resolve(case.get("profile", "default"), case.get("settings"))


def test_every_case_is_compared():
    assert len(CASE_FILES) > 600, "the case collection went missing"


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_fast_engine_reports_what_pyshacl_reports(source: Path):
    choices = _choices(source)
    batch = read([str(source)])
    assert not batch.errors, [str(e) for e in batch.errors]
    data = batch.union()
    view = validation_view(data, infer(data, choices), readings.shapes(choices))
    reference = result_keys(shacl_results(view, choices, "pyshacl"), view)
    fast = result_keys(shacl_results(view, choices, "fast"), view)
    assert fast == reference, {"only pySHACL": sorted(reference - fast)[:5], "only fast": sorted(fast - reference)[:5]}
