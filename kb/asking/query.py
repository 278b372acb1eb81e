"""SPARQL over the whole knowledge base: the regulation, ontology, shapes, records, inferred triples and results.

A query is a `.rq` file in `queries/` (called by its name) or any file. Its header says what it needs:

    # Params:  ?unit (IRI, required)  ?from (xsd:date, optional)

`kb query` reads that line to type each `--param name=value` and binds it with `initBindings`, so a value is
never pasted into the query text. A query that does not parse is reported with its line and column; one that
updates, calls SERVICE or names a graph in FROM is refused before it runs (kb.asking.sparql_guard, as for `kb serve`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import XSD
from rdflib.query import Result

from kb import resources
from kb.asking import sparql_guard
from kb.namespaces import bind_prefixes
from kb.reasoning import readings
from kb.reasoning.calendar import calendar

QUERIES = resources.HOME / "queries"
_PARAM = re.compile(r"\?(\w+)\s*\(([^,)]+)(?:,\s*(required|optional))?[^)]*\)")
TYPES = {"IRI": None, "string": None, "xsd:string": None, "xsd:date": XSD.date,
         "xsd:dateTime": XSD.dateTime, "xsd:integer": XSD.integer, "xsd:decimal": XSD.decimal,
         "xsd:boolean": XSD.boolean, "language-tagged string": None}


WHO = "kb query"


class QueryError(ValueError):
    """A query that cannot be found, parsed or given its parameters; the message says where and what."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool


@dataclass(frozen=True)
class NamedQuery:
    """A query file with what its header says."""

    path: Path
    text: str
    summary: str
    params: tuple[Param, ...]

    @property
    def name(self) -> str:
        return self.path.stem


def library() -> dict[str, NamedQuery]:
    """The analyst queries shipped in queries/ (not the checks), by name."""
    return {p.stem: read_query(p) for p in sorted(QUERIES.glob("*.rq"))}


def read_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = _header(text)
    summary = " ".join(header.get("Summary", []))
    params = tuple(Param(m.group(1), m.group(2).strip(), m.group(3) == "required")
                   for line in header.get("Params", []) for m in _PARAM.finditer(line))
    return NamedQuery(path, text, summary, params)


def _header(text: str) -> dict[str, list[str]]:
    """The `# Key: value` lines at the top of a query, continuation lines (`#   ...`) appended to the key."""
    header: dict[str, list[str]] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"(Summary|Params|Returns):\s*(.*)", body)
        if match:
            key = match.group(1)
            header.setdefault(key, []).append(match.group(2))
        elif key and line.startswith("#  "):
            header[key].append(body)
    return header


def find(name_or_path: str) -> NamedQuery:
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.exists():
        return read_query(path)
    known = library()
    if name_or_path in known:
        return known[name_or_path]
    raise QueryError(f"no query named {name_or_path!r}; the library has: {', '.join(sorted(known))}")


def bindings(query: NamedQuery, values: dict[str, str]) -> dict[Variable, object]:
    """Type each given value by the header and check the required ones are there."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(f"{query.name}: no parameter {', '.join(unknown)}; it takes "
                         f"{', '.join(declared) or 'none'}")
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        raise QueryError(f"{query.name}: parameter {', '.join(missing)} is required (--param NAME=VALUE)")
    bound = {}
    for name, value in values.items():
        kind = declared[name].type
        if kind == "IRI":
            if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", value, re.I):
                raise QueryError(f"{query.name}: ?{name} must be an IRI, got {value!r}")
            bound[Variable(name)] = URIRef(value)
        else:
            literal = Literal(value, datatype=TYPES.get(kind))
            if literal.ill_typed:
                raise QueryError(f"{query.name}: ?{name} must be {kind}, got {value!r}")
            bound[Variable(name)] = literal
    return bound


def prepare(query: NamedQuery):
    """The parsed query, if kb.asking.sparql_guard lets it run: a file from anyone may not update, call SERVICE (rdflib
    would send the request) or name a graph in FROM / FROM NAMED (the knowledge base is one default graph)."""
    return _prepared(query.path, query.text)


@lru_cache(maxsize=256)
def _prepared(path: Path, text: str):
    """Parsed once per text: rdflib's grammar takes about half a second on the rules query, which `kb rules` asks
    once per record (a prepared query is rdflib's own form for asking again). The grammar is imported here, not
    with the module: `kb rules` asks Oxigraph and never needs it."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        parsed = prepareQuery(text)
    except ParseException as exc:
        if sparql_guard.is_update(text):
            raise QueryError(f"{path}: {sparql_guard.update_refused(WHO)}") from None
        raise QueryError(f"{path}: syntax error at line {exc.lineno}, column {exc.col}: "
                         f"{exc.line.strip()!r}\n{' ' * (exc.col - 1)}^ {exc.msg}") from None
    except Exception as exc:  # rdflib raises plain exceptions for unknown prefixes and the like
        raise QueryError(f"{path}: {exc}") from None
    try:
        sparql_guard.inspect(parsed, (), WHO)
    except sparql_guard.Refused as exc:
        raise QueryError(f"{path}: {exc}") from None
    return parsed


def knowledge_graph(data: Graph | None = None, inferred: Graph | None = None, results: Graph | None = None,
                    choices=None) -> Graph:
    """The regulation, ontology, vocabularies, shapes (under the chosen readings), the working-day calendar,
    the records, what was inferred about them and the results, as one graph to query."""
    graph = bind_prefixes(Graph())
    for part in (resources.ontology(), resources.vocabularies(), resources.regulation(),
                 readings.shapes(choices or readings.resolve()), readings.dataset().default_graph):
        graph += part
    for part in (data, inferred, results):
        if part is not None:
            graph += part
    graph += calendar()
    return graph


def _static_key(choices) -> bytes:
    """Every input of the static knowledge graph under these readings, as a key for `resources.kept`."""
    files = [*sorted(resources.ONTOLOGY_DIR.glob("*.ttl")), *sorted(resources.VOCAB_DIR.glob("*.ttl")),
             *sorted(resources.REGULATION_DIR.glob("*.ttl")), *sorted(resources.SHAPES_DIR.glob("*.ttl")),
             resources.CALENDAR_FILE, readings.SETTINGS_FILE, Path(__file__)]
    return resources.files_key(files) + " ".join(str(choice.iri) for choice in choices).encode()


@cache
def _static_graph(choices) -> Graph:
    """The part of the knowledge graph no run changes (about 45k triples), built once per reading and kept between
    processes: parsing and merging it cost `kb rules` and `kb query` seconds before their first answer."""
    return resources.kept("knowledge", _static_key(choices), lambda: knowledge_graph(choices=choices))


@cache
def _static_ntriples(choices) -> bytes:
    """The same as N-Triples, for Oxigraph (kept too: rdflib writes it in half a second)."""
    return resources.kept("knowledge-nt", _static_key(choices),
                          lambda: _static_graph(choices).serialize(format="nt", encoding="utf-8"))


def oxigraph_view(*parts: Graph | None, choices=None) -> ox.Store:
    """The knowledge graph of `knowledge_graph` in an in-memory Oxigraph store (blank nodes keep their labels, so
    a run's parts join the records they describe): for a query rdflib would evaluate slowly."""
    store = ox.Store()
    for part in (_static_ntriples(choices or readings.resolve()),
                 *(part.serialize(format="nt", encoding="utf-8") for part in parts if part is not None)):
        store.bulk_extend(ox.parse(part, ox.RdfFormat.N_TRIPLES))
    return store


def knowledge_view(*parts: Graph | None, choices=None) -> Graph:
    """The knowledge graph of `knowledge_graph`, read-only, as a view over the static part (built once per process)
    and a run's own graphs, for asking many questions of small runs without copying the regulation each time."""
    static = _static_graph(choices or readings.resolve())
    view = ReadOnlyGraphAggregate([static, *(part for part in parts if part is not None)])
    view.namespace_manager = static.namespace_manager
    return view


def run(graph: Graph, query: NamedQuery, values: dict[str, str] | None = None) -> Result:
    return graph.query(prepare(query), initBindings=bindings(query, values or {}))


def _n3(term) -> str:
    return "" if term is None else term.n3()


def _plain(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def render(result: Result, fmt: str) -> str:
    """table (for people), csv, tsv and srj (the SPARQL 1.1 result formats), json (a list of objects)."""
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}) if fmt == "srj" else str(
            bool(result.askAnswer)).lower() + "\n"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    names = [str(v) for v in result.vars]
    rows = list(result)
    if fmt == "srj":
        return result.serialize(format="json").decode("utf-8")
    if fmt == "csv":
        return result.serialize(format="csv").decode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join(_n3(row[i]) for i in range(len(names))) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "json":
        return json.dumps([{n: _plain(row[i]) for i, n in enumerate(names) if row[i] is not None} for row in rows],
                          ensure_ascii=False, indent=2) + "\n"
    return _table(names, [[_plain(row[i]) for i in range(len(names))] for row in rows])


def _table(names: list[str], rows: list[list[str]]) -> str:
    widths = [min(60, max([_width(n)] + [_width(r[i]) for r in rows])) for i, n in enumerate(names)]
    out = io.StringIO()
    out.write("  ".join(_pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(_pad(_cut(c, w), w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    kept = ""
    for ch in text:
        if _width(kept + ch) > width - 1:
            break
        kept += ch
    return kept + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
