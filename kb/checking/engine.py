"""The fast SHACL engine: runs the compiled checks (kb.checking.compiler) on a backend and writes the results as
pySHACL writes its report, so findings do not know which engine ran.

A backend answers SELECT queries: an Oxigraph store in memory here, or a SPARQL server (kb.remote.pushdown). The
shapes the compiler left to pySHACL run on pySHACL (`fallback`), with every compiled shape deactivated.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kb.checking.compiler import Check, Plan, Report, compile_shapes, prebind_this, walk
from kb.terms import LiteralRestorer, oxigraph_term, rdflib_term

# --- Running the checks ---------------------------------------------------------------------------------------


class Backend(ABC):
    """Where the checks run: anything with `select(query) -> (variables, rows of rdflib terms)`."""

    @abstractmethod
    def select(self, query: str, this: Node | None = None) -> tuple[list[str], Iterable[tuple]]:
        """The query's variables and rows; with `this`, the query is run with $this pre-bound to it."""


class OxigraphBackend(Backend):
    """An Oxigraph store in memory (or on disk) holding the data graph in its default graph."""

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()

    @classmethod
    def of(cls, graph: Graph) -> OxigraphBackend:
        backend = cls()
        backend.load_ntriples(graph.serialize(format="nt", encoding="utf-8"))
        return backend

    def load_ntriples(self, data: bytes) -> None:
        """Add N-Triples, keeping blank-node labels (Store.load would rename them) so results name the data's own."""
        self.store.bulk_extend(ox.parse(data, ox.RdfFormat.N_TRIPLES))

    def select(self, query: str, this: Node | None = None) -> tuple[list[str], Iterator[tuple]]:
        substitutions = {ox.Variable("this"): oxigraph_term(this)} if this is not None else None
        solutions = self.store.query(query, substitutions=substitutions)
        names = [v.value for v in solutions.variables]
        return names, (tuple(rdflib_term(s[name]) for name in names) for s in solutions)


Progress = Callable[[int, int, Node], None]


def run_checks(plan: Plan, shapes: Graph, backend: Backend, results: Graph, data: Graph | None = None,
               progress: Progress | None = None) -> int:
    """Run every check and add its rows to `results` as pySHACL-style results; return how many.

    `progress(done, total, shape)` is told after each check (a progress bar on a terminal)."""
    added = 0
    restore = LiteralRestorer(data, shapes) if data is not None else None
    for done, check in enumerate(plan.checks, start=1):
        seen = set()
        said = _Said.of(shapes, check)
        for names, row in _rows(check, backend):
            if restore is not None:
                row = tuple(map(restore, row))
            bound = {name: value for name, value in zip(names, row, strict=True) if value is not None}
            key = tuple(sorted(bound.items()))
            if key in seen:
                continue
            seen.add(key)
            _add_result(results, shapes, check, said, bound)
            added += 1
        if progress is not None:
            progress(done, len(plan.checks), check.shape)
    return added


def _rows(check: Check, backend: Backend) -> Iterator[tuple[list[str], tuple]]:
    if check.focus_query is None:
        names, rows = backend.select(check.query)
        for row in rows:
            yield names, row
        return
    _, focus_rows = backend.select(check.focus_query)
    for (focus,) in list(focus_rows):
        if check.prebind_as_text and not isinstance(focus, BNode):
            names, rows = backend.select(prebind_this(check.query, focus))
        else:
            names, rows = backend.select(check.query, this=focus)
        for row in rows:
            yield names, tuple(focus if name == "this" and value is None else value
                               for name, value in zip(names, row, strict=True))


@dataclass(frozen=True)
class _Said:
    """What every result of a check says alike, read from the shapes graph once per check, not once per row."""

    severity: Node
    path: Node | None
    messages: tuple[Literal, ...]

    @classmethod
    def of(cls, shapes: Graph, check: Check) -> _Said:
        messages = [*shapes.objects(check.constraint, SH.message)] if check.constraint is not None else []
        messages += shapes.objects(check.shape, SH.message)
        return cls(shapes.value(check.shape, SH.severity) or SH.Violation, shapes.value(check.shape, SH.path),
                   tuple(dict.fromkeys(messages)))


def _add_result(results: Graph, shapes: Graph, check: Check, said: _Said, bound: dict[str, Node]) -> None:
    focus = bound.pop("this")
    value = bound.pop("value", None)
    path = bound.pop("path", None)
    shape = check.shape
    if check.component == SH.SPARQLConstraintComponent and value is None and check.value_is_focus:
        value = focus
    if check.component == SH.ClosedConstraintComponent:
        path = next(iter(bound.values()), None)
    result = BNode()
    results.add((result, RDF.type, SH.ValidationResult))
    results.add((result, SH.focusNode, focus))
    results.add((result, SH.sourceShape, shape))
    results.add((result, SH.sourceConstraintComponent, check.component))
    results.add((result, SH.resultSeverity, said.severity))
    if value is not None:
        results.add((result, SH.value, value))
    if path is None and said.path is not None:
        path = said.path
        _copy_path(shapes, path, results)
    if path is not None:
        results.add((result, SH.resultPath, path))
    if check.constraint is not None:
        results.add((result, SH.sourceConstraint, check.constraint))
        variables = {"this": focus, **({"value": value} if value is not None else {}),
                     **({"path": path} if path is not None else {}), **bound}
        for message in said.messages:
            results.add((result, SH.resultMessage, Literal(_format(str(message), variables))))
    else:
        for message in said.messages:
            results.add((result, SH.resultMessage, message))


def _format(message: str, variables: dict[str, Node]) -> str:
    for name, value in variables.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", str(value).replace("\\", r"\\"), message)
    return message


def _copy_path(shapes: Graph, path: Node, results: Graph) -> None:
    """A blank-node path is described in the results graph too, as pySHACL does."""
    if not isinstance(path, BNode):
        return
    stack, seen = [path], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            results.add((node, p, o))
            if isinstance(o, BNode):
                stack.append(o)


# --- The whole validation -------------------------------------------------------------------------------------


def validate(data_graph: Graph, shapes_graph: Graph, backend: Backend | None = None,
             plan: Plan | None = None, whole_view: Callable[[], Graph] | None = None,
             progress: Progress | None = None) -> Report:
    """Validate like `pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)`.

    With a `backend` already holding the data, `data_graph` need only hold the literals as written (Oxigraph
    writes some in canonical form), and `whole_view` gives the graph pySHACL needs for any shape it must run.
    """
    plan = plan or compile_shapes(shapes_graph)
    backend = backend or OxigraphBackend.of(data_graph)
    results = Graph(store="SimpleMemory")  # rdflib's store without contexts: half the cost per result triple
    run_checks(plan, shapes_graph, backend, results, data_graph, progress)
    if plan.fallback:
        fallback(whole_view() if whole_view else data_graph, shapes_graph, plan, results)
    return Report(finish_report(results), results, set(plan.fallback))


def finish_report(results: Graph) -> bool:
    """Gather the results under one sh:ValidationReport with its sh:conforms; return whether the data conforms."""
    report = BNode()
    results.add((report, RDF.type, SH.ValidationReport))
    for result in set(results.subjects(RDF.type, SH.ValidationResult)):
        results.add((report, SH.result, result))
    conforms = (report, SH.result, None) not in results
    results.add((report, SH.conforms, Literal(conforms)))
    return conforms


def fallback(data_graph: Graph, shapes_graph: Graph, plan: Plan, results: Graph) -> None:
    """Run the shapes the compiler left on pySHACL, with every compiled top-level shape deactivated."""
    import pyshacl  # only for shapes the compiler left to it (none of ours): its import costs a tenth of a second

    nested = {o for s in plan.fallback for o in _reachable(shapes_graph, s)}
    shapes = Graph()
    shapes += shapes_graph
    for shape in plan.shapes - set(plan.fallback) - nested:
        shapes.set((shape, SH.deactivated, Literal(True)))
    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes, inference="none", advanced=True,
                                           allow_warnings=False, abort_on_first=False)
    if isinstance(report, Exception):
        raise report  # pySHACL's ValidationFailure: the shapes themselves are wrong
    if not isinstance(report, Graph):
        raise RuntimeError(f"the shapes could not be run: {report}")
    already = {_key(results, r) for r in results.subjects(RDF.type, SH.ValidationResult)}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if _key(report, result) in already:
            continue
        stack = [result]
        while stack:
            node = stack.pop()
            for p, o in report.predicate_objects(node):
                results.add((node, p, o))
                if isinstance(o, BNode) and p not in (SH.focusNode, SH.value):
                    stack.append(o)


def _reachable(shapes: Graph, shape: Node) -> set:
    """The nodes a shape refers to, and theirs (nested shapes, lists), but not its classes and paths."""
    return walk([shape], lambda node: [o for p, o in shapes.predicate_objects(node)
                                        if isinstance(o, URIRef | BNode) and p not in (RDF.type, SH.path,
                                                                                       SH.targetClass)])


def _key(graph: Graph, result) -> tuple:
    return tuple(graph.value(result, p) for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent,
                                                  SH.value, SH.resultSeverity))
