"""`kb explain`: the chain behind each finding of a record, from the recorded facts to the clause.

    recorded facts ─► derived facts and inferred situation ─► shape ─► provision and clause ─► limit vs value

Everything is read from the graphs of the run: the records, the inferred graph, the shapes and the regulation.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kb import resources
from kb.checking.findings import Explainer, Finding
from kb.checking.pipeline import Outcome
from kb.namespaces import DXO
from kb.reasoning import readings


def _focus(finding: Finding):
    return BNode(finding.focus[2:]) if finding.focus.startswith("_:") else URIRef(finding.focus)


def _facts(explainer: Explainer, graph: Graph, node, lang_pair=("zh", "en")) -> list[str]:
    lines = []
    for prop, value in sorted(graph.predicate_objects(node), key=lambda po: str(po[0])):
        if prop == RDF.type or isinstance(value, BNode):
            continue
        label = " / ".join(dict.fromkeys(explainer.label(prop, lang) for lang in lang_pair))
        shown = str(value) if isinstance(value, Literal) else explainer.label(value, "zh")
        lines.append(f"{label}: {shown}")
    return lines


def _computed(inferred: Graph, node) -> Graph:
    """The values the engine computed (durations, local dates, counts), not the closure's echoes of records."""
    computed = Graph()
    for prop, value in inferred.predicate_objects(node):
        if isinstance(value, Literal) and str(prop).startswith(str(DXO)):
            computed.add((node, prop, value))
    return computed


def _situations(explainer: Explainer, inferred: Graph, node) -> list[str]:
    ontology = resources.ontology()
    found = []
    for cls in sorted(inferred.objects(node, RDF.type), key=str):
        if (cls, RDFS.subClassOf, DXO.Situation) in ontology:
            found.append(f"{explainer.label(cls, 'zh')} / {explainer.label(cls, 'en')}")
    return found


def explain(outcome: Outcome, record: str) -> str:
    """The chain for every finding of `record` (an IRI), as indented text."""
    findings = [f for f in outcome.findings if f.record == record]
    data = outcome.batch.union()
    shapes = readings.shapes(outcome.choices or readings.resolve())
    explainer = Explainer(data, outcome.inferred, shapes)
    title = explainer.label(URIRef(record), "zh")
    lines = [f"{record}  {title}"]
    if not findings:
        lines.append("  无结论 / no findings for this record" if (URIRef(record), None, None) in data
                     else "  无此记录 / no such record in the input")
        return "\n".join(lines) + "\n\n"
    for number, finding in enumerate(findings, 1):
        focus = _focus(finding)
        shape = URIRef(finding.shape)
        lines.append(f"  [{number}] {finding.severity}  {finding.notation}  {finding.message_zh}")
        where = "" if focus == URIRef(record) else f" ({explainer.label(focus, 'zh')})"
        lines.append(f"      1 记录的事实 / recorded facts{where}:")
        lines += [f"          {fact}" for fact in _facts(explainer, data, focus)] or ["          (none)"]
        derived = _facts(explainer, _computed(outcome.inferred, focus), focus)
        if derived:
            lines.append("      2 推导的事实 / derived facts:")
            lines += [f"          {fact}" for fact in derived]
        situations = _situations(explainer, outcome.inferred, focus)
        lines.append("      3 推理出的情形 / inferred situation: "
                     + ("; ".join(situations) if situations else f"{finding.situation_zh} / {finding.situation_en}"))
        lines.append(f"      4 规则 / shape: {finding.shape.rsplit('/', 1)[-1]}  "
                     f"{explainer.label(shape, 'zh')} / {explainer.label(shape, 'en')}")
        comment = shapes.value(shape, RDFS.comment)
        if comment:
            lines.append(f"          reading: {comment}")
        lines.append(f"      5 条款 / provision: {finding.notation} 第{finding.article}条")
        lines.append(f"          {finding.clause_zh}")
        lines.append(f"          {finding.clause_en}")
        value = finding.value_label or finding.value
        lines.append(f"      6 限值与实际 / limit and value: limit {finding.limit or '-'}; value {value or '-'}")
        if finding.justification:
            lines.append(f"          lowered from {finding.original_severity}: {finding.justification}")
        for reading in finding.readings:
            lines.append(f"          reading: {reading}")
    return "\n".join(lines) + "\n\n"
