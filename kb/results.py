"""Validation results as data: one run, its profile, and each finding linked to record, shape and provision.

A result keeps the SHACL terms (`sh:ValidationResult`, `sh:focusNode`, `sh:sourceShape`, `sh:resultSeverity`)
and adds what analysts group by: the provision and its article, the record, the record's local date and the
unit that organised it. The run is a `prov:Activity` with its time, profile and chosen readings, so results
of many runs can live side by side in one store and be queried across runs.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD

from kb import __version__, resources
from kb.in_force import record_date
from kb.namespaces import DXD, DXO, ELI, bind_prefixes
from kb.validate import Outcome


def new_run() -> URIRef:
    """A fresh, sortable run IRI: the UTC time and a random suffix."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return DXD[f"run/{stamp}-{uuid.uuid4().hex[:8]}"]


def _article(provision: URIRef) -> URIRef | None:
    regulation = resources.regulation()
    node = provision
    while node is not None and (node, RDF.type, DXO.Article) not in regulation:
        node = regulation.value(node, ELI.is_part_of)
    return node


def _result_iri(run: URIRef, *parts: str) -> URIRef:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return URIRef(f"{run}/result/{digest}")


def results_graph(outcome: Outcome, run: URIRef | None = None, started: datetime | None = None,
                  ended: datetime | None = None) -> Graph:
    """The run and its findings as RDF, ready to be stored next to the records they are about."""
    run = run or new_run()
    ended = ended or datetime.now(UTC)
    started = started or ended
    described = outcome.batch.union() + outcome.inferred
    graph = bind_prefixes(Graph())
    graph.add((run, RDF.type, DXO.ValidationRun))
    graph.add((run, RDF.type, PROV.Activity))
    graph.add((run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    graph.add((run, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    graph.add((run, DXO.engineVersion, Literal(f"kb {__version__}")))
    graph.add((run, DXO.conforms, Literal(not outcome.findings)))
    for choice in outcome.choices:
        graph.add((run, DXO.choice, choice.iri))
    for source in sorted(set(outcome.batch.graphs) | {e.source for e in outcome.errors}):
        graph.add((run, DXO.sourceFile, Literal(source)))
    for f in outcome.findings:
        result = _result_iri(run, f.focus, f.shape, f.value or "", f.message_en)
        record = URIRef(f.record)
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, PROV.wasGeneratedBy, run))
        graph.add((result, DXO.run, run))
        graph.add((result, SH.focusNode, BNode(f.focus[2:]) if f.focus.startswith("_:") else URIRef(f.focus)))
        graph.add((result, DXO.record, record))
        graph.add((result, SH.sourceShape, URIRef(f.shape)))
        graph.add((result, SH.resultSeverity, SH[f.severity]))
        graph.add((result, DXO.provision, URIRef(f.provision)))
        article = _article(URIRef(f.provision))
        if article is not None:
            graph.add((result, DXO.article, article))
        graph.add((result, SH.resultMessage, Literal(f.message_zh, lang="zh")))
        graph.add((result, SH.resultMessage, Literal(f.message_en, lang="en")))
        if f.value is not None:
            graph.add((result, SH.value, URIRef(f.value) if f.value.startswith("http") else Literal(f.value)))
        if f.limit:
            graph.add((result, DXO.limit, Literal(f.limit)))
        if f.source:
            graph.add((result, DXO.sourceFile, Literal(f.source)))
        if f.justification is not None:
            graph.add((result, DXO.justification, Literal(f.justification, lang="zh")))
            graph.add((result, DXO.originalSeverity, SH[f.original_severity]))
        if f.missing:
            graph.add((result, DXO.missingFact, URIRef(f.missing)))
        when = record_date(described, record)
        if when is not None:
            graph.add((result, DXO.recordDate, Literal(when.isoformat(), datatype=XSD.date)))
        unit = described.value(record, DXO.organiser)
        if unit is not None:
            graph.add((result, DXO.unit, unit))
        graph.add((result, DCTERMS.created, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    return graph
