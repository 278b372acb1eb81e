"""Read event records from files, folders or stdin into RDF, one graph per source, and say what is wrong.

A file that cannot be read, or a record in it that does not fit, becomes an `InputError` naming the file, the
line or field and what was expected; every other file and record still loads. Each source is parsed into a
fresh graph and kept only when it parsed (rdflib leaves partial triples behind on a failed parse).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kb import resources
from kb.namespaces import DXP, DXV, bind_prefixes

RDF_FORMATS = {".ttl": "turtle", ".nt": "nt", ".json": "json", ".jsonld": "json"}
REFUSED_FORMATS = {".rdf", ".xml", ".owl"}
KNOWN_NAMESPACES = (str(DXV), str(DXP))

logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@dataclass(frozen=True)
class InputError:
    """Something in the input that could not be loaded, and where."""

    source: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "") + (f" {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class Batch:
    """What one run read: a graph per source, and the errors met on the way."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)

    def union(self) -> Graph:
        merged = bind_prefixes(Graph())
        for graph in self.graphs.values():
            merged += graph
        return merged

    def source_of(self, node) -> str | None:
        """The source that describes a node, for reports."""
        for source, graph in self.graphs.items():
            if (node, None, None) in graph:
                return source
        return None


def read(paths: Iterable[str], stdin=None) -> Batch:
    """Read every path ('-' is stdin; folders are walked for .ttl, .nt, .json and .jsonld files)."""
    batch = Batch()
    for source, text, suffix in _sources(paths, stdin, batch.errors):
        graph, errors = parse_text(text, suffix, source)
        batch.errors.extend(errors)
        if graph is not None and len(graph):
            batch.graphs[source] = graph
    return batch


def _sources(paths, stdin, errors: list[InputError]) -> Iterator[tuple[str, str, str]]:
    for arg in paths:
        if arg == "-":
            text = (stdin or sys.stdin).read()
            yield "<stdin>", text, ".json" if text.lstrip()[:1] in "{[" else ".ttl"
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in RDF_FORMATS)
            if not files:
                errors.append(InputError(str(path), "folder holds no .ttl, .nt, .json or .jsonld file"))
        elif path.is_file():
            files = [path]
        else:
            errors.append(InputError(str(path), "no such file or folder"))
            continue
        for file in files:
            if file.suffix in REFUSED_FORMATS:
                errors.append(InputError(str(file), "RDF/XML is not accepted for records (DTDs and entities "
                                                    "make it unsafe); send Turtle, N-Triples or JSON"))
            elif file.suffix not in RDF_FORMATS:
                errors.append(InputError(str(file), f"unknown file type {file.suffix!r}; expected one of "
                                                    + ", ".join(sorted(RDF_FORMATS))))
            else:
                try:
                    yield str(file), file.read_text(encoding="utf-8"), file.suffix
                except (OSError, UnicodeDecodeError) as exc:
                    errors.append(InputError(str(file), f"cannot read the file: {exc}"))


def parse_text(text: str, suffix: str, source: str) -> tuple[Graph | None, list[InputError]]:
    """Parse one source; on a syntax error return no graph and an error with the line."""
    fmt = RDF_FORMATS[suffix]
    if fmt == "json":
        return _parse_json(text, source)
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=text, format=fmt)
    except BadSyntax as exc:
        return None, [InputError(source, f"Turtle syntax error: {exc._why}", line=exc.lines + 1)]
    except ParserError as exc:
        return None, [InputError(source, f"N-Triples syntax error: {exc}", line=_bad_ntriples_line(text))]
    except RecursionError:
        return None, [InputError(source, "nesting too deep to parse")]
    except Exception as exc:  # rdflib raises many kinds for malformed input
        return None, [InputError(source, f"cannot parse as {fmt}: {exc}")]
    return graph, _drop_bad_records(graph, source)


def _read_times_as_beijing(graph: Graph) -> None:
    """A time without an offset is read as Beijing time (UTC+08:00), so times compare as the catalogue says."""
    for s, p, o in list(graph):
        if isinstance(o, Literal) and o.datatype == XSD.dateTime and not o.ill_typed and _NO_OFFSET.search(str(o)):
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o) + "+08:00", datatype=XSD.dateTime)))


_NO_OFFSET = re.compile(r"T[0-9:.]+$")


def _bad_ntriples_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                Graph().parse(data=line, format="nt")
            except Exception:
                return number
    return None


# --- JSON records --------------------------------------------------------------------------------------------


def _parse_json(text: str, source: str) -> tuple[Graph | None, list[InputError]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [InputError(source, f"JSON syntax error: {exc.msg}", line=exc.lineno)]
    except RecursionError:
        return None, [InputError(source, "nesting too deep to parse")]
    records, pointer, errors = _records(document, source)
    graph = bind_prefixes(Graph())
    for index, record in enumerate(records):
        where = f"{pointer}/{index}" if pointer is not None else ""
        problems = list(check_record(record, where))
        if problems:
            errors.extend(InputError(source, message, field=fld or "/") for fld, message in problems)
            continue
        try:
            record_graph = Graph().parse(data=json.dumps(_with_context(record)), format="json-ld")
        except RecursionError:
            errors.append(InputError(source, "nesting too deep to parse", field=where or "/"))
            continue
        except Exception as exc:
            errors.append(InputError(source, f"not valid JSON-LD: {exc}", field=where or "/"))
            continue
        graph += record_graph
    return graph, errors + _drop_bad_records(graph, source)


def _records(document, source: str) -> tuple[list[dict], str | None, list[InputError]]:
    """Split a JSON document into records: an object, an array of objects, or {"@graph": [...]}."""
    errors: list[InputError] = []
    context = document.get("@context") if isinstance(document, dict) else None
    if context is not None and context != resources.CONTEXT_IRI:
        return [], None, [InputError(source, "only our own @context is accepted (omit it, or use "
                                             f"{resources.CONTEXT_IRI!r}); remote and inline contexts are "
                                             "refused", field="/@context")]
    if isinstance(document, dict) and "@graph" in document:
        document, pointer = document["@graph"], "/@graph"
    elif isinstance(document, list):
        pointer = ""
    else:
        return ([document] if isinstance(document, dict) else []), None, (
            [] if isinstance(document, dict)
            else [InputError(source, "expected a JSON object or an array of objects")])
    records = []
    for index, item in enumerate(document):
        if isinstance(item, dict):
            records.append(item)
        else:
            errors.append(InputError(source, "expected a JSON object (a record)", field=f"{pointer}/{index}"))
    return records, pointer, errors


def _with_context(record: dict) -> dict:
    body = {key: value for key, value in record.items() if key != "@context"}
    return {"@context": resources.context(), **body}


def check_record(record: dict, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Check a plain JSON record against the bundled context: (field, problem) for each unknown field,
    unknown kind or value of the wrong form. JSON-LD itself would silently drop unknown fields."""
    terms = _terms(resources.context())
    if "id" not in record and "@id" not in record:
        yield pointer + "/id", "missing 'id': every record needs an identifier, e.g. \"meeting/2024-03-12-a\""
    yield from _check_object(record, terms, pointer)


def _terms(context: dict) -> dict:
    return {key: value for key, value in context.items() if not key.startswith("@")}


def _check_object(obj: dict, terms: dict, pointer: str) -> Iterator[tuple[str, str]]:
    for key, value in obj.items():
        where = f"{pointer}/{key}"
        if key == "type":
            yield from _check_type(value, terms, where)
            continue
        if key.startswith("@") or key == "id":
            continue
        definition = terms.get(key)
        if definition is None:
            yield where, f"unknown field {key!r}; expected one of: {', '.join(sorted(_fields(terms)))}"
            continue
        scoped = terms
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped = {**terms, **_terms(definition["@context"])}
            vocab = definition["@context"].get("@vocab")
        else:
            vocab = None
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}/{index}" if isinstance(value, list) else where
            if isinstance(item, dict):
                yield from _check_object(item, scoped, at)
            else:
                yield from _check_value(item, definition, vocab, at)


def _check_type(value, terms: dict, where: str) -> Iterator[tuple[str, str]]:
    types = sorted(key for key, term in terms.items() if key[:1].isupper() and isinstance(term, str))
    for item in value if isinstance(value, list) else [value]:
        if item not in types and not (isinstance(item, str) and ":" in item):
            yield where, f"unknown type {item!r}; expected one of: {', '.join(types)}"


def _fields(terms: dict) -> list[str]:
    return [key for key, value in terms.items() if not (isinstance(value, str) and key[:1].isupper())
            and ":" not in key and not (isinstance(value, str) and value.endswith(("/", "#")))]


def _check_value(item, definition, vocab: str | None, where: str) -> Iterator[tuple[str, str]]:
    if not isinstance(definition, dict):
        return
    kind = definition.get("@type")
    if kind == "@vocab" and vocab:
        if not isinstance(item, str):
            yield where, f"expected a name from the vocabulary, got {item!r}"
            return
        iri = item if ":" in item else vocab + item
        if not known_iri(URIRef(iri)):
            choices = sorted(str(c)[len(vocab):] for c in _known_iris() if str(c).startswith(vocab))
            yield where, f"unknown value {item!r}; expected one of: {', '.join(choices)}"
    elif kind == "@id":
        if not isinstance(item, str) or not item.strip():
            yield where, f"expected an identifier string, got {item!r}"
    elif isinstance(kind, str) and kind.startswith("xsd:"):
        datatype = URIRef("http://www.w3.org/2001/XMLSchema#" + kind[4:])
        if isinstance(item, dict | list) or item is None or Literal(item, datatype=datatype).ill_typed:
            yield where, f"expected {kind} ({_EXAMPLES.get(kind, 'a value of that type')}), got {item!r}"
    elif definition.get("@language") and not isinstance(item, str):
        yield where, f"expected text, got {item!r}"


_EXAMPLES = {
    "xsd:dateTime": "e.g. \"2024-03-12T09:00:00+08:00\"",
    "xsd:date": "e.g. \"2024-03-12\"",
    "xsd:gYear": "e.g. \"2024\"",
    "xsd:decimal": "a number",
    "xsd:integer": "a whole number",
    "xsd:boolean": "true or false",
}


# --- Checks after parsing, for every format ------------------------------------------------------------------


@cache
def _known_iris() -> frozenset[URIRef]:
    """The IRIs the vocabularies and the provisions define, read once per process."""
    return frozenset(s for graph in (resources.vocabularies(), resources.regulation())
                     for s in graph.subjects() if isinstance(s, URIRef))


def known_iri(iri: URIRef) -> bool:
    """True when a vocabulary or provision IRI is defined (other IRIs are the records' own)."""
    return not str(iri).startswith(KNOWN_NAMESPACES) or iri in _known_iris()


def _drop_bad_records(graph: Graph, source: str) -> list[InputError]:
    """Remove each record that has an ill-typed literal or an unknown concept, and say why."""
    _read_times_as_beijing(graph)
    errors, bad = [], set()
    for s, p, o in graph:
        problem = None
        if isinstance(o, Literal) and o.ill_typed:
            problem = f"value {str(o)!r} is not a valid {graph.qname(o.datatype)}"
        elif isinstance(o, URIRef) and not known_iri(o):
            problem = f"unknown concept or provision <{o}>"
        if problem:
            record = owner(graph, s)
            bad.add(record)
            errors.append(InputError(source, problem, field=f"<{record}> {graph.qname(p)}"))
    for record in bad:
        graph -= graph.cbd(record)
    return errors


def owner(graph: Graph, node):
    """The named resource a blank node belongs to (following incoming links), or the node itself."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(graph.subjects(None, node), None)
        if parent is None:
            break
        node = parent
    return node
