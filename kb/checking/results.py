"""Validation results as data: one run, its profile, and each finding linked to record, shape and provision.

A result keeps the SHACL terms (`sh:ValidationResult`, `sh:focusNode`, `sh:sourceShape`, `sh:resultSeverity`)
and adds what analysts group by: the provision and its article, the record, the record's local date and the
unit that organised it. The run is a `prov:Activity` with its profile and chosen readings, so results of many
runs can live side by side in one store and be queried across runs.

A run kept for later (`kb validate --results`, `--save-results`) is named by its time and carries it. A run
that is part of a published dataset (`kb serve`, `kb export`) is named after its inputs (`run_of`: the records'
canonical form, the sources, the readings and the kb version) and carries no time, so the same records give the
same dataset, byte for byte, and the same canonical hash; the export's time is in void.ttl, outside the data.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD

from kb import __version__, resources
from kb.checking.findings import Finding
from kb.checking.pipeline import Outcome
from kb.namespaces import DXD, DXO, ELI, bind_prefixes
from kb.reasoning.in_force import record_date


def new_run() -> URIRef:
    """A fresh, sortable run IRI: the UTC time and a random suffix."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return DXD[f"run/{stamp}-{uuid.uuid4().hex[:8]}"]


def run_of(outcome: Outcome) -> URIRef:
    """The run IRI named after what the run read: the same records (by their RDFC-1.0 canonical form, whatever
    their blank nodes are called), sources, readings and kb version give the same IRI."""
    digest = hashlib.sha256(f"kb {__version__}\n".encode())
    for part in sorted(str(choice.iri) for choice in outcome.choices):
        digest.update(f"choice {part}\n".encode())
    for source in sorted(set(outcome.batch.graphs) | {e.source for e in outcome.errors}):
        digest.update(f"source {source}\n".encode())
    records = ox.Dataset(ox.parse(outcome.batch.union().serialize(format="nt", encoding="utf-8"),
                                  format=ox.RdfFormat.N_TRIPLES))
    records.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    digest.update(b"".join(sorted(ox.serialize(records, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True))))
    return DXD[f"run/{digest.hexdigest()[:16]}"]


def _article(provision: URIRef) -> URIRef | None:
    regulation = resources.regulation()
    node = provision
    while node is not None and (node, RDF.type, DXO.Article) not in regulation:
        node = regulation.value(node, ELI.is_part_of)
    return node


def _result_iri(run: URIRef, *parts: str) -> URIRef:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return URIRef(f"{run}/result/{digest}")


def _blank_key(described: Graph, node: BNode) -> str:
    """What tells a blank node apart without its label (which changes on every read): its own statements, with
    other blank nodes left unnamed."""
    def name(term) -> str:
        return "_:" if isinstance(term, BNode) else term.n3()

    return "\n".join(sorted([f"{name(p)} {name(o)}" for p, o in described.predicate_objects(node)]
                            + [f"^{name(p)} {name(s)}" for s, p in described.subject_predicates(node)]))


def _value(described: Graph, value: str | None):
    """A finding's value as a term: the blank node of the records it names (a finding gives its label), an IRI,
    or a literal."""
    if value is None:
        return None
    if (BNode(value), None, None) in described or (None, None, BNode(value)) in described:
        return BNode(value)
    return URIRef(value) if value.startswith("http") else Literal(value)


def add_result(graph: Graph, result, f: Finding, value) -> None:
    """A finding as a SHACL validation result that also names its record, provision, limit, source, justification
    and missing fact: the statements the stored results and the Turtle report share."""
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.focusNode, BNode(f.focus[2:]) if f.focus.startswith("_:") else URIRef(f.focus)))
    graph.add((result, DXO.record, URIRef(f.record)))
    graph.add((result, SH.sourceShape, URIRef(f.shape)))
    graph.add((result, SH.resultSeverity, SH[f.severity]))
    graph.add((result, DXO.provision, URIRef(f.provision)))
    graph.add((result, SH.resultMessage, Literal(f.message_zh, lang="zh")))
    graph.add((result, SH.resultMessage, Literal(f.message_en, lang="en")))
    if value is not None:
        graph.add((result, SH.value, value))
    if f.limit:
        graph.add((result, DXO.limit, Literal(f.limit)))
    if f.source:
        graph.add((result, DXO.sourceFile, Literal(f.source)))
    if f.justification is not None:
        graph.add((result, DXO.justification, Literal(f.justification, lang="zh")))
        graph.add((result, DXO.originalSeverity, SH[f.original_severity]))
    if f.missing:
        graph.add((result, DXO.missingFact, URIRef(f.missing)))


def results_graph(outcome: Outcome, run: URIRef | None = None, started: datetime | None = None,
                  ended: datetime | None = None) -> Graph:
    """The run and its findings as RDF, ready to be stored next to the records they are about.

    With no `run`, the run is named after its inputs (`run_of`); its times are written only when given (or when
    `started` is, `ended` then being now), so the same records give the same graph."""
    run = run or run_of(outcome)
    timed = started is not None or ended is not None
    ended = ended or datetime.now(UTC)
    started = started or ended
    described = outcome.batch.union() + outcome.inferred
    graph = bind_prefixes(Graph())
    graph.add((run, RDF.type, DXO.ValidationRun))
    graph.add((run, RDF.type, PROV.Activity))
    if timed:
        graph.add((run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
        graph.add((run, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    graph.add((run, DXO.engineVersion, Literal(f"kb {__version__}")))
    graph.add((run, DXO.conforms, Literal(not outcome.findings)))
    for choice in outcome.choices:
        graph.add((run, DXO.choice, choice.iri))
    for source in sorted(set(outcome.batch.graphs) | {e.source for e in outcome.errors}):
        graph.add((run, DXO.sourceFile, Literal(source)))
    seen: dict[tuple[str, ...], int] = {}
    for f in outcome.findings:
        focus = _blank_key(described, BNode(f.focus[2:])) if f.focus.startswith("_:") else f.focus
        value = _value(described, f.value)
        key = (focus, f.shape, _blank_key(described, value) if isinstance(value, BNode) else f.value or "",
               f.message_en)
        seen[key] = seen.get(key, -1) + 1  # two blank nodes alike in every statement: told apart by their count
        result = _result_iri(run, *key, *([str(seen[key])] if seen[key] else []))
        record = URIRef(f.record)
        add_result(graph, result, f, value)
        graph.add((result, PROV.wasGeneratedBy, run))
        graph.add((result, DXO.run, run))
        article = _article(URIRef(f.provision))
        if article is not None:
            graph.add((result, DXO.article, article))
        when = record_date(described, record)
        if when is not None:
            graph.add((result, DXO.recordDate, Literal(when.isoformat(), datatype=XSD.date)))
        unit = described.value(record, DXO.organiser)
        if unit is not None:
            graph.add((result, DXO.unit, unit))
        if timed:
            graph.add((result, DCTERMS.created, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    return graph
