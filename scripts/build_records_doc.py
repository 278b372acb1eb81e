"""Write the generated sections of docs/records.md: the provisions a recorded exception may name, and the
provisions that read each field.

Why: a record carries an exception (`"exceptions": [{"provision": "A09.3", "justification": "..."}]`) for a
provision that admits a justification: a shape implementing it lowers its severity when justified
(`dxs:severityWhenJustified`) or is met only by a recorded justification (`dxs:needsJustification`). Which ones
those are is data, in the shapes; their notation and clause are data, in data/regulation/. Copying them into the
page by hand would let the two drift apart, so this script writes the list between two marker comments of
docs/records.md (the rest of the page stays hand-written) and `--check` proves that the page is current. The loader
refuses an exception for any other provision with the same list (kb/records/fields.py, `justifiable_provisions`).

Which provisions read a field is data too: a shape reads the properties on its paths and in its SPARQL, and those
that decide whether a record is in the class it targets (the situation classes of ontology/); a property read
there is fed by the fields whose properties are its sub-properties, chains, inverses or the facts it is derived
from (kb/reasoning/derive.py). The second section lists, for every field of the context, the provisions whose shapes
need it (left out: not enough data, kb/checking/missing.py) and those that read it otherwise.

Usage:
    python scripts/build_records_doc.py           # rewrite the sections in docs/records.md
    python scripts/build_records_doc.py --check   # exit 1 if a section differs from a fresh generation
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from kb import resources  # noqa: E402
from kb.checking import missing  # noqa: E402
from kb.files import write_atomically  # noqa: E402
from kb.namespaces import DXO, DXS, PREFIXES  # noqa: E402
from kb.reasoning import readings  # noqa: E402
from kb.reasoning.derive import DERIVED_FROM  # noqa: E402
from kb.records.fields import NONE_RECORDED, justifiable_provisions  # noqa: E402

DOC = REPO_ROOT / "docs" / "records.md"
BEGIN = ("<!-- BEGIN GENERATED provisions-admitting-justification: written by scripts/build_records_doc.py from the "
         "shapes and data/regulation; do not edit by hand -->")
END = "<!-- END GENERATED provisions-admitting-justification -->"
FIELDS_BEGIN = ("<!-- BEGIN GENERATED provisions-reading-each-field: written by scripts/build_records_doc.py from "
                "kb/records/context.jsonld, the ontology and the shapes; do not edit by hand -->")
FIELDS_END = "<!-- END GENERATED provisions-reading-each-field -->"
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _text(provision, lang: str) -> str:
    for value in resources.regulation().objects(provision, DXO.text):
        if isinstance(value, Literal) and value.language == lang:
            text = " ".join(str(value).split())
            for special in "\\|<>":  # a table cell: no column break, no HTML tag (《<大兴信息>》)
                text = text.replace(special, "\\" + special)
            return text
    return ""


def _effect(provision) -> str:
    """What a recorded exception does under the provision's shapes: the severities it lowers, or that it is needed."""
    shapes = resources.shapes()
    effects = []
    for shape in sorted(shapes.subjects(DXS.implements, provision)):
        lowered = shapes.value(shape, DXS.severityWhenJustified)
        if lowered is not None:
            effects.append(f"{SEVERITY.get(shapes.value(shape, SH.severity), '?')} → {SEVERITY.get(lowered, '?')}")
        if shapes.value(shape, DXS.needsJustification) == Literal(True):
            effects.append(f"needed: without one, a {SEVERITY.get(shapes.value(shape, SH.severity), '?')}")
    return "; ".join(dict.fromkeys(effects))


def section() -> str:
    """The generated section: a table of the provisions that admit a justification, in catalogue order."""
    rows = ["| notation | id | 条款 | clause | with a recorded exception |", "|---|---|---|---|---|"]
    for provision, notation in justifiable_provisions().items():
        ident = str(provision).rsplit("/", 1)[-1]
        rows.append(f"| `{notation}` | `{ident}` | {_text(provision, 'zh')} | {_text(provision, 'en')} | "
                    f"{_effect(provision)} |")
    count = len(rows) - 2
    return (f"{BEGIN}\n\n{count} provisions admit a justification; `provision` takes the notation or the id. An "
            "exception for any other provision is refused by the loader, with this list.\n\n"
            + "\n".join(rows) + f"\n\n{END}")


# --- Which provisions read each field ------------------------------------------------------------------------

# Shape parts that are followed to find what a shape reads: nested and referenced shapes, and their lists.
FOLLOWED = (SH.property, SH.node, SH.qualifiedValueShape, SH["not"], SH["and"], SH["or"], SH.xone, SH.sparql)
SPARQL_TEXT = (SH.select, SH.ask, SH.construct)
PREFIXED_NAME = re.compile(r"(?<![\w<#])([a-z][\w-]*):([A-Za-z_][\w-]*)")
FULL_IRI = re.compile(r"<(https?://[^>\s]+)>")


def context_fields(terms: dict | None = None, parent: str = "record") -> dict[tuple[str, URIRef], set[str]]:
    """Every field of the JSON-LD context with the property it writes, and the objects it appears in ("record" at
    the top, else the field that holds it: `meals`, `venue` ...)."""
    terms = resources.context() if terms is None else terms
    found: dict[tuple[str, URIRef], set[str]] = defaultdict(set)
    for key, definition in terms.items():
        if key.startswith("@") or key in ("id", "type", NONE_RECORDED) or key[:1].isupper():
            continue
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if not isinstance(iri, str) or iri.endswith(("/", "#")) or ":" not in iri:
            continue
        found[(key, _expand(iri))].add(parent)
        nested = definition.get("@context") if isinstance(definition, dict) else None
        if isinstance(nested, dict):
            for field, parents in context_fields(nested, key).items():
                found[field] |= parents
    return found


def _expand(name: str) -> URIRef:
    prefix, _, local = name.partition(":")
    return URIRef(str(PREFIXES[prefix]) + local) if prefix in PREFIXES else URIRef(name)


def shape_reads(shapes: Graph, shape: URIRef) -> set[URIRef]:
    """The properties a shape reads: on its paths (and its nested shapes' paths), in its SPARQL, and in the
    definitions of the classes it targets."""
    reads: set[URIRef] = set()
    seen, todo = {shape}, [shape]
    while todo:
        node = todo.pop()
        for predicate, value in shapes.predicate_objects(node):
            if predicate in SPARQL_TEXT:
                reads.update(_expand(f"{p}:{local}") for p, local in PREFIXED_NAME.findall(str(value)))
                reads.update(URIRef(iri) for iri in FULL_IRI.findall(str(value)))
            elif isinstance(value, URIRef) and predicate not in FOLLOWED:
                reads.add(value)
            if value not in seen and (isinstance(value, BNode) or predicate in FOLLOWED):
                seen.add(value)
                todo.append(value)
    for cls in {*shapes.objects(shape, SH.targetClass), *reads}:
        reads |= class_reads(cls)
    reads.update(shapes.objects(shape, SH.targetObjectsOf))
    reads.update(shapes.objects(shape, SH.targetSubjectsOf))
    return reads


@cache
def _model() -> Graph:
    """The ontology with the axioms of the default readings (which drinks are high-end ...)."""
    graph = Graph()
    graph += resources.ontology()
    graph += readings.axioms(readings.resolve())
    return graph


@cache
def class_reads(cls: URIRef) -> frozenset[URIRef]:
    """The properties that put a record in a class: those of its definitions (an equivalent class expression, or a
    class expression declared its subclass) and of the named classes those definitions mention. A named subclass
    is not followed: a record stated as a meeting is a meeting whatever makes it a special-topic one."""
    ontology = _model()
    reads: set[URIRef] = set()
    classes, todo = {cls}, [cls]
    while todo:
        current = todo.pop()
        definitions = set(ontology.objects(current, OWL.equivalentClass)) | set(
            ontology.subjects(OWL.equivalentClass, current)) | set(ontology.subjects(RDFS.subClassOf, current))
        for definition in definitions:
            named = {definition} if isinstance(definition, URIRef) and (definition, RDFS.subClassOf, current) \
                not in ontology else set()
            if isinstance(definition, BNode):
                named = _expression_parts(ontology, definition, reads)
            for other in named - classes:
                classes.add(other)
                todo.append(other)
    return frozenset(reads)


def _expression_parts(ontology: Graph, expression: BNode, reads: set[URIRef]) -> set[URIRef]:
    """Collect the properties of a class expression into `reads`; return the named classes it mentions."""
    named: set[URIRef] = set()
    seen, todo = {expression}, [expression]
    while todo:
        node = todo.pop()
        for predicate, value in ontology.predicate_objects(node):
            if predicate == OWL.onProperty and isinstance(value, URIRef):
                reads.add(value)
            elif predicate in (OWL.someValuesFrom, OWL.allValuesFrom, RDF.first) and isinstance(value, URIRef) \
                    and (value, RDF.type, OWL.Class) in ontology:
                named.add(value)
            if isinstance(value, BNode) and value not in seen:
                seen.add(value)
                todo.append(value)
    return named


@cache
def fed_by(prop: URIRef) -> frozenset[URIRef]:
    """The properties a value of `prop` may come from: itself, its sub-properties, the links of a chain that
    implies it, its inverse, the recorded facts the engine derives it from, and a bound that stands in for it where it
    is not recorded (dxo:upperBoundOf: a speech's minutesAtMost for its minutes, kb/checking/missing.py)."""
    ontology = _model()
    found, todo = {prop}, [prop]
    while todo:
        current = todo.pop()
        sources = set(ontology.subjects(RDFS.subPropertyOf, current)) | set(ontology.objects(current, OWL.inverseOf)) \
            | set(ontology.subjects(OWL.inverseOf, current)) | set(DERIVED_FROM.get(current, ())) \
            | set(ontology.subjects(DXO.upperBoundOf, current))
        for chain in ontology.objects(current, OWL.propertyChainAxiom):
            sources.update(Collection(ontology, chain))
        sources |= _value_conditions(ontology, current)
        for source in sources:
            if isinstance(source, URIRef) and source not in found:
                found.add(source)
                todo.append(source)
    return frozenset(found)


def _value_conditions(ontology: Graph, prop: URIRef) -> set[URIRef]:
    """The properties of the class expressions that give `prop` a value (C subClassOf [prop hasValue v]: an
    approval date or number says the visit was approved, a driver's role that they are service staff)."""
    found: set[URIRef] = set()
    for restriction in ontology.subjects(OWL.onProperty, prop):
        if (restriction, OWL.hasValue, None) not in ontology:
            continue
        for condition in ontology.subjects(RDFS.subClassOf, restriction):
            if isinstance(condition, BNode):
                _expression_parts(ontology, condition, found)
    return found - {DXO.recordedNone}


def provisions_reading() -> tuple[dict[URIRef, set[str]], dict[URIRef, set[str]]]:
    """For each recorded property, the notations of the provisions whose shapes read it, and of those that need it."""
    shapes = readings.shapes(readings.resolve())
    notation = {p: provision_notation(p) for p in set(shapes.objects(None, DXS.implements))}
    reads: dict[URIRef, set[str]] = defaultdict(set)
    for shape, provision in shapes.subject_objects(DXS.implements):
        for prop in shape_reads(shapes, shape):
            for source in fed_by(prop):
                reads[source].add(notation[provision])
    needed: dict[URIRef, set[str]] = defaultdict(set)
    for need in missing.needs(shapes):
        for provision in shapes.objects(need.shape, DXS.implements):
            for step in map(URIRef, need.path or (need.fact,)):  # an inverse step reads as its property
                for source in fed_by(step):
                    needed[source].add(notation[provision])
    return reads, needed


def provision_notation(provision: URIRef) -> str:
    return str(resources.regulation().value(provision, SKOS.notation) or provision)


def fields_section() -> str:
    """The generated table: for each property a field writes (several fields may write one: `start`, `since` and a
    routing step's `time` are all schema:startDate), the provisions that need it and the others that read it."""
    reads, needed = provisions_reading()
    by_property: dict[URIRef, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (field, prop), parents in context_fields().items():
        by_property[prop][field] |= parents
    rows = ["| field | in | property | needed by (left out: not enough data) | also read by |", "|---|---|---|---|---|"]
    unread = []
    for prop, fields in sorted(by_property.items(), key=lambda item: (min(f.lower() for f in item[1]), item[0])):
        names = ", ".join(f"`{field}`" for field in sorted(fields, key=str.lower))
        parents = {parent for where in fields.values() for parent in where}
        where = ", ".join("record" if parent == "record" else f"`{parent}`"
                          for parent in sorted(parents, key=lambda parent: (parent != "record", parent)))
        need = sorted(needed.get(prop, ()), key=_notation_order)
        other = sorted(reads.get(prop, set()) - set(need), key=_notation_order)
        if not need and not other:
            unread.append(f"{names} ({where})")
            continue
        rows.append(f"| {names} | {where} | `{_curie(prop)}` | {', '.join(need)} | {', '.join(other)} |")
    return (f"{FIELDS_BEGIN}\n\n" + "\n".join(rows) + "\n\nNo rule reads these fields (they identify, name or "
            f"describe a record, or are kept as notes): {'; '.join(unread)}.\n\n{FIELDS_END}")


def _curie(iri: URIRef) -> str:
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(str(namespace)):
            return f"{prefix}:{str(iri)[len(str(namespace)):]}"
    return str(iri)


def _notation_order(notation: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", notation))


SECTIONS = ((BEGIN, END, section), (FIELDS_BEGIN, FIELDS_END, fields_section))


def build(text: str) -> str:
    """The page with its generated sections replaced by fresh ones (the markers must be there, once each)."""
    for begin, end, generate in SECTIONS:
        if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
            raise ValueError(f"{DOC.name}: the markers of a generated section are missing or out of order ({begin})")
        head, rest = text.split(begin, 1)
        text = head + generate() + rest.split(end, 1)[1]
    return text


def check(path: Path | None = None) -> str | None:
    """Regenerate in memory; None if the page (docs/records.md) is current, else a message saying what is wrong."""
    path = path or DOC
    if not path.exists():
        return f"{path} is missing"
    text = path.read_text(encoding="utf-8")
    try:
        fresh = build(text)
    except ValueError as exc:
        return str(exc)
    if fresh != text:
        return (f"{path} is stale (its generated section differs from the shapes); "
                "run python scripts/build_records_doc.py")
    return None


def main(argv: list[str] | None = None) -> int:
    """Rewrite the section, or with --check compare it: exit 0 if current, 1 if stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/records.md differs")
    args = parser.parse_args(argv)
    if args.check:
        problem = check()
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{DOC.relative_to(REPO_ROOT)} is up to date")
        return 0
    try:
        fresh = build(DOC.read_text(encoding="utf-8"))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    write_atomically(DOC, fresh)
    print(f"wrote the generated section of {DOC.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
