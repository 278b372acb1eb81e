"""One SPARQL request answered safely over a read-only store, in the format the client asked for.

A published endpoint runs queries written by anyone, so before Oxigraph sees a query it goes through
kb.sparql_guard, as `kb query FILE.rq` does: updates and `SERVICE` are refused, and `FROM`, `FROM NAMED` and the
protocol's `default-graph-uri` / `named-graph-uri` may only name this dataset's own graphs (the endpoint never
fetches a graph from elsewhere). A query that does not parse is refused with the parser's line and column.

Answers are capped at `max_rows` rows (or triples); a capped answer says so. The time limit is the caller's
(kb.serve kills the worker process running a query past it: neither rdflib nor pyoxigraph can stop a query).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kb.namespaces import PREFIX_IRIS
from kb.sparql_guard import Refused, check, refuse_unknown_graph

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
        raise Refused(406, f"format={request.format}: this answer comes as {', '.join(offered)}")
    media = negotiate(request.accept, offered)
    if media is None:
        raise Refused(406, f"Accept: {request.accept}: this answer comes as {', '.join(offered)}")
    return media


# --- answering ------------------------------------------------------------------------------------------------


def answer(store: ox.Store, graphs: Collection[str], request: Request, max_rows: int) -> Answer:
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
        return _serialise(result, media, max_rows)
    except Refused as exc:
        return Answer(exc.status, "text/plain; charset=utf-8", f"{exc}\n".encode())


def _serialise(result, media: str, max_rows: int) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer(200, media, _boolean(bool(result), media))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = _first(result, max_rows + 1)
        truncated = len(rows) > max_rows
        rows = rows[:max_rows]
        return Answer(200, media, SOLUTION_WRITERS[media](names, rows), truncated)
    triples = _first(result, max_rows + 1)
    return Answer(200, media, serialise_triples(triples[:max_rows], media), len(triples) > max_rows)


def serialise_triples(triples: list, media: str, extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in one of GRAPH_FORMATS; Turtle with our prefixes so people can read it."""
    prefixes = None
    if media == "text/turtle":
        prefixes = PREFIX_IRIS | (extra_prefixes or {})
    return ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes)


def _first(items, count: int) -> list:
    kept = []
    for item in items:
        kept.append(item)
        if len(kept) >= count:
            break
    return kept


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


def _json(names: list[str], rows: list) -> bytes:
    bindings = [{name: _json_term(row[name]) for name in names if row[name] is not None} for row in rows]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()


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


def _xml(names: list[str], rows: list) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out += [f"<variable name={quoteattr(name)}/>" for name in names]
    out.append("</head>\n<results>")
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>"
                        for name in names if row[name] is not None)
        out.append(f"<result>{cells}</result>")
    out.append("</results>\n</sparql>\n")
    return "\n".join(out).encode()


def _csv(names: list[str], rows: list) -> bytes:
    """CSV as SPARQL 1.1 defines it: plain values (no datatypes or tags), blank nodes as _:label, CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row[n] is None else f"_:{row[n].value}" if isinstance(row[n], ox.BlankNode)
                         else row[n].value for n in names])
    return out.getvalue().encode()


def _tsv(names: list[str], rows: list) -> bytes:
    """TSV as SPARQL 1.1 defines it: terms in their Turtle/N-Triples form, which escapes tabs and newlines."""
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if row[n] is None else str(row[n]) for n in names) for row in rows]
    return ("\n".join(lines) + "\n").encode()


SOLUTION_WRITERS = {"application/sparql-results+json": _json, "application/json": _json,
                    "application/sparql-results+xml": _xml, "text/csv": _csv, "text/tab-separated-values": _tsv}
