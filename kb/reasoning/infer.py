"""Run the OWL 2 RL closure over the records and the ontology, and keep what it adds in a graph of its own.

The engines give the same triples (tests compare them on every case, the examples and a benchmark sample, under
every profile). The default, "compiled", runs the closed TBox compiled into ordered rules about our own classes and
properties (kb.reasoning.compiled; `kb infer-rules` prints them as SPARQL, and "compiled-sparql" runs that text on
Oxigraph): about three times faster than `reasonable` on 1,000 events, ten times on the closure alone, since one
pass replaces generic rounds and no triple goes through another library and back. `owlrl` (pure Python) is the
reference. `reasonable` (Rust, generic OWL 2 RL) has no property chains (prp-spo2) and no datatypes, so the two rules
it misses for our ontology are applied between its passes until nothing new follows: each property chain as a join
of its steps, and each `owl:someValuesFrom` a datatype (cls-svf1 on a literal) by the literal's datatype. "sparql"
runs generic OWL 2 RL rules on Oxigraph (kb.reasoning.rl_rules).

The input graph is never changed. Validation sees the records plus the inferred graph, so the reasoning that
feeds it leaves out `rdfs:domain` and `rdfs:range`: with them, a wrong value (an organisation where a person is
expected) would be typed into a right one and its violation would disappear.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Literal as Choose
from typing import NamedTuple

import owlrl
import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kb import resources
from kb.reasoning import compiled, readings
from kb.reasoning.derive import derived_facts
from kb.reasoning.readings import Choice

NOT_REASONED_WITH = {RDFS.domain, RDFS.range, RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso}
SCHEMA_ORDER = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
RECORD_AXIOMS = SCHEMA_ORDER | {OWL.onProperty, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom,
                                OWL.intersectionOf, OWL.unionOf, RDF.first, RDF.rest, OWL.inverseOf,
                                OWL.propertyChainAxiom}
PROPERTY_CHARACTERISTICS = {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty,
                            OWL.InverseFunctionalProperty}
TYPES_NOT_KEPT = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
ENGINES = ("compiled", "compiled-sparql", "reasonable", "owlrl", "sparql")
Engine = Choose["compiled", "compiled-sparql", "reasonable", "owlrl", "sparql"]


@cache
def reasoning_tbox(choices: tuple[Choice, ...] | None = None) -> Graph:
    """The ontology's axioms, with the chosen readings, without domain and range: what validation relies on."""
    ontology = Graph()
    ontology += resources.ontology()
    ontology += readings.axioms(choices or readings.resolve())
    tbox = Graph()
    for triple in ontology:
        if triple[1] not in NOT_REASONED_WITH and (triple[1] == OWL.hasValue or not isinstance(triple[2], Literal)):
            tbox.add(triple)
    return tbox


def tbox_key(choices: tuple[Choice, ...]) -> bytes:
    """Every input of the closed TBox: the ontology files, the settings, this module, the readings, owlrl."""
    files = [*sorted(resources.ONTOLOGY_DIR.glob("*.ttl")), readings.SETTINGS_FILE, Path(__file__)]
    return (resources.files_key(files) + " ".join(str(choice.iri) for choice in choices).encode()
            + f" owlrl {owlrl.__version__}".encode())


def _cache_file(choices: tuple[Choice, ...]) -> Path:
    """Where the closed TBox of these sources and readings is kept between processes."""
    return resources.kept_path("closed-tbox", tbox_key(choices))


class ClosedTBox(NamedTuple):
    """The closed TBox with what is read off it for every record: kept together so that its blank nodes agree."""

    graph: Graph
    triples: tuple[tuple, ...]
    chains: tuple[tuple[URIRef, tuple[Step, ...]], ...]
    restrictions: tuple[tuple[BNode, URIRef, URIRef], ...]
    terms: frozenset


@cache
def closed_tbox(choices: tuple[Choice, ...] | None = None) -> ClosedTBox:
    """The closed TBox, read from the cache when the ontology, readings and engine are unchanged.

    Closing the TBox takes owlrl a few seconds; every `kb` process and test worker would pay them again. The
    cache file's name is a hash of every input, so a change to any ontology file or setting makes a new one.
    The restrictions are read off the same graph object: a second parse of the file names its blank nodes anew.
    """
    graph = _read_or_close(choices or readings.resolve())
    return ClosedTBox(graph, tuple(graph), _property_chains(graph), _datatype_restrictions(graph),
                      frozenset(graph.subjects()))


def _read_or_close(choices: tuple[Choice, ...]) -> Graph:
    """The closed TBox from the cache (pickled: rdflib reads N-Triples ten times slower), or closed anew."""
    return resources.kept("closed-tbox", tbox_key(choices), lambda: _closed_tbox(choices))


def _closed_tbox(choices: tuple[Choice, ...]) -> Graph:
    """The reasoning TBox closed by owlrl, cut down to the axioms that act on records.

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


class Step(NamedTuple):
    """One step of a property chain: a property, walked forwards or (for `owl:inverseOf` it) backwards."""

    prop: URIRef
    backwards: bool = False


def _property_chains(tbox: Graph) -> tuple[tuple[URIRef, tuple[Step, ...]], ...]:
    """Each chained property with its steps, e.g. dxo:attendee <- dxo:participation / dxo:participant."""
    chains = []
    for prop, head in tbox.subject_objects(OWL.propertyChainAxiom):
        steps = []
        for step in Collection(tbox, head):
            inverse = tbox.value(step, OWL.inverseOf) if isinstance(step, BNode) else None
            if not isinstance(step, URIRef) and not isinstance(inverse, URIRef):
                raise ValueError(f"the chain of {prop} has a step that is neither a property nor its inverse")
            steps.append(Step(inverse, True) if inverse is not None else Step(step))
        chains.append((prop, tuple(steps)))
    return tuple(chains)


def _datatype_restrictions(tbox: Graph) -> tuple[tuple[BNode, URIRef, URIRef], ...]:
    """Each restriction `someValuesFrom` a datatype, with its property and datatype (e.g. approvedOn xsd:date)."""
    found = []
    for restriction, filler in tbox.subject_objects(OWL.someValuesFrom):
        if isinstance(filler, URIRef) and (filler.startswith(str(XSD)) or filler == RDFS.Literal):
            found.extend((restriction, prop, filler) for prop in tbox.objects(restriction, OWL.onProperty))
    return tuple(found)


def _missing_rules(closed: set[tuple], tbox: ClosedTBox) -> set[tuple]:
    """What prp-spo2 and cls-svf1 over literals conclude from `closed` that `reasonable` does not."""
    wanted = {step.prop for _, steps in tbox.chains for step in steps} | {prop for _, prop, _ in tbox.restrictions}
    pairs: dict[URIRef, list[tuple]] = {prop: [] for prop in wanted}
    for s, p, o in closed:
        if p in pairs:
            pairs[p].append((s, o))
    concluded = set()
    for prop, steps in tbox.chains:
        concluded.update((x, prop, y) for x, y in _walk(steps, pairs))
    for restriction, prop, datatype in tbox.restrictions:
        for x, value in pairs[prop]:
            if isinstance(value, Literal) and (datatype == RDFS.Literal or value.datatype == datatype):
                concluded.add((x, RDF.type, restriction))
    return concluded - closed


def _walk(steps: tuple[Step, ...], pairs: dict[URIRef, list[tuple]]) -> set[tuple]:
    """The (start, end) pairs joined along the chain's steps, as the SPARQL path `step1/step2/...` gives them."""
    def edges(step: Step) -> list[tuple]:
        return [(o, s) for s, o in pairs[step.prop]] if step.backwards else pairs[step.prop]

    reached = set(edges(steps[0]))
    for step in steps[1:]:
        onward: dict = {}
        for a, b in edges(step):
            onward.setdefault(a, []).append(b)
        reached = {(x, z) for x, y in reached for z in onward.get(y, ())}
    return reached


def _plain(term):
    """`reasonable` returns a plain literal as xsd:string; rdflib keeps the two apart, RDF 1.1 does not."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _as_string(term):
    """A plain literal as the xsd:string literal a record gives (`_plain` undoes the type; RDF 1.1 has them equal),
    so that a record's own xsd:string value is never counted as inferred."""
    if isinstance(term, Literal) and term.datatype is None and term.language is None:
        return Literal(str(term), datatype=XSD.string)
    return term


def _fast_closure(triples: set[tuple], tbox: ClosedTBox) -> set[tuple]:
    """The closure by `reasonable`, with the rules it lacks applied between passes until a fixpoint.

    Applying them to the records first often leaves nothing for a second pass; where it does, the new triples are
    added to the same reasoner, which then reasons incrementally. The triples stay plain tuples: building rdflib
    graphs of the whole closed TBox for every batch cost more than the reasoning itself on a small one.
    """
    reasoner = reasonable.PyReasoner()
    new = triples | _missing_rules(triples, tbox)
    while new:
        reasoner.from_graph(list(new))  # appends to what the reasoner holds
        closed = {(s, p, _plain(o)) for s, p, o in reasoner.reason()}
        new = _missing_rules(closed, tbox)
    return closed


@cache
def _tbox_ntriples(choices: tuple[Choice, ...]) -> bytes:
    """The closed TBox of these readings as N-Triples, what the SPARQL rules (kb.reasoning.rl_rules) read."""
    return closed_tbox(choices).graph.serialize(format="nt", encoding="utf-8")


def _sparql_closure(work: Graph, records: Graph, choices: tuple[Choice, ...]) -> Graph:
    """The closure by SPARQL rules on Oxigraph (kb.reasoning.rl_rules): `work` plus what the rules add about
    `records`."""
    import pyoxigraph as ox

    from kb.reasoning import rl_rules
    from kb.terms import LiteralRestorer, rdflib_term

    store = ox.Store()
    store.bulk_extend(ox.parse(records.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES))
    tbox = _tbox_ntriples(choices)
    rl_rules.load_tbox(store, tbox)
    restore = LiteralRestorer(records, Graph())  # Oxigraph writes "+00:00" as "Z": keep the records' own literals
    for triple in rl_rules.close(store, tbox):
        work.add((rdflib_term(triple.subject), rdflib_term(triple.predicate),
                  _plain(restore(rdflib_term(triple.object)))))
    return work


@cache
def compiled_rules(choices: tuple[Choice, ...] | None = None) -> compiled.Program:
    """The closed TBox of these readings compiled into ordered rules (kb.reasoning.compiled), kept on disk.

    Reading the kept program takes a twentieth of compiling it, and needs no parse of the closed TBox: what a fresh
    `kb` process on one record waits for. Its name is the closed TBox's key with the compiler's source added.
    """
    choices = choices or readings.resolve()
    key = tbox_key(choices) + Path(compiled.__file__).read_bytes()
    return resources.kept("compiled-rules", key, lambda: compiled.compile_rules(closed_tbox(choices).graph))


def infer(data: Graph, choices: tuple[Choice, ...] | None = None, engine: Engine = "compiled") -> Graph:
    """Return the triples that derivation and the OWL 2 RL closure add about the records in `data`."""
    derived = derived_facts(data)
    if engine in ("compiled", "compiled-sparql"):
        program = compiled_rules(choices)
        if engine == "compiled":
            work = compiled.run(program, itertools.chain(data, derived)).triples(named=True)
        else:
            from kb.reasoning import compiled_sparql

            work = compiled_sparql.run(program, data + derived)
        return _about_records(work, data, program.terms)
    tbox = closed_tbox(choices)
    if engine == "reasonable":
        work = _fast_closure({*tbox.triples, *data, *derived}, tbox)
    else:
        work = Graph()
        work += tbox.graph
        work += data
        work += derived
        if engine == "owlrl":
            _closure(work)
        else:
            work = _sparql_closure(work, data + derived, choices or readings.resolve())
    return _about_records(work, data, tbox.terms)


def _about_records(work, data: Graph, tbox_terms: frozenset) -> Graph:
    """What `work` (the closure) says about the records that `data` does not say itself."""
    given = set(data)
    # Membership in a one-element set, not `==`: a set compares str hashes in C; rdflib's __eq__ is a Python call.
    is_a, same_as = {RDF.type}, {OWL.sameAs}
    records = {n for s, p, o in given for n in (s, o) if not isinstance(n, Literal)} - tbox_terms
    records -= {o for s, p, o in given if p in is_a}
    kept = []
    for s, p, o in work:
        if s not in records or (s, p, o) in given:
            continue
        if type(o) is Literal and o.datatype is None and o.language is None and (s, p, _as_string(o)) in given:
            continue
        if p in is_a and (isinstance(o, BNode) or o in TYPES_NOT_KEPT):
            continue
        if p in same_as and s == o:
            continue
        if isinstance(s, URIRef | BNode):
            kept.append((s, p, o))
    inferred = Graph(store="SimpleMemory")  # no named graphs: rdflib's default store spends a third of its time on them
    inferred.addN((s, p, o, inferred) for s, p, o in kept)
    return inferred
