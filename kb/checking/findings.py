"""Turn pySHACL results into findings that trace to the text: article, clause, value, limit, severity.

Everything a finding says comes from RDF: the shape names its provision (`dxs:implements`), the provision
carries the verbatim clause, and the limit is read from the shape's own parameters. A result whose record
carries a recorded exception for the provision takes the shape's `dxs:severityWhenJustified`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kb import resources
from kb.checking.missing import MISSING_FACT
from kb.namespaces import DXO, DXS, ELI
from kb.reasoning import readings
from kb.reasoning.readings import Choice
from kb.records.batch import Batch
from kb.records.triples import owner

_IRI = re.compile(r"https?://[^\s,;)]+")
SEVERITY_RANK = {SH.Info: 0, SH.Warning: 1, SH.Violation: 2}
SEVERITY_NAMES = {SH.Info: "Info", SH.Warning: "Warning", SH.Violation: "Violation"}
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DXO.title)


@dataclass
class Finding:
    """One validation result, explained."""

    record: str
    record_label: str
    focus: str
    shape: str
    provision: str
    notation: str
    article: int | None
    clause_zh: str
    clause_en: str
    severity: str
    message_zh: str
    message_en: str
    path: str | None = None
    value: str | None = None
    value_label: str | None = None
    limit: str | None = None
    situation_zh: str | None = None
    situation_en: str | None = None
    source: str | None = None
    justification: str | None = None
    original_severity: str | None = None
    missing: str | None = None  # the fact (property IRI) not recorded, on a missing-fact result
    readings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value not in (None, [], "")}


@cache
def _knowledge(shapes: Graph) -> Graph:
    """Ontology, vocabularies, regulation and shapes as one graph, per shapes graph (per profile): a view, since
    copying their 12,000 triples cost every `kb` process half a second."""
    return ReadOnlyGraphAggregate([resources.ontology(), resources.vocabularies(), resources.regulation(), shapes])


def _remembered(method):
    """Keep a lookup's answer for the explainer's life: its graphs do not change while it explains a run, and a
    batch asks the same labels, clauses and limits for thousands of findings."""
    name = method.__name__

    def lookup(self, *args):
        key = (name, *args)
        if key not in self._answers:
            self._answers[key] = method(self, *args)
        return self._answers[key]

    lookup.__doc__, lookup.__name__ = method.__doc__, name
    return lookup


class Explainer:
    """Looks up labels, provisions and limits in the knowledge base's own graphs."""

    def __init__(self, data: Graph, inferred: Graph, shapes: Graph):
        self.kb = _knowledge(shapes)
        self.data = ReadOnlyGraphAggregate([data, inferred])  # a view, not a copy: batches are large
        self.data.namespace_manager = data.namespace_manager
        self.shapes = shapes
        self._answers: dict[tuple, object] = {}

    @_remembered
    def label(self, node, lang: str = "zh") -> str:
        for graph in (self.data, self.kb):  # of several labels, the first in order: the same in every run
            for prop in LABEL_PROPERTIES:
                values = sorted(graph.objects(node, prop), key=str)
                for value in values:
                    if isinstance(value, Literal) and value.language == lang:
                        return str(value)
                if values:
                    return str(values[0])
        if isinstance(node, Literal):
            return str(node)
        if isinstance(node, BNode):
            return self._describe(node, lang)
        return self.data.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)

    def named(self, message: str, lang: str) -> str:
        """Replace the IRIs a SPARQL message quotes with their labels, where the records give one."""
        return _IRI.sub(lambda m: self.label(URIRef(m.group(0)), lang), message)

    def _describe(self, node: BNode, lang: str) -> str:
        """A blank node (a speech, a meal, an item) by its kind and the person or name it names."""
        kind = min(self.data.objects(node, DXO.kind), key=str, default=None)
        who = min(self.data.objects(node, DXO.speaker), key=str, default=None) or min(
            self.data.objects(node, DXO.participant), key=str, default=None)
        minutes = self.data.value(node, DXO.durationMinutes)
        parts = [self.label(kind, lang) if kind else ("记录" if lang == "zh" else "entry")]
        if who is not None:
            parts.append(self.label(who, lang))
        if minutes is not None:
            parts.append(f"{minutes} 分钟" if lang == "zh" else f"{minutes} min")
        return " ".join(parts)

    @_remembered
    def text(self, node, prop, lang: str) -> str:
        for value in sorted(self.kb.objects(node, prop), key=str):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
        return ""

    @_remembered
    def article_of(self, provision) -> int | None:
        node = provision
        for _ in range(4):
            if (node, RDF.type, DXO.Article) in self.kb:
                number = self.kb.value(node, ELI.number)
                return int(number) if number is not None else None
            node = self.kb.value(node, ELI.is_part_of)
            if node is None:
                return None
        return None

    @_remembered
    def limit(self, shape, component, focus) -> str | None:
        """The limit the shape sets, read from its own parameters."""
        name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        if name == "SPARQL":
            params = [p for c in self.shapes.objects(shape, SH.sparql) for p in self.shapes.objects(c, DXS.parameter)]
            limits = [f"{str(p).rsplit('/', 1)[-1]} = {value}" for p in params
                      if isinstance(value := self.shapes.value(shape, p), Literal)]
            return ", ".join(limits) or None
        if name in ("MaxInclusive", "MaxExclusive", "MinInclusive", "MinExclusive"):
            symbol = {"MaxInclusive": "≤", "MaxExclusive": "<", "MinInclusive": "≥", "MinExclusive": ">"}[name]
            return f"{symbol} {self.shapes.value(shape, SH[name[0].lower() + name[1:]])}"
        if name in ("MinCount", "MaxCount"):
            word = "at least" if name == "MinCount" else "at most"
            return f"{word} {self.shapes.value(shape, SH[name[0].lower() + name[1:]])}"
        if name == "In":
            members = Collection(self.shapes, self.shapes.value(shape, SH["in"]))
            return "one of: " + ", ".join(self.label(m) for m in members)
        if name == "Not":
            return "not " + self._shape_summary(self.shapes.value(shape, SH["not"]))
        if name == "LessThanOrEquals":
            other = self.shapes.value(shape, SH.lessThanOrEquals)
            bound = self.data.value(focus, other)
            return f"≤ {self.label(other, 'en')} ({bound})" if bound is not None else f"≤ {self.label(other, 'en')}"
        return None

    @_remembered
    def provision(self, shape) -> URIRef | None:
        """The provision the shape implements."""
        return self.shapes.value(shape, DXS.implements)

    @_remembered
    def situation(self, shape, lang: str) -> str | None:
        """The situation that made the shape apply: its target class, which owlrl inferred from the record."""
        target = self.shapes.value(shape, SH.targetClass)
        if target is None:
            target = self.shapes.value(shape, SH.targetObjectsOf)
        return self.label(target, lang) if target is not None else None

    def _shape_summary(self, shape) -> str:
        if (value := self.shapes.value(shape, SH.hasValue)) is not None:
            return self.label(value)
        if (cls := self.shapes.value(shape, SH["class"])) is not None:
            return self.label(cls)
        return self.label(shape)


def findings_from(results: Graph, data: Graph, inferred: Graph, batch: Batch | None = None,
                  choices: tuple[Choice, ...] | None = None) -> list[Finding]:
    """Explain every result of a pySHACL results graph."""
    choices = choices or readings.resolve()
    explain = Explainer(data, inferred, readings.shapes(choices))
    findings = []
    described: dict[str, list[str]] = {}  # per provision: the readings it rests on, described once
    for result in results.subjects(RDF.type, SH.ValidationResult):
        finding = _finding(results, result, explain, data, batch)
        if finding.provision not in described:
            described[finding.provision] = [
                c.describe() for c in readings.readings_for(URIRef(finding.provision), choices)]
        finding.readings = list(described[finding.provision])
        findings.append(finding)
    findings.sort(key=finding_order)
    return findings


def finding_order(f: Finding) -> tuple:
    """The order reports list findings in: by file, record, provision and shape."""
    return (f.source or "", f.record, f.notation, f.shape, f.value or "")


def _finding(results: Graph, result, explain: Explainer, data: Graph, batch: Batch | None) -> Finding:
    said: dict = {}  # the result's properties, read in one pass over its triples
    for predicate, obj in results.predicate_objects(result):
        said.setdefault(predicate, []).append(obj)
    focus, shape, component, value, path, severity = (
        said.get(p, (None,))[0] for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.value,
                                          SH.resultPath, SH.resultSeverity))
    provision = explain.provision(shape)
    record = owner(data, focus)
    messages = {}
    for message in said.get(SH.resultMessage, ()):
        lang = message.language or _language(str(message))
        messages[lang] = explain.named(str(message), lang)
    if value == focus:
        value = None  # pySHACL's default for node-level SPARQL results says nothing new
    article = explain.article_of(provision) if provision is not None else None
    finding = Finding(
        record=str(record),
        record_label=explain.label(record),
        focus=focus.n3() if isinstance(focus, BNode) else str(focus),
        shape=str(shape),
        provision=str(provision),
        notation=str(explain.kb.value(provision, SKOS.notation) or ""),
        article=article,
        clause_zh=explain.text(provision, DXO.text, "zh"),
        clause_en=explain.text(provision, DXO.text, "en"),
        severity=SEVERITY_NAMES.get(severity, str(severity)),
        message_zh=_with_article(messages.get("zh", ""), article, "zh"),
        message_en=_with_article(messages.get("en", messages.get(None, "")), article, "en"),
        path=explain.label(path, "en") if isinstance(path, URIRef) else _path_text(explain, path, results),
        value=_plain(value),
        value_label=explain.label(value) if value is not None else None,
        limit=explain.limit(shape, component, focus),
        situation_zh=explain.situation(shape, "zh"),
        situation_en=explain.situation(shape, "en"),
        source=batch.source_of(record) if batch else None,
    )
    if component == MISSING_FACT:
        finding.missing = str(path)
        return finding
    justification = _justification(data, record, provision)
    lowered = explain.shapes.value(shape, DXS.severityWhenJustified)
    if justification is not None and lowered is not None:
        finding.original_severity, finding.severity = finding.severity, SEVERITY_NAMES[lowered]
        finding.justification = justification
    return finding


_HAN = re.compile("[\u4e00-\u9fff]")


def _language(text: str) -> str:
    """pySHACL drops the language tag of SPARQL-based messages; our messages are zh or en."""
    return "zh" if _HAN.search(text) else "en"


def _justification(data: Graph, record, provision) -> str | None:
    for exception in data.objects(record, DXO.exception):
        if (exception, DXO.forProvision, provision) in data:
            return str(data.value(exception, DXO.justification) or "")
    return None


def _with_article(message: str, article: int | None, lang: str) -> str:
    prefix = (f"第{article}条" if lang == "zh" else f"Article {article}") if article else ""
    if not prefix or message.startswith(prefix):
        return message
    return f"{prefix}: {message}"


def _path_text(explain: Explainer, path, results: Graph) -> str | None:
    if path is None:
        return None
    try:
        return " / ".join(explain.label(step, "en") for step in Collection(results, path))
    except Exception:
        return str(path)


def _plain(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Literal) and isinstance(value.toPython(), Decimal):
        return format(value.toPython().normalize(), "f")
    return str(value)
