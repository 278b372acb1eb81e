"""A plain JSON record against the bundled context: each unknown field, unknown kind or value of the wrong form is
a (field, problem) pair, since JSON-LD itself would silently drop it; and the rewriting a checked record needs
before JSON-LD reads it (fields recorded as none, dates without a time, provisions by notation)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kb import resources
from kb.namespaces import DXO, DXP, DXS, DXV

KNOWN_NAMESPACES = (str(DXV), str(DXP))
# The longest text a field may hold: a bulletin item is at most 1,500 characters (A13.5) and a note rarely more than
# a page; one field of megabytes is a mistake or an attack (pyoxigraph runs out of buffer on a 17 MB string).
MAX_TEXT = 100_000
# The deepest a JSON record may nest objects and arrays: real records nest fewer than 10 levels; from about 500 levels
# the loader's own recursive steps would overflow Python's stack and crash the run.
MAX_DEPTH = 50
# What an IRI may not hold (RFC 3987: no space, no control character, none of <>"{}|\^`): such an "IRI" makes
# the reasoner panic, and in JSON the context would silently turn it into another node.
NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\ud800-\udfff]')


# A JSON escape such as "\ud800" (half of a UTF-16 pair) stands for no character: such a text cannot be written as
# UTF-8, and as an IRI it makes the reasoner panic.
SURROGATE = "holds a \\u escape for half of a UTF-16 surrogate pair (\\ud800-\\udfff), which is no character"
SURROGATES = re.compile("[\ud800-\udfff]")


def surrogate_at(value) -> str | None:
    """The JSON pointer below `value` of the first key or text holding a lone surrogate, or None (no recursion)."""
    stack = [(value, "")]
    while stack:
        item, pointer = stack.pop()
        if isinstance(item, str) and SURROGATES.search(item):
            return pointer
        if isinstance(item, dict):
            for key, child in item.items():
                if SURROGATES.search(key):
                    return f"{pointer}/{visible(key)}"
                stack.append((child, f"{pointer}/{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{pointer}/{index}") for index, child in enumerate(item))
    return None


def visible(text: str) -> str:
    """Text as a message can print it: a lone surrogate written as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def deeper_than(value, limit: int) -> bool:
    """True when objects and arrays nest more than `limit` levels (counted without recursion, which is the point)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


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
    terms = terms if terms is not None else context_terms(resources.context())
    done: dict = {}
    absent: list[str] = []
    for key, value in obj.items():
        definition = terms.get(key)
        if value == [] and definition is not None and key != NONE_RECORDED:
            absent.append(property_iri(definition, key))
        scoped = terms
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped = {**terms, **context_terms(definition["@context"])}
        if isinstance(value, dict):
            value = with_none_recorded(value, scoped)
        elif isinstance(value, list):
            value = [with_none_recorded(item, scoped) if isinstance(item, dict) else item for item in value]
        done[key] = value
    if absent:
        done[NONE_RECORDED] = sorted(set(absent))
    return done


def property_iri(definition, key: str) -> str:
    """The absolute IRI a term stands for: its @id (a compact IRI with one of the context's prefixes)."""
    iri = definition.get("@id", key) if isinstance(definition, dict) else definition
    prefix, _, local = iri.partition(":")
    namespace = resources.context().get(prefix)
    return namespace + local if isinstance(namespace, str) and not local.startswith("//") else iri


def record_body(record: dict) -> dict:
    terms = context_terms(resources.context())
    return _as_read({key: value for key, value in record.items() if key != "@context"}, terms)


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
            scoped = {**terms, **context_terms(definition["@context"])}
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


def with_context(record: dict) -> dict:
    return {"@context": resources.context(), **record_body(record)}


def check_record(record: dict, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Check a plain JSON record against the bundled context: (field, problem) for each unknown field,
    unknown kind or value of the wrong form. JSON-LD itself would silently drop unknown fields."""
    terms = context_terms(resources.context())
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


def context_terms(context: dict) -> dict:
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
            scoped = {**terms, **context_terms(definition["@context"])}
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
            choices = sorted(str(c)[len(vocab):] for c in known_iris() if str(c).startswith(vocab))
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
        yield where, f"expected an identifier string, got {shown(item)}"
    elif len(item) > MAX_TEXT:
        yield where, f"an identifier of {len(item):,} characters; a field holds at most {MAX_TEXT:,} characters"
    elif NOT_IRI.search(item.strip()):
        bad = NOT_IRI.search(item.strip()).group()
        yield where, (f"{shown(item)} is not an identifier: it holds {bad!r}, which an IRI may not hold (RFC 3987); "
                      "use letters, digits and - . _ ~ / e.g. \"org/finance-bureau\"")


def shown(value) -> str:
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



@cache
def known_iris() -> frozenset[URIRef]:
    """The IRIs the vocabularies and the provisions define, read once per process."""
    return frozenset(s for graph in (resources.vocabularies(), resources.regulation())
                     for s in graph.subjects() if isinstance(s, URIRef))


def known_iri(iri: URIRef) -> bool:
    """True when a vocabulary or provision IRI is defined (other IRIs are the records' own)."""
    return not str(iri).startswith(KNOWN_NAMESPACES) or iri in known_iris()

