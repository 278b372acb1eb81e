"""Read event records from files, folders or stdin into RDF, one graph per source, and say what is wrong.

A file that cannot be read, or a record in it that does not fit, becomes an `InputError` naming the file, the
line or field and what was expected; every other file and record still loads. Each source is parsed into a
fresh graph and kept only when it parsed (rdflib leaves partial triples behind on a failed parse).

CSV files (one table per record kind, see `kb/records/mappings/` and docs/records.md) are read together at the end of a
`read()` call: each row becomes a plain JSON record, or a child object (a speech, a participant ...) attached to
its parent record in any CSV file of the call, and the records then take exactly the JSON path below.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urljoin

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kb import resources
from kb.namespaces import DXO, DXP, DXS, DXV, bind_prefixes

RDF_FORMATS = {".ttl": "turtle", ".nt": "nt", ".json": "json", ".jsonld": "json"}
CSV_SUFFIX = ".csv"
READ_SUFFIXES = (*RDF_FORMATS, CSV_SUFFIX)
REFUSED_FORMATS = {".rdf", ".xml", ".owl"}
SPREADSHEETS = {".xlsx", ".xls", ".xlsm", ".ods", ".et"}
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
KNOWN_NAMESPACES = (str(DXV), str(DXP))
# The longest text a field may hold: a bulletin item is at most 1,500 characters (A13.5) and a note rarely more than
# a page; one field of megabytes is a mistake or an attack (pyoxigraph runs out of buffer on a 17 MB string).
MAX_TEXT = 100_000
# The deepest a JSON record may nest objects and arrays: real records nest fewer than 10 levels; from about 500 levels
# the loader's own recursive steps would overflow Python's stack and crash the run.
MAX_DEPTH = 50
# What an IRI may not hold (RFC 3987: no space, no control character, none of <>"{}|\^`): such an "IRI" makes
# the reasoner panic, and in JSON the context would silently turn it into another node.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\ud800-\udfff]')

logging.getLogger("rdflib.term").setLevel(logging.ERROR)
# rdflib warns of a boolean it cannot read (with a line of its own source) where kb reports the value as an input error
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)


@dataclass(frozen=True)
class InputError:
    """Something in the input that could not be loaded, and where."""

    source: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.line and self.source.lower().endswith(CSV_SUFFIX):  # a spreadsheet row, not a text line
            return f"{self.source}: row {self.line}" + (f", column {self.field}" if self.field else "") + \
                f": {self.message}"
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
    """Read every path ('-' is stdin; folders are walked for .ttl, .nt, .json, .jsonld and .csv files).

    CSV files are read last, all together, so that a child table (speeches, participants ...) finds its parent
    records in another CSV file of the same call."""
    batch = Batch()
    tables: list[tuple[str, bytes]] = []
    for source, text, suffix in _sources(paths, stdin, batch.errors):
        if suffix == CSV_SUFFIX:
            tables.append((source, text))
            continue
        graph, errors = parse_text(text, suffix, source)
        batch.errors.extend(errors)
        if graph is not None and len(graph):
            batch.graphs[source] = graph
    if tables:
        graphs, errors = parse_csv(tables)
        batch.errors.extend(errors)
        batch.graphs.update((source, graph) for source, graph in graphs.items() if len(graph))
    return batch


def _sources(paths, stdin, errors: list[InputError]) -> Iterator[tuple[str, str | bytes, str]]:
    """(source, text, suffix) for each file; a CSV file comes as bytes (its encoding is checked with it).
    A file named twice (directly, or inside a folder also named) is read once."""
    seen: set[Path] = set()
    for arg in paths:
        if arg == "-":
            text = (stdin or sys.stdin).read()
            yield "<stdin>", text, ".json" if text.lstrip()[:1] in "{[" else ".ttl"
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in READ_SUFFIXES
                           and not (p.name.startswith("~$") and _suffix(p) == CSV_SUFFIX))  # Excel's lock files
            if not files:
                errors.append(InputError(str(path), "folder holds no .ttl, .nt, .json, .jsonld or .csv file"))
        elif path.is_file():
            files = [path]
        else:
            errors.append(InputError(str(path), "no such file or folder"))
            continue
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            if _suffix(file) == CSV_SUFFIX:
                try:
                    yield str(file), file.read_bytes(), CSV_SUFFIX
                except OSError as exc:
                    errors.append(InputError(str(file), f"cannot read the file: {exc}"))
            elif _suffix(file) in SPREADSHEETS:
                errors.append(InputError(str(file), "spreadsheet workbooks are not read: save each sheet as "
                                                    "\"CSV UTF-8\" and name it <name>.<kind>.csv, e.g. "
                                                    "2024.meetings.csv (see docs/records.md)"))
            elif file.suffix in REFUSED_FORMATS:
                errors.append(InputError(str(file), "RDF/XML is not accepted for records (DTDs and entities "
                                                    "make it unsafe); send Turtle, N-Triples or JSON"))
            elif file.suffix not in RDF_FORMATS:
                errors.append(InputError(str(file), f"unknown file type {file.suffix!r}; expected one of "
                                                    + ", ".join(sorted(READ_SUFFIXES))))
            else:
                try:
                    data = file.read_bytes()
                except OSError as exc:
                    errors.append(InputError(str(file), f"cannot read the file: {exc}"))
                    continue
                text = _decoded(data, str(file), errors)
                if text is not None:
                    yield str(file), text, file.suffix


def _decoded(data: bytes, source: str, errors: list[InputError]) -> str | None:
    """The file's text as UTF-8, a byte order mark dropped (editors on Windows write one); an undecodable byte is
    an error naming its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        errors.append(InputError(source, f"column {column}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file "
                                         "as UTF-8", line=line))
        return None


def _suffix(path: Path) -> str:
    """The suffix, lower-cased for CSV files and workbooks (Windows users write MEETINGS.CSV)."""
    lowered = path.suffix.lower()
    return lowered if lowered == CSV_SUFFIX or lowered in SPREADSHEETS else path.suffix


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
    return graph, _drop_bad_records(graph, source, text)


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
    except ValueError:  # a number of more digits than Python converts to an int (4,300): no field holds one
        limit = sys.get_int_max_str_digits()
        digits = re.search(rf"\d{{{limit + 1},}}", text)
        return None, [InputError(source, f"a number of more than {limit:,} digits; no field holds one",
                                 line=text.count("\n", 0, digits.start()) + 1 if digits else None)]
    records, pointer, errors = _records(document, source)
    graph, more = records_graph(records, source, lambda index: f"{pointer}/{index}" if pointer is not None else "")
    return graph, errors + more


def records_graph(records: list[dict], source: str, pointer_of, line_of=lambda index: None
                  ) -> tuple[Graph, list[InputError]]:
    """The JSON path, for JSON files and CSV rows alike: check each plain record against the bundled context, turn
    the good ones into RDF with it, then drop any record with an ill-typed literal or an unknown concept."""
    errors: list[InputError] = []
    graph = bind_prefixes(Graph())
    good: list[int] = []
    deep = {index for index, record in enumerate(records) if _deeper_than(record, MAX_DEPTH)}
    records = [record if index in deep else without_nulls(record) for index, record in enumerate(records)]
    for index, record in enumerate(records):
        if index in deep:
            errors.append(InputError(source, f"objects and lists nested more than {MAX_DEPTH} levels deep; a record "
                                             "needs fewer than 10",
                                     line=line_of(index), field=pointer_of(index) or "/"))
            continue
        if (at := _surrogate_at(record)) is not None:
            errors.append(InputError(source, SURROGATE, line=line_of(index), field=pointer_of(index) + at or "/"))
            continue
        problems = list(check_record(record, pointer_of(index)))
        if problems:
            errors.extend(InputError(source, message, line=line_of(index), field=fld or "/")
                          for fld, message in problems)
        else:
            good.append(index)
    try:  # one document for all the good records: the context is processed once, not once per record
        records = [with_none_recorded(record) if i in good else record for i, record in enumerate(records)]
        graph.parse(data=json.dumps(_with_context({"@graph": [_body(records[i]) for i in good]})), format="json-ld")
    except (RecursionError, Exception):
        graph = bind_prefixes(Graph())
        for index in good:  # find the record at fault, keep the others
            where, line = pointer_of(index), line_of(index)
            try:
                graph += Graph().parse(data=json.dumps(_with_context(records[index])), format="json-ld")
            except RecursionError:
                errors.append(InputError(source, "nesting too deep to parse", line=line, field=where or "/"))
            except Exception as exc:
                errors.append(InputError(source, f"not valid JSON-LD: {exc}", line=line, field=where or "/"))
    return graph, errors + _drop_bad_records(graph, source)


# A JSON escape such as "\ud800" (half of a UTF-16 pair) stands for no character: such a text cannot be written as
# UTF-8, and as an IRI it makes the reasoner panic.
SURROGATE = "holds a \\u escape for half of a UTF-16 surrogate pair (\\ud800-\\udfff), which is no character"
_SURROGATES = re.compile("[\ud800-\udfff]")


def _surrogate_at(value) -> str | None:
    """The JSON pointer below `value` of the first key or text holding a lone surrogate, or None (no recursion)."""
    stack = [(value, "")]
    while stack:
        item, pointer = stack.pop()
        if isinstance(item, str) and _SURROGATES.search(item):
            return pointer
        if isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATES.search(key):
                    return f"{pointer}/{visible(key)}"
                stack.append((child, f"{pointer}/{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{pointer}/{index}") for index, child in enumerate(item))
    return None


def visible(text: str) -> str:
    """Text as a message can print it: a lone surrogate written as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _deeper_than(value, limit: int) -> bool:
    """True when objects and arrays nest more than `limit` levels (counted without recursion, which is the point)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


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
        if isinstance(document, dict):
            document = [document]
        elif not isinstance(document, list):
            return [], None, [InputError(source, "expected an array of records (JSON objects) in @graph, got "
                                                 f"{'null' if document is None else _shown(document)}",
                                         field="/@graph")]
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


# --- Known, absent and unknown facts -----------------------------------------------------------------------------
#
# A field left out, or written null, was not recorded: the rules that need it say "not enough data". A field written
# as an empty list was recorded as having no value ("drinks": [], "tasks": [], "approvedOn": []): JSON-LD would turn
# it into nothing at all, so the loader states it as `dxo:recordedNone <the field's property>` on the object, which
# the rules read as "known to be absent" (kb/checking/missing.py).

NONE_RECORDED = "recordedNone"


def without_nulls(value):
    """The record with every null field left out: null is "not recorded", the same as leaving the field out."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def with_none_recorded(obj: dict, terms: dict | None = None) -> dict:
    """The object with each field written as an empty list also named in `recordedNone`, by its property's IRI
    (read from the term in scope, so a nested `kind` is the venue kind, not the event kind)."""
    terms = terms if terms is not None else _terms(resources.context())
    done: dict = {}
    absent: list[str] = []
    for key, value in obj.items():
        definition = terms.get(key)
        if value == [] and definition is not None and key != NONE_RECORDED:
            absent.append(_property_iri(definition, key))
        scoped = terms
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped = {**terms, **_terms(definition["@context"])}
        if isinstance(value, dict):
            value = with_none_recorded(value, scoped)
        elif isinstance(value, list):
            value = [with_none_recorded(item, scoped) if isinstance(item, dict) else item for item in value]
        done[key] = value
    if absent:
        done[NONE_RECORDED] = sorted(set(absent))
    return done


def _property_iri(definition, key: str) -> str:
    """The absolute IRI a term stands for: its @id (a compact IRI with one of the context's prefixes)."""
    iri = definition.get("@id", key) if isinstance(definition, dict) else definition
    prefix, _, local = iri.partition(":")
    namespace = resources.context().get(prefix)
    return namespace + local if isinstance(namespace, str) and not local.startswith("//") else iri


def _body(record: dict) -> dict:
    return _as_read({key: value for key, value in record.items() if key != "@context"}, _terms(resources.context()))


# --- Values written as clerks know them ----------------------------------------------------------------------
#
# Two forms the context cannot type by itself are rewritten before JSON-LD reads a checked record: a date without
# a time in a date-time field ("received": "2024-05-13", the day alone being known) becomes an xsd:date value, and
# an exception's provision in the catalogue's notation ("A09.3") becomes the provision's IRI.

EXCEPTION_PROVISION = "dxo:forProvision"  # the property of the `provision` term of an exception
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _as_read(obj: dict, terms: dict) -> dict:
    """The object with its date-only times typed xsd:date and its provisions as IRIs, read with the terms in scope
    (as check_record scopes them)."""
    done: dict = {}
    for key, value in obj.items():
        definition = terms.get(key)
        scoped = terms
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped = {**terms, **_terms(definition["@context"])}
        items = [_value_as_read(item, definition, scoped) for item in (value if isinstance(value, list) else [value])]
        done[key] = items if isinstance(value, list) else items[0]
    return done


def _value_as_read(item, definition, terms: dict):
    if isinstance(item, dict):
        return _as_read(item, terms)
    if not isinstance(definition, dict) or not isinstance(item, str):
        return item
    if _day_only(definition.get("@type"), item):
        return {"@value": item, "@type": str(XSD.date)}
    if definition.get("@id") == EXCEPTION_PROVISION:
        iri = provision_iri(item)
        return str(iri) if iri is not None else item
    return item


def _day_only(kind, item) -> bool:
    """A date in a date-time field: only the day is known, and the value is read as that xsd:date."""
    return (kind == "xsd:dateTime" and isinstance(item, str) and bool(_DAY.match(item))
            and not Literal(item, datatype=XSD.date).ill_typed)


@cache
def justifiable_provisions() -> dict[URIRef, str]:
    """The provisions a recorded exception may name, with their notations, in order: those a shape implementing them
    lowers in severity when justified (dxs:severityWhenJustified) or is met by a recorded justification only
    (dxs:needsJustification). An exception for any other provision would be read by no rule."""
    shapes, regulation = resources.shapes(), resources.regulation()
    found = {provision for shape in {*shapes.subjects(DXS.severityWhenJustified, None),
                                     *shapes.subjects(DXS.needsJustification, Literal(True))}
             for provision in shapes.objects(shape, DXS.implements)}
    notations = {provision: str(regulation.value(provision, SKOS.notation) or provision) for provision in found}
    return dict(sorted(notations.items(), key=lambda item: _notation_key(item[1])))


def _notation_key(notation: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", notation))


@cache
def _provisions_by_notation() -> dict[str, URIRef]:
    regulation = resources.regulation()
    return {str(notation): provision for provision, notation in regulation.subject_objects(SKOS.notation)
            if (provision, RDF.type, DXO.Provision) in regulation}


def provision_iri(text: str) -> URIRef | None:
    """The provision an exception names: its id (A09-3), its notation in the catalogue (A09.3) or its IRI; None
    when the text names no provision."""
    text = text.strip()
    if "://" in text:
        iri = URIRef(text)
    elif text in _provisions_by_notation():
        iri = _provisions_by_notation()[text]
    else:
        iri = DXP[text]
    return iri if (iri, RDF.type, DXO.Provision) in resources.regulation() else None


def _check_provision(item, where: str) -> Iterator[tuple[str, str]]:
    """An exception names a provision that admits a justification, else no rule would read it."""
    admitted = justifiable_provisions()
    candidates = ", ".join(admitted.values())
    iri = provision_iri(item) if isinstance(item, str) else None
    if iri is None:
        yield where, (f"unknown provision {item!r}; an exception names a provision that admits a justification, "
                      f"written A09.3 or A09-3: {candidates}")
    elif iri not in admitted:
        notation = resources.regulation().value(iri, SKOS.notation)
        yield where, (f"provision {item!r} ({notation}) admits no justification: no rule of it is lowered or met by a "
                      f"recorded exception, so this one would be read by none (say why in a note instead); the "
                      f"provisions that admit a justification are: {candidates}")


def _with_context(record: dict) -> dict:
    return {"@context": resources.context(), **_body(record)}


def check_record(record: dict, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Check a plain JSON record against the bundled context: (field, problem) for each unknown field,
    unknown kind or value of the wrong form. JSON-LD itself would silently drop unknown fields."""
    terms = _terms(resources.context())
    if "id" not in record and "@id" not in record:
        yield pointer + "/id", "missing 'id': every record needs an identifier, e.g. \"meeting/2024-03-12-a\""
    if record.get("@context", resources.CONTEXT_IRI) != resources.CONTEXT_IRI:
        yield pointer + "/@context", CONTEXT_REFUSED
    yield from _check_object({k: v for k, v in record.items() if k != "@context"}, terms, pointer)


# Only the bundled context ever applies: a context (or an @import) inside a record could rename fields past the
# check below, or make the JSON-LD processor fetch a URL or read a local file (../shared/notes/security.md, 3).
CONTEXT_REFUSED = (f"only our own @context is accepted (omit it, or use {resources.CONTEXT_IRI!r}); remote, local and "
                   "inline contexts are refused")
KEYWORDS = {"@id", "@type"}  # the JSON-LD keywords a record may use, as "id" and "type"


def _terms(context: dict) -> dict:
    return {key: value for key, value in context.items() if not key.startswith("@")}


def _check_object(obj: dict, terms: dict, pointer: str) -> Iterator[tuple[str, str]]:
    for key, value in obj.items():
        where = f"{pointer}/{key}"
        if key in ("type", "@type"):
            yield from _check_type(value, terms, where)
            continue
        if key == "@context":
            yield where, CONTEXT_REFUSED
            continue
        if key.startswith("@") and key not in KEYWORDS:
            yield where, f"the JSON-LD keyword {key!r} is not accepted in a record; write the fields of docs/records.md"
            continue
        if key in ("id", "@id"):
            yield from _check_reference(value, where)
            continue
        if key == NONE_RECORDED:
            yield where, "recordedNone is written by the loader: write the field itself as an empty list to say " \
                         "it has no value, e.g. \"drinks\": []"
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
            if isinstance(item, list):
                # JSON-LD would read its items as the field's own, past these checks: an @context there was fetched
                yield at, "a list inside a list; write the values in one list"
            elif isinstance(item, dict):
                yield from _check_object(item, scoped, at)
            else:
                yield from _check_value(item, definition, vocab, at)


def _check_type(value, terms: dict, where: str) -> Iterator[tuple[str, str]]:
    types = sorted(key for key, term in terms.items() if key[:1].isupper() and isinstance(term, str))
    for item in value if isinstance(value, list) else [value]:
        if item not in types and not (isinstance(item, str) and ":" in item):
            yield where, f"unknown type {item!r}; expected one of: {', '.join(types)}"


def _fields(terms: dict) -> list[str]:
    return [key for key, value in terms.items() if key != NONE_RECORDED
            and not (isinstance(value, str) and key[:1].isupper())
            and ":" not in key and not (isinstance(value, str) and value.endswith(("/", "#")))]


def _check_value(item, definition, vocab: str | None, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(item, str) and len(item) > MAX_TEXT:
        yield where, f"a value of {len(item):,} characters; a field holds at most {MAX_TEXT:,} characters"
        return
    if not isinstance(definition, dict):
        return
    kind = definition.get("@type")
    if definition.get("@id") == EXCEPTION_PROVISION:
        yield from _check_provision(item, where)
    elif _day_only(kind, item):
        return
    elif kind == "@vocab" and vocab:
        if not isinstance(item, str):
            yield where, f"expected a name from the vocabulary, got {item!r}"
            return
        iri = item if ":" in item else vocab + item
        if not known_iri(URIRef(iri)):
            choices = sorted(str(c)[len(vocab):] for c in _known_iris() if str(c).startswith(vocab))
            yield where, f"unknown value {item!r}; expected one of: {', '.join(choices)}"
    elif kind == "@id":
        yield from _check_reference(item, where)
    elif isinstance(kind, str) and kind.startswith("xsd:"):
        datatype = URIRef("http://www.w3.org/2001/XMLSchema#" + kind[4:])
        if (isinstance(item, dict | list) or item is None or Literal(item, datatype=datatype).ill_typed
                or (kind in _LEXICAL and not _LEXICAL[kind].match(str(item)))
                or (isinstance(item, bool) and kind != "xsd:boolean")  # rdflib takes true as "true" of any type
                or (isinstance(item, float) and not math.isfinite(item))):  # NaN, Infinity: numbers JSON has not
            yield where, f"expected {kind} ({_EXAMPLES.get(kind, 'a value of that type')}), got {item!r}"
    elif definition.get("@language") and not isinstance(item, str):
        yield where, f"expected text, got {item!r}"


def _check_reference(item, where: str) -> Iterator[tuple[str, str]]:
    """An id or a reference to one: a relative IRI such as "org/finance-bureau", or an absolute one."""
    if not isinstance(item, str) or not item.strip():
        yield where, f"expected an identifier string, got {_shown(item)}"
    elif len(item) > MAX_TEXT:
        yield where, f"an identifier of {len(item):,} characters; a field holds at most {MAX_TEXT:,} characters"
    elif _NOT_IRI.search(item.strip()):
        bad = _NOT_IRI.search(item.strip()).group()
        yield where, (f"{_shown(item)} is not an identifier: it holds {bad!r}, which an IRI may not hold (RFC 3987); "
                      "use letters, digits and - . _ ~ / e.g. \"org/finance-bureau\"")


def _shown(value) -> str:
    """A value as an error message quotes it: at most 80 characters of it."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# rdflib accepts more than XML Schema allows ("2024-03-12 09:00", no seconds); a record must use the standard form,
# or a spreadsheet's "2024-03-12 09:00" would slip through without its +08:00 offset.
_LEXICAL = {
    "xsd:dateTime": re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
    "xsd:date": re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
}

_EXAMPLES = {
    "xsd:dateTime": "e.g. \"2024-03-12T09:00:00+08:00\", or the date \"2024-03-12\" when the time is not known",
    "xsd:date": "e.g. \"2024-03-12\"",
    "xsd:gYear": "e.g. \"2024\"",
    "xsd:decimal": "a number",
    "xsd:integer": "a whole number",
    "xsd:boolean": "true or false",
}


# --- CSV records ---------------------------------------------------------------------------------------------
#
# A mapping (kb/records/mappings/<kind>.json) names the record type a table makes and, per column, the JSON field it
# fills ("venue.kind": a nested object; "posts[].role": a list of objects, one value per object by position), whether a
# cell holds a list ("list": true, values separated by ';') and, for a child table, the column naming the parent
# record and the parent's list field the row is appended to. How a cell is typed (number, boolean, text) comes
# from the context, never from the mapping, so each check stays in one place.

LIST_SEPARATOR = ";"
NONE_CELLS = {"none", "无"}  # a cell recording that there is no value (an empty list in JSON); an empty cell is unknown
_NAME_SEPARATORS = re.compile(r"[;；]")  # ids and vocabulary names never hold a semicolon, full-width or not
_BOOLEANS = {"true": True, "false": False, "是": True, "否": False, "1": True, "0": False}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CSV_EXPECTED = {
    "xsd:boolean": "true/false, 是/否 or 1/0",
    "xsd:integer": "a whole number, e.g. 12",
    "xsd:decimal": "a number, e.g. 12 or 12.5",
}


class MappingError(ValueError):
    """A file of kb/records/mappings/ that does not fit the bundled context: a fault of the knowledge base, not the
    input."""


@dataclass(frozen=True)
class Column:
    """One CSV column: where its cells go in the JSON record, how they are split, and the context's type."""

    name: str
    path: tuple[str, ...]  # ("venue", "kind"); a list of objects filled by position: ("posts[]", "role")
    many: bool  # a list of values separated by ';'
    zipped: bool  # one value per object of a list of objects, by position
    datatype: str | None  # the context's @type: "@id", "@vocab", "xsd:boolean" ... (None: text)
    required: bool = False
    absent_under: tuple[str, ...] = ()  # a child table's parent fields whose objects have no such field (a meeting's
    # meals have no dishes): a value there is refused


@dataclass
class Mapping:
    """How one kind of CSV table (meetings, speeches, people ...) becomes JSON records or child objects."""

    kind: str
    type: str | None
    columns: dict[str, Column]
    parent_column: str | None = None
    parent_fields: dict[str, str] = field(default_factory=dict)  # parent kind -> the parent's list field
    spec: dict = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return ([self.parent_column] if self.parent_column else []) + list(self.columns)

    @property
    def required(self) -> list[str]:
        return ([self.parent_column] if self.parent_column else []) + [c.name for c in self.columns.values()
                                                                        if c.required]


@cache
def mappings() -> dict[str, Mapping]:
    """The CSV mappings of kb/records/mappings/, each checked against the bundled context (read once per process)."""
    found = {}
    for path in sorted(MAPPINGS_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if f"{spec.get('kind')}.json" != path.name:
            raise MappingError(f"{path.name}: its \"kind\" must be the file name, {path.stem!r}")
        found[spec["kind"]] = _mapping(spec)
    for mapping in found.values():
        for kind in mapping.parent_fields:
            if kind not in found or found[kind].parent_column:
                raise MappingError(f"{mapping.kind}.json: parent kind {kind!r} is not a table of records")
    return found


def _mapping(spec: dict) -> Mapping:
    kind, parent = spec["kind"], spec.get("parent")
    if parent:
        named = parent["field"]
        fields = dict(named) if isinstance(named, dict) else {k: named for k in parent["kinds"]}
        prefixes: list[tuple[str, ...]] = [(f,) for f in sorted(set(fields.values()))]
    elif spec.get("type") in _terms(resources.context()):
        fields, prefixes = {}, [()]
    else:
        raise MappingError(f"{kind}.json: a table of records needs a \"type\" of the context, got {spec.get('type')!r}")
    columns: dict[str, Column] = {}
    for name, column in spec["columns"].items():
        steps = tuple(column.get("field", name).split("."))
        zipped, many = steps[0].endswith("[]"), bool(column.get("list"))
        if (zipped and (many or len(steps) != 2)) or any(s.endswith("[]") for s in steps[1:]):
            raise MappingError(f"{kind}.json: column {name!r}: a list of objects is written \"field[].name\", "
                               "one value per object (no nested lists)")
        plain = (steps[0][:-2], *steps[1:]) if zipped else steps
        types, absent, first_error = set(), [], None
        for prefix in prefixes:  # a child's field may exist under some of its parents' fields only (dishes)
            try:
                types.add(_datatype((*prefix, *plain), kind, name))
            except MappingError as exc:
                absent.append(prefix[0] if prefix else "")
                first_error = first_error or exc
        if not types:
            raise first_error
        if len(types) != 1:
            raise MappingError(f"{kind}.json: column {name!r} has different types under its parents' fields")
        columns[name] = Column(name, steps, many, zipped, types.pop(), bool(column.get("required")), tuple(absent))
    paths = [(c.path[0].removesuffix("[]"), *c.path[1:]) for c in columns.values()]
    for path in paths:
        if any(other != path and other[:len(path)] == path for other in paths):
            raise MappingError(f"{kind}.json: field {'.'.join(path)!r} is both a value and an object")
    if parent and (parent["column"] in columns or not fields):
        raise MappingError(f"{kind}.json: the parent column must be its own column and name parent kinds")
    return Mapping(kind, spec.get("type"), columns, parent["column"] if parent else None, fields, spec)


def _datatype(steps: tuple[str, ...], kind: str, column: str) -> str | None:
    """The context's @type of a field reached through nested objects, as check_record scopes the terms."""
    terms, definition = _terms(resources.context()), None
    for step in steps:
        definition = terms.get(step)
        if definition is None:
            raise MappingError(f"{kind}.json: column {column!r}: field {'.'.join(steps)!r} is not in the context")
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            terms = {**terms, **_terms(definition["@context"])}
    return definition.get("@type") if isinstance(definition, dict) else None


@dataclass
class _Table:
    source: str
    mapping: Mapping
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), the header being row 1


@dataclass
class _Record:
    source: str
    line: int
    kind: str
    record: dict


def parse_csv(tables: list[tuple[str, bytes]]) -> tuple[dict[str, Graph], list[InputError]]:
    """Read CSV files together: rows of record tables become JSON records, rows of child tables are attached to
    their parent records (in any of the files), then every record takes the JSON path (`records_graph`).

    Errors name the file, the row (the header is row 1) and the column; a bad row is dropped, a child row of a
    dropped parent row goes with it, and every other row loads. A header with an unknown column refuses its file."""
    errors: list[InputError] = []
    tables_read: list[_Table] = []
    dropped: set[str] = set()  # ids of record rows not loaded, so that their children go quietly
    for source, data in tables:
        table, problems = _read_table(source, data)
        errors.extend(problems)
        if table is None:
            continue
        if problems:
            dropped.update(_ids(table))
        else:
            tables_read.append(table)
    records: dict[str, _Record] = {}
    seen: dict[str, tuple[str, int]] = {}
    for table in (t for t in tables_read if t.mapping.parent_column is None):
        errors.extend(_record_rows(table, records, seen, dropped))
    for table in (t for t in tables_read if t.mapping.parent_column is not None):
        errors.extend(_child_rows(table, records, dropped))
    graphs: dict[str, Graph] = {}
    for source in dict.fromkeys(r.source for r in records.values()):
        rows = [r for r in records.values() if r.source == source]
        graph, problems = records_graph([r.record for r in rows], source, lambda index: "",
                                        lambda index, rows=rows: rows[index].line)
        lines = {_iri(r.record["id"]): r.line for r in rows}
        errors.extend(_with_row(e, lines) for e in problems)
        graphs[source] = graph
    return graphs, errors


def _read_table(source: str, data: bytes) -> tuple[_Table | None, list[InputError]]:
    """Decode and split one file, and choose its mapping; (None, errors) when the file cannot be read at all."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [InputError(source, "the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 "
                                         "(Comma delimited)\" / \"CSV UTF-8(逗号分隔)\"")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [InputError(source, f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} at offset "
                                         f"{exc.start}; GBK/ANSI, as Excel's plain \"CSV\" writes, is not read): "
                                         "save it as \"CSV UTF-8 (Comma delimited)\" / \"CSV UTF-8(逗号分隔)\"")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as exc:
        return None, [InputError(source, f"not readable as CSV (near text line {reader.line_num}): {exc}")]
    if not lines or not any(cell.strip() for cell in lines[0]):
        return None, [InputError(source, "no header row: the first row of a CSV file names its columns "
                                         "(see docs/records.md)", line=1)]
    header = [cell.strip().lstrip("\ufeff").strip() for cell in lines[0]]
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    mapping, problem = _choose_mapping(source, header)
    if mapping is None:
        return None, [problem]
    errors = [InputError(source, f"unknown column {name!r}; the columns of {mapping.kind} are: "
                                 + ", ".join(mapping.header), line=1, field=name)
              for name in header if name and name not in mapping.header]
    errors += [InputError(source, f"column {name!r} appears more than once in the header", line=1, field=name)
               for name in sorted({n for n in header if n and header.count(n) > 1})]
    errors += [InputError(source, f"missing column {name!r}: every {mapping.kind} row needs it", line=1, field=name)
               for name in mapping.required if name not in header]
    return _Table(source, mapping, header, rows), errors


def _choose_mapping(source: str, header: list[str]) -> tuple[Mapping | None, InputError | None]:
    """By the file name, <anything>.<kind>.csv; else by the header, if it fits the columns of exactly one kind."""
    known = mappings()
    stem = Path(source).name[:-len(CSV_SUFFIX)]
    named = stem.rsplit(".", 1)[-1]
    if named in known:
        return known[named], None
    given = {name for name in header if name}
    fits = [m for m in known.values() if given <= set(m.header) and set(m.required) <= given]
    if len(fits) == 1:
        return fits[0], None
    why = ("its header fits " + " and ".join(m.kind for m in fits) + " alike" if fits
           else "its header fits the columns of no kind")
    hint = f" ({named!r} in the file name is not a kind)" if "." in stem else ""
    kinds = "; ".join(f"{m.kind} ({', '.join(m.required)})" for m in known.values())
    return None, InputError(source, f"cannot tell which records this CSV file holds{hint}: {why}. Name it "
                                    f"<name>.<kind>.csv (e.g. 2024.meetings.csv), or use the columns of one kind. "
                                    f"Kinds, with their required columns: {kinds}", line=1)


def _ids(table: _Table) -> set[str]:
    """The ids of a refused record table's rows (its children are then dropped without an error each)."""
    if table.mapping.parent_column or "id" not in table.header:
        return set()
    at = table.header.index("id")
    return {_iri(cells[at]) for _, cells in table.rows if at < len(cells) and cells[at].strip()}


def _record_rows(table: _Table, records: dict[str, _Record], seen: dict[str, tuple[str, int]],
                 dropped: set[str]) -> list[InputError]:
    errors, mapping = [], table.mapping
    for line, cells in table.rows:
        body, where, problems = _row_object(mapping, table.header, cells)
        ident = body.pop("id", None)
        record = {**({"id": ident} if ident is not None else {}), "type": mapping.type, **body}
        problems += [(_column_at(where, pointer) or ("id" if pointer == "/id" else None), message)
                     for pointer, message in check_record(record)]  # a cell that could not be read is left out
        key = _iri(ident) if isinstance(ident, str) else None
        if not problems and key in seen:
            first_source, first_line = seen[key]
            problems = [("id", f"duplicate id {ident!r}: already the id of row {first_line} of {first_source} "
                               "(one row per record; its speeches, participants ... go in their own tables)")]
        if problems:
            errors.extend(InputError(table.source, message, line=line, field=column) for column, message in problems)
            if key is not None and key not in seen:
                dropped.add(key)
            continue
        seen[key] = (table.source, line)
        records[key] = _Record(table.source, line, mapping.kind, record)
    return errors


def _child_rows(table: _Table, records: dict[str, _Record], dropped: set[str]) -> list[InputError]:
    errors, mapping = [], table.mapping
    at, named = table.header.index(mapping.parent_column), mapping.parent_column
    kinds = " or ".join(dict.fromkeys(mapping.parent_fields))
    for line, cells in table.rows:
        child, where, problems = _row_object(mapping, table.header, cells)
        ident = cells[at].strip() if at < len(cells) else ""
        parent = records.get(_iri(ident)) if ident else None
        if not ident:
            problems.append((named, f"missing {named}: each {mapping.kind} row names the {kinds} record it "
                                    "belongs to"))
        elif parent is None and _iri(ident) in dropped:
            continue  # its parent row was refused, with an error of its own
        elif parent is None:
            problems.append((named, f"no {kinds} record with id {ident!r} in the CSV files read together"))
        elif parent.kind not in mapping.parent_fields:
            problems.append((named, f"{ident!r} is a {parent.kind} record (row {parent.line} of {parent.source}); "
                                    f"{mapping.kind} rows belong to {kinds} records"))
        target = mapping.parent_fields.get(parent.kind if parent else "", next(iter(mapping.parent_fields.values())))
        fits = parent is not None and parent.kind in mapping.parent_fields
        for column in [c for c in mapping.columns.values() if fits and target in c.absent_under
                       and _cell(table.header, cells, c.name)]:
            field_name = column.path[0].removesuffix("[]")
            owners = " or ".join(k for k, f in mapping.parent_fields.items() if f not in column.absent_under)
            problems.append((column.name, f"the {target} of a {parent.kind} record have no {field_name}: column "
                                          f"{column.name} is for {owners} records only; leave it empty"))
            child.pop(field_name, None)  # said once, not again as an unknown field
        prefix = f"/{target}/0"
        problems += [(_column_at(where, pointer[len(prefix):]) if pointer.startswith(prefix) else None, message)
                     for pointer, message in check_record({"id": ident or "?", target: [child]})]
        if problems:
            errors.extend(InputError(table.source, message, line=line, field=column) for column, message in problems)
            continue
        existing = parent.record.get(target)
        parent.record[target] = ([] if existing is None else existing if isinstance(existing, list)
                                 else [existing]) + [child]
    return errors


def _cell(header: list[str], cells: list[str], name: str) -> str:
    """The text of a row's cell in the named column ('' when the row has none)."""
    at = header.index(name) if name in header else len(cells)
    return cells[at].strip() if at < len(cells) else ""


def _row_object(mapping: Mapping, header: list[str], cells: list[str]
                ) -> tuple[dict, dict[str, str], list[tuple[str | None, str]]]:
    """One row as a plain JSON object (the parent column left out), where each value came from (JSON pointer ->
    column), and the cells that could not be read. Empty cells are not given. A cell `none` records that there is
    none: its field as an empty list, or, in a column filled by position, its list of objects as an empty list."""
    body: dict = {}
    names: dict = {}  # the same shape as body, with column names for values
    problems: list[tuple[str | None, str]] = []
    emptied: dict[str, tuple[str, str]] = {}  # a list of objects a cell says is empty -> (the column, its cell)
    for index, cell in enumerate(cells):
        name, text = header[index] if index < len(header) else "", cell.strip()
        if not text or name == mapping.parent_column:
            continue
        if not name:
            problems.append((None, f"a value in column {index + 1}, which the header does not name: {text!r}"))
            continue
        column = mapping.columns[name]
        if text.casefold() in NONE_CELLS:
            if column.zipped:
                emptied.setdefault(column.path[0][:-2], (name, text))
            else:
                _place_none(body, names, column)
            continue
        parts = _split(text, column) if column.many or column.zipped else [text]
        values = []
        for part in parts:
            value, problem = _cell_value(part, column.datatype) if part else (None, None)
            if problem:
                problems.append((name, problem))
            values.append(value)
        if column.zipped:
            _place_by_position(body, names, column, values)
        elif any(v is not None for v in values):
            _place(body, names, column, [v for v in values if v is not None])
    for key in [k for k, v in body.items() if isinstance(v, list) and v and isinstance(v[0], dict)]:
        kept = [i for i, item in enumerate(body[key]) if item]  # a position empty in every column is no object
        body[key], names[key] = [body[key][i] for i in kept], [names[key][i] for i in kept]
        if not kept:
            del body[key], names[key]
    for key, (name, text) in emptied.items():
        if key in body:  # an object of the list has a value in another of its columns
            others = sorted({label for item in names[key] for label in item.values()})
            problems.append((name, f"column {name} says there are no {key} ({text!r}), but "
                                   f"{', '.join(others)} {'gives' if len(others) == 1 else 'give'} {key} values in "
                                   f"the same row: write the values, or write none and leave the other {key} "
                                   "columns of the row empty (or none)"))
        else:
            body[key], names[key] = [], name
    where: dict[str, str] = {}
    _pointers(names, "", where)
    return body, where, problems


def _split(text: str, column: Column) -> list[str]:
    separator = _NAME_SEPARATORS if column.datatype in ("@id", "@vocab") else re.compile(re.escape(LIST_SEPARATOR))
    return [part.strip() for part in separator.split(text)]


def _cell_value(text: str, datatype: str | None):
    """A cell as the JSON value a record would hold: numbers and booleans by the context's type, else the text
    (dates, ids and vocabulary names are then checked by check_record)."""
    if datatype == "xsd:boolean":
        value = _BOOLEANS.get(text.casefold())
        return (value, None) if value is not None else (None, f"expected xsd:boolean ({_CSV_EXPECTED[datatype]}), "
                                                              f"got {text!r}")
    try:
        if datatype == "xsd:integer":
            return (int(text), None) if _INTEGER.fullmatch(text) else (
                None, f"expected xsd:integer ({_CSV_EXPECTED[datatype]}), got {text!r}")
        if datatype == "xsd:decimal":
            return (_decimal(text), None) if _DECIMAL.fullmatch(text) else (
                None, f"expected xsd:decimal ({_CSV_EXPECTED[datatype]}), got {text!r}")
    except ValueError:  # more digits than Python converts to an int (4,300)
        return None, f"a number of {len(text):,} digits; expected {datatype} ({_CSV_EXPECTED[datatype]})"
    return text, None


def _decimal(text: str):
    """The JSON number a record would hold (12, 12.5), or the text itself where a float would not keep it."""
    if "." not in text:
        return int(text)
    number = float(text)
    return number if "e" not in repr(number) and Decimal(repr(number)) == Decimal(text) else text


def _place(body: dict, names: dict, column: Column, values: list) -> None:
    *outer, leaf = column.path
    for step in outer:
        body, names = body.setdefault(step, {}), names.setdefault(step, {})
    body[leaf] = values if len(values) > 1 else values[0]
    names[leaf] = [column.name] * len(values) if len(values) > 1 else column.name


def _place_none(body: dict, names: dict, column: Column) -> None:
    """A cell saying there is none: the field as an empty list, which the JSON path reads as recorded absent."""
    *outer, leaf = column.path
    for step in outer:
        body, names = body.setdefault(step, {}), names.setdefault(step, {})
    body[leaf], names[leaf] = [], column.name


def _place_by_position(body: dict, names: dict, column: Column, values: list) -> None:
    key, leaf = column.path[0][:-2], column.path[1]
    items, labels = body.setdefault(key, []), names.setdefault(key, [])
    while len(items) < len(values):
        items.append({})
        labels.append({})
    for index, value in enumerate(values):
        if value is not None:
            items[index][leaf], labels[index][leaf] = value, column.name


def _pointers(names, pointer: str, where: dict[str, str]) -> None:
    if isinstance(names, dict):
        for key, value in names.items():
            _pointers(value, f"{pointer}/{key}", where)
    elif isinstance(names, list):
        for index, value in enumerate(names):
            _pointers(value, f"{pointer}/{index}", where)
    else:
        where[pointer] = names


def _column_at(where: dict[str, str], pointer: str) -> str | None:
    """The column a JSON pointer of check_record came from (a list item's pointer names its list's column)."""
    while pointer:
        if pointer in where:
            return where[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return None


def _iri(ident: str) -> str:
    return urljoin(resources.context()["@base"], ident.strip())


def _with_row(error: InputError, lines: dict[str, int]) -> InputError:
    """An error found after the JSON path (an unknown concept ...) names the row of its record."""
    if error.line is None and error.field and error.field.startswith("<"):
        line = lines.get(error.field[1:error.field.find(">")])
        if line:
            return InputError(error.source, error.message, line=line, field=error.field)
    return error


# --- Checks after parsing, for every format ------------------------------------------------------------------


@cache
def _known_iris() -> frozenset[URIRef]:
    """The IRIs the vocabularies and the provisions define, read once per process."""
    return frozenset(s for graph in (resources.vocabularies(), resources.regulation())
                     for s in graph.subjects() if isinstance(s, URIRef))


def known_iri(iri: URIRef) -> bool:
    """True when a vocabulary or provision IRI is defined (other IRIs are the records' own)."""
    return not str(iri).startswith(KNOWN_NAMESPACES) or iri in _known_iris()


def _drop_bad_records(graph: Graph, source: str, text: str | None = None) -> list[InputError]:
    """Remove each record that has an ill-typed literal, an unknown concept, an IRI that is not one or an
    oversize value, and say why (with the line of the text where it can be found)."""
    _read_times_as_beijing(graph)
    errors, bad = [], set()
    for s, p, o in graph:
        problem, at = None, None
        not_iri = next((term for term in (s, p, o, getattr(o, "datatype", None))
                        if isinstance(term, URIRef) and iri_problem(term)), None)
        if not_iri is not None:
            problem, at = f"<{visible(not_iri)}> is not an IRI: {iri_problem(not_iri)}", str(not_iri)
        elif isinstance(o, Literal) and _SURROGATES.search(o):
            problem = f"a value that {SURROGATE}"
        elif isinstance(o, Literal) and o.language and language_problem(o.language):
            problem = f"{o.language!r} is not a language tag (BCP 47): {language_problem(o.language)}"
        elif isinstance(o, Literal) and o.datatype == RDF.langString and not o.language:
            problem = "a value typed rdf:langString without a language tag"
        elif isinstance(o, Literal) and len(o) > MAX_TEXT:
            problem = f"a value of {len(o):,} characters; a field holds at most {MAX_TEXT:,} characters"
        elif isinstance(o, Literal) and o.ill_typed:
            problem = f"value {str(o)!r} is not a valid {graph.qname(o.datatype)}"
        elif isinstance(o, URIRef) and not known_iri(o):
            problem = f"unknown concept or provision <{o}>"
        if problem:
            record = owner(graph, s)
            bad.add(record)
            error = InputError(source, problem, line=_line_of(text, at),
                               field=f"<{record}> {graph.qname(p)}" if not_iri is None else None)
            if error not in errors:  # an IRI that is not one is reported once, not once per statement
                errors.append(error)
    for record in bad:
        graph -= graph.cbd(record)
    return errors


@lru_cache(maxsize=1 << 16)
def iri_problem(iri: str) -> str | None:
    """Why a URI reference is not an absolute IRI (RFC 3987) as the reasoner and the store parse one, or None: the
    reasoner panics on any other, ending the run (a percent sign without two hex digits, a port that is no number,
    a scheme such as "_:b0" from a prefix declared as a blank node)."""
    bad = _NOT_IRI.search(iri)
    if bad is not None:
        return f"it holds {bad.group()!r}, which RFC 3987 does not allow"
    try:
        NamedNode(iri)
    except ValueError as exc:
        return f"{str(exc)[:1].lower()}{str(exc)[1:]} (RFC 3987)"
    return None


@lru_cache(maxsize=1024)
def language_problem(tag: str) -> str | None:
    """Why a language tag is not one (BCP 47) as the reasoner parses it, or None: it panics on any other."""
    try:
        OxLiteral("", language=tag)
    except ValueError as exc:
        return f"{str(exc)[:1].lower()}{str(exc)[1:]}"
    return None


def _line_of(text: str | None, iri: str | None) -> int | None:
    """The line of a source text where an IRI first appears, written out or by its last segment (a prefixed or
    relative name), when both are known."""
    if not text or not iri:
        return None
    for needle in (iri, iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]):
        index = text.find(needle) if needle else -1
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return None


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
