"""Checks after parsing, for every format: a record with a statement the reasoner or the rules cannot take (an IRI
that is not one, an ill-typed or oversize value, an unknown concept) is dropped with an error naming it; times
without an offset are read as Beijing time."""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kb.records.batch import InputError
from kb.records.fields import MAX_TEXT, NOT_IRI, SURROGATE, SURROGATES, known_iri, visible

logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # ill-typed values are input errors of our own
# rdflib warns of a boolean it cannot read (with a line of its own source) where kb reports the value as an input error
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)


def _read_times_as_beijing(graph: Graph) -> None:
    """A time without an offset is read as Beijing time (UTC+08:00), so times compare as the catalogue says."""
    for s, p, o in list(graph):
        if isinstance(o, Literal) and o.datatype == XSD.dateTime and not o.ill_typed and _NO_OFFSET.search(str(o)):
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o) + "+08:00", datatype=XSD.dateTime)))


_NO_OFFSET = re.compile(r"T[0-9:.]+$")



def drop_bad_records(graph: Graph, source: str, text: str | None = None) -> list[InputError]:
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
        elif isinstance(o, Literal) and SURROGATES.search(o):
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
    bad = NOT_IRI.search(iri)
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
