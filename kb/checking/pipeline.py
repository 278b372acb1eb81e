"""The validation pipeline: read records, infer into a separate graph, validate, explain.

    records ──► load ──► infer (derived facts + OWL 2 RL, own graph) ──► SHACL ──► findings

Two SHACL engines give the same results (tests compare them on every case, the examples, the benchmark sample
and the W3C suite): "fast", the shapes compiled to SPARQL and run set-at-a-time on Oxigraph (kb.checking.compiler), the
default; and "pyshacl", the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from rdflib import BNode, Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF

from kb import resources
from kb.checking import compiler, sparql_text
from kb.checking import engine as fast_engine
from kb.checking.findings import Finding, findings_from
from kb.checking.missing import open_world
from kb.namespaces import DXO, DXS
from kb.reasoning import readings
from kb.reasoning.calendar import days_for, days_ntriples
from kb.reasoning.in_force import NotInForce, act_applies_from, in_force, record_date
from kb.reasoning.infer import infer
from kb.reasoning.readings import Choice
from kb.records.batch import Batch, InputError
from kb.records.load import read


@dataclass
class Outcome:
    """Everything one validation run produced."""

    batch: Batch
    inferred: Graph
    results: Graph
    choices: tuple[Choice, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    not_in_force: list[NotInForce] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the files that gave records
    records: set[str] = field(default_factory=set)  # the records read (their IRIs)
    partitions: int = 1  # more than one: validated in partitions, and `batch` holds no graphs (kb.checking.partitions)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of a run in partitions

    def __post_init__(self) -> None:
        if self.batch.graphs and not self.sources:
            self.sources = list(self.batch.graphs)
        if self.batch.graphs and not self.records:
            self.records = {str(s) for graph in self.batch.graphs.values() for s in graph.subjects(RDF.type)
                            if isinstance(s, URIRef)}

    @property
    def errors(self) -> list[InputError]:
        return self.batch.errors


def shape_parameters(shapes: Graph) -> Graph:
    """The shapes' own dxs: settings (limits, classes), which the shared SPARQL constraints read."""
    params = set(shapes.objects(None, DXS.parameter))
    found = Graph()
    for param in params:
        for triple in shapes.triples((None, param, None)):
            found.add(triple)
    return found


Engine = Literal["fast", "pyshacl"]
ENGINES = ("fast", "pyshacl")


@cache
def compiled_shapes(choices: tuple[Choice, ...]) -> compiler.Plan:
    """The shapes of these readings compiled to SPARQL, kept on disk: compiling, and importing pySHACL for its
    SPARQL rules, were a fifth of a second of every fresh `kb` process. The plan names the shapes' blank nodes, so
    their labels are part of the key: a shapes graph read with other labels gets a plan of its own."""
    shapes = readings.shapes(choices)
    labels = sorted({str(node) for triple in shapes for node in triple if isinstance(node, BNode)})
    key = (readings.shapes_key(choices) + resources.files_key([Path(compiler.__file__), Path(sparql_text.__file__)])
           + "\0".join(labels).encode())
    return resources.kept("compiled-shapes", key, lambda: compiler.compile_shapes(shapes))


def validate_graph(data: Graph, choices: tuple[Choice, ...] | None = None,
                   engine: Engine = "fast", progress: fast_engine.Progress | None = None,
                   inferred: Graph | None = None) -> tuple[Graph, Graph]:
    """Validate `data` (not changed) under the chosen readings; return the inferred graph and the SHACL results.
    `inferred`: what `infer` gave for `data`, when the caller has it already."""
    choices = choices or readings.resolve()
    shapes = readings.shapes(choices)
    inferred = infer(data, choices) if inferred is None else inferred
    if engine == "fast":  # straight into Oxigraph: the view is never built as an rdflib graph
        described = ReadOnlyGraphAggregate([data, inferred])
        backend = fast_engine.OxigraphBackend()
        for part in (data, inferred, shape_parameters(shapes)):
            backend.load_ntriples(part.serialize(format="nt", encoding="utf-8"))
        backend.load_ntriples(days_ntriples(described))
        report = fast_engine.validate(described, shapes, backend=backend, plan=compiled_shapes(choices),
                                    whole_view=lambda: validation_view(data, inferred, shapes), progress=progress)
        return inferred, report.results
    view = validation_view(data, inferred, shapes)
    return inferred, shacl_results(view, choices, engine)


def validation_view(data: Graph, inferred: Graph, shapes: Graph) -> Graph:
    """What the shapes see: the records, what was inferred, the shapes' limits and the calendar days needed."""
    view = Graph()
    view += data
    view += inferred
    view += shape_parameters(shapes)
    view += days_for(view)
    return view


def shacl_results(view: Graph, choices: tuple[Choice, ...], engine: Engine = "fast") -> Graph:
    """The SHACL results graph (pySHACL's form) of the view, by either engine."""
    shapes = readings.shapes(choices)
    if engine == "fast":
        return fast_engine.validate(view, shapes, plan=compiled_shapes(choices)).results
    if engine != "pyshacl":
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    import pyshacl  # the reference only: its import is a tenth of a second of every `kb` process

    _, results, _ = pyshacl.validate(
        view,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
        abort_on_first=False,
    )
    if not isinstance(results, Graph):  # pySHACL returns a ValidationFailure for a broken shape
        raise RuntimeError(f"the shapes could not be run: {results}")
    return results


def validate_paths(paths: list[str], stdin=None, choices: tuple[Choice, ...] | None = None,
                   engine: Engine = "fast", progress: fast_engine.Progress | None = None) -> Outcome:
    """Validate every readable record of `paths` together, so records can refer to each other."""
    return validate_batch(read(paths, stdin=stdin), choices, engine, progress)


def validate_batch(batch: Batch, choices: tuple[Choice, ...] | None = None, engine: Engine = "fast",
                   progress: fast_engine.Progress | None = None) -> Outcome:
    """Validate records already read (from files, or from the store) together."""
    choices = choices or readings.resolve()
    data = batch.union()
    inferred, results = validate_graph(data, choices, engine, progress)
    return outcome_of(batch, data, inferred, results, choices)


def outcome_of(batch: Batch, data: Graph, inferred: Graph, results: Graph, choices: tuple[Choice, ...]) -> Outcome:
    """The run's outcome from its SHACL results, wherever they were computed: findings explained, and judged by
    the provisions in force on each record's date. A judgement that rested on a fact the record does not carry
    becomes a missing-fact result (kb/checking/missing.py)."""
    described = ReadOnlyGraphAggregate([data, inferred])
    results = open_world(results, described, readings.shapes(choices))
    outcome = Outcome(batch, inferred, results, choices)
    outcome.findings, outcome.not_in_force = judge_in_time(
        findings_from(results, data, inferred, batch, choices), described)
    return outcome


def _event_date(described: Graph, record):
    """Only an event has a date to be judged by; a person or a unit is judged by the provisions in force now."""
    return record_date(described, record) if (record, RDF.type, DXO.Event) in described else None


def judge_in_time(findings: list[Finding], described: Graph) -> tuple[list[Finding], list[NotInForce]]:
    """Keep the findings of provisions in force on each record's date; events before the act are not in force."""
    regulation = resources.regulation()
    applies_from = act_applies_from(regulation)
    early = {}
    for event in set(described.subjects(RDF.type, DXO.Event)):
        when = record_date(described, event)
        if applies_from and when and when < applies_from and isinstance(event, URIRef):
            early[str(event)] = NotInForce(str(event), when.isoformat(), applies_from.isoformat())
    kept = [f for f in findings if f.record not in early
            and in_force(regulation, URIRef(f.provision), _event_date(described, URIRef(f.record)))]
    return kept, sorted(early.values(), key=lambda n: n.record)
