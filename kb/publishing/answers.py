"""One SPARQL request answered safely over a read-only store, in the format the client asked for.

A published endpoint runs queries written by anyone, so before Oxigraph sees a query it goes through
kb.asking.sparql_guard, as `kb query FILE.rq` does: updates and `SERVICE` are refused, and `FROM`, `FROM NAMED` and the
protocol's `default-graph-uri` / `named-graph-uri` may only name this dataset's own graphs (the endpoint never
fetches a graph from elsewhere). A query that does not parse is refused with the parser's line and column.

Answers are capped at `max_rows` rows (or triples); a capped answer says so. An answer is written row by row and
stopped as soon as it passes `max_bytes`: the client then gets 503 and the reason, never the first part of an answer
that looks whole. The time and memory limits are the caller's (kb.publishing.workers kills the worker process running a
query past them: neither rdflib nor pyoxigraph can stop a query).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kb.asking.sparql_guard import Refused, check, refuse_unknown_graph
from kb.namespaces import PREFIX_IRIS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "application/json")
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "application/json",
                 "text/plain")
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
GRAPH_TYPES = tuple(GRAPH_FORMATS)
_ALIASES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
            "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
            "jsonld": "application/ld+json", "json-ld": "application/ld+json", "nt": "application/n-triples",
            "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}
SHOWN_CHARACTERS = 200  # of a client's own Accept header or format= echoed in a refusal


@dataclass(frozen=True)
class Request:
    """What the protocol carried: the query, its dataset from the URL, and the client's Accept header."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str = "*/*"
    format: str | None = None  # ?format=json and the like, which many SPARQL clients send instead of Accept


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes
    truncated: bool = False
    retry_after: int | None = None  # seconds, for a refusal that waiting would cure (every worker busy)


class TooLarge(Exception):
    """An answer passed the byte limit while it was being written."""


def shown_size(size: int) -> str:
    """A byte count as people write it: 1 GB, 200 MB, 1.5 MB (binary units, as --max-memory takes them)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _shown(text: str) -> str:
    """What a client sent, echoed on one line and at most SHOWN_CHARACTERS long (an Accept header may be 20 KB)."""
    line = "".join(" " if ch < " " else ch for ch in text)
    return line if len(line) <= SHOWN_CHARACTERS else f"{line[:SHOWN_CHARACTERS]}... ({len(line)} characters)"


# --- content negotiation --------------------------------------------------------------------------------------


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered media type the Accept header prefers (q-values, then specificity, then our order); None if
    it accepts none of them."""
    ranges = []
    for item in (accept or "*/*").split(","):
        kind, *params = (p.strip() for p in item.split(";"))
        if not kind:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((kind.lower(), quality))
    best, best_key = None, (0.0, -1, 0)
    for order, media in enumerate(offered):
        major = media.split("/")[0]
        for kind, quality in ranges:
            specificity = 2 if kind == media else 1 if kind == f"{major}/*" else 0 if kind == "*/*" else -1
            if specificity < 0 or quality <= 0:
                continue
            key = (quality, specificity, -order)
            if key > best_key:
                best, best_key = media, key
    return best


def _chosen(request: Request, offered: tuple[str, ...]) -> str:
    if request.format:
        wanted = _ALIASES.get(request.format.lower(), request.format.lower())
        if wanted in offered:
            return wanted
        raise Refused(406, f"format={_shown(request.format)}: this answer comes as {', '.join(offered)}")
    media = negotiate(request.accept, offered)
    if media is None:
        raise Refused(406, f"Accept: {_shown(request.accept)}: this answer comes as {', '.join(offered)}")
    return media


# --- answering ------------------------------------------------------------------------------------------------


def answer(store: ox.Store, graphs: Collection[str], request: Request, max_rows: int,
           max_bytes: int | None = None) -> Answer:
    """Check, run and serialise one query; a refusal or an error becomes an answer with its status."""
    try:
        form = check(request.query, graphs)
        for iri in request.default_graphs:
            refuse_unknown_graph(iri, graphs, "default-graph-uri")
        for iri in request.named_graphs:
            refuse_unknown_graph(iri, graphs, "named-graph-uri")
        offered = SOLUTION_TYPES if form == "SELECT" else BOOLEAN_TYPES if form == "ASK" else GRAPH_TYPES
        media = _chosen(request, offered)
        dataset = {}
        if request.default_graphs:
            dataset["default_graph"] = [ox.NamedNode(iri) for iri in request.default_graphs]
        if request.named_graphs:
            dataset["named_graphs"] = [ox.NamedNode(iri) for iri in request.named_graphs]
        if not dataset:
            dataset["use_default_graph_as_union"] = True
        try:
            result = store.query(request.query, **dataset)
        except (SyntaxError, ValueError, OSError) as exc:
            raise Refused(400, f"the query failed: {exc}") from None
        try:
            return _serialise(result, media, max_rows, max_bytes)
        except TooLarge:
            raise Refused(503, f"the answer was stopped at the size limit of {shown_size(max_bytes)}: ask for fewer "
                               "rows (LIMIT) or shorter values") from None
    except Refused as exc:
        return Answer(exc.status, "text/plain; charset=utf-8", f"{exc}\n".encode())


def _serialise(result, media: str, max_rows: int, max_bytes: int | None) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer(200, media, _boolean(bool(result), media))
    rows = _First(result, max_rows)
    out = _Bounded(max_bytes)
    if isinstance(result, ox.QuerySolutions):
        for chunk in SOLUTION_WRITERS[media]([v.value for v in result.variables], rows):
            out.write(chunk)
    else:
        serialise_triples(rows, media, output=out)
    return Answer(200, media, out.value(), rows.truncated)


def serialise_triples(triples, media: str, extra_prefixes: dict[str, str] | None = None, output=None) -> bytes | None:
    """Triples in one of GRAPH_FORMATS (into `output` if given); Turtle with our prefixes so people can read it."""
    prefixes = None
    if media == "text/turtle":
        prefixes = PREFIX_IRIS | (extra_prefixes or {})
    return ox.serialize(triples, output, format=GRAPH_FORMATS[media], prefixes=prefixes)


class _First:
    """The first `count` items, read one at a time (a capped answer is never held whole); notes if there were more."""

    def __init__(self, items, count: int):
        self.items, self.count, self.truncated = items, count, False

    def __iter__(self):
        for seen, item in enumerate(self.items):
            if seen == self.count:
                self.truncated = True
                return
            yield item


class _Bounded:
    """An answer's bytes, collected as they are written; TooLarge as soon as they pass `limit`."""

    def __init__(self, limit: int | None):
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _boolean(value: bool, media: str) -> bytes:
    if media.endswith("xml"):
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{str(value).lower()}</boolean></sparql>\n").encode()
    if media == "text/plain":
        return f"{str(value).lower()}\n".encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


# --- the SPARQL 1.1 result formats (JSON, XML, CSV, TSV) ------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            found["datatype"] = term.datatype.value
        return found
    return {"type": "triple", "value": str(term)}  # RDF-star quoted triples, which our data does not use


def _json(names: list[str], rows) -> Iterator[bytes]:
    yield f'{{"head": {json.dumps({"vars": names}, ensure_ascii=False)}, "results": {{"bindings": ['.encode()
    for count, row in enumerate(rows):
        binding = {name: _json_term(row[name]) for name in names if row[name] is not None}
        yield (", " if count else "").encode() + json.dumps(binding, ensure_ascii=False).encode()
    yield b"]}}"


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(names: list[str], rows) -> Iterator[bytes]:
    head = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    head += [f"<variable name={quoteattr(name)}/>" for name in names]
    head.append("</head>\n<results>")
    yield "\n".join(head).encode()
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>"
                        for name in names if row[name] is not None)
        yield f"\n<result>{cells}</result>".encode()
    yield b"\n</results>\n</sparql>\n"


def _csv(names: list[str], rows) -> Iterator[bytes]:
    """CSV as SPARQL 1.1 defines it: plain values (no datatypes or tags), blank nodes as _:label, CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def line(cells: list[str]) -> bytes:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue().encode()

    yield line(names)
    for row in rows:
        yield line(["" if row[n] is None else f"_:{row[n].value}" if isinstance(row[n], ox.BlankNode)
                    else row[n].value for n in names])


def _tsv(names: list[str], rows) -> Iterator[bytes]:
    """TSV as SPARQL 1.1 defines it: terms in their Turtle/N-Triples form, which escapes tabs and newlines."""
    yield ("\t".join(f"?{n}" for n in names) + "\n").encode()
    for row in rows:
        yield ("\t".join("" if row[n] is None else str(row[n]) for n in names) + "\n").encode()


SOLUTION_WRITERS = {"application/sparql-results+json": _json, "application/json": _json,
                    "application/sparql-results+xml": _xml, "text/csv": _csv, "text/tab-separated-values": _tsv}
