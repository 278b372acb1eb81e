"""The shapes' own metadata (shapes/meta/shape-metadata.ttl)."""

from __future__ import annotations

import pyshacl
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from kb import resources
from kb.namespaces import DXS


def _meta_check(shapes: Graph) -> tuple[bool, str]:
    data = Graph()
    data += shapes
    data += resources.regulation()
    data += resources.vocabularies()
    meta = Graph().parse(resources.META_SHAPES_FILE)
    data += meta.triples((None, DXS.defaultSeverity, None))  # the modality → severity policy lives there
    conforms, _, text = pyshacl.validate(data, shacl_graph=meta, inference="none", advanced=True)
    return conforms, text


def test_every_shape_has_its_metadata():
    conforms, text = _meta_check(resources.shapes())
    assert conforms, text


def test_meta_shapes_catch_a_shape_without_labels_or_provision():
    broken = Graph()
    broken += resources.shapes()
    shape = DXS["A08-3_SpecialTopicMeetingMaxOneHour"]
    broken.remove((shape, RDFS.label, None))
    broken.remove((shape, DXS.implements, None))
    conforms, text = _meta_check(broken)
    assert not conforms
    assert "rdfs:label" in text and "dxs:implements" in text


def test_meta_shapes_catch_a_severity_that_does_not_follow_the_modality():
    broken = Graph()
    broken += resources.shapes()
    shape = DXS["A08-3_SpecialTopicMeetingMaxOneHour"]
    broken.set((shape, resources.shapes().namespace_manager.expand_curie("sh:severity"),
                resources.shapes().namespace_manager.expand_curie("sh:Info")))
    conforms, text = _meta_check(broken)
    assert not conforms and "modality" in text


def test_no_shape_reason_is_bilingual_or_english_text():
    for provision, reason in resources.shapes().subject_objects(DXS.noShapeReason):
        assert isinstance(reason, Literal) and len(reason) > 40, provision
