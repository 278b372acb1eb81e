"""Validation and library queries pushed down to an existing SPARQL 1.1 server (Oxigraph, Fuseki, GraphDB ...).

Records are read and inferred here, as in kb.checking.pipeline; only answering the compiled checks moves to the server:

    records ──► read ──► infer ──► view ──N-Triples──► server: named graph urn:kb:run:<uuid>
                                                               │ each compiled check, one SELECT (default-graph-uri)
    findings ◄── judge in time ◄── results graph ◄── rows ◄────┘ then the graph is dropped (also on error)

The server needs the SPARQL 1.1 Protocol (queries, with ``default-graph-uri``), the Graph Store Protocol (the
view goes in by PUT/POST) and SPARQL 1.1 Update or a Graph Store DELETE (the run graph is dropped afterwards);
see kb.remote.endpoint for how their URLs are given or derived.

Blank nodes. A server names the blank nodes it loads anew, so a result about a speech or a meal could not be traced
back to the record. The blank nodes are therefore sent as Skolem IRIs (RDF 1.1 Concepts §3.5) under the run's own
prefix, every answer maps them back, and the queries are rewritten (`skolem_aware`) so that ``isBlank``, ``isIRI``,
``isURI`` and ``STR`` read such an IRI as rdflib reads the blank node (STR gives its label). What still tells them
apart: ``IRI()``, ``ORDER BY``, ``MIN``/``MAX`` and ``GROUP_CONCAT`` of such a node; the bundled shapes' checks
use none of them.

Literals. Rows are read with their lexical form untouched (Endpoint.select lets rdflib normalise them, and that
turns "2024-03-12+08:00"^^xsd:date into "2024-03-12") and given back in the data's own form where the server
stored them canonically ("Z" for "+00:00"), as the embedded engine does. The canonical forms are worked out with
Oxigraph, so another server's canonical forms might not all be given back.

Library queries (`query_on_endpoint`) go the same way: the knowledge graph `kb query` builds is pushed into a run
graph, or the query reads a graph already on the server; parameters are written in as terms (`prebind`).
"""

from __future__ import annotations

import contextlib
import copy
import re
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from kb.asking import query
from kb.checking import compiler, engine, sparql_text
from kb.checking.pipeline import Outcome, compiled_shapes, outcome_of, validation_view
from kb.checking.sparql_text import _closing, _next, _tokens
from kb.reasoning import readings
from kb.reasoning.infer import infer
from kb.reasoning.readings import Choice
from kb.records.batch import Batch
from kb.records.load import read
from kb.remote.endpoint import Endpoint, EndpointError
from kb.terms import LiteralRestorer

RUN_GRAPH = "urn:kb:run:"


def run_graph() -> str:
    """A fresh graph name for one run on the server."""
    return f"{RUN_GRAPH}{uuid.uuid4()}"


# --- SPARQL text: tokens, pre-binding, blank-node tests ---------------------------------------------------------

def prebind(text: str, values: dict[str, Node]) -> str:
    """The query with each variable of `values` pre-bound to its term (kb.checking.sparql_text.prebind)."""
    return sparql_text.prebind(text, {name: compiler.term(value) for name, value in values.items()})


def skolem_aware(text: str, prefix: str) -> str:
    """The query reading a Skolem IRI under `prefix` as the blank node it stands for, as rdflib reads one.

    ``isBlank(x)`` is true and ``isIRI(x)``/``isURI(x)`` false for such an IRI, and ``STR(x)`` gives the blank
    node's label (SPARQL leaves STR of a blank node undefined; rdflib, and so pySHACL and the local ``kb query``,
    give the label, and the library's queries match a finding's blank-node value by it).
    """
    tokens = _tokens(text)
    quoted = Literal(prefix).n3()

    def rewrite(start: int, end: int) -> str:
        out, i = [], start
        while i < end:
            kind, word = tokens[i]
            opening = _next(tokens, i)
            function = word.lower() if kind == "word" else ""
            if (function in ("isblank", "isiri", "isuri", "str") and opening < end
                    and tokens[opening] == ("other", "(")):
                closing = _closing(tokens, opening)
                argument = rewrite(opening + 1, closing)
                skolem = f"(isIRI({argument}) && STRSTARTS(STR({argument}), {quoted}))"
                if function == "isblank":
                    out.append(f"(isBlank({argument}) || {skolem})")
                elif function == "str":
                    out.append(f"IF({skolem}, STRAFTER(STR({argument}), {quoted}), STR({argument}))")
                else:
                    out.append(f"(isIRI({argument}) && !{skolem})")
                i = closing + 1
                continue
            out.append(word)
            i += 1
        return "".join(out)

    return rewrite(0, len(tokens))


# --- The backend ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skolemized:
    """A graph as N-Triples with each blank node written as a Skolem IRI: `prefix` + its label (%-encoded)."""

    ntriples: bytes
    prefix: str
    nodes: dict[BNode, URIRef]  # which blank node became which IRI


_NT_TERM = re.compile(rb'<[^>]*>|"(?:[^"\\]|\\.)*"|_:([^\s<>"()#]+)')


def skolemized(graph: Graph, prefix: str) -> Skolemized:
    """The graph ready to send: blank nodes as Skolem IRIs under `prefix`, which nothing else may start with."""
    nodes: dict[BNode, URIRef] = {}

    def swap(match: re.Match) -> bytes:
        if match.group(1) is None:  # an IRI or a literal, whatever it holds
            return match.group(0)
        label = match.group(1).rstrip(b".").decode("utf-8")
        node = BNode(label)
        if node not in nodes:
            nodes[node] = URIRef(prefix + urllib.parse.quote(label, safe="-._~"))
        return f"<{nodes[node]}>".encode() + b"." * (len(match.group(1)) - len(match.group(1).rstrip(b".")))

    text = graph.serialize(format="nt", encoding="utf-8")
    return Skolemized(_NT_TERM.sub(swap, text) if b"_:" in text else text, prefix, nodes)


class EndpointBackend(engine.Backend):
    """The compiled checks answered by a SPARQL server, over the endpoint's graph (its ``default-graph-uri``).

    Args:
        endpoint: the server, scoped to the graph that holds the data.
        skolem: how the data's blank nodes were sent (see `skolemized`): queries are rewritten to read the Skolem
            IRIs as blank nodes (`skolem_aware`), rows name the blank nodes again, and a check pre-bound to one
            of them is sent its IRI. Without it the data is taken to have no blank nodes.
        restore: gives a literal of the rows back in the data's own lexical form (kb.terms.LiteralRestorer).
    """

    def __init__(self, endpoint: Endpoint, skolem: Skolemized | None = None, restore=None):
        self.endpoint = endpoint
        self.skolem = skolem
        self.blank = {iri: node for node, iri in skolem.nodes.items()} if skolem else {}
        self.restore = restore
        self.queries = 0

    def select(self, query: str, this: Node | None = None) -> tuple[list[str], list[tuple]]:
        """The query's variables and rows; with `this`, the focus node is written into the query text (a server
        knows nothing of the embedded store's substitutions)."""
        if this is not None:
            query = compiler.prebind_this(query, self.sendable(this))
        self.queries += 1
        names, rows = self.endpoint.select(self.prepared(query))
        return names, [tuple(map(self.local, row)) for row in rows]

    def ask(self, query: str) -> bool:
        self.queries += 1
        return self.endpoint.ask(self.prepared(query))

    def construct(self, query: str) -> Graph:
        self.queries += 1
        graph = Graph()
        for triple in self.endpoint.construct(self.prepared(query)):
            graph.add(tuple(map(self.local, triple)))
        return graph

    def prepared(self, query: str) -> str:
        return skolem_aware(query, self.skolem.prefix) if self.skolem and self.skolem.nodes else query

    def local(self, node: Node | None) -> Node | None:
        """A term of an answer as the data has it: a Skolem IRI as its blank node, a literal in the data's form."""
        if isinstance(node, URIRef):
            return self.blank.get(node, node)
        if isinstance(node, Literal) and self.restore is not None:
            return self.restore(node)
        return node

    def sendable(self, node: Node) -> Node:
        """The term a server can be sent for `node`: a blank node of the data goes as its Skolem IRI."""
        if isinstance(node, BNode):
            if self.skolem is None or node not in self.skolem.nodes:
                raise EndpointError(f"the blank node _:{node} cannot be sent to a SPARQL server: a server names the "
                                    "blank nodes it loads anew, so no query can name one (push the data skolemized)")
            return self.skolem.nodes[node]
        return node


@contextlib.contextmanager
def pushed(endpoint: Endpoint, graph: Graph, restore: bool = False) -> Iterator[EndpointBackend]:
    """`graph` in a fresh named graph of the server, for the time of the block; dropped after, also on error.

    Yields a backend whose queries see that graph as their default graph. The endpoint is copied, so its
    credentials stay and the caller's endpoint is not changed. With `restore`, literals of the answers are given
    back in `graph`'s own lexical form where the server writes them canonically.
    """
    scoped = copy.copy(endpoint)
    scoped.graph = run_graph()
    sent = skolemized(graph, f"{scoped.graph}:blank:")
    try:
        scoped.replace_ntriples(sent.ntriples)
        yield EndpointBackend(scoped, sent, LiteralRestorer(graph, Graph()) if restore else None)
    except BaseException:
        with contextlib.suppress(EndpointError):  # the first error is the one to report
            scoped.drop()
        raise
    scoped.drop()


# --- Validation on the server -----------------------------------------------------------------------------------


def reachable(endpoint: Endpoint) -> None:
    """Raise EndpointError now if the server does not answer a query, before any local work is done."""
    endpoint.ask("ASK {}")


def validate_on_endpoint(paths: list[str], endpoint: Endpoint, choices: tuple[Choice, ...] | None = None,
                         stdin=None) -> Outcome:
    """`kb.checking.pipeline.validate_paths`, with the compiled checks answered by the server (same findings)."""
    reachable(endpoint)
    return _validate_batch(read(paths, stdin=stdin), endpoint, choices)


def validate_batch_on_endpoint(batch: Batch, endpoint: Endpoint,
                               choices: tuple[Choice, ...] | None = None) -> Outcome:
    """`kb.checking.pipeline.validate_batch` with the checks run on the server: read and infer here, as it does."""
    reachable(endpoint)
    return _validate_batch(batch, endpoint, choices)


def _validate_batch(batch: Batch, endpoint: Endpoint, choices: tuple[Choice, ...] | None) -> Outcome:
    choices = choices or readings.resolve()
    data = batch.union()
    inferred = infer(data, choices)
    view = validation_view(data, inferred, readings.shapes(choices))
    return outcome_of(batch, data, inferred, results_on_endpoint(view, choices, endpoint), choices)


def results_on_endpoint(view: Graph, choices: tuple[Choice, ...], endpoint: Endpoint) -> Graph:
    """The SHACL results graph of the view (pySHACL's form), its checks answered in a run graph of the server.

    Every compiled check is one SELECT over the run graph (a SHACL-SPARQL check that must be pre-bound, one per
    focus node). A check that must be pre-bound but cannot be written so as text runs on an embedded Oxigraph;
    shapes the compiler left to pySHACL run on pySHACL here, as they always do.
    """
    shapes = readings.shapes(choices)
    plan = compiled_shapes(choices)
    with pushed(endpoint, view) as backend:
        return _validate(view, shapes, plan, backend)


def _validate(view: Graph, shapes: Graph, plan: compiler.Plan, backend: EndpointBackend) -> Graph:
    """engine.validate, with the checks that cannot be sent to a server run locally."""
    results = Graph()
    remote = [check for check in plan.checks if check.focus_query is None or check.prebind_as_text]
    local = [check for check in plan.checks if check not in remote]
    engine.run_checks(replace(plan, checks=remote), shapes, backend, results, view)
    if local:
        engine.run_checks(replace(plan, checks=local), shapes, engine.OxigraphBackend.of(view), results, view)
    if plan.fallback:
        engine.fallback(view, shapes, plan, results)
    engine.finish_report(results)
    return results


# --- Library queries on the server ------------------------------------------------------------------------------


def query_on_endpoint(endpoint: Endpoint, asked: query.NamedQuery, values: dict[str, str] | None = None,
                      knowledge: Graph | None = None) -> Result:
    """Run a library query (or a .rq file) on the server; the answer renders with `kb.asking.query.render`.

    With `knowledge` (the graph `kb query` builds: regulation, ontology, shapes, calendar, records, results), that
    graph is pushed into a fresh run graph (`pushed`), queried there and dropped: the answer is the local one,
    blank nodes read as rdflib reads them and literals in the graph's own form, but for the lexical form of values
    the query computes ("0" where rdflib writes "0.0"). Without it the query reads what the endpoint is scoped to
    (its `graph` as the default graph, or with none the server's default graph), as that server reads it.
    """
    if knowledge is None:
        return answer(EndpointBackend(endpoint), asked, values)
    with pushed(endpoint, knowledge, restore=True) as backend:
        return answer(backend, asked, values)


def answer(backend: EndpointBackend, asked: query.NamedQuery, values: dict[str, str] | None = None) -> Result:
    """The query's answer from the backend's graph. Parameters are typed by the query's header
    (kb.asking.query.bindings) and written in by `prebind`."""
    bound = {str(name): value for name, value in query.bindings(asked, values or {}).items()}
    kind = query.prepare(asked).algebra.name
    try:
        text = prebind(asked.text, bound)
    except compiler.Unsupported as exc:
        raise query.QueryError(f"{asked.name}: {exc}") from None
    if kind == "SelectQuery":
        names, rows = backend.select(text)
        result = Result("SELECT")
        result.vars = [Variable(name) for name in names]
        result.bindings = [{Variable(n): v for n, v in zip(names, row, strict=True) if v is not None} for row in rows]
        return result
    if kind == "AskQuery":
        result = Result("ASK")
        result.askAnswer = backend.ask(text)
        return result
    result = Result("CONSTRUCT" if kind == "ConstructQuery" else "DESCRIBE")
    result.graph = backend.construct(text)
    return result
