"""Unknown is not false: a fact a rule needs that the record does not carry gives "not enough data", not a breach.

A shape needs a fact (a property of the node it checks) when it counts or compares that property's values: its
`sh:path` with `sh:minCount`, `sh:qualifiedMinCount`, `sh:hasValue`, `sh:in`, `sh:not`, `sh:maxCount` or a bound
(`sh:maxInclusive` ...; along a sequence path, the steps after the first), the other side of `sh:lessThan`, a
property it names with `dxs:requires` (the SPARQL shapes) or on each node a path reaches (`dxs:requiresOnEach`),
or the record's exceptions when it is met only by a recorded justification (`dxs:needsJustification`). For every
node a shape targets that has no value of such a fact there are three cases, and the data says which:

- recorded absent: the record says there is none (`"drinks": []` in JSON, `none` in a CSV cell; the loader writes
  `dxo:recordedNone <property>` on the node). The shape's own results stand: a `sh:minCount` breach is a breach.
- declared complete: a setting (data/profiles/settings.trig, `P_completeRecords`) says that the records of this
  office always fill the field (`<property> dxo:completeInRecords true`), so a missing value means there is none.
- not recorded: the shape cannot judge the node. Its results there are set aside, and one Info result says which
  fact is missing (`sh:sourceConstraintComponent dxo:MissingFactConstraintComponent`, `sh:resultPath` the fact).

A bound the record gives instead of a capped fact (a speech of at most 10 minutes: a property declared
`dxo:upperBoundOf` the fact) settles the shape where it is within the shape's maximum; above it, the fact stays
missing. The cap is read from the shape, so the number lives in the shapes only.

Both SHACL engines give the same raw results; this step runs on either's, so they stay comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from kb import resources
from kb.namespaces import DXO, DXS
from kb.terms import rdflib_term

MISSING_FACT = DXO.MissingFactConstraintComponent

# The SHACL features that make a property a fact the shape needs: a count that must be reached, a value that must
# be there, values that must (not) be among some (a flag that must be false: no fruit, no flowers), or a bound the
# value or the number of values is compared with. Without the fact each of these would pass or fail silently.
REQUIRED_FACTS = """
PREFIX sh:  <http://www.w3.org/ns/shacl#>
PREFIX dxs: <https://w3id.org/daxing-zuofeng/shape/>
PREFIX dxo: <https://w3id.org/daxing-zuofeng/ontology/>
SELECT DISTINCT ?shape ?fact ?onlyIfBreached ?onEach WHERE {
    ?shape dxs:implements ?provision .
    {
        ?shape sh:path ?fact .
        { ?shape sh:minCount ?count . FILTER (?count > 0) }
        UNION { ?shape sh:qualifiedMinCount ?count . FILTER (?count > 0) }
        UNION { ?shape sh:hasValue|sh:in|sh:not ?value }
        UNION { ?shape sh:maxCount|sh:maxInclusive|sh:maxExclusive|sh:minInclusive|sh:minExclusive|sh:lessThan|
                       sh:lessThanOrEquals|sh:maxLength ?bound }
        BIND (false AS ?onlyIfBreached)
    }
    UNION { ?shape sh:lessThan|sh:lessThanOrEquals ?fact . BIND (false AS ?onlyIfBreached) }
    UNION { ?shape dxs:requires ?fact . BIND (false AS ?onlyIfBreached) }
    UNION { ?shape dxs:requiresOnEach ?fact . BIND (false AS ?onlyIfBreached) BIND (true AS ?onEach) }
    UNION { ?shape dxs:needsJustification true . BIND (dxo:exception AS ?fact) BIND (true AS ?onlyIfBreached) }
}
"""


@dataclass(frozen=True, order=True)
class Need:
    """A shape and a fact it needs on each node it targets: a property, or a path of properties (a meal's venue's
    kind), of which `fact` is the first; `only_if_breached`, needed only where the shape finds a breach that the
    fact could excuse (a justification: a meeting that needs none is not short of one)."""

    shape: URIRef
    fact: URIRef
    only_if_breached: bool = False
    path: tuple[URIRef, ...] = ()
    on_each: bool = False  # the last property of the path is needed on each node its other steps reach


class Inverse(URIRef):
    """A step of a path taken backwards (`[ sh:inversePath p ]`): from a routing step to the document it routes. It is
    the property's IRI, so it prints and sorts as the property; only `following` walks it the other way. (rdflib
    terms of different types are never equal: look it up in a graph as `URIRef(step)`.)"""


@cache
def needs(shapes: Graph) -> tuple[Need, ...]:
    """Every (shape, fact) pair of the shapes graph, once per shapes graph (per profile). A path is read when it is a
    property, or a sequence of properties and inverse properties; other paths (alternatives) are not: such a shape
    names what it needs with dxs:requires."""
    found = set()
    store = ox.Store()  # rdflib took half a second of every `kb` process over this query; blank nodes keep labels
    store.bulk_extend(ox.parse(shapes.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES))
    for row in store.query(REQUIRED_FACTS):
        steps = _steps(shapes, rdflib_term(row["fact"]))
        if steps:
            found.add(Need(rdflib_term(row["shape"]), steps[0], row["onlyIfBreached"].value == "true", steps,
                           row["onEach"] is not None))
    return tuple(sorted(found))


def _steps(shapes: Graph, path) -> tuple[URIRef, ...]:
    members = tuple(Collection(shapes, path)) if (path, RDF.first, None) in shapes else (path,)
    steps = tuple(_step(shapes, member) for member in members)
    return steps if all(step is not None for step in steps) else ()


def _step(shapes: Graph, member) -> URIRef | None:
    if isinstance(member, URIRef):
        return member
    inverse = shapes.value(member, SH.inversePath)
    return Inverse(inverse) if isinstance(inverse, URIRef) and len(list(shapes.predicate_objects(member))) == 1 \
        else None


def following(described: Graph, nodes: set, step: URIRef) -> set:
    """The nodes one step of a path leads to from `nodes`: the values of the property, or for an inverse step the
    nodes that have one of `nodes` as a value."""
    if isinstance(step, Inverse):
        return {s for n in nodes for s in described.subjects(URIRef(step), n)}
    return {o for n in nodes for o in described.objects(n, step)}


def missing_step(described: Graph, node, path: tuple[URIRef, ...], complete: frozenset) -> URIRef | None:
    """The first property of the path that the record neither gives nor records as none (nor declares complete),
    following the path from the node; None when the fact is known, present or none. Along a path the first step
    only says where to look (a meeting's meals, a meal's venue): without it there is nothing the shape checks, and a
    shape that needs it says so with dxs:requires; what it checks is further on (the meal's kind, the venue's kind)."""
    nodes = {node}
    for index, step in enumerate(path):
        if step in complete or any((n, DXO.recordedNone, step) in described for n in nodes):
            return None
        reached = following(described, nodes, step)
        if not reached:
            return URIRef(step) if index > 0 or len(path) == 1 else None
        nodes = reached
    return None


def missing_on_each(described: Graph, node, path: tuple[URIRef, ...], complete: frozenset) -> URIRef | None:
    """The path's last property when one of the nodes its other steps reach neither has it nor records it as none
    (dxs:requiresOnEach: each visit an item reports on says whether it was ordinary); None otherwise."""
    *via, fact = path
    nodes = {node}
    for step in via:
        nodes = following(described, nodes, step)
    if fact in complete:
        return None
    for reached in nodes:
        if (reached, fact, None) not in described and (reached, DXO.recordedNone, fact) not in described:
            return fact
    return None


def complete_fields(shapes: Graph) -> frozenset[URIRef]:
    """The properties the chosen settings declare always filled in the records."""
    return frozenset(p for p in shapes.subjects(DXO.completeInRecords, Literal(True)) if isinstance(p, URIRef))


def targets(shapes: Graph, shape: URIRef, described: Graph) -> set:
    """The focus nodes of a shape's targets in the described records (types are already inferred)."""
    found: set = set()
    for cls in shapes.objects(shape, SH.targetClass):
        found.update(described.subjects(RDF.type, cls))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        found.update(o for _, o in described.subject_objects(prop))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(s for s, _ in described.subject_objects(prop))
    found.update(shapes.objects(shape, SH.targetNode))
    return found


def unknown_facts(described: Graph, shapes: Graph) -> dict[tuple, list[tuple[Need, URIRef]]]:
    """(shape, focus) -> the needs not recorded there, each with the property that is missing."""
    complete = complete_fields(shapes)
    lacking: dict[tuple, list[tuple[Need, URIRef]]] = {}
    for need in needs(shapes):
        records_only = (need.shape, DXS.needsOnRecordsOnly, Literal(True)) in shapes
        for node in targets(shapes, need.shape, described):
            if records_only and isinstance(node, BNode):
                continue  # a part of a record (a meal): the record carries the fact
            step = (missing_on_each(described, node, need.path, complete) if need.on_each
                    else missing_step(described, node, need.path, complete))
            if step is not None and len(need.path) == 1 and bound_within_cap(described, node, step, need.shape, shapes):
                continue
            if step is not None:
                lacking.setdefault((need.shape, node), []).append((need, step))
    return lacking


def bound_within_cap(described: Graph, node, fact: URIRef, shape: URIRef, shapes: Graph) -> bool:
    """Whether an upper bound the record gives instead of the fact (a speech of at most 10 minutes: a property that
    is dxo:upperBoundOf the fact) already meets the shape's maximum, so the unrecorded fact cannot change the verdict.
    A bound above the maximum says nothing: the fact stays missing."""
    inclusive, exclusive = shapes.value(shape, SH.maxInclusive), shapes.value(shape, SH.maxExclusive)
    if inclusive is None and exclusive is None:
        return False
    for bound_property in resources.ontology().subjects(DXO.upperBoundOf, fact):
        for bound in described.objects(node, bound_property):
            value = bound.toPython() if isinstance(bound, Literal) else None
            if not isinstance(value, (int, float, Decimal)):
                continue
            if (inclusive is not None and value <= inclusive.toPython()) or \
                    (exclusive is not None and value < exclusive.toPython()):
                return True
    return False


def open_world(results: Graph, described: Graph, shapes: Graph) -> Graph:
    """The SHACL results with each judgement that rested on an unrecorded fact replaced by a missing-fact result."""
    breached = {(results.value(r, SH.sourceShape), results.value(r, SH.focusNode))
                for r in results.subjects(RDF.type, SH.ValidationResult)}
    lacking = {key: facts for key, needs_lacking in unknown_facts(described, shapes).items()
               if (facts := sorted({step for need, step in needs_lacking if _counts(need, key in breached)}))}
    if not lacking:
        return results
    kept = Graph()
    set_aside = {result for result in results.subjects(RDF.type, SH.ValidationResult)
                 if (results.value(result, SH.sourceShape), results.value(result, SH.focusNode)) in lacking}
    for triple in results:
        if triple[0] not in set_aside and triple[2] not in set_aside:
            kept.add(triple)
    for result in set_aside:  # a result's own blank nodes (a path list, details) go with it
        _drop_blank_parts(kept, results, result)
    report = next(iter(results.subjects(RDF.type, SH.ValidationReport)), None)
    for (shape, node), facts in sorted(lacking.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        for fact in facts:
            result = BNode()
            if report is not None:
                kept.add((report, SH.result, result))
            for triple in _missing_fact(result, shape, node, fact, shapes):
                kept.add(triple)
    return kept


def _counts(need: Need, breached: bool) -> bool:
    """Whether an unrecorded fact makes the shape's judgement of the node unknown: a justification only matters
    where there is a breach to excuse; a fact missing on one of several parts (one member's status) cannot undo a
    breach the others already show (five civil servants are more than four whatever the sixth is)."""
    if need.only_if_breached:
        return breached
    if need.on_each:
        return not breached
    return True


def _drop_blank_parts(kept: Graph, results: Graph, result) -> None:
    stack = [o for o in results.objects(result, None) if isinstance(o, BNode)]
    while stack:
        node = stack.pop()
        for triple in list(kept.triples((node, None, None))):
            kept.remove(triple)
            if isinstance(triple[2], BNode):
                stack.append(triple[2])


def _missing_fact(result: BNode, shape: URIRef, node, fact: URIRef, shapes: Graph):
    yield result, RDF.type, SH.ValidationResult
    yield result, SH.focusNode, node
    yield result, SH.sourceShape, shape
    yield result, SH.resultPath, fact
    yield result, SH.resultSeverity, SH.Info
    yield result, SH.sourceConstraintComponent, MISSING_FACT
    yield result, SH.resultMessage, Literal(
        f"未记录{label(fact, 'zh')}, 无法判断: {_text(shapes, shape, 'zh')}; 如确无此项, 请记为空 (例如 [])", lang="zh")
    yield result, SH.resultMessage, Literal(
        f"{label(fact, 'en')} not recorded, so this cannot be judged: {_text(shapes, shape, 'en')}; if there is none, "
        "record it as none (an empty list, e.g. [])", lang="en")


def label(fact: URIRef, lang: str) -> str:
    """A fact's label from the ontology, else its local name."""
    for value in resources.ontology().objects(fact, RDFS.label):
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(fact).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _text(shapes: Graph, shape: URIRef, lang: str) -> str:
    for value in shapes.objects(shape, RDFS.label):
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(shape).rsplit("/", 1)[-1]
