"""The OWL 2 RL rules our ontology uses, as SPARQL over an Oxigraph store, run set-at-a-time to a fixpoint.

The batch path keeps the records in Oxigraph for validation; reasoning there too saves handing millions of
triples to `reasonable` and back through Python. Only the rules the closed TBox can fire are written (kb.reasoning.infer
lists what it holds): class and property hierarchy, inverse and symmetric properties, property chains, hasValue,
someValuesFrom (a class, owl:Thing or a datatype), intersectionOf, and functional properties with the owl:sameAs
they imply. The closed TBox sits in its own named graph; the records and what follows from them in the default
graph. A test compares the triples with `reasonable` and owlrl on every case and example, under every profile.
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

TBOX = "urn:kb:graph:tbox"

_PREFIXES = f"""PREFIX rdf: <{RDF}> PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}> PREFIX xsd: <{XSD}>
"""

# Each rule: a SELECT of the triples it concludes (?s ?p ?o) that are not in the default graph yet. (Semi-naive
# evaluation, each rule reading one atom from the last round's triples only, was tried: Oxigraph 0.5 plans the
# UNION of graph-scoped branches badly, 20 times slower on the cases.)
_GENERIC_RULES = {
    "cax-sco": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?c rdfs:subClassOf ?o FILTER (?c != ?o) } ?s rdf:type ?c .
        FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "cax-eqc": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { { ?c owl:equivalentClass ?o } UNION { ?o owl:equivalentClass ?c } FILTER (?c != ?o) }
        ?s rdf:type ?c . FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "prp-spo1": """SELECT DISTINCT ?s ?p ?o WHERE {
        GRAPH <%(tbox)s> { ?q rdfs:subPropertyOf ?p FILTER (?q != ?p) } ?s ?q ?o .
        FILTER NOT EXISTS { ?s ?p ?o } }""",
    "prp-eqp": """SELECT DISTINCT ?s ?p ?o WHERE {
        GRAPH <%(tbox)s> { { ?q owl:equivalentProperty ?p } UNION { ?p owl:equivalentProperty ?q } FILTER (?q != ?p) }
        ?s ?q ?o . FILTER NOT EXISTS { ?s ?p ?o } }""",
    "prp-inv": """SELECT DISTINCT ?s ?p ?o WHERE {
        GRAPH <%(tbox)s> { { ?q owl:inverseOf ?p } UNION { ?p owl:inverseOf ?q } }
        ?o ?q ?s . FILTER (!isLiteral(?s)) FILTER NOT EXISTS { ?s ?p ?o } }""",
    "prp-symp": """SELECT DISTINCT ?s ?p ?o WHERE {
        GRAPH <%(tbox)s> { ?p rdf:type owl:SymmetricProperty }
        ?o ?p ?s . FILTER (!isLiteral(?s)) FILTER NOT EXISTS { ?s ?p ?o } }""",
    "cls-hv1": """SELECT DISTINCT ?s ?p ?o WHERE {
        GRAPH <%(tbox)s> { ?r owl:hasValue ?o ; owl:onProperty ?p }
        ?s rdf:type ?r . FILTER NOT EXISTS { ?s ?p ?o } }""",
    "cls-hv2": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?o owl:hasValue ?v ; owl:onProperty ?q }
        ?s ?q ?v . FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "cls-svf1": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?o owl:someValuesFrom ?c ; owl:onProperty ?q
                           FILTER (isBlank(?c) || (isIRI(?c) && !STRSTARTS(STR(?c), STR(xsd:))
                                                   && ?c != rdfs:Literal && ?c != owl:Thing)) }
        ?s ?q ?y . ?y rdf:type ?c . FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "cls-svf2": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?o owl:someValuesFrom owl:Thing ; owl:onProperty ?q }
        ?s ?q ?y . FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "cls-svf1-datatype": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?o owl:someValuesFrom ?d ; owl:onProperty ?q
                           FILTER (STRSTARTS(STR(?d), STR(xsd:)) || ?d = rdfs:Literal) }
        ?s ?q ?y . FILTER (isLiteral(?y) && (?d = rdfs:Literal || datatype(?y) = ?d))
        FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "cls-int1": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?o owl:intersectionOf ?list . ?list rdf:first ?first }
        ?s rdf:type ?first .
        FILTER NOT EXISTS { ?s rdf:type ?o }
        FILTER NOT EXISTS { GRAPH <%(tbox)s> { ?list rdf:rest*/rdf:first ?member }
                            FILTER NOT EXISTS { ?s rdf:type ?member } } }""",
    "cls-int2": """SELECT DISTINCT ?s (rdf:type AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?c owl:intersectionOf/rdf:rest*/rdf:first ?o }
        ?s rdf:type ?c . FILTER NOT EXISTS { ?s rdf:type ?o } }""",
    "prp-fp": """SELECT DISTINCT ?s (owl:sameAs AS ?p) ?o WHERE {
        GRAPH <%(tbox)s> { ?q rdf:type owl:FunctionalProperty }
        ?x ?q ?s . ?x ?q ?o . FILTER (?s != ?o && !isLiteral(?s) && !isLiteral(?o))
        FILTER NOT EXISTS { ?s owl:sameAs ?o } }""",
    "eq-sym": """SELECT DISTINCT ?s (owl:sameAs AS ?p) ?o WHERE {
        ?o owl:sameAs ?s . FILTER NOT EXISTS { ?s owl:sameAs ?o } }""",
    "eq-trans": """SELECT DISTINCT ?s (owl:sameAs AS ?p) ?o WHERE {
        ?s owl:sameAs ?y . ?y owl:sameAs ?o . FILTER (?s != ?o) FILTER NOT EXISTS { ?s owl:sameAs ?o } }""",
    "eq-rep-s": """SELECT DISTINCT ?s ?p ?o WHERE {
        ?x owl:sameAs ?s . FILTER (?x != ?s) ?x ?p ?o . FILTER NOT EXISTS { ?s ?p ?o } }""",
    "eq-rep-o": """SELECT DISTINCT ?s ?p ?o WHERE {
        ?x owl:sameAs ?o . FILTER (?x != ?o) ?s ?p ?x . FILTER NOT EXISTS { ?s ?p ?o } }""",
}


@cache
def rules(tbox_ntriples: bytes) -> tuple[tuple[str, str], ...]:
    """The rule queries: the generic ones, and one per property chain (as a property path) of this TBox."""
    from rdflib.collection import Collection

    found = [(name, _PREFIXES + text % {"tbox": TBOX}) for name, text in _GENERIC_RULES.items()]
    tbox = Graph().parse(data=tbox_ntriples, format="nt")
    for prop, head in tbox.subject_objects(OWL.propertyChainAxiom):
        path = "/".join(step.n3() for step in Collection(tbox, head))
        found.append((f"prp-spo2 {prop}", f"""SELECT DISTINCT ?s ({prop.n3()} AS ?p) ?o WHERE {{
            ?s {path} ?o . FILTER NOT EXISTS {{ ?s {prop.n3()} ?o }} }}"""))
    return tuple(found)


def load_tbox(store: ox.Store, tbox_ntriples: bytes) -> None:
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(TBOX))
                      for q in ox.parse(tbox_ntriples, ox.RdfFormat.N_TRIPLES))


def close(store: ox.Store, tbox_ntriples: bytes) -> list[ox.Triple]:
    """Apply the rules to the default graph until nothing new follows; return what they added, in order."""
    added: list[ox.Triple] = []
    queries = rules(tbox_ntriples)
    while True:
        new = list(dict.fromkeys(ox.Triple(solution["s"], solution["p"], solution["o"])
                                 for _, query in queries for solution in store.query(query)))
        if not new:
            return added
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in new)
        added.extend(new)
