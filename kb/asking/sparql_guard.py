"""What a query written by someone else may do: read, here, and nothing more.

Both places that run a query they did not write go through this module: the published endpoint (kb.publishing.answers,
for anyone on the network) and `kb query FILE.rq` (kb.asking.query, for a file a user was given). A query is parsed by
rdflib's SPARQL 1.1 grammar and refused if

- it is an update (INSERT, DELETE, LOAD, CLEAR ...): both only read;
- it holds `SERVICE` anywhere: the engine would send the request (Oxigraph and rdflib both do), so a query could
  make the machine fetch internal URLs, or hang on a host that never answers (../shared/notes/security.md,
  pitfall 1);
- its `FROM` or `FROM NAMED` names a graph that is not one of those given: a graph is never fetched from
  elsewhere (pitfall 2).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache


class Refused(ValueError):
    """A query that will not be run; `status` is the HTTP status an endpoint answers with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check(text: str, graphs: Collection[str], who: str = "this endpoint") -> str:
    """The query's form (SELECT, ASK, CONSTRUCT or DESCRIBE) if it may run over `graphs`; else Refused.

    rdflib's parser takes 15-150 ms for a library query, often more than Oxigraph takes to answer it, so the
    verdict on a text is remembered: a query run again (a UI re-run, a dashboard's poll) is not parsed again."""
    verdict = _verdict(text, frozenset(graphs), who)
    if isinstance(verdict, Refused):
        raise Refused(verdict.status, str(verdict))  # a fresh one: a re-raised instance would keep every traceback
    return verdict


@lru_cache(maxsize=512)
def _verdict(text: str, graphs: frozenset[str], who: str) -> str | Refused:
    try:
        return inspect(parse(text, who), graphs, who)
    except Refused as refused:
        return refused


def parse(text: str, who: str = "this endpoint"):
    """The prepared query (rdflib), or Refused: 403 for an update, 400 for a text that is not a query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text)
    except ParseException as exc:
        if is_update(text):
            raise update_refused(who) from None
        raise Refused(400, f"syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except RecursionError:
        raise Refused(400, "the query is nested too deeply to parse") from None
    except Exception as exc:  # rdflib raises plain exceptions for an unknown prefix and the like
        raise Refused(400, f"the query cannot be read: {exc}") from None


def update_refused(who: str) -> Refused:
    return Refused(403, f"{who} is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused")


def inspect(parsed, graphs: Collection[str], who: str = "this endpoint") -> str:
    """The form of a parsed query that neither calls SERVICE nor names a graph outside `graphs`; else Refused."""
    if any(getattr(part, "name", None) == "ServiceGraphPattern" for part in _walk(parsed.algebra)):
        raise Refused(403, f"SERVICE is refused: {who} never sends requests to other servers")
    for clause in parsed.algebra.get("datasetClause") or ():  # CompValue.get returns the key when it is missing
        if "default" in clause:
            refuse_unknown_graph(str(clause["default"]), graphs, "FROM", who)
        if "named" in clause:
            refuse_unknown_graph(str(clause["named"]), graphs, "FROM NAMED", who)
    return parsed.algebra.name.removesuffix("Query").upper()


def refuse_unknown_graph(iri: str, graphs: Collection[str], where: str, who: str = "this endpoint") -> None:
    if iri in graphs:
        return
    if graphs:
        raise Refused(403, f"{where} <{iri}>: not a graph of {who}, which never fetches graphs from elsewhere; "
                           f"its graphs are {', '.join(sorted(graphs))}")
    raise Refused(403, f"{where} <{iri}>: {who} never fetches graphs from elsewhere; it reads the knowledge base as "
                       "one default graph, with no named graphs")


def is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _walk(node) -> Iterable:
    """Every part of an rdflib algebra tree, without recursion (a deep query must not overflow the stack)."""
    stack = [node]
    while stack:
        part = stack.pop()
        yield part
        if isinstance(part, dict):
            stack.extend(part.values())
        elif isinstance(part, list | tuple):
            stack.extend(part)
