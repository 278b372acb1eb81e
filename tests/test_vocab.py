"""The bilingual SKOS vocabularies under ontology/vocab/.

Every concept carries one prefLabel in Chinese and one in English, sits in a declared concept scheme, has a
definition, and is either a top concept or narrower than another concept of its scheme. Nothing of the
catalogue's vocabulary suggestion is lost, and no IRI of its placeholder namespace survives in ontology/.
The collection is guarded: an empty or half-empty vocab folder fails, it does not pass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kb.namespaces import DXV

ROOT = Path(__file__).resolve().parents[1]

VOCAB_DIR = ROOT / "ontology" / "vocab"
ONTOLOGY_DIR = ROOT / "ontology"
SUGGESTION = ROOT.parent / "shared" / "spec" / "vocabulary-suggestion.ttl"
OLD_BASE = "https://example.org/daxing-zuofeng/vocab/"

MIN_CONCEPTS = 160

# One file per scheme, kept by this module's conventions (scheme metadata, dct:source on every concept).
# modality.ttl is maintained separately; it is held to the SKOS checks that apply to every file.
SCHEME_FILES = {
    "roles.ttl": "RoleScheme",
    "organisations.ttl": "OrganisationScheme",
    "unit-relations.ttl": "UnitEventRelationScheme",
    "event-kinds.ttl": "EventKindScheme",
    "speech-kinds.ttl": "SpeechKindScheme",
    "venue-kinds.ttl": "VenueKindScheme",
    "meal-kinds.ttl": "MealKindScheme",
    "arrangements.ttl": "ArrangementScheme",
    "document-kinds.ttl": "DocumentKindScheme",
    "document-actions.ttl": "DocumentActionScheme",
    "channels.ttl": "ChannelScheme",
    "issuing-levels.ttl": "IssuingLevelScheme",
    "bulletin-categories.ttl": "BulletinCategoryScheme",
    "publications.ttl": "PublicationScheme",
    "information-items.ttl": "InformationItemCategoryScheme",
    "personnel-status.ttl": "PersonnelStatusScheme",
    "distributed-items.ttl": "DistributedItemScheme",
    "purposes.ttl": "MeetingPurposeScheme",
    "attendance-scopes.ttl": "AttendanceScopeScheme",
    "frequencies.ttl": "FrequencyScheme",
}

# Schemes of the suggestion that another module (ontology/vocab/modality.ttl) carries.
NOT_OURS = {"ModalityScheme", "CheckabilityScheme"}

MEETING_KINDS = [
    "event-PlenaryMeeting",
    "event-ExecutiveMeeting",
    "event-SpecialTopicMeeting",
    "event-WorkConference",
    "event-DistrictWideMassMeeting",
    "event-OfficeInternalMeeting",
    "event-AllStaffMeeting",
    "event-OfficeLedInterdepartmentalMeeting",
]

PROVENANCE = {"text", "implied", "supporting"}


@dataclass
class Vocab:
    """The vocab folder parsed once: one graph per file and their union."""

    files: dict[str, Graph]
    graph: Graph

    def concepts(self) -> list[URIRef]:
        return sorted(set(self.graph.subjects(RDF.type, SKOS.Concept)))

    def schemes(self) -> set[URIRef]:
        return set(self.graph.subjects(RDF.type, SKOS.ConceptScheme))


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    paths = sorted(VOCAB_DIR.glob("*.ttl"))
    assert paths, f"no Turtle files under {VOCAB_DIR}"
    files: dict[str, Graph] = {}
    union = Graph()
    for path in paths:
        g = Graph().parse(path, format="turtle")
        files[path.name] = g
        union += g
    return Vocab(files=files, graph=union)


def _labels(g: Graph, concept: URIRef, prop: URIRef, lang: str) -> list[Literal]:
    return [o for o in g.objects(concept, prop) if isinstance(o, Literal) and o.language == lang]


def _local(iri: URIRef) -> str:
    return str(iri)[len(str(DXV)) :] if str(iri).startswith(str(DXV)) else str(iri)


def test_the_expected_scheme_files_are_there(vocab: Vocab) -> None:
    missing = sorted(set(SCHEME_FILES) - set(vocab.files))
    assert not missing, f"missing vocabulary files: {missing}"


def test_the_vocabulary_is_not_empty(vocab: Vocab) -> None:
    n = len(vocab.concepts())
    assert n >= MIN_CONCEPTS, (
        f"only {n} skos:Concept found under ontology/vocab (expected at least {MIN_CONCEPTS})"
    )


def test_every_file_declares_its_own_scheme(vocab: Vocab) -> None:
    for name, scheme in SCHEME_FILES.items():
        declared = set(vocab.files[name].subjects(RDF.type, SKOS.ConceptScheme))
        assert declared == {DXV[scheme]}, (
            f"{name} declares {sorted(map(_local, declared))}, expected {scheme}"
        )


def test_every_concept_has_one_preflabel_in_chinese_and_one_in_english(vocab: Vocab) -> None:
    bad = []
    for c in vocab.concepts():
        zh = _labels(vocab.graph, c, SKOS.prefLabel, "zh")
        en = _labels(vocab.graph, c, SKOS.prefLabel, "en")
        if len(zh) != 1 or len(en) != 1:
            bad.append(f"{_local(c)}: {len(zh)} @zh, {len(en)} @en")
    assert not bad, "prefLabel must be exactly one @zh and one @en:\n" + "\n".join(bad)


def test_chinese_labels_are_chinese_and_english_labels_are_not(vocab: Vocab) -> None:
    def has_cjk(s: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in s)

    bad = []
    for c in vocab.concepts():
        bad += [
            f"{_local(c)} @zh {s}" for s in _labels(vocab.graph, c, SKOS.prefLabel, "zh") if not has_cjk(s)
        ]
        bad += [f"{_local(c)} @en {s}" for s in _labels(vocab.graph, c, SKOS.prefLabel, "en") if has_cjk(s)]
    assert not bad, "language tag does not match the label:\n" + "\n".join(bad)


def test_every_concept_is_in_a_declared_scheme(vocab: Vocab) -> None:
    schemes = vocab.schemes()
    bad = []
    for c in vocab.concepts():
        in_schemes = set(vocab.graph.objects(c, SKOS.inScheme))
        if not in_schemes or not in_schemes <= schemes:
            bad.append(f"{_local(c)} -> {sorted(map(_local, in_schemes)) or 'no skos:inScheme'}")
    assert not bad, "skos:inScheme must name a declared skos:ConceptScheme:\n" + "\n".join(bad)


def test_every_concept_has_an_english_definition(vocab: Vocab) -> None:
    bad = [_local(c) for c in vocab.concepts() if not _labels(vocab.graph, c, SKOS.definition, "en")]
    assert not bad, f"concepts without skos:definition @en: {bad}"


def test_every_concept_is_a_top_concept_or_has_a_broader_one_in_its_scheme(vocab: Vocab) -> None:
    g = vocab.graph
    bad = []
    for c in vocab.concepts():
        schemes = set(g.objects(c, SKOS.inScheme))
        tops = set(g.objects(c, SKOS.topConceptOf))
        broader = set(g.objects(c, SKOS.broader))
        if not tops and not broader:
            bad.append(f"{_local(c)}: neither skos:topConceptOf nor skos:broader")
        for s in tops:
            if s not in schemes or (s, SKOS.hasTopConcept, c) not in g:
                bad.append(f"{_local(c)}: topConceptOf {_local(s)} without inScheme/hasTopConcept")
        for b in broader:
            if (b, RDF.type, SKOS.Concept) not in g or not schemes & set(g.objects(b, SKOS.inScheme)):
                bad.append(f"{_local(c)}: broader {_local(b)} is not a concept of the same scheme")
    for s, c in g.subject_objects(SKOS.hasTopConcept):
        if (c, SKOS.topConceptOf, s) not in g:
            bad.append(f"{_local(s)} hasTopConcept {_local(c)}, which lacks topConceptOf")
    assert not bad, "\n".join(bad)


def test_no_two_concepts_of_a_scheme_share_a_preflabel(vocab: Vocab) -> None:
    seen: dict[tuple[URIRef, str, str], list[str]] = defaultdict(list)
    for c in vocab.concepts():
        for label in vocab.graph.objects(c, SKOS.prefLabel):
            for s in vocab.graph.objects(c, SKOS.inScheme):
                seen[(s, label.language or "", str(label))].append(_local(c))
    dupes = [f"{_local(s)} {text!r}@{lang}: {cs}" for (s, lang, text), cs in seen.items() if len(cs) > 1]
    assert not dupes, "duplicate prefLabels within a scheme:\n" + "\n".join(dupes)


def test_no_placeholder_namespace_left_in_the_ontology_folder() -> None:
    paths = sorted(ONTOLOGY_DIR.rglob("*.ttl"))
    assert paths, f"no Turtle files under {ONTOLOGY_DIR}"
    # An IRI of the old base appears as <...> in full or in a prefix declaration; prose may still name it.
    bad = [str(p.relative_to(ROOT)) for p in paths if f"<{OLD_BASE}" in p.read_text(encoding="utf-8")]
    assert not bad, f"files still using IRIs in {OLD_BASE}: {bad}"


def test_nothing_of_the_suggestion_was_lost(vocab: Vocab) -> None:
    assert SUGGESTION.exists(), f"catalogue suggestion not found at {SUGGESTION}"
    old = Graph().parse(SUGGESTION, format="turtle")
    skipped = {URIRef(OLD_BASE + s) for s in NOT_OURS}
    wanted = set()
    for s in set(old.subjects(RDF.type, SKOS.Concept)) | set(old.subjects(RDF.type, SKOS.ConceptScheme)):
        if s in skipped or set(old.objects(s, SKOS.inScheme)) & skipped:
            continue
        assert str(s).startswith(OLD_BASE), s
        wanted.add(str(s)[len(OLD_BASE) :])
    assert len(wanted) >= MIN_CONCEPTS, f"the suggestion yielded only {len(wanted)} names; parsing went wrong"
    ours = set(vocab.graph.subjects(RDF.type, SKOS.Concept)) | vocab.schemes()
    lost = sorted(name for name in wanted if DXV[name] not in ours)
    assert not lost, f"local names of the suggestion missing from ontology/vocab: {lost}"


def test_our_schemes_carry_bilingual_metadata_and_their_source(vocab: Vocab) -> None:
    bad = []
    for name, scheme in SCHEME_FILES.items():
        g, s = vocab.files[name], DXV[scheme]
        for prop in (SKOS.prefLabel, DCTERMS.title):
            for lang in ("zh", "en"):
                if len(_labels(g, s, prop, lang)) != 1:
                    bad.append(f"{name}: {scheme} needs one {prop.n3(g.namespace_manager)} @{lang}")
        if not list(g.objects(s, DCTERMS.description)):
            bad.append(f"{name}: {scheme} has no dct:description")
        if not list(g.objects(s, DCTERMS.source)):
            bad.append(f"{name}: {scheme} has no dct:source")
        if not list(g.objects(s, SKOS.hasTopConcept)):
            bad.append(f"{name}: {scheme} has no skos:hasTopConcept")
    assert not bad, "\n".join(bad)


def test_our_concepts_record_their_provenance(vocab: Vocab) -> None:
    bad = []
    for name in SCHEME_FILES:
        g = vocab.files[name]
        for c in g.subjects(RDF.type, SKOS.Concept):
            values = {str(o) for o in g.objects(c, DCTERMS.source)}
            if len(values) != 1 or not values <= PROVENANCE:
                bad.append(f"{name}: {_local(c)} dct:source {sorted(values)}")
    assert not bad, "dct:source must be one of text | implied | supporting:\n" + "\n".join(bad)


@pytest.mark.parametrize("kind", MEETING_KINDS)
def test_meeting_kinds_are_narrower_than_meeting(vocab: Vocab, kind: str) -> None:
    ancestors = set(vocab.graph.transitive_objects(DXV[kind], SKOS.broader)) - {DXV[kind]}
    assert DXV["event-Meeting"] in ancestors, f"{kind} does not reach dxv:event-Meeting via skos:broader"


def test_meeting_is_a_top_event_kind(vocab: Vocab) -> None:
    assert (DXV["event-Meeting"], SKOS.topConceptOf, DXV["EventKindScheme"]) in vocab.graph
