"""The HTML pages `kb serve` shows: one for every provision, shape, record and term, and the rules catalogue.

The dataset is built once from the bundled examples. Each page is parsed, and the tests look at what a reader
would notice: the clause in Chinese and English, the links from a provision to its shapes and back, a record's
findings with their article and clause, the provisions listed under each article, and that untrusted text shows
as text. Which IRIs to look at is read from the data, not guessed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from kb import resources
from kb.checking.pipeline import validate_paths
from kb.namespaces import BASE, DXO, DXS, ELI
from kb.publishing import pages
from kb.publishing.dataset import GRAPHS, build

pytestmark = pytest.mark.xdist_group("pages")  # the dataset is built once, on one worker

ROOT = Path(__file__).resolve().parents[2]
ONE_HOUR_CLAUSE = "除区政府常务会外,其他专题会议控制在1小时以内"
RESOURCE_ATTRIBUTES = ("src", "href", "srcset", "action", "data", "poster", "formaction", "background")


class Page(HTMLParser):
    """What the tests read off a page: its text, its links, every tag and attribute, and the rows it marks."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        self.texts.append(data)
        if self._in_h1:
            self.h1.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    @property
    def title(self) -> str:
        return "".join(self.h1).strip()

    @property
    def links(self) -> set[str]:
        return {a.get("href") for tag, a in self.tags if tag == "a" and a.get("href")}

    def attribute_values(self, tag: str, name: str) -> list[str]:
        return [a[name] for t, a in self.tags if t == tag and name in a]


def node(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def subjects(store, predicate, obj=None, graph=None) -> list[ox.NamedNode]:
    return sorted({q.subject for q in store.quads_for_pattern(None, node(predicate), obj, graph)
                   if isinstance(q.subject, ox.NamedNode)}, key=str)


def objects(store, subject, predicate) -> list:
    return sorted({q.object for q in store.quads_for_pattern(subject, node(predicate), None)}, key=str)


def text(store, subject, lang: str) -> str:
    return next(o.value for o in objects(store, subject, DXO.text) if o.language == lang)


def page_of(store, iri) -> Page:
    html = pages.resource_page(store, iri.value if isinstance(iri, ox.NamedNode) else iri)
    assert html is not None, f"no page for {iri}"
    return Page(html)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return build(validate_paths([str(ROOT / "data" / "examples")])).store


@pytest.fixture(scope="module")
def one_hour_rule(store) -> ox.NamedNode:
    found = subjects(store, DXO.text, ox.Literal(ONE_HOUR_CLAUSE, language="zh"), node(GRAPHS["regulation"]))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def provisions(store) -> list[ox.NamedNode]:
    found = subjects(store, RDF.type, node(DXO.Provision), node(GRAPHS["regulation"]))
    assert len(found) == 123, "the catalogue has 123 provisions"
    return found


@pytest.fixture(scope="module")
def shapes(store) -> list[ox.NamedNode]:
    found = subjects(store, DXS.implements, graph=node(GRAPHS["shapes"]))
    assert len(found) > 100, "every checkable provision has a shape"
    return found


def test_the_one_hour_rule_shows_its_clause_and_links_to_its_shape_which_links_back(store, one_hour_rule):
    page = page_of(store, one_hour_rule)
    assert ONE_HOUR_CLAUSE in page.text
    assert text(store, one_hour_rule, "en") in page.text
    assert "/catalogue/article/8" in page.links
    implementing = subjects(store, DXS.implements, one_hour_rule)
    assert implementing, "the one-hour rule has a shape"
    for shape in implementing:
        assert pages.page_href(shape.value) in page.links
        shape_page = page_of(store, shape)
        assert pages.page_href(one_hour_rule.value) in shape_page.links
        assert ONE_HOUR_CLAUSE in shape_page.text
        assert "60" in shape_page.text, "the shape's limit is shown"


def test_every_provision_has_a_page_with_its_clause_and_its_shapes(store, provisions):
    for provision in provisions:
        page = page_of(store, provision)
        assert page.title
        assert text(store, provision, "zh") in page.text and text(store, provision, "en") in page.text
        for shape in subjects(store, DXS.implements, provision):
            assert pages.page_href(shape.value) in page.links, (provision, shape)


def test_every_shape_has_a_page_that_links_to_the_provision_it_implements(store, shapes):
    for shape in shapes:
        page = page_of(store, shape)
        assert page.title
        for provision in objects(store, shape, DXS.implements):
            assert pages.page_href(provision.value) in page.links, (shape, provision)


def test_links_between_pages_lead_to_pages(store, one_hour_rule, shapes):
    links = set()
    for iri in [one_hour_rule, *shapes[:20], *subjects(store, DXO.record, graph=node(GRAPHS["results"]))]:
        links |= {href for href in page_of(store, iri).links if href.startswith("/page/")}
    assert len(links) > 50
    dead = sorted(href for href in links if not pages.exists(store, BASE + unquote(href[len("/page/"):])))
    assert not dead


def test_a_record_with_findings_shows_each_with_its_article_and_clause(store):
    results = subjects(store, DXO.record, graph=node(GRAPHS["results"]))
    assert results, "the examples break some rules"
    for result in results:
        record = objects(store, result, DXO.record)[0]
        provision = objects(store, result, DXO.provision)[0]
        article = objects(store, result, DXO.article)[0]
        number = objects(store, article, ELI.number)[0].value
        page = page_of(store, record)
        assert "Findings about this record" in page.text
        assert text(store, provision, "zh") in page.text and text(store, provision, "en") in page.text
        assert f"/catalogue/article/{number}" in page.links
        assert pages.page_href(provision.value) in page.links
        assert pages.page_href(result.value) in page.links


def test_the_recorded_facts_read_apart_from_the_inferred_ones(store):
    record = objects(store, subjects(store, DXO.record, graph=node(GRAPHS["results"]))[0], DXO.record)[0]
    page = page_of(store, record)
    assert "recorded facts" in page.text and "inferred facts" in page.text


def test_a_class_and_a_concept_show_their_labels_in_chinese_and_english(store, one_hour_rule):
    shape = subjects(store, DXS.implements, one_hour_rule)[0]
    situation = objects(store, shape, "http://www.w3.org/ns/shacl#targetClass")[0]
    concepts = objects(store, one_hour_rule, "http://purl.org/dc/terms/subject")
    assert concepts
    for term in [situation, *concepts]:
        labels = [o for p in ("http://www.w3.org/2000/01/rdf-schema#label",
                              "http://www.w3.org/2004/02/skos/core#prefLabel") for o in objects(store, term, p)]
        zh = next(label.value for label in labels if label.language == "zh")
        en = next(label.value for label in labels if label.language == "en")
        page = page_of(store, term)
        assert zh in page.title and en in page.title
    assert pages.page_href(shape.value) in page_of(store, situation).links, "a situation names the shapes on it"


def test_the_catalogue_lists_the_sixteen_articles(store):
    page = Page(pages.catalogue_page(store))
    rows = [a for tag, a in page.tags if tag == "tr" and "article" in (a.get("class") or "").split()]
    assert [int(a["data-article"]) for a in rows] == list(range(1, 17))
    assert {f"/catalogue/article/{n}" for n in range(1, 17)} <= page.links


@pytest.mark.parametrize("number", range(1, 17))
def test_an_article_page_lists_exactly_the_provisions_of_the_article(store, number):
    regulation = resources.regulation()
    article = next(a for a in regulation.subjects(RDF.type, DXO.Article)
                   if str(regulation.value(a, ELI.number)) == str(number))
    expected = {str(p) for p in regulation.subjects(RDF.type, DXO.Provision)
                if URIRef(article) in regulation.transitive_objects(p, ELI.is_part_of)}
    assert expected
    page = Page(pages.article_page(store, number))
    listed = page.attribute_values("article", "data-provision")
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    sentences = list(regulation.objects(article, ELI.has_part))
    assert sentences
    for sentence in sentences:
        for sentence_text in regulation.objects(sentence, DXO.text):
            assert str(sentence_text) in page.text, "the article's full text, zh and en"


def test_unknown_iris_and_articles_have_no_page(store):
    assert pages.resource_page(store, BASE + "provision/A99-1") is None
    assert pages.resource_page(store, "not an IRI") is None
    assert not pages.exists(store, BASE + "provision/A99-1")
    assert pages.describe(store, BASE + "provision/A99-1") == []
    for number in (0, 17, -1):
        assert pages.article_page(store, number) is None


def test_the_description_of_a_shape_holds_its_path_list_and_keeps_graphs(store, shapes):
    with_list = [s for s in shapes if any(isinstance(o, ox.BlankNode) for o in objects(
        store, s, "http://www.w3.org/ns/shacl#path"))]
    assert with_list, "some shape has a path through a blank node"
    quads = pages.describe(store, with_list[0].value)
    blank_objects = {q.object for q in quads if isinstance(q.object, ox.BlankNode)}
    described = {q.subject for q in quads}
    assert blank_objects and blank_objects <= described
    assert {q.graph_name for q in quads} == {node(GRAPHS["shapes"])}
    assert any(q.predicate == node(RDF.first) for q in quads)


def test_untrusted_text_in_a_record_shows_as_text():
    store = ox.Store()
    record = ox.NamedNode(BASE + "id/meeting/hostile")
    records = node(GRAPHS["records"])
    hostile = "<script>alert(1)</script>"
    for p, o in (
        (node(RDF.type), node(DXO.Meeting)),
        (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(hostile, language="zh")),
        (node(DXO.title), ox.Literal('"><img src=x onerror=alert(1)>')),
        (ox.NamedNode("https://schema.org/url"), ox.NamedNode("javascript:alert(1)")),
    ):
        store.add(ox.Quad(record, p, o, records))
    page = page_of(store, record)
    assert hostile in page.title
    assert not [t for t, _ in page.tags if t in ("script", "img")]
    assert not [v for _, a in page.tags for v in a.values() if v and v.lower().startswith("javascript:")]


def test_pages_fetch_nothing_from_elsewhere(store, one_hour_rule, shapes):
    record = objects(store, subjects(store, DXO.record, graph=node(GRAPHS["results"]))[0], DXO.record)[0]
    html = [pages.resource_page(store, iri.value) for iri in (one_hour_rule, shapes[0], record)]
    html += [pages.catalogue_page(store), pages.article_page(store, 8),
             pages.resource_page(store, str(DXO.Meeting))]
    for page in map(Page, html):
        assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed", "img")]
        fetched = [(t, name, a[name]) for t, a in page.tags if t != "a" for name in RESOURCE_ATTRIBUTES
                   if a.get(name, "").lower().startswith(("http:", "https:", "//"))]
        assert not fetched
        policy = page.attribute_values("meta", "content")
        assert any("default-src 'none'" in c for c in policy)
