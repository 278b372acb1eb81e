"""Inference decides what applies; it never erases a finding.

The story (shared/notes/performance.md, pySHACL issue 73): with RDFS inference on, an `rdfs:range` axiom
types any value of the property into the expected class, so an `sh:class` violation disappears. Our
ontology declares ranges (dxo:venue rdfs:range dxo:Venue); the pipeline reasons without domain and range,
keeps inferred triples in their own graph and never touches the input.
"""

from __future__ import annotations

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH

from kb import resources
from kb.checking.pipeline import validate_graph
from kb.namespaces import DXD, DXO, DXV
from kb.reasoning.infer import infer

MEETING = DXD["meeting/range-trap"]
BUREAU = DXD["org/district-finance-bureau"]


def records() -> Graph:
    """A meeting whose venue is, wrongly, an organisation."""
    g = Graph()
    g.add((MEETING, RDF.type, DXO.Meeting))
    g.add((MEETING, DXO.eventKind, DXV["event-WorkConference"]))
    g.add((MEETING, DXO.venue, BUREAU))
    g.add((BUREAU, RDF.type, DXO.Organisation))
    return g


def venue_is_a_venue() -> Graph:
    shapes = Graph()
    shape = URIRef("urn:test:VenueIsAVenue")
    path = URIRef("urn:test:p")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, DXO.Meeting))
    shapes.add((shape, SH.property, path))
    shapes.add((path, SH.path, DXO.venue))
    shapes.add((path, SH["class"], DXO.Venue))
    return shapes


def test_the_ontology_does_declare_the_range_that_would_hide_the_error():
    assert (DXO.venue, RDFS.range, DXO.Venue) in resources.ontology()


def test_rdfs_inference_on_the_same_data_hides_the_violation():
    data = records() + resources.ontology()
    conforms, _, _ = pyshacl.validate(data, shacl_graph=venue_is_a_venue(), inference="rdfs")
    assert conforms, "the trap this test guards against no longer springs; revisit the test"


def test_our_inferred_graph_does_not_type_the_wrong_value_into_a_venue():
    inferred = infer(records())
    assert (BUREAU, RDF.type, DXO.Venue) not in inferred
    assert (MEETING, RDF.type, DXO.WorkConference) in inferred  # situations are still inferred


def test_our_validation_view_keeps_the_violation():
    data = records()
    view = data + infer(data)
    conforms, results, _ = pyshacl.validate(view, shacl_graph=venue_is_a_venue(), inference="none")
    assert not conforms
    assert (None, SH.value, BUREAU) in results


def test_inference_leaves_the_input_as_it_was_and_keeps_its_triples_apart():
    data = records()
    data.add((MEETING, DXO.durationMinutes, Literal(61)))
    before = Graph() + data
    inferred, _ = validate_graph(data)
    assert isomorphic(before, data)
    assert not any(triple in data for triple in inferred)
    assert len(inferred) > 0
