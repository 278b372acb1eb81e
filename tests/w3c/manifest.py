"""Read the vendored W3C SHACL test suite into entries a test can run and compare.

The suite's manifests (mf:Manifest) include one another (mf:include) and list sht:Validate entries
(mf:entries). An entry names a data graph and a shapes graph (mf:action) and the expected outcome
(mf:result): a sh:ValidationReport, or sht:Failure when the validator must refuse the shapes.

Reports are compared the way the suite's README asks (graph isomorphism after dropping everything but
focus node, path, severity, component, shape and value): each result becomes a tuple, blank nodes become
"_:b" (they cannot be matched across graphs), a blank-node sh:resultPath becomes a structural description,
and the tuples are counted as a multiset, because an isomorphic report may hold two equal-looking results
(core/validation-reports/shared expects exactly that).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SUITE = Path(__file__).resolve().parent / "sht_tests"
TOP_MANIFEST = SUITE / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")

BLANK = "_:b"

# (focusNode, resultPath, resultSeverity, sourceConstraintComponent, sourceShape, value)
ResultTuple = tuple[object, object, object, object, object, object]

_PATH_KINDS = {
    SH.inversePath: "inverse",
    SH.alternativePath: "alternative",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}


@dataclass(frozen=True)
class Entry:
    """One sht:Validate entry; graphs are parsed on demand so no run can see another's changes."""

    name: str
    label: str
    status: str
    data_path: Path
    shapes_path: Path
    expected_failure: bool
    conforms: bool | None
    results: Counter = field(compare=False)

    @property
    def suite(self) -> str:
        """The top folder, 'core' or 'sparql'."""
        return self.name.split("/", 1)[0]

    def graphs(self) -> tuple[Graph, Graph]:
        """The data graph and the shapes graph; one object for both when the entry names one file for both."""
        data = parse(self.data_path)
        shapes = data if self.shapes_path == self.data_path else parse(self.shapes_path)
        return data, shapes


def parse(path: Path) -> Graph:
    """Parse a suite file with its own file IRI as base, as the manifests resolve `<>` against it.

    Literals keep their lexical form: rdflib would otherwise rewrite "1"^^xsd:boolean to "true", and
    core/property/uniqueLang-002 tests exactly that "1" is not "true" (pySHACL parses shapes the same way).
    """
    graph = Graph()
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        graph.parse(path, format="turtle", publicID=path.as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


def load_entries(top: Path = TOP_MANIFEST) -> list[Entry]:
    """Every entry reachable from the top manifest, in a stable order; duplicate or unknown entries raise."""
    entries: list[Entry] = []
    _walk(top, entries, seen=set())
    names = Counter(e.name for e in entries)
    duplicated = sorted(n for n, k in names.items() if k > 1)
    if duplicated:
        raise ValueError(f"entry names are not unique: {duplicated}")
    return entries


def _walk(path: Path, entries: list[Entry], seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    graph = parse(path)
    manifests = list(graph.subjects(RDF.type, MF.Manifest))
    if len(manifests) != 1:
        raise ValueError(f"{path}: expected one mf:Manifest, found {len(manifests)}")
    manifest = manifests[0]
    for include in sorted(graph.objects(manifest, MF.include)):
        _walk(_file_of(include), entries, seen)
    for entries_list in graph.objects(manifest, MF.entries):
        for node in Collection(graph, entries_list):
            entries.append(_entry(graph, node))


def _entry(graph: Graph, node: Node) -> Entry:
    if (node, RDF.type, SHT.Validate) not in graph:
        raise ValueError(f"{node}: only sht:Validate entries are understood, got {list(graph.objects(node, RDF.type))}")
    action = _one(graph, node, MF.action)
    result = _one(graph, node, MF.result)
    status = graph.value(node, MF.status)
    expected_failure = result == SHT.Failure
    if not expected_failure and (result, RDF.type, SH.ValidationReport) not in graph:
        raise ValueError(f"{node}: mf:result is neither sht:Failure nor a sh:ValidationReport")
    conforms = None if expected_failure else bool(_one(graph, result, SH.conforms).toPython())
    return Entry(
        name=entry_name(node),
        label=str(graph.value(node, RDFS.label) or ""),
        status=str(status).removeprefix(str(SHT)) if status is not None else "",
        data_path=_file_of(_one(graph, action, SHT.dataGraph)),
        shapes_path=_file_of(_one(graph, action, SHT.shapesGraph)),
        expected_failure=expected_failure,
        conforms=conforms,
        results=Counter() if expected_failure else results_of(graph, result),
    )


def entry_name(node: Node) -> str:
    """The entry IRI relative to the suite folder, e.g. 'core/property/minCount-001' (local names repeat)."""
    root = SUITE.as_uri() + "/"
    if not str(node).startswith(root):
        raise ValueError(f"{node}: entry IRI is outside the suite folder {root}")
    return str(node).removeprefix(root)


def results_of(graph: Graph, report: Node) -> Counter:
    """The sh:result values of a report node, as a multiset of comparable tuples (sh:detail is not followed)."""
    return Counter(result_tuple(graph, r) for r in graph.objects(report, SH.result))


def report_results(graph: Graph) -> Counter:
    """The results of the one sh:ValidationReport in a report graph."""
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        raise ValueError(f"expected one sh:ValidationReport in the report graph, found {len(reports)}")
    return results_of(graph, reports[0])


def report_conforms(graph: Graph) -> bool | None:
    """The sh:conforms the report graph itself states (None when it states none)."""
    values = list(graph.objects(None, SH.conforms))
    return bool(values[0].toPython()) if len(values) == 1 and isinstance(values[0], Literal) else None


def result_tuple(graph: Graph, result: Node) -> ResultTuple:
    """(focusNode, resultPath, resultSeverity, sourceConstraintComponent, sourceShape, value) of one result."""
    return (
        _value(graph, result, SH.focusNode, _node),
        _value(graph, result, SH.resultPath, describe_path),
        _value(graph, result, SH.resultSeverity, _node),
        _value(graph, result, SH.sourceConstraintComponent, _node),
        _value(graph, result, SH.sourceShape, _node),
        _value(graph, result, SH.value, _node),
    )


def describe_path(graph: Graph, path: Node) -> object:
    """A SHACL property path as nested tuples, so blank-node paths compare by structure."""
    if not isinstance(path, BNode):
        return path
    if graph.value(path, RDF.first) is not None:
        return ("sequence", tuple(describe_path(graph, p) for p in Collection(graph, path)))
    for predicate, kind in _PATH_KINDS.items():
        inner = graph.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return (kind, tuple(describe_path(graph, p) for p in Collection(graph, inner)))
        return (kind, describe_path(graph, inner))
    return BLANK


def _node(graph: Graph, node: Node) -> object:
    return BLANK if isinstance(node, BNode) else node


def _value(graph: Graph, subject: Node, predicate: URIRef, convert) -> object:
    values = [convert(graph, o) for o in graph.objects(subject, predicate)]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return ("several", tuple(sorted(values, key=repr)))


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    values = list(graph.objects(subject, predicate))
    if len(values) != 1:
        raise ValueError(f"{subject}: expected one {predicate}, found {len(values)}")
    return values[0]


def _file_of(iri: Node) -> Path:
    parsed = urlparse(str(iri))
    if parsed.scheme != "file":
        raise ValueError(f"{iri}: the suite only names local files")
    return Path(unquote(parsed.path))


class W3CSuiteSummary(UserWarning):
    """Carries the counts to the warnings summary, the one channel -q and xdist both show. Defined here, not in the
    test module: xdist's controller imports a warning's class by its module, and `tests.w3c.manifest` is importable
    from the repository root while a test module in a subfolder is not."""
