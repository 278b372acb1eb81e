"""Run owlrl over the records and the ontology, and keep what it adds in a graph of its own.

The input graph is never changed. Validation sees the records plus the inferred graph, so the reasoning that
feeds it leaves out `rdfs:domain` and `rdfs:range`: with them, a wrong value (an organisation where a person is
expected) would be typed into a right one and its violation would disappear.
"""

from __future__ import annotations

from functools import cache

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kb import profiles, resources
from kb.derive import derived_facts
from kb.profiles import Choice

NOT_REASONED_WITH = {RDFS.domain, RDFS.range, RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso}
SCHEMA_ORDER = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
RECORD_AXIOMS = SCHEMA_ORDER | {OWL.onProperty, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom,
                                OWL.intersectionOf, OWL.unionOf, RDF.first, RDF.rest, OWL.inverseOf,
                                OWL.propertyChainAxiom}
PROPERTY_CHARACTERISTICS = {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty,
                            OWL.InverseFunctionalProperty}
TYPES_NOT_KEPT = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


@cache
def reasoning_tbox(choices: tuple[Choice, ...] | None = None) -> Graph:
    """The ontology's axioms, with the chosen readings, without domain and range: what validation relies on."""
    ontology = Graph()
    ontology += resources.ontology()
    ontology += profiles.axioms(choices or profiles.resolve())
    tbox = Graph()
    for triple in ontology:
        if triple[1] not in NOT_REASONED_WITH and (triple[1] == OWL.hasValue or not isinstance(triple[2], Literal)):
            tbox.add(triple)
    return tbox


@cache
def closed_tbox(choices: tuple[Choice, ...] | None = None) -> Graph:
    """The reasoning TBox closed once per process, cut down to the axioms that act on records.

    owlrl visits every triple on every pass, so leaving out what its closure adds only about the schema
    itself (owl:sameAs of each term, C subClassOf C, owl:Thing) makes each run about twice as fast with
    the same inferences about the records.
    """
    closed = Graph()
    closed += reasoning_tbox(choices)
    _closure(closed)
    kept = Graph()
    for s, p, o in closed:
        acts_on_records = p in RECORD_AXIOMS and not (p in SCHEMA_ORDER and (s == o or o in TYPES_NOT_KEPT))
        if acts_on_records or (p == RDF.type and o in PROPERTY_CHARACTERISTICS):
            kept.add((s, p, o))
    return kept


def _closure(graph: Graph) -> None:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)


def infer(data: Graph, choices: tuple[Choice, ...] | None = None) -> Graph:
    """Return the triples that derivation and the OWL 2 RL closure add about the records in `data`."""
    derived = derived_facts(data)
    work = Graph()
    work += closed_tbox(choices)
    work += data
    work += derived
    _closure(work)
    terms = set(closed_tbox(choices).subjects())
    records = {n for s, p, o in data for n in (s, o) if not isinstance(n, Literal)} - terms
    records -= set(data.objects(None, RDF.type))
    inferred = Graph()
    for s, p, o in work:
        if s not in records or (s, p, o) in data:
            continue
        if p == RDF.type and (isinstance(o, BNode) or o in TYPES_NOT_KEPT):
            continue
        if p == OWL.sameAs and s == o:
            continue
        if isinstance(s, URIRef | BNode):
            inferred.add((s, p, o))
    return inferred
