"""SHACL shapes compiled to SPARQL and run set-at-a-time on Oxigraph; a shape it cannot compile runs on pySHACL.

pySHACL asks each constraint once per focus node on rdflib's engine; a batch of 100k events makes that millions of
small queries. Here each constraint of each shape becomes one SELECT over all its focus nodes, answered by Oxigraph
(embedded, or a SPARQL endpoint), and the rows become an sh:ValidationReport in pySHACL's form, so everything after
validation (findings, reports, stored results) is the same whichever engine ran.

    violations(shape, ?x)    a group pattern that has solutions when ?x (bound) violates the shape
    focus(shape, ?this)      a group pattern binding ?this to the shape's focus nodes
    check = SELECT ?this ?value ... WHERE { focus(shape, ?this) violation-of-one-constraint }

A constraint the compiler does not know (a custom constraint component, a SPARQL target, `$shapesGraph`, a
SHACL-SPARQL query whose `$this` could not be pre-bound by a join) raises Unsupported while compiling its shape;
the whole shape is then handed to pySHACL with the others deactivated, so nothing is skipped. pySHACL stays the
reference: tests compare both engines on every case, the benchmark data and the W3C test suite.

This module compiles (`compile_shapes` gives a `Plan`); kb.checking.engine runs a plan and writes the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node, Variable

from kb import resources
from kb.checking import sparql_text

SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "sh": str(SH), "xsd": str(XSD),
                    "owl": "http://www.w3.org/2002/07/owl#"}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Shape-level terms that are not constraints (or are handled with the shape, such as sh:property).
NOT_CONSTRAINTS = {
    RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
    SH.flags, SH.prefixes, SH.declare, SH.shapesGraph, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
}
# Datatypes whose lexical form SPARQL can check by casting: "abc"^^xsd:integer is ill-formed.
CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.dateTime, XSD.date, XSD.time,
            XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration}


# (constraint component, violation pattern for the bound focus, value variable or None, extra) of one constraint
Violation = tuple[URIRef, str, str | None, str | None]


class Unsupported(Exception):
    """A shape the compiler cannot turn into SPARQL; it goes to pySHACL."""


class NeedsPrebinding(Unsupported):
    """A SHACL-SPARQL query that gives pySHACL's answers only with $this pre-bound: run it per focus node."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as one SELECT over all its focus nodes."""

    shape: Node
    component: URIRef
    query: str
    constraint: Node | None = None  # the sh:sparql node of a SHACL-SPARQL constraint
    value_is_focus: bool = False  # a node shape's value node is its focus node
    focus_query: str | None = None  # set when `query` must be run once per focus node, $this pre-bound
    prebind_as_text: bool = True  # pre-bind by writing the focus node into the query (else by substitution)


@dataclass
class Plan:
    """The compiled shapes: checks for the fast engine, and the shapes left to pySHACL (with why)."""

    checks: list[Check] = field(default_factory=list)
    fallback: dict[Node, str] = field(default_factory=dict)
    shapes: set = field(default_factory=set)  # every shape validation reports on


@dataclass
class Report:
    conforms: bool
    results: Graph
    fallback_shapes: set = field(default_factory=set)


# --- Terms and paths --------------------------------------------------------------------------------------------


def term(node: Node) -> str:
    """A term as SPARQL text; a blank node of the shapes graph cannot be named in a query."""
    if isinstance(node, BNode):
        raise Unsupported("a blank node is named in a constraint")
    if isinstance(node, URIRef):
        iri = str(node)
        if any(ch in iri for ch in '<>"{}|^`\\ '):
            raise Unsupported(f"an IRI SPARQL cannot write: {iri!r}")
        return f"<{iri}>"
    return node.n3()


def sparql_path(shapes: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return term(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, step) for step in Collection(shapes, path)) + ")"
    for predicate, make in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                            (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return make.format(sparql_path(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(shapes, step) for step in Collection(shapes, alternatives)) + ")"
    raise Unsupported(f"a path SHACL does not define: {path}")


def _list(shapes: Graph, head: Node) -> list[Node]:
    return list(Collection(shapes, head))


def _literal_int(value: Node) -> int:
    if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
        raise Unsupported(f"a count that is not an integer: {value!r}")
    return int(value.toPython())


# --- The compiler -----------------------------------------------------------------------------------------------


class Compiler:
    """Turns the shapes of one shapes graph into checks (top level) and violation patterns (nested)."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.names = count()
        self.verdicts = _Verdicts()
        self.parents: dict[Node, set[Node]] = {}
        for parent, child in shapes.subject_objects(SH.property):
            self.parents.setdefault(child, set()).add(parent)
        self.trail: list[str] = []  # the variables that tell apart the ways a check reached its focus node
        self.parameters = {shapes.value(parameter, SH.path) for parameter in shapes.objects(None, SH.parameter)}

    def var(self, stem: str = "v") -> str:
        return f"?{stem}{next(self.names)}"

    # -- what the shapes are -------------------------------------------------------------------------------------

    def all_shapes(self) -> set[Node]:
        """Every shape that validation reports on: with a target, or a property shape of such a shape."""
        found = set()
        for predicate in TARGETS:
            found.update(self.shapes.subjects(predicate, None))
        for shape_type in SHAPE_TYPES:
            for shape in self.shapes.subjects(RDF.type, shape_type):
                if (shape, RDF.type, RDFS.Class) in self.shapes or (shape, SH.target, None) in self.shapes:
                    found.add(shape)
        return walk(found, lambda shape: self.shapes.objects(shape, SH.property))

    def is_property_shape(self, shape: Node) -> bool:
        return (shape, SH.path, None) in self.shapes

    def deactivated(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) == Literal(True)

    def severity(self, shape: Node) -> Node:
        return self.shapes.value(shape, SH.severity) or SH.Violation

    # -- focus nodes ---------------------------------------------------------------------------------------------

    def focus(self, shape: Node, this: str, seen: frozenset = frozenset()) -> str:
        """A pattern binding `this` to every focus node of `shape` (its targets, and its parents' value nodes)."""
        if shape in seen:
            raise Unsupported("shapes that contain themselves through sh:property")
        seen = seen | {shape}
        branches = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            branches.append(f"{this} <{RDF.type}>/<{RDFS.subClassOf}>* {term(cls)} .")
        if (shape, RDF.type, RDFS.Class) in self.shapes:
            branches.append(f"{this} <{RDF.type}>/<{RDFS.subClassOf}>* {term(shape)} .")
        nodes = list(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            branches.append(f"VALUES {this} {{ {' '.join(term(n) for n in nodes)} }}")
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            branches.append(f"{this} {term(predicate)} [] .")
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            branches.append(f"[] {term(predicate)} {this} .")
        if (shape, SH.target, None) in self.shapes:
            raise Unsupported("a SPARQL-based target (sh:target)")
        for parent in sorted(self.parents.get(shape, ()), key=str):
            if self.deactivated(parent):
                continue
            # pySHACL reaches a property shape once per parent focus node: keep them apart, as it does
            outer, via = self.var("f"), self.var("via")
            self.trail.extend((outer, via))
            branches.append(f"{self.focus(parent, outer, seen)} {self.value_nodes(parent, outer, this)} "
                            f"BIND ({Literal(str(parent)).n3()} AS {via})")
        if not branches:
            return "FILTER (false)"
        if len(branches) == 1:
            return branches[0]
        return "{ " + " } UNION { ".join(branches) + " }"

    def values(self, shape: Node, focus: str) -> tuple[str, str]:
        """A pattern and the variable of the value nodes of `shape`: a node shape's value node is its focus node
        itself, so no group has to rebind it (a nested group evaluated on its own would see it unbound)."""
        if self.shapes.value(shape, SH.path) is None:
            return "", focus
        value = self.var()
        return self.value_nodes(shape, focus, value), value

    def value_nodes(self, shape: Node, focus: str, value: str) -> str:
        """A pattern binding `value` to the value nodes of `shape` for the bound `focus`."""
        path = self.shapes.value(shape, SH.path)
        if path is None:
            return f"BIND ({focus} AS {value})"
        return f"{focus} {sparql_path(self.shapes, path)} {value} ."

    # -- checks at the top level -----------------------------------------------------------------------------------

    def compile(self) -> Plan:
        """Compile every shape; a shape that cannot be compiled takes its whole family (the shapes joined to it
        by sh:property) to pySHACL, since pySHACL reaches a property shape only through its parents."""
        plan = Plan(shapes=self.all_shapes())
        compiled: dict[Node, list[Check]] = {}
        for shape in sorted(plan.shapes, key=str):
            if self.deactivated(shape):
                continue
            try:
                compiled[shape] = self.checks(shape)
            except Unsupported as reason:
                plan.fallback[shape] = str(reason)
        for shape in list(plan.fallback):
            for relative in self.family(shape) - set(plan.fallback):
                plan.fallback[relative] = f"in the family of {shape}, which pySHACL runs"
        plan.checks = [check for shape, checks in compiled.items() if shape not in plan.fallback for check in checks]
        self.verdicts.save()
        return plan

    def family(self, shape: Node) -> set[Node]:
        """The shapes joined to `shape` by sh:property, up and down."""
        return walk([shape], lambda node: [*self.parents.get(node, ()), *self.shapes.objects(node, SH.property)])

    def checks(self, shape: Node) -> list[Check]:
        this = "?this"
        self.trail = []
        focus = self.focus(shape, this)
        trail = " ".join(self.trail)
        checks = []
        for component, pattern, value, extra in self.constraints(shape, this, top=True):
            if component == SH.SPARQLConstraintComponent:
                checks.append(self.sparql_check(shape, focus, extra))
                continue
            select = " ".join(part for part in ("SELECT DISTINCT ?this", value, extra, trail) if part)
            query = f"{select} WHERE {{ {focus} {pattern} }}"
            checks.append(Check(shape, component, _renamed(query, value), value_is_focus=value == this))
        return checks

    def constraints(self, shape: Node, x: str, top: bool = False) -> Iterator[Violation]:
        """(component, violation pattern for the bound focus `x`, the value variable, extra) per constraint."""
        if self.deactivated(shape):
            return
        shapes = self.shapes
        for predicate in set(shapes.predicates(shape)):
            if predicate in self.parameters:
                raise Unsupported(f"a custom constraint component (parameter {predicate})")
            if predicate in NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
                continue
            handler = HANDLERS.get(predicate)
            if handler is None:
                raise Unsupported(f"the constraint {predicate} is not compiled")
            for value in shapes.objects(shape, predicate):
                yield from handler(self, shape, x, value, top)
        if not top:  # a nested shape's property shapes have the same focus node
            for child in shapes.objects(shape, SH.property):
                for component, pattern, *_ in self.constraints(child, x, top=False):
                    yield component, pattern, None, None

    # -- SHACL-SPARQL ------------------------------------------------------------------------------------------------

    def sparql_check(self, shape: Node, focus: str, constraint: Node) -> Check:
        shapes = self.shapes
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        if re.search(r"[?$]shapesGraph\b", text):
            raise Unsupported("a SPARQL constraint reads $shapesGraph")
        if isinstance(shape, BNode) and re.search(r"[?$]currentShape\b", text):
            raise Unsupported("a blank-node shape is named by $currentShape")
        text = re.sub(r"\$currentShape\b", term(shape) if isinstance(shape, URIRef) else "?currentShape", text)
        if self.is_property_shape(shape):
            text = re.sub(r"\$PATH\b", sparql_path(shapes, shapes.value(shape, SH.path)), text)
        from pyshacl.errors import ReportableRuntimeError  # when compiling only: a kept plan needs no pySHACL
        from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

        try:  # the reference's own rules for what a SHACL-SPARQL query may contain (no MINUS, VALUES ...)
            SPARQLQueryHelper(None, constraint, text).check_invalid_sparql(text)
        except ReportableRuntimeError as refused:
            raise Unsupported(f"pySHACL refuses the query: {refused}") from None
        prologue = self.prefixes(constraint)
        value_is_focus = not self.is_property_shape(shape)
        body_start = _where_brace(text)
        try:  # judged with a focus pattern in place: a nested group is then not the top group (rdflib flattens it)
            focused = prologue + text[:body_start + 1] + " ?this <urn:kb:focus> [] . " + text[body_start + 1:]
            self.verdicts.check(focused)
        except NeedsPrebinding:
            focus_query = f"SELECT DISTINCT ?this WHERE {{ {focus} }}"
            as_text = _parses(prebind_this(prologue + text, URIRef("urn:kb:this")))
            return Check(shape, SH.SPARQLConstraintComponent, prologue + text, constraint, value_is_focus,
                         focus_query, as_text)
        query = prologue + text[:body_start + 1] + f" {focus} " + text[body_start + 1:]
        return Check(shape, SH.SPARQLConstraintComponent, query, constraint, value_is_focus)

    def prefixes(self, constraint: Node) -> str:
        """The constraint's sh:prefixes, after the ones pySHACL declares for every query."""
        lines = [f"PREFIX {name}: <{namespace}>" for name, namespace in DEFAULT_PREFIXES.items()]
        for ontology in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(ontology, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines))) + "\n"

    # -- nested shapes -------------------------------------------------------------------------------------------------

    def violation(self, shape: Node, x: str) -> str:
        """A pattern with a solution when the bound `x` does not conform to `shape`."""
        branches = [pattern for _, pattern, _, _ in self.constraints(shape, x, top=False)]
        if not branches:
            return "FILTER (false)"
        return "FILTER (" + " || ".join(f"EXISTS {{ {branch} }}" for branch in branches) + ")"


def prebind_this(query: str, node: Node) -> str:
    """The query with the focus node written in for $this, as pre-binding means (blank nodes cannot be written)."""
    return sparql_text.prebind(query, {"this": term(node)})


_EMPTY = ox.Store()


def _parses(query: str) -> bool:
    try:
        _EMPTY.query(query)
    except SyntaxError:
        return False
    return True


def _renamed(query: str, value: str | None) -> str:
    """Name the value variable ?value in the projection, so every check's rows read the same."""
    if value and value != "?value":
        return query.replace("SELECT DISTINCT ?this " + value, f"SELECT DISTINCT ?this ({value} AS ?value)", 1)
    return query


def _where_brace(text: str) -> int:
    """The position of the brace that opens the WHERE clause of a SELECT query."""
    match = re.search(r"\bWHERE\s*\{", text, re.I)
    if match:
        return match.end() - 1
    select = re.search(r"\bSELECT\b", text, re.I)
    brace = text.find("{", select.end() if select else 0)
    if brace < 0:
        raise Unsupported("a SELECT query without a WHERE clause")
    return brace


class _Verdicts:
    """What `_check_prebinding` decided about each query text, kept on disk between processes.

    rdflib's grammar takes a tenth of a second per constraint, so judging the 60 SPARQL constraints cost every `kb`
    process seconds before its first record. A verdict depends only on the query text, this module and rdflib: the
    file is named by a hash of the last two, and a verdict is looked up by the text.
    """

    def __init__(self):
        digest = hashlib.sha256(Path(__file__).read_bytes() + f"rdflib {rdflib.__version__}".encode())
        self.path = resources.cache_dir() / f"sparql-verdicts-{digest.hexdigest()[:20]}.json"
        try:
            self.known: dict[str, list | None] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or damaged: judged again, never trusted
            self.known = {}
        self.changed = False

    def check(self, query: str) -> None:
        """Raise what `_check_prebinding` raises for `query`, from the file when it was judged before."""
        key = hashlib.sha256(query.encode()).hexdigest()
        if key not in self.known:
            try:
                _check_prebinding(query)
                self.known[key] = None
            except NeedsPrebinding as needs:
                self.known[key] = ["prebinding", str(needs)]
            except Unsupported as refused:
                self.known[key] = ["unsupported", str(refused)]
            self.changed = True
        verdict = self.known[key]
        if verdict is not None:
            raise (NeedsPrebinding if verdict[0] == "prebinding" else Unsupported)(verdict[1])

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, suffix=".tmp",
                                             encoding="utf-8") as handle:
                json.dump(self.known, handle, sort_keys=True)
            os.replace(handle.name, self.path)
        except OSError:
            pass  # a read-only home only costs the seconds


def _check_prebinding(query: str) -> None:
    """Joining the focus pattern in gives what pre-binding $this gives, unless $this is read where no join reaches.

    That is inside a sub-SELECT that does not project it, or in a FILTER/BIND of a nested group that does not bind
    it: the group is evaluated on its own, before the join, with $this unbound.
    """
    from rdflib.plugins.sparql.algebra import translateQuery  # when compiling only: a kept plan needs no grammar
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception as exc:  # rdflib cannot parse it: let pySHACL say what is wrong
        raise Unsupported(f"the query does not parse: {exc}") from None
    this = Variable("this")
    if this not in (algebra.get("PV") or []):
        raise Unsupported("the SELECT query does not project $this")

    def walk(node, top: bool) -> None:
        if isinstance(node, CompValue):
            if node.name == "Project" and not top and this not in node.PV and _mentions(node, this):
                raise NeedsPrebinding("$this inside a sub-SELECT that does not project it")
            if node.name in ("Filter", "Extend") and not top:
                expression = node.get("expr")
                if _mentions(expression, this) and this not in _bound(node.p):
                    raise NeedsPrebinding("$this read in a nested group that does not bind it")
            inner_top = top and node.name in ("SelectQuery", "Project", "Slice", "Distinct", "Reduced",
                                              "OrderBy", "Filter", "Extend", "AggregateJoin", "Group",
                                              "ToMultiSet", "Join", "LeftJoin")
            for key, child in node.items():
                if key == "expr":
                    continue
                walk(child, inner_top and key in ("p", "p1"))
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child, False)

    walk(algebra, True)


def _mentions(node, variable: Variable) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if node == variable:
        return True
    if isinstance(node, CompValue):
        return any(_mentions(child, variable) for child in node.values())
    if isinstance(node, list | tuple | set):
        return any(_mentions(child, variable) for child in node)
    return False


def _bound(node) -> set:
    """Variables a pattern certainly binds (those of its triple patterns outside OPTIONAL and UNION)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "BGP":
            return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
        if node.name in ("Join", "Minus"):
            return _bound(node.p1) | (_bound(node.p2) if node.name == "Join" else set())
        if node.name == "LeftJoin":
            return _bound(node.p1)
        if node.name in ("Filter", "Extend", "ToMultiSet", "Graph", "Distinct", "Group", "AggregateJoin"):
            return _bound(node.p) | ({node.var} if node.name == "Extend" else set())
        if node.name == "Project":
            return _bound(node.p) & set(node.PV)
    return set()


# --- Core constraint components -------------------------------------------------------------------------------
# Each handler yields (component, violation pattern for the bound focus x, value variable or None, extra).

Handler = Callable[[Compiler, Node, str, Node, bool], Iterator[Violation]]
HANDLERS: dict[URIRef, Handler] = {}


def handles(*predicates: URIRef):
    def register(function: Handler) -> Handler:
        for predicate in predicates:
            HANDLERS[predicate] = function
        return function
    return register


def _value_test(component: URIRef, condition: Callable[[str], str]) -> Handler:
    """A component that judges each value node alone: a violation per value node failing `condition`."""
    def handler(compiler: Compiler, shape: Node, x: str, parameter: Node, top: bool):
        pattern, value = compiler.values(shape, x)
        yield component, f"{pattern} FILTER (!COALESCE({condition(value, parameter)}, false))", value, None
    return handler


def _component(name: str) -> URIRef:
    return SH[f"{name}ConstraintComponent"]


HANDLERS[SH["class"]] = _value_test(
    _component("Class"), lambda v, c: f"EXISTS {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* {term(c)} }}")
HANDLERS[SH.nodeKind] = _value_test(_component("NodeKind"), lambda v, kind: {
    SH.IRI: f"isIRI({v})", SH.BlankNode: f"isBlank({v})", SH.Literal: f"isLiteral({v})",
    SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))"}.get(kind) or _unsupported("an unknown sh:nodeKind"))
HANDLERS[SH.minExclusive] = _value_test(_component("MinExclusive"), lambda v, n: f"{v} > {term(n)}")
HANDLERS[SH.minInclusive] = _value_test(_component("MinInclusive"), lambda v, n: f"{v} >= {term(n)}")
HANDLERS[SH.maxExclusive] = _value_test(_component("MaxExclusive"), lambda v, n: f"{v} < {term(n)}")
HANDLERS[SH.maxInclusive] = _value_test(_component("MaxInclusive"), lambda v, n: f"{v} <= {term(n)}")
HANDLERS[SH.minLength] = _value_test(
    _component("MinLength"), lambda v, n: f"(!isBlank({v}) && STRLEN(STR({v})) >= {_literal_int(n)})")
HANDLERS[SH.maxLength] = _value_test(
    _component("MaxLength"), lambda v, n: f"(!isBlank({v}) && STRLEN(STR({v})) <= {_literal_int(n)})")


def _unsupported(reason: str):
    raise Unsupported(reason)


@handles(SH.datatype)
def _datatype(compiler: Compiler, shape: Node, x: str, datatype: Node, top: bool):
    pattern, value = compiler.values(shape, x)
    if str(datatype).startswith(str(XSD)) and datatype not in CASTABLE | {XSD.string}:
        raise Unsupported(f"sh:datatype {datatype}: Oxigraph stores its values as another datatype")
    if datatype == RDF.langString:
        test = f"(isLiteral({value}) && lang({value}) != \"\")"
    else:
        test = f"(isLiteral({value}) && datatype({value}) = {term(datatype)} && lang({value}) = \"\""
        if datatype in CASTABLE:
            test += f" && isLiteral({term(datatype)}(STR({value})))"
        test += ")"
    yield _component("Datatype"), f"{pattern} FILTER (!COALESCE({test}, false))", value, None


@handles(SH.pattern)
def _pattern(compiler: Compiler, shape: Node, x: str, pattern: Node, top: bool):
    values, value = compiler.values(shape, x)
    flags = compiler.shapes.value(shape, SH.flags)
    arguments = f"STR({value}), {Literal(str(pattern)).n3()}" + (f", {Literal(str(flags)).n3()}" if flags else "")
    test = f"(!isBlank({value}) && REGEX({arguments}))"
    yield _component("Pattern"), f"{values} FILTER (!COALESCE({test}, false))", value, None


@handles(SH.languageIn)
def _language_in(compiler: Compiler, shape: Node, x: str, languages: Node, top: bool):
    values, value = compiler.values(shape, x)
    tests = " || ".join(f"langMatches(lang({value}), {Literal(str(tag)).n3()})"
                        for tag in _list(compiler.shapes, languages)) or "false"
    test = f"(isLiteral({value}) && ({tests}))"
    yield _component("LanguageIn"), f"{values} FILTER (!COALESCE({test}, false))", value, None


@handles(SH["in"])
def _in(compiler: Compiler, shape: Node, x: str, members: Node, top: bool):
    values, value = compiler.values(shape, x)
    allowed = " || ".join(f"sameTerm({value}, {term(m)})" for m in _list(compiler.shapes, members)) or "false"
    yield _component("In"), f"{values} FILTER (!({allowed}))", value, None


@handles(SH.hasValue)
def _has_value(compiler: Compiler, shape: Node, x: str, wanted: Node, top: bool):
    value = compiler.var()
    if compiler.is_property_shape(shape):
        pattern = (f"FILTER NOT EXISTS {{ {compiler.value_nodes(shape, x, value)} "
                   f"FILTER (sameTerm({value}, {term(wanted)})) }}")
        yield _component("HasValue"), pattern, None, None
    else:  # pySHACL reports a node shape's hasValue without a value
        yield _component("HasValue"), f"FILTER (!sameTerm({x}, {term(wanted)}))", None, None


@handles(SH.minCount)
def _min_count(compiler: Compiler, shape: Node, x: str, limit: Node, top: bool):
    least = _literal_int(limit)
    if least == 0:
        return
    values = [compiler.var() for _ in range(least)]
    if least > 3 and not top:
        raise Unsupported("sh:minCount above 3 in a nested shape")
    if least > 3:
        counted = compiler.var("n")
        value = compiler.var()
        pattern = (f"{{ SELECT {x} (COUNT(DISTINCT {value}) AS {counted}) WHERE {{ {compiler.focus(shape, x)} "
                   f"OPTIONAL {{ {compiler.value_nodes(shape, x, value)} }} }} GROUP BY {x} }} "
                   f"FILTER ({counted} < {least})")
        yield _component("MinCount"), pattern, None, None
        return
    yield _component("MinCount"), f"FILTER NOT EXISTS {{ {_distinct_values(compiler, shape, x, values)} }}", None, None


@handles(SH.maxCount)
def _max_count(compiler: Compiler, shape: Node, x: str, limit: Node, top: bool):
    most = _literal_int(limit)
    if most > 2 and not top:
        raise Unsupported("sh:maxCount above 2 in a nested shape")
    if most > 2:
        counted, value = compiler.var("n"), compiler.var()
        pattern = (f"{{ SELECT {x} (COUNT(DISTINCT {value}) AS {counted}) WHERE {{ {compiler.focus(shape, x)} "
                   f"{compiler.value_nodes(shape, x, value)} }} GROUP BY {x} }} FILTER ({counted} > {most})")
        yield _component("MaxCount"), pattern, None, None
        return
    values = [compiler.var() for _ in range(most + 1)]
    yield _component("MaxCount"), f"FILTER EXISTS {{ {_distinct_values(compiler, shape, x, values)} }}", None, None


def _distinct_values(compiler: Compiler, shape: Node, x: str, values: list[str]) -> str:
    """A pattern with a solution when `x` has as many pairwise different value nodes as `values` names."""
    parts = [compiler.value_nodes(shape, x, v) for v in values]
    parts += [f"FILTER (!sameTerm({a}, {b}))" for i, a in enumerate(values) for b in values[i + 1:]]
    return " ".join(parts)


@handles(SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
def _pair(compiler: Compiler, shape: Node, x: str, other: Node, top: bool):
    kind = next(p for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
                if (shape, p, other) in compiler.shapes)
    mine, value = compiler.values(shape, x)
    peer = compiler.var()
    theirs = f"{x} {term(other)} {peer} ."
    if kind == SH.equals:  # two checks, each a flat pattern: a value the other lacks, and the other way round
        yield _component("Equals"), f"{mine} FILTER NOT EXISTS {{ {x} {term(other)} {value} }}", value, None
        if compiler.is_property_shape(shape):
            mirrored = compiler.value_nodes(shape, x, peer)
            yield (_component("Equals"), f"{theirs} FILTER NOT EXISTS {{ {mirrored} }}", peer, None)
        else:
            yield _component("Equals"), f"{theirs} FILTER (!sameTerm({peer}, {x}))", peer, None
    elif kind == SH.disjoint:
        yield _component("Disjoint"), f"{mine} {x} {term(other)} {value} .", value, None
    else:
        operator = "<" if kind == SH.lessThan else "<="
        name = "LessThan" if kind == SH.lessThan else "LessThanOrEquals"
        pattern = f"{mine} {theirs} FILTER (!COALESCE({value} {operator} {peer}, false))"
        yield _component(name), pattern, value, peer if top else None  # pySHACL: a result per pair


@handles(SH.uniqueLang)
def _unique_lang(compiler: Compiler, shape: Node, x: str, flag: Node, top: bool):
    if flag != Literal(True):
        return
    a, b = compiler.var(), compiler.var()
    language = compiler.var("lang")
    pattern = (f"{compiler.value_nodes(shape, x, a)} {compiler.value_nodes(shape, x, b)} "
               f"FILTER (!sameTerm({a}, {b}) && lang({a}) != \"\" && lang({a}) = lang({b})) "
               f"BIND (lang({a}) AS {language})")
    yield _component("UniqueLang"), pattern, None, language if top else None


@handles(SH.closed)
def _closed(compiler: Compiler, shape: Node, x: str, flag: Node, top: bool):
    if flag != Literal(True):
        return
    if compiler.is_property_shape(shape):
        return  # pySHACL and the spec apply sh:closed to node shapes only
    shapes = compiler.shapes
    allowed = {shapes.value(p, SH.path) for p in shapes.objects(shape, SH.property)}
    for ignored in shapes.objects(shape, SH.ignoredProperties):
        allowed.update(_list(shapes, ignored))
    allowed = {p for p in allowed if isinstance(p, URIRef)}
    predicate, value = compiler.var("p"), compiler.var()
    test = " && ".join(f"!sameTerm({predicate}, {term(p)})" for p in sorted(allowed)) or "true"
    yield _component("Closed"), f"{x} {predicate} {value} . FILTER ({test})", value, predicate if top else None


@handles(SH.node)
def _node(compiler: Compiler, shape: Node, x: str, other: Node, top: bool):
    values, value = compiler.values(shape, x)
    pattern = f"{values} FILTER EXISTS {{ {compiler.violation(other, value)} }}"
    yield _component("Node"), pattern, value, None


@handles(SH["not"])
def _not(compiler: Compiler, shape: Node, x: str, other: Node, top: bool):
    values, value = compiler.values(shape, x)
    pattern = f"{values} FILTER NOT EXISTS {{ {compiler.violation(other, value)} }}"
    yield _component("Not"), pattern, value, None


@handles(SH["and"], SH["or"], SH.xone)
def _logical(compiler: Compiler, shape: Node, x: str, members: Node, top: bool):
    kind = next(p for p in (SH["and"], SH["or"], SH.xone) if (shape, p, members) in compiler.shapes)
    values, value = compiler.values(shape, x)
    fails = [f"EXISTS {{ {compiler.violation(member, value)} }}" for member in _list(compiler.shapes, members)]
    if kind == SH["and"]:
        test, name = " || ".join(fails) or "false", "And"
    elif kind == SH["or"]:
        test, name = " && ".join(fails) or "true", "Or"
    else:
        conforming = " + ".join(f"IF({fail}, 0, 1)" for fail in fails) or "0"
        test, name = f"({conforming}) != 1", "Xone"
    yield _component(name), f"{values} FILTER ({test})", value, None


@handles(SH.qualifiedValueShape)
def _qualified(compiler: Compiler, shape: Node, x: str, qualified: Node, top: bool):
    shapes = compiler.shapes
    if not top:
        raise Unsupported("a qualified value shape in a nested shape")
    if shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
        raise Unsupported("sh:qualifiedValueShapesDisjoint")
    value, counted = compiler.var(), compiler.var("n")
    conforming = f"FILTER NOT EXISTS {{ {compiler.violation(qualified, value)} }}"
    tally = (f"{{ SELECT {x} (COUNT(DISTINCT {value}) AS {counted}) WHERE {{ {compiler.focus(shape, x)} "
             f"OPTIONAL {{ {compiler.value_nodes(shape, x, value)} {conforming} }} }} GROUP BY {x} }}")
    least = shapes.value(shape, SH.qualifiedMinCount)
    most = shapes.value(shape, SH.qualifiedMaxCount)
    if least is not None:
        yield (_component("QualifiedMinCount"), f"{tally} FILTER ({counted} < {_literal_int(least)})", None, None)
    if most is not None:
        yield (_component("QualifiedMaxCount"), f"{tally} FILTER ({counted} > {_literal_int(most)})", None, None)


@handles(SH.sparql)
def _sparql(compiler: Compiler, shape: Node, x: str, constraint: Node, top: bool):
    if compiler.shapes.value(constraint, SH.deactivated) == Literal(True):
        return
    if not top:
        raise Unsupported("a SPARQL constraint in a nested shape")
    yield SH.SPARQLConstraintComponent, "", None, constraint


def compile_shapes(shapes: Graph) -> Plan:
    return Compiler(shapes).compile()


def walk(start: Iterable[Node], neighbours: Callable[[Node], Iterable[Node]]) -> set:
    """Every node reachable from `start` through `neighbours`."""
    found, stack = set(), list(start)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(neighbours(node))
    return found
