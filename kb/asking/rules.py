"""Which rules apply to a situation, and how each came out: answered by SPARQL, not by Python.

The records are validated as usual; then the run's results (kb/checking/results.py), the records, what was inferred
and the regulation with its shapes make one graph, and `queries/rules-for-situation.rq` gives every
constraint one of five outcomes for each record. Python only links each part of a record (a speech, a meal)
to the record it belongs to (`dxo:describedIn`), which SPARQL cannot tell from the triples alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF

from kb.asking import query
from kb.checking import sparql_text
from kb.checking.missing import targets
from kb.checking.pipeline import Outcome, validate_paths
from kb.checking.results import results_graph
from kb.namespaces import DXO, DXS
from kb.reasoning import readings
from kb.records.triples import owner

OUTCOMES = ("violated", "warning", "not enough data", "passed", "not applicable")
QUERY = "rules-for-situation"


@dataclass
class Rule:
    """One constraint's outcome for one record."""

    record: str
    notation: str
    article: int
    outcome: str
    shapes: list[str]
    missing: str
    clause_zh: str
    clause_en: str


def parts(data: Graph) -> Graph:
    """`part dxo:describedIn record` for every node of the records, the record itself included."""
    linked = Graph()
    for node in set(data.subjects()):
        record = owner(data, node) if isinstance(node, BNode) else node
        if isinstance(record, URIRef):
            linked.add((node, DXO.describedIn, record))
    return linked


def situations(outcome: Outcome) -> list[URIRef]:
    """The records asked about: every event the input describes, and every other record a rule speaks about (a
    document, a bulletin issue or periodical, a review period, a grassroots problem, a leading cadre, a section):
    a record one of whose nodes a shape targets."""
    data = outcome.batch.union()
    described = ReadOnlyGraphAggregate([data, outcome.inferred])
    asked = set(data.subjects(RDF.type, DXO.Event)) | set(outcome.inferred.subjects(RDF.type, DXO.Event))
    shapes = readings.shapes(outcome.choices)
    for shape in set(shapes.subjects(DXS.implements, None)):
        for node in targets(shapes, shape, described):
            asked.add(owner(data, node) if isinstance(node, BNode) else node)
    return sorted(n for n in asked if isinstance(n, URIRef) and (n, None, None) in data)


def rules_for(outcome: Outcome, records: list[URIRef] | None = None) -> list[Rule]:
    """Each record's rules, asked of the knowledge graph in Oxigraph: rdflib's evaluation of this query took
    about a second per record (tests/asking/test_rules.py shows both give the same rules)."""
    data = outcome.batch.union()
    store = query.oxigraph_view(data, outcome.inferred, results_graph(outcome), parts(data), choices=outcome.choices)
    asked = query.find(QUERY)
    found = []
    for record in records if records is not None else situations(outcome):
        for row in store.query(sparql_text.prebind(asked.text, {"record": f"<{record}>"})):
            values = {name: "" if row[name] is None else row[name].value for name in ROW}
            found.append(Rule(str(record), values["notation"], int(values["article"]), values["outcome"],
                              sorted(values["shapes"].split()), values["missing"], values["clauseZh"],
                              values["clauseEn"]))
    return found


ROW = ("notation", "article", "outcome", "shapes", "missing", "clauseZh", "clauseEn")


def rules_for_paths(paths: list[str], choices=None, record: str | None = None) -> tuple[Outcome, list[Rule]]:
    outcome = validate_paths(paths, choices=choices)
    return outcome, rules_for(outcome, [URIRef(record)] if record else None)
