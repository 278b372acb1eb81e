"""What a page of `kb serve` shows, as its templates read it: texts in zh and en, links, drawn values, and one
dataclass for each part a page may hold (a provision, a shape, a finding, a term, an article of the catalogue ...).

Kept apart from the reading of the store (`page_reader`) so that what a template may use is written in one place,
and so that every page names and links an IRI the same way (`prefixed`, `page_href`). Links assume the routes of
`kb serve`: the page of `BASE + p` is `/page/p`, p percent-encoded where an IRI holds `?`, `#` or `%`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from kb.namespaces import BASE, PREFIXES

_NAMESPACES = sorted(((prefix, str(namespace)) for prefix, namespace in PREFIXES.items()), key=lambda p: -len(p[1]))


@dataclass(frozen=True)
class Text:
    """A text in Chinese and in English, either may be missing; `plain` is an untagged (or other-language) text."""

    zh: str = ""
    en: str = ""
    plain: str = ""

    def __bool__(self) -> bool:
        return bool(self.zh or self.en or self.plain)

    @property
    def main(self) -> str:
        return self.zh or self.plain or self.en

    @property
    def main_lang(self) -> str:
        return "zh" if self.zh else "en" if not self.plain and self.en else ""

    @property
    def second(self) -> str:
        """The English, when the main text is not already it."""
        return self.en if self.en and self.en != self.main else ""


@dataclass(frozen=True)
class Link:
    """A node to point at: our page, an outbound link, or (for other schemes and unknown IRIs) just its name."""

    iri: str
    name: str  # prefixed name, or the IRI
    label: Text = Text()
    href: str | None = None
    external: bool = False


@dataclass
class Value:
    """An object as drawn: an IRI, a literal, a blank node with its own rows, or an RDF list with its items."""

    kind: str  # "iri" | "literal" | "bnode" | "list"
    link: Link | None = None
    text: str = ""
    lang: str = ""
    datatype: str = ""
    rows: list[Row] = field(default_factory=list)
    items: list[Value] = field(default_factory=list)

    @property
    def multiline(self) -> bool:
        return "\n" in self.text


@dataclass
class Row:
    predicate: Link
    values: list[Value]
    more: int = 0  # values left out past page_reader.VALUES_CAP


@dataclass
class Table:
    """The properties one graph gives a node."""

    graph: str
    label: Text
    rows: list[Row]


@dataclass
class Incoming:
    subject: Link | None  # None for a blank node that no IRI reaches
    predicate: Link
    graph: str
    via: bool = False  # the subject reaches the node through a blank node


@dataclass
class FindingRef:
    """A finding named from a provision's or a shape's page: its severity, its record and its result."""

    severity: str
    record: Link | None
    result: Link


@dataclass
class Setting:
    link: Link
    label: Text
    question: Text
    alternatives: list[tuple[Link, bool, bool]]  # (alternative, is the default, was chosen for the run)


@dataclass
class Provision:
    """A provision as the catalogue describes it: clause, place in the act, modality, checkability, shapes."""

    link: Link
    notation: str
    clause: Text
    article: int | None
    article_link: Link | None
    breadcrumb: list[Link]
    modality: Link | None
    modality_marker: str
    checkability: Link | None
    checkability_note: Text
    applies_from: str
    applies_to: Text
    notes: list[tuple[Link, list[Value]]]
    shapes: list[tuple[Link, str]]  # (shape, severity)
    settings: list[Setting]
    findings: list[FindingRef]


@dataclass
class Shape:
    provisions: list[Provision]
    severity: str
    severity_when_justified: str
    severity_reason: list[Value]
    reading: list[Value]
    targets: list[Row]
    path: str
    path_link: Link | None
    messages: Text
    parameters: list[Row]
    constraints: list[Link]
    findings: list[FindingRef]


@dataclass
class Finding:
    link: Link
    severity: str
    original_severity: str
    justification: str
    record: Link | None
    focus: Value | None  # the part of the record the finding is about, when it is not the record itself
    shape: Link | None
    provision: Link | None
    notation: str
    article: int | None
    clause: Text
    message: Text
    value: Value | None
    limit: str
    date: str
    source: str


@dataclass
class Term:
    kind: Text
    definitions: list[Value]
    alt_labels: list[Value]
    broader: list[Link]
    narrower: list[Link]
    members: list[Link]  # a scheme's concepts
    domain: list[Link]
    range: list[Link]
    schemes: list[Link]
    shapes: list[Link]  # shapes that target this class
    provisions: list[Link]  # provisions about this concept
    instances: int


@dataclass
class Division:
    """A part of the act that is not a provision (the act, a chapter, an article, a sentence, the preamble)."""

    text: Text
    article: int | None
    parts: list[Link]
    breadcrumb: list[Link]


@dataclass
class ArticleSummary:
    number: int
    link: Link
    title: Text
    provisions: int
    shapes: int
    checkability: dict[str, int]


@dataclass
class Chapter:
    link: Link
    number: int
    title: Text
    articles: list[ArticleSummary]


def prefixed(iri: str) -> str:
    """`dxo:Meeting` for an IRI under one of our prefixes, the IRI otherwise."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def page_href(iri: str) -> str | None:
    """The local path of an IRI's page (`/page/...`), or None for IRIs that are not ours."""
    if not iri.startswith(BASE):
        return None
    return "/page/" + quote(iri[len(BASE):], safe="/:@!$&'()*+,;=-._~")


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
