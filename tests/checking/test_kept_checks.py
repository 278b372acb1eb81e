"""The compiled checks are kept on disk (kb.checking.pipeline.compiled_shapes); they name the shapes graph's blank
nodes (a SHACL-SPARQL constraint's, whose message a result carries), so a kept plan must never meet a shapes graph
whose blank nodes were labelled anew."""

from __future__ import annotations

from rdflib import BNode

from kb import resources
from kb.checking import pipeline
from kb.reasoning import readings


def _fresh_caches() -> None:
    resources.shapes.cache_clear()
    readings.shapes.cache_clear()
    pipeline.compiled_shapes.cache_clear()


def _plan_shapes_are_in(plan, shapes) -> bool:
    named = {node for check in plan.checks for node in (check.shape, check.constraint) if isinstance(node, BNode)}
    return bool(named) and named <= set(shapes.subjects())


def test_a_kept_plan_names_the_blank_nodes_of_the_shapes_graph_it_is_used_with(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE", str(tmp_path))
    choices = readings.resolve()
    _fresh_caches()
    try:
        first = pipeline.compiled_shapes(choices)  # compiled and kept, with the shapes graph
        assert _plan_shapes_are_in(first, readings.shapes(choices))
        for kept in [*tmp_path.glob("graph-*.pickle"), *tmp_path.glob("shapes-*.pickle")]:
            kept.unlink()  # the shapes parsed and kept anew: their blank nodes get new labels
        _fresh_caches()
        shapes = readings.shapes(choices)
        assert not _plan_shapes_are_in(first, shapes), "the shapes were not labelled anew: nothing was tested"
        assert _plan_shapes_are_in(pipeline.compiled_shapes(choices), shapes)
        _fresh_caches()
        assert _plan_shapes_are_in(pipeline.compiled_shapes(choices), readings.shapes(choices)), "read back kept"
    finally:
        _fresh_caches()
