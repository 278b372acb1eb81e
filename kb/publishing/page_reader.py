"""The page model (`page_model`) read from the dataset's store: one function for each part of a page, all through a
`Reader` that caches its lookups for the making of one page.

Every lookup is `Store.quads_for_pattern` with terms built from the IRI asked for, so nothing a visitor sends ever
becomes query text. Only http(s) IRIs and our own pages become links (never `javascript:`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kb.namespaces import BASE, DXO, DXS, ELI, SCHEMA
from kb.publishing.dataset import GRAPHS
from kb.publishing.page_model import (
    ArticleSummary,
    Chapter,
    Division,
    Finding,
    FindingRef,
    Incoming,
    Link,
    Provision,
    Row,
    Setting,
    Shape,
    Table,
    Term,
    Text,
    Value,
    local_name,
    page_href,
    prefixed,
)

INCOMING_CAP = 200
VALUES_CAP = 500  # values shown per property of one node; a record may be large, a page stays readable
FINDINGS_CAP = 200
NESTING_DEPTH = 6  # blank nodes deeper than this are named, not drawn


class _Terms:
    """pyoxigraph IRIs of one namespace: `dxo.text` is dxo:text, `sh["in"]` is sh:in."""

    def __init__(self, namespace: str):
        self._namespace = str(namespace)

    def __getattr__(self, local: str) -> ox.NamedNode:
        return ox.NamedNode(self._namespace + local)

    __getitem__ = __getattr__


dxo, dxs, eli, sh, schema = _Terms(DXO), _Terms(DXS), _Terms(ELI), _Terms(SH), _Terms(SCHEMA)
rdf, rdfs, owl, skos, dct = _Terms(RDF), _Terms(RDFS), _Terms(OWL), _Terms(SKOS), _Terms(DCTERMS)
PLAIN_DATATYPES = {str(RDF.langString), "http://www.w3.org/2001/XMLSchema#string"}

# Bilingual names for the external terms every page shows, which no graph of ours labels.
COMMON_LABELS = {
    str(RDF.type): ("类型", "type"), str(RDFS.label): ("标签", "label"), str(RDFS.comment): ("说明", "comment"),
    str(RDFS.subClassOf): ("上位类", "subclass of"), str(RDFS.domain): ("定义域", "domain"),
    str(RDFS.range): ("值域", "range"), str(SKOS.prefLabel): ("首选标签", "preferred label"),
    str(SKOS.altLabel): ("别名", "alternative label"), str(SKOS.definition): ("定义", "definition"),
    str(SKOS.broader): ("上位概念", "broader"), str(SKOS.inScheme): ("所属体系", "in scheme"),
    str(SKOS.notation): ("编号", "notation"), str(DCTERMS.subject): ("主题", "subject"),
    str(ELI.is_part_of): ("属于", "is part of"), str(ELI.has_part): ("包含", "has part"),
    str(ELI.number): ("序号", "number"), str(ELI.title): ("标题", "title"),
    str(ELI.first_date_entry_in_force): ("施行日期", "first date in force"),
    str(SH.message): ("提示信息", "message"), str(SH.severity): ("严重程度", "severity"),
    str(SH.targetClass): ("目标类", "target class"), str(SH.path): ("路径", "path"),
}
LABELS = (rdfs.label, skos.prefLabel, dct.title, eli.title, dxo.title, schema.name)
DEFINITIONS = (skos.definition, rdfs.comment, skos.scopeNote)
GRAPH_NAMES = {str(iri): name for name, iri in GRAPHS.items()}
GRAPH_LABELS = {
    "regulation": ("法规", "regulation"), "ontology": ("本体", "ontology"), "vocabularies": ("词表", "vocabularies"),
    "shapes": ("约束", "shapes"), "settings": ("解释设置", "interpretation settings"),
    "calendar": ("工作日历", "calendar"), "records": ("所记录的事实", "recorded facts"),
    "inferred": ("推断的事实", "inferred facts"), "results": ("校验结果", "validation results"),
    "": ("默认图", "default graph"),
}
# Constraint parameters a shape may set; the dxs: ones its SPARQL constraints read are found in the data.
SHAPE_PARAMETERS = {str(SH[p]) for p in (
    "minCount", "maxCount", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength",
    "maxLength", "pattern", "flags", "in", "hasValue", "class", "datatype", "nodeKind", "node", "not", "and", "or",
    "xone", "equals", "disjoint", "lessThan", "lessThanOrEquals", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "uniqueLang", "languageIn", "closed", "ignoredProperties")}
SHAPE_METADATA = {str(DXS[p]) for p in ("implements", "severityWhenJustified", "severityReason", "noShapeReason")}
SHAPE_TYPES = {str(SH.NodeShape), str(SH.PropertyShape)}
TARGETS = (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf, sh.target)
CLASS_TYPES = {str(OWL.Class), str(RDFS.Class)}
PROPERTY_TYPES = {str(RDF.Property), str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(OWL.AnnotationProperty)}
TERM_KINDS = {"class": ("类", "class"), "property": ("属性", "property"), "concept": ("概念", "concept"),
              "scheme": ("概念体系", "concept scheme")}


def _graph_name(graph) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else GRAPH_NAMES.get(graph.value, graph.value)


def _number(literal) -> int | None:
    try:
        return int(literal.value)
    except (AttributeError, ValueError):
        return None


class Reader:
    """The store through cached lookups, for the making of one page."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._labels: dict = {}
        self._exists: dict = {}
        self._chosen: set[str] | None = None

    def quads(self, s=None, p=None, o=None, graph=None) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(s, p, o, graph))

    def objects(self, s, p, graph=None) -> list:
        return sorted({q.object for q in self.store.quads_for_pattern(s, p, None, graph)}, key=str)

    def subjects(self, p, o, graph=None) -> list:
        return sorted({q.subject for q in self.store.quads_for_pattern(None, p, o, graph)}, key=str)

    def value(self, s, p, graph=None):
        found = self.objects(s, p, graph)
        return found[0] if found else None

    def has_type(self, node, cls, graph=None) -> bool:
        return next(self.store.quads_for_pattern(node, rdf.type, cls, graph), None) is not None

    def exists(self, node) -> bool:
        if node not in self._exists:
            self._exists[node] = any(next(self.store.quads_for_pattern(*pattern), None) is not None for pattern in
                                     ((node, None, None), (None, None, node), (None, node, None)))
        return self._exists[node]

    def text(self, node, *predicates) -> Text:
        """The first zh, en and untagged literal among `predicates`, in their order."""
        found = {"zh": "", "en": "", "plain": ""}
        for p in predicates:
            for o in self.objects(node, p):
                if isinstance(o, ox.Literal):
                    lang = (o.language or "").lower()
                    key = "zh" if lang.startswith("zh") else "en" if lang.startswith("en") else "plain"
                    found[key] = found[key] or o.value
        return Text(**found)

    def label(self, node) -> Text:
        if node not in self._labels:
            label = self.text(node, *LABELS)
            common = COMMON_LABELS.get(node.value) if not label and isinstance(node, ox.NamedNode) else None
            self._labels[node] = Text(*common) if common else label
        return self._labels[node]

    def title(self, node) -> Text:
        """The label, else the notation, else the IRI's last segment."""
        label = self.label(node)
        if label:
            return label
        notation = self.value(node, skos.notation)
        return Text(plain=notation.value if isinstance(notation, ox.Literal) else local_name(str(node.value)))

    def link(self, node) -> Link:
        iri = node.value
        if iri.startswith(BASE):
            return Link(iri, prefixed(iri) if prefixed(iri) != iri else iri[len(BASE):], self.label(node),
                        page_href(iri) if self.exists(node) else None)
        external = iri.startswith(("http://", "https://"))
        return Link(iri, prefixed(iri), self.label(node), iri if external else None, external)

    def links(self, nodes) -> list[Link]:
        return sorted((self.link(n) for n in nodes if isinstance(n, ox.NamedNode)), key=lambda lk: lk.name)

    def literals(self, node, p) -> list[Value]:
        return _sorted_values([self.draw(o) for o in self.objects(node, p) if isinstance(o, ox.Literal)])

    def severity(self, node) -> str:
        return local_name(node.value) if isinstance(node, ox.NamedNode) else ""

    def chosen(self) -> set[str]:
        """The alternatives the validation runs in the store were made under."""
        if self._chosen is None:
            self._chosen = {q.object.value for q in self.store.quads_for_pattern(None, dxo.choice, None, None)
                            if self.has_type(q.subject, dxo.ValidationRun)}
        return self._chosen

    # --- drawing nodes and their properties

    def draw(self, term, depth: int = 0, seen: frozenset = frozenset()) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value("iri", link=self.link(term))
        if isinstance(term, ox.Literal):
            datatype = "" if term.datatype.value in PLAIN_DATATYPES else prefixed(term.datatype.value)
            return Value("literal", text=term.value, lang=term.language or "", datatype=datatype)
        if isinstance(term, ox.BlankNode):
            if depth >= NESTING_DEPTH or term in seen:
                return Value("bnode", text="_:" + term.value)
            members = self.members(term)
            if members is not None:
                return Value("list", items=[self.draw(m, depth + 1, seen | {term}) for m in members])
            return Value("bnode", text="_:" + term.value, rows=self.rows(term, None, depth + 1, seen | {term}))
        return Value("literal", text=str(term))

    def members(self, node) -> list | None:
        """The members of an RDF list starting at `node`, or None if it is not a well-formed list."""
        members, seen = [], set()
        while node != rdf.nil:
            if node in seen or not isinstance(node, ox.BlankNode):
                return None
            seen.add(node)
            first, rest = self.objects(node, rdf.first), self.objects(node, rdf.rest)
            if len(first) != 1 or len(rest) != 1:
                return None
            members.append(first[0])
            node = rest[0]
        return members

    def rows(self, node, graph=None, depth: int = 0, seen: frozenset = frozenset(), only=None) -> list[Row]:
        """The node's properties in `graph` (all graphs when None), one row per predicate, types and labels first."""
        objects: dict = defaultdict(set)
        for q in self.store.quads_for_pattern(node, None, None, graph):
            if only is None or q.predicate.value in only:
                objects[q.predicate].add(q.object)
        rows = []
        for p, objs in objects.items():
            shown = sorted(objs, key=str)[:VALUES_CAP]
            rows.append(Row(self.link(p), _sorted_values([self.draw(o, depth, seen) for o in shown]),
                            len(objs) - len(shown)))
        first = [str(RDF.type), *(lk.value for lk in LABELS)]
        return sorted(rows, key=lambda r: (first.index(r.predicate.iri) if r.predicate.iri in first else len(first),
                                           r.predicate.name))


def _sorted_values(values: list[Value]) -> list[Value]:
    order = {"zh": 0, "en": 1}
    return sorted(values, key=lambda v: (v.kind != "literal", order.get(v.lang.split("-")[0].lower(), 2),
                                         v.link.name if v.link else v.text))


# --- the parts of a page -----------------------------------------------------------------------------------------


def read_tables(reader: Reader, node) -> list[Table]:
    """The node's properties, one table per graph, so a recorded fact reads apart from an inferred one."""
    order = list(GRAPH_LABELS)
    graphs = sorted({q.graph_name for q in reader.quads(node)},
                    key=lambda g: order.index(_graph_name(g)) if _graph_name(g) in order else len(order))
    tables = []
    for graph in graphs:
        name = _graph_name(graph)
        zh, en = GRAPH_LABELS.get(name, ("", name))
        tables.append(Table(name, Text(zh=zh, en=en), reader.rows(node, graph, seen=frozenset({node}))))
    return tables


def _owner(reader: Reader, node, steps: int = 5):
    """The IRI that reaches a blank node (through at most `steps` blank nodes), or None."""
    seen = set()
    while isinstance(node, ox.BlankNode) and steps and node not in seen:
        seen.add(node)
        parents = reader.quads(None, None, node)
        if not parents:
            return None
        node, steps = parents[0].subject, steps - 1
    return node if isinstance(node, ox.NamedNode) else None


def read_incoming(reader: Reader, node) -> tuple[int, list[Incoming]]:
    """How many statements point at the node, and the first INCOMING_CAP of them."""
    quads = reader.quads(None, None, node)
    quads.sort(key=lambda q: (q.predicate.value, isinstance(q.subject, ox.BlankNode), str(q.subject)))
    shown = []
    for q in islice(quads, INCOMING_CAP):
        subject, via = q.subject, isinstance(q.subject, ox.BlankNode)
        if via:
            subject = _owner(reader, subject)
        shown.append(Incoming(reader.link(subject) if subject is not None else None, reader.link(q.predicate),
                              _graph_name(q.graph_name), via))
    return len(quads), shown


def _ancestors(reader: Reader, node) -> list:
    """The divisions of the act that hold the node, the act first."""
    chain, seen = [], {node}
    parent = reader.value(node, eli.is_part_of)
    while isinstance(parent, ox.NamedNode) and parent not in seen:
        chain.append(parent)
        seen.add(parent)
        parent = reader.value(parent, eli.is_part_of)
    return chain[::-1]


def _article_of(reader: Reader, node) -> tuple[int | None, object]:
    for division in [node, *_ancestors(reader, node)[::-1]]:
        if reader.has_type(division, dxo.Article):
            return _number(reader.value(division, eli.number)), division
    return None, None


def _article_link(reader: Reader, number: int | None, article) -> Link | None:
    """The article's place in the catalogue, named by its number and titled by its heading."""
    if number is None:
        return None
    return Link(article.value, f"第{number}条 / Art. {number}", reader.text(article, eli.title),
                f"/catalogue/article/{number}")


def _crumbs(reader: Reader, node) -> list[Link]:
    """The divisions above a node, each named by its notation and titled by its heading if it has one."""
    return [Link(d.value, _notation(reader, d), reader.text(d, eli.title), page_href(d.value))
            for d in _ancestors(reader, node)]


def _notation(reader: Reader, node) -> str:
    notation = reader.value(node, skos.notation)
    return notation.value if isinstance(notation, ox.Literal) else local_name(node.value)


def _settings(reader: Reader, provision) -> list[Setting]:
    settings = []
    for setting in reader.subjects(dct.subject, provision):
        if not reader.has_type(setting, dxo.InterpretationSetting):
            continue
        default = reader.value(setting, dxo.defaultAlternative)
        alternatives = [(reader.link(a), a == default, a.value in reader.chosen())
                        for a in reader.objects(setting, dxo.alternative) if isinstance(a, ox.NamedNode)]
        settings.append(Setting(reader.link(setting), reader.label(setting), reader.text(setting, rdfs.comment),
                                alternatives))
    return settings


def _finding_refs(reader: Reader, predicate, node) -> list[FindingRef]:
    """The results that name the node by `predicate` (dxo:provision, sh:sourceShape), the first FINDINGS_CAP."""
    results = sorted({q.subject for q in reader.quads(None, predicate, node, ox.NamedNode(str(GRAPHS["results"])))},
                     key=str)
    refs = []
    for result in results[:FINDINGS_CAP]:
        record = reader.value(result, dxo.record)
        refs.append(FindingRef(reader.severity(reader.value(result, sh.resultSeverity)),
                               reader.link(record) if isinstance(record, ox.NamedNode) else None,
                               reader.link(result)))
    return sorted(refs, key=lambda f: (f.record.name if f.record else "", f.result.iri))


def read_provision(reader: Reader, node) -> Provision:
    number, article = _article_of(reader, node)
    shapes = sorted(((reader.link(s), reader.severity(reader.value(s, sh.severity)))
                     for s in reader.subjects(dxs.implements, node)), key=lambda pair: pair[0].name)
    applies_from = reader.value(node, eli.first_date_entry_in_force)
    notes = [(reader.link(p), reader.literals(node, p))
             for p in (dxo.conditionNote, dxo.interpretationNote, dxs.noShapeReason)]
    modality, checkability = reader.value(node, dxo.modality), reader.value(node, dxo.checkability)
    marker = reader.value(node, dxo.modalityMarker)
    return Provision(
        link=reader.link(node), notation=_notation(reader, node), clause=reader.text(node, dxo.text),
        article=number, article_link=_article_link(reader, number, article),
        breadcrumb=_crumbs(reader, node),
        modality=reader.link(modality) if isinstance(modality, ox.NamedNode) else None,
        modality_marker=marker.value if isinstance(marker, ox.Literal) else "",
        checkability=reader.link(checkability) if isinstance(checkability, ox.NamedNode) else None,
        checkability_note=reader.text(node, dxo.checkabilityNote),
        applies_from=applies_from.value if isinstance(applies_from, ox.Literal) else "",
        applies_to=reader.text(node, dxo.appliesTo),
        notes=[(p, values) for p, values in notes if values],
        shapes=shapes, settings=_settings(reader, node), findings=_finding_refs(reader, dxo.provision, node))


def _path(reader: Reader, node, depth: int = 0) -> str:
    """A SHACL property path as SPARQL writes it: `^dxo:routingStep/dxo:issuedDownOn`."""
    if isinstance(node, ox.NamedNode):
        return prefixed(node.value)
    if not isinstance(node, ox.BlankNode) or depth > NESTING_DEPTH:
        return str(node)
    members = reader.members(node)
    if members is not None:
        return "/".join(_path(reader, m, depth + 1) for m in members)
    for predicate, write in ((sh.inversePath, "^{}"), (sh.zeroOrMorePath, "({})*"), (sh.oneOrMorePath, "({})+"),
                             (sh.zeroOrOnePath, "({})?")):
        inner = reader.value(node, predicate)
        if inner is not None:
            return write.format(_path(reader, inner, depth + 1))
    options = reader.value(node, sh.alternativePath)
    if options is not None:
        return "(" + "|".join(_path(reader, m, depth + 1) for m in reader.members(options) or []) + ")"
    return "_:" + node.value


def read_shape(reader: Reader, node) -> Shape:
    constraints = reader.objects(node, sh.sparql)
    read_by_constraints = {p.value for c in constraints for p in reader.objects(c, dxs.parameter)}
    own_parameters = {q.predicate.value for q in reader.quads(node) if q.predicate.value.startswith(str(DXS))}
    parameters = SHAPE_PARAMETERS | read_by_constraints | (own_parameters - SHAPE_METADATA)
    messages = reader.text(node, sh.message)
    for constraint in constraints:
        messages = messages or reader.text(constraint, sh.message)
    path = reader.value(node, sh.path)
    return Shape(
        provisions=[read_provision(reader, p) for p in reader.objects(node, dxs.implements)],
        severity=reader.severity(reader.value(node, sh.severity)),
        severity_when_justified=reader.severity(reader.value(node, dxs.severityWhenJustified)),
        severity_reason=reader.literals(node, dxs.severityReason),
        reading=reader.literals(node, rdfs.comment),
        targets=reader.rows(node, only={t.value for t in TARGETS}),
        path=_path(reader, path) if path is not None else "",
        path_link=reader.link(path) if isinstance(path, ox.NamedNode) else None,
        messages=messages, parameters=reader.rows(node, only=parameters, seen=frozenset({node})),
        constraints=reader.links(constraints), findings=_finding_refs(reader, sh.sourceShape, node))


def _finding(reader: Reader, result) -> Finding:
    provision, record, focus = (reader.value(result, p) for p in (dxo.provision, dxo.record, sh.focusNode))
    number, article = _article_of(reader, provision) if provision is not None else (None, None)
    if number is None:
        article = reader.value(result, dxo.article)
        number = _number(reader.value(article, eli.number)) if article is not None else None
    value, limit, date, source, justification = (reader.value(result, p) for p in (
        sh.value, dxo.limit, dxo.recordDate, dxo.sourceFile, dxo.justification))
    shape = reader.value(result, sh.sourceShape)
    return Finding(
        link=reader.link(result), severity=reader.severity(reader.value(result, sh.resultSeverity)),
        original_severity=reader.severity(reader.value(result, dxo.originalSeverity)),
        justification=justification.value if isinstance(justification, ox.Literal) else "",
        record=reader.link(record) if isinstance(record, ox.NamedNode) else None,
        focus=reader.draw(focus, 1) if focus is not None and focus != record else None,
        shape=reader.link(shape) if isinstance(shape, ox.NamedNode) else None,
        provision=reader.link(provision) if isinstance(provision, ox.NamedNode) else None,
        notation=_notation(reader, provision) if isinstance(provision, ox.NamedNode) else "",
        article=number, clause=reader.text(provision, dxo.text) if provision is not None else Text(),
        message=reader.text(result, sh.resultMessage), value=reader.draw(value) if value is not None else None,
        limit=limit.value if isinstance(limit, ox.Literal) else "",
        date=date.value if isinstance(date, ox.Literal) else "",
        source=source.value if isinstance(source, ox.Literal) else "")


def read_findings(reader: Reader, node) -> tuple[int, list[Finding]]:
    """The findings about a record, of a run, or the result itself; the count and the first FINDINGS_CAP."""
    results_graph = ox.NamedNode(str(GRAPHS["results"]))
    if reader.has_type(node, sh.ValidationResult):
        results = [node]
    else:
        results = sorted({q.subject for p in (dxo.record, dxo.run)
                          for q in reader.quads(None, p, node, results_graph)}, key=str)
    findings = [_finding(reader, r) for r in results[:FINDINGS_CAP]]
    findings.sort(key=lambda f: (f.article or 99, f.notation, f.record.name if f.record else "", f.link.iri))
    return len(results), findings


def read_term(reader: Reader, node, types: set[str]) -> Term | None:
    if types & CLASS_TYPES:
        kind, up = "class", rdfs.subClassOf
    elif types & PROPERTY_TYPES or any(t.startswith(str(OWL)) and t.endswith("Property") for t in types):
        kind, up = "property", rdfs.subPropertyOf
    elif str(SKOS.Concept) in types:
        kind, up = "concept", skos.broader
    elif str(SKOS.ConceptScheme) in types:
        kind, up = "scheme", None
    else:
        return None
    zh, en = TERM_KINDS[kind]
    return Term(
        kind=Text(zh=zh, en=en),
        definitions=[v for p in DEFINITIONS for v in reader.literals(node, p)],
        alt_labels=reader.literals(node, skos.altLabel),
        broader=reader.links(reader.objects(node, up)) if up is not None else [],
        narrower=reader.links(reader.subjects(up, node)) if up is not None else [],
        members=reader.links(reader.subjects(skos.inScheme, node)) if kind == "scheme" else [],
        domain=reader.links(reader.objects(node, rdfs.domain)), range=reader.links(reader.objects(node, rdfs.range)),
        schemes=reader.links(reader.objects(node, skos.inScheme)),
        shapes=reader.links(reader.subjects(sh.targetClass, node)),
        provisions=reader.links(s for s in reader.subjects(dct.subject, node) if reader.has_type(s, dxo.Provision)),
        instances=len(reader.quads(None, rdf.type, node)))


def read_division(reader: Reader, node) -> Division:
    number, _ = _article_of(reader, node)
    parts = sorted(reader.objects(node, eli.has_part), key=lambda p: (_number(reader.value(p, eli.number)) or 0,
                                                                        str(p)))
    return Division(reader.text(node, dxo.text), number, [reader.link(p) for p in parts],
                    _crumbs(reader, node))


def read_articles(reader: Reader) -> dict[int, object]:
    """The regulation's articles by number, in order."""
    regulation = ox.NamedNode(str(GRAPHS["regulation"]))
    articles = {}
    for article in reader.subjects(rdf.type, dxo.Article, regulation):
        number = _number(reader.value(article, eli.number))
        if number is not None:
            articles[number] = article
    return dict(sorted(articles.items()))


def provisions_under(reader: Reader, division) -> list:
    """The provisions the regulation puts under a division (through its sentences), in the order of the text."""
    found, todo, seen = [], [division], {division}
    while todo:
        node = todo.pop()
        for part in reader.objects(node, eli.has_part) + reader.subjects(eli.is_part_of, node):
            if part not in seen:
                seen.add(part)
                todo.append(part)
                if reader.has_type(part, dxo.Provision):
                    found.append(part)
    return sorted(found, key=lambda p: (_number(reader.value(p, eli.number)) or 0, str(p)))


def _article_summary(reader: Reader, number: int, article) -> ArticleSummary:
    provisions = provisions_under(reader, article)
    shapes = {s for p in provisions for s in reader.subjects(dxs.implements, p)}
    checkability: dict[str, int] = defaultdict(int)
    for p in provisions:
        level = reader.value(p, dxo.checkability)
        checkability[local_name(level.value).removeprefix("check-") if level is not None else "unknown"] += 1
    link = Link(article.value, f"第{number}条 / Art. {number}", reader.label(article), f"/catalogue/article/{number}")
    return ArticleSummary(number, link, reader.text(article, eli.title), len(provisions), len(shapes),
                          dict(checkability))



def read_chapters(reader: Reader) -> list[Chapter]:
    """The act's chapters in order, each with the summaries of its articles."""
    chapters: dict = {}
    for number, article in read_articles(reader).items():
        chapter = reader.value(article, eli.is_part_of)
        if chapter not in chapters:
            chapters[chapter] = Chapter(reader.link(chapter), _number(reader.value(chapter, eli.number)) or 0,
                                        reader.text(chapter, eli.title, *LABELS), []) if chapter is not None \
                else Chapter(Link("", ""), 0, Text(), [])
        chapters[chapter].articles.append(_article_summary(reader, number, article))
    return sorted(chapters.values(), key=lambda c: c.number)


def read_sentences(reader: Reader, article) -> list[tuple[str, Link, Text]]:
    """The sentences of an article in the order of the text: (notation, link, text)."""
    sentences = sorted(reader.objects(article, eli.has_part), key=lambda s: (_number(reader.value(s, eli.number))
                                                                             or 0, str(s)))
    return [(_notation(reader, s), reader.link(s), reader.text(s, dxo.text)) for s in sentences]
