"""The shapes' own metadata (shapes/meta/shape-metadata.ttl) and their coverage of articles 6-9."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from kb import resources
from kb.namespaces import DXO, DXP, DXS, DXV


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


ARTICLES_DONE = ["A06", "A07", "A08", "A09"]


@pytest.mark.parametrize("article", ARTICLES_DONE)
def test_every_checkable_provision_has_a_shape_or_a_reason(article: str):
    regulation, shapes = resources.regulation(), resources.shapes()
    implemented = set(shapes.objects(None, DXS.implements))
    missing = []
    provisions = [p for p in regulation.subjects(DXO.checkability, None)
                  if str(p).startswith(str(DXP[article + "-"]))]
    assert provisions, f"no provisions of {article} found"
    for provision in provisions:
        if regulation.value(provision, DXO.checkability) == DXV["check-No"]:
            continue
        if provision not in implemented and shapes.value(provision, DXS.noShapeReason) is None:
            missing.append(str(regulation.value(provision, SKOS.notation)))
    assert not missing, f"checkable provisions of {article} with neither a shape nor a reason: {missing}"


def test_no_shape_reason_is_bilingual_or_english_text():
    for provision, reason in resources.shapes().subject_objects(DXS.noShapeReason):
        assert isinstance(reason, Literal) and len(reason) > 40, provision
