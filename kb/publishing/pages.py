"""HTML pages of the published dataset, for `kb serve`: one page per IRI, and the rules catalogue per article.

The server holds the dataset's Oxigraph store (`kb.publishing.dataset.build`) and asks here for the page of an IRI.
`page_reader` reads the store into the view of `page_model`; this module decides which parts a page has and renders
it. Pages are Jinja2 templates (`kb/publishing/web/templates/`) with autoescaping on everywhere: records are untrusted
input, and a label `<script>` must show as text. A page fetches nothing: the style is inline and a
Content-Security-Policy forbids every other source, so pages work offline and external IRIs (schema.org, ELI ...) are
plain outbound links.

Links assume the routes of `kb serve`: the page of `BASE + p` is `/page/p`, its RDF documents `/data/p.ttl`,
`.jsonld`, `.nt` (p percent-encoded where an IRI holds `?`, `#` or `%`), the catalogue `/catalogue` and
`/catalogue/article/{n}`.
"""


from __future__ import annotations

import jinja2
import pyoxigraph as ox

from kb import __version__
from kb.namespaces import BASE
from kb.publishing.dataset import GRAPHS
from kb.publishing.page_model import Text, page_href, prefixed
from kb.publishing.page_reader import (
    INCOMING_CAP,
    SHAPE_TYPES,
    Reader,
    dxo,
    dxs,
    eli,
    provisions_under,
    rdf,
    read_articles,
    read_chapters,
    read_division,
    read_findings,
    read_incoming,
    read_provision,
    read_sentences,
    read_shape,
    read_tables,
    read_term,
)
from kb.reports.html import SEVERITY_ZH

DOCUMENT_FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("kb.publishing", "web/templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _named(iri: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(iri)
    except (TypeError, ValueError):
        return None


def describe(store: ox.Store, iri: str) -> list[ox.Quad]:
    """The concise bounded description of an IRI: its statements in every graph, and those of the blank nodes
    they reach (a shape's property paths, RDF lists ...), each quad keeping its graph."""
    node = _named(iri)
    if node is None:
        return []
    quads, seen, todo = [], {node}, [node]
    while todo:
        for q in store.quads_for_pattern(todo.pop(), None, None, None):
            quads.append(q)
            if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                seen.add(q.object)
                todo.append(q.object)
    return quads


def exists(store: ox.Store, iri: str) -> bool:
    """Whether the dataset says anything with the IRI (as subject, object or predicate)."""
    node = _named(iri)
    return node is not None and Reader(store).exists(node)


def resource_page(store: ox.Store, iri: str) -> str | None:
    """The HTML page of an IRI, or None when the dataset does not know it."""
    node = _named(iri)
    if node is None:
        return None
    reader = Reader(store)
    if not reader.exists(node):
        return None
    types = reader.objects(node, rdf.type)
    type_iris = {t.value for t in types if isinstance(t, ox.NamedNode)}
    is_provision = reader.has_type(node, dxo.Provision)
    in_regulation = bool(reader.quads(node, None, None, ox.NamedNode(str(GRAPHS["regulation"]))))
    is_division = not is_provision and in_regulation and (
        reader.value(node, eli.is_part_of) is not None or reader.has_type(node, dxo.Act))
    is_shape = bool(reader.objects(node, dxs.implements) or type_iris & SHAPE_TYPES)
    is_event = reader.has_type(node, dxo.Event) or bool(reader.quads(None, dxo.record, node))
    findings_total, findings = read_findings(reader, node)
    incoming_total, incoming = read_incoming(reader, node)
    href = page_href(iri)
    documents = [(label, "/data/" + href[len("/page/"):] + "." + ext) for ext, label in DOCUMENT_FORMATS] \
        if href else []
    return _ENV.get_template("resource.html").render(
        iri=iri, title=reader.title(node), name=prefixed(iri), types=reader.links(types), documents=documents,
        tables=read_tables(reader, node), incoming=incoming, incoming_total=incoming_total, incoming_cap=INCOMING_CAP,
        used_as_predicate=len(reader.quads(None, node, None)),
        provision=read_provision(reader, node) if is_provision else None,
        division=read_division(reader, node) if is_division else None,
        shape=read_shape(reader, node) if is_shape else None,
        term=read_term(reader, node, type_iris),
        is_event=is_event, findings=findings, findings_total=findings_total,
        severity_zh=SEVERITY_ZH, version=__version__)


def catalogue_page(store: ox.Store) -> str:
    """The rules catalogue: the act's chapters and each of its articles with its provisions and shapes counted."""
    reader = Reader(store)
    act = ox.NamedNode(BASE + "provision/act")
    preamble = ox.NamedNode(BASE + "provision/preamble")
    return _ENV.get_template("catalogue.html").render(
        title=Text(zh="规则目录", en="Rules catalogue"), act=reader.link(act), act_title=reader.text(act, eli.title),
        preamble=reader.text(preamble, dxo.text), chapters=read_chapters(reader), version=__version__)


def article_page(store: ox.Store, number: int) -> str | None:
    """One article: its text in zh and en, sentence by sentence, and every provision under it; None if no such
    article."""
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    reader = Reader(store)
    articles = read_articles(reader)
    article = articles.get(number)
    if article is None:
        return None
    chapter = reader.value(article, eli.is_part_of)
    numbers = list(articles)
    index = numbers.index(number)
    return _ENV.get_template("article.html").render(
        number=number, title=reader.text(article, eli.title), article=reader.link(article),
        chapter=reader.link(chapter) if chapter is not None else None,
        sentences=read_sentences(reader, article),
        provisions=[read_provision(reader, p) for p in provisions_under(reader, article)],
        previous=numbers[index - 1] if index else None,
        next=numbers[index + 1] if index + 1 < len(numbers) else None,
        severity_zh=SEVERITY_ZH, version=__version__)
