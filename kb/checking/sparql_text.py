"""SPARQL query text as tokens, and pre-binding by writing terms into it.

SHACL pre-binds $this; rdflib's initBindings does the same locally. A server (or an engine whose own substitution
does not reach nested groups, as Oxigraph 0.5's) needs the terms written into the query instead: the compiled
checks that must be pre-bound per focus node (kb.checking.compiler) and the library queries sent to a server
(kb.remote.pushdown) both go through `prebind`.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r'(?P<comment>\#[^\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)'
    r'|(?P<word>[A-Za-z_:][\w.:-]*)'
    r'|(?P<space>\s+)'
    r'|(?P<other>.)',
    re.S,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    """The query as (kind, text) tokens; joining the texts gives the query back unchanged."""
    return [(match.lastgroup or "other", match.group()) for match in _TOKEN.finditer(text)]


def _next(tokens: list[tuple[str, str]], i: int) -> int:
    """The index of the next token after i that is not a space or a comment (len(tokens) if none)."""
    i += 1
    while i < len(tokens) and tokens[i][0] in ("space", "comment"):
        i += 1
    return i


def _closing(tokens: list[tuple[str, str]], opening: int) -> int:
    """The index of the ")" that closes the "(" at `opening`."""
    depth = 0
    for i in range(opening, len(tokens)):
        if tokens[i] == ("other", "("):
            depth += 1
        elif tokens[i] == ("other", ")"):
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses in the query")


def prebind(text: str, written: dict[str, str]) -> str:
    """The query with each variable named in `written` pre-bound to the term written there (SPARQL text).

    This is what rdflib's ``initBindings`` does for a local query, in a form any server reads: ``BOUND(?x)`` becomes
    ``(true)``; ``?x`` projected by a SELECT becomes ``(term AS ?x)``; a bare ``?x`` in GROUP BY or ORDER BY becomes
    ``(term)``; anywhere else ``?x`` becomes the term. Callers write terms with kb.checking.compiler.term, which refuses
    an IRI SPARQL cannot write and escapes literals, so a value can never change the query's structure.
    """
    tokens = _tokens(text)
    out: list[str] = []
    depth = 0  # parentheses
    clause = None  # "select" (a projection), "modifier" (GROUP BY / ORDER BY) or None, with the depth it began at
    clause_depth = 0
    skip_until = -1
    for i, (kind, word) in enumerate(tokens):
        if i <= skip_until:
            continue
        upper = word.upper() if kind == "word" else ""
        if word == "(" and kind == "other":
            depth += 1
        elif word == ")" and kind == "other":
            depth -= 1
        elif upper == "SELECT":
            clause, clause_depth = "select", depth
        elif upper == "BY" and clause != "select":
            clause, clause_depth = "modifier", depth
        elif (upper in ("WHERE", "HAVING", "LIMIT", "OFFSET", "VALUES", "FROM", "ORDER", "GROUP")
              or (kind == "other" and word in "{}")):
            if depth <= clause_depth:
                clause = None
        elif upper == "BOUND":
            opening = _next(tokens, i)
            variable = _next(tokens, opening)
            closing = _next(tokens, variable)
            if (closing < len(tokens) and tokens[opening] == ("other", "(") and tokens[variable][0] == "var"
                    and tokens[variable][1][1:] in written and tokens[closing] == ("other", ")")):
                out.append("(true)")
                skip_until = closing
                continue
        elif kind == "var" and word[1:] in written:
            term = written[word[1:]]
            previous = next((t for t in reversed(out) if not t.isspace() and not t.startswith("#")), "")
            if previous.upper() == "AS":
                out.append(word)  # a variable being assigned is left alone
            elif clause == "select" and depth == clause_depth:
                out.append(f"({term} AS ?{word[1:]})")
            elif clause == "modifier" and depth == clause_depth:
                out.append(f"({term})")
            else:
                out.append(term)
            continue
        out.append(word)
    return "".join(out)

