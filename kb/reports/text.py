"""Write a validation outcome as text for people, JSON for programs, or Turtle for the knowledge base."""

from __future__ import annotations

import json
from itertools import groupby

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from kb.checking.pipeline import Outcome
from kb.checking.results import add_result
from kb.namespaces import DXO, bind_prefixes
from kb.reports.summary import summary


def _profile(outcome: Outcome) -> dict:
    return {
        "settings": {c.setting: c.alternative for c in outcome.choices},
        "not_default": [c.describe() for c in outcome.choices if not c.is_default],
    }


def as_json(outcome: Outcome) -> str:
    document = {
        "summary": summary(outcome),
        "profile": _profile(outcome),
        "input_errors": [{"source": e.source, "line": e.line, "field": e.field, "message": e.message}
                         for e in outcome.errors],
        "findings": [f.as_dict() for f in outcome.findings],
        "not_in_force": [{"record": n.record, "record_date": n.record_date, "applies_from": n.applies_from,
                          "message_zh": n.message("zh"), "message_en": n.message("en")} for n in outcome.not_in_force],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def as_text(outcome: Outcome) -> str:
    lines = []
    changed = [c for c in outcome.choices if not c.is_default]
    if changed:
        lines.append("Readings that differ from the default (data/profiles/settings.trig):")
        lines.extend(f"  {c.describe()}" for c in changed)
        lines.append("")
    for error in outcome.errors:
        lines.append(f"ERROR  {error}")
    if outcome.errors:
        lines.append("")
    for source, by_source in groupby(outcome.findings, key=lambda f: f.source or "(no source)"):
        lines.append(source)
        for (record, label), by_record in groupby(by_source, key=lambda f: (f.record, f.record_label)):
            lines.append(f"  {record}" + (f"  {label}" if label and "://" not in label else ""))
            for f in by_record:
                lines.append(f"    {f.severity:<9} {f.notation} 第{f.article}条 / Art. {f.article}   {_short(f.shape)}")
                lines.append(f"      条文  {f.clause_zh}")
                lines.append(f"      Text  {f.clause_en}")
                if f.situation_en:
                    lines.append(f"      applies to  {f.situation_zh} / {f.situation_en}")
                facts = []
                if f.path:
                    facts.append(f"{f.path}")
                if f.value_label or f.value:
                    facts.append(f"value {f.value_label or f.value}")
                if f.limit:
                    facts.append(f"limit {f.limit}")
                if facts:
                    lines.append("      " + "; ".join(facts))
                lines.append(f"      {f.message_zh}")
                lines.append(f"      {f.message_en}")
                for reading in f.readings:
                    lines.append(f"      reading  {reading}")
                if f.justification is not None:
                    lines.append(f"      lowered from {f.original_severity}: exception recorded: {f.justification}")
        lines.append("")
    if outcome.not_in_force:
        lines.append("Not in force (no verdict):")
        for n in outcome.not_in_force:
            lines.append(f"  {n.record}  {n.message('zh')} / {n.message('en')}")
        lines.append("")
    s = summary(outcome)
    lines.append(f"{s['sources']} source(s), {s['records']} record(s): {s['violation']} violation(s), "
                 f"{s['warning']} warning(s), {s['info']} info"
                 + (f" ({s['not_recorded']} of them a fact not recorded)" if s["not_recorded"] else "")
                 + f", {s['input_errors']} input error(s)"
                 + (f", {s['not_in_force']} not in force" if s["not_in_force"] else ""))
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    return "dxs:" + iri.rsplit("/", 1)[-1] if "/shape/" in iri else iri


def as_turtle(outcome: Outcome) -> str:
    """A SHACL validation report whose results also name their provision, limit and source."""
    graph = bind_prefixes(Graph())
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not outcome.findings)))
    for f in outcome.findings:
        result = BNode()
        graph.add((report, SH.result, result))
        value = None if f.value is None else URIRef(f.value) if f.value.startswith("http") else Literal(f.value)
        add_result(graph, result, f, value)
    for error in outcome.errors:
        node = BNode()
        graph.add((report, DXO.inputError, node))
        graph.add((node, DXO.sourceFile, Literal(error.source)))
        graph.add((node, RDFS.comment, Literal(error.message)))
        if error.line:
            graph.add((node, DXO.line, Literal(error.line, datatype=XSD.integer)))
        if error.field:
            graph.add((node, DXO.field, Literal(error.field)))
    return graph.serialize(format="turtle")
