"""`kb serve` as other agencies and analysts meet it: a real server process, real SPARQL clients.

SPARQLWrapper and rdflib's SPARQLStore ask the questions; rdflib's own result parsers read every result format
back; a listening socket proves that a SERVICE query never leaves the server; a query that runs forever is cut
while another client is answered.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from kb import resources
from kb.namespaces import DXO, DXP, ELI
from kb.publishing.dataset import GRAPHS
from tests.kb_server import running_kb_serve

pytestmark = pytest.mark.xdist_group("kb-serve")  # its two servers start once, on one worker

PROVISIONS_PER_ARTICLE = """
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dxo: <https://w3id.org/daxing-zuofeng/ontology/>
SELECT ?article (COUNT(?provision) AS ?provisions) WHERE {
  ?article a dxo:Article .
  ?provision a dxo:Provision ; eli:is_part_of+ ?article .
} GROUP BY ?article ORDER BY ?article
"""
FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Sorting every pair of pairs of triples: its worker grows by hundreds of MB a second
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?c ?f"


def long_string(digits: int) -> str:
    """A query whose one row binds ?x to a string of 10**digits characters, built by the engine."""
    steps = [f"BIND(CONCAT({', '.join([f'?s{n}'] * 10)}) AS ?s{n + 1})" for n in range(1, digits)]
    return f'SELECT ?x WHERE {{ BIND("0123456789" AS ?s1) {" ".join(steps)} BIND(?s{digits} AS ?x) }}'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_kb_serve(tmp_path_factory.mktemp("serve"), "data/examples") as running:
        yield running


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """A server without records, with a short time limit, a small row cap, two workers, small memory and byte
    limits and a short queue wait. (300MB: writing the byte-limit test's 10 MB value as CSV takes a worker to about
    205 MB for a moment, which each worker's own watch of its memory sees.)"""
    with running_kb_serve(tmp_path_factory.mktemp("strict"), "--timeout", "3", "--max-rows", "5",
                          "--workers", "2", "--max-memory", "300MB", "--max-bytes", "1MB",
                          "--queue-wait", "1") as running:
        yield running


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body) of one request, errors included, never following a redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def ask(server, query: str, accept: str = "application/sparql-results+json", **fields):
    body = urllib.parse.urlencode({"query": query, **fields}, doseq=True).encode()
    return fetch(f"{server.url}/sparql", body, {"Accept": accept,
                                                "Content-Type": "application/x-www-form-urlencoded"})


def expected_provisions_per_article() -> dict[str, int]:
    return {str(row.article): int(row.provisions) for row in resources.regulation().query(PROVISIONS_PER_ARTICLE)}


# --- the protocol, through real clients -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_gets_the_regulation_as_the_files_state_it(server, method):
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(PROVISIONS_PER_ARTICLE)
    client.setMethod("POST" if method != "GET" else "GET")
    if method == "POSTDIRECTLY":
        client.setRequestMethod("postdirectly")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    found = {row["article"]["value"]: int(row["provisions"]["value"]) for row in rows}
    assert len(found) == 16
    assert found == expected_provisions_per_article()


@pytest.mark.parametrize(("wanted", "parse_as"), [(JSON, "json"), (XML, "xml"), (CSV, "csv"), (TSV, "tsv")])
def test_every_result_format_reads_back_to_the_same_rows(server, wanted, parse_as):
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(PROVISIONS_PER_ARTICLE)
    client.setReturnFormat(wanted)
    raw = client.query().response.read()
    rows = Result.parse(source=io.BytesIO(raw), format=parse_as)
    found = {str(row[0]): int(row[1]) for row in rows}
    assert found == expected_provisions_per_article()


def test_literals_keep_their_language_and_datatype_in_json(server):
    query = f"SELECT ?text WHERE {{ <{DXP['A08-3']}> ?p ?text FILTER(isLiteral(?text) && lang(?text) = 'zh') }}"
    status, _, body = ask(server, query)
    assert status == 200
    texts = [b["text"] for b in json.loads(body)["results"]["bindings"]]
    assert any("其他专题会议控制在1小时以内" in t["value"] and t["xml:lang"] == "zh" for t in texts)


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml"])
def test_a_construct_comes_in_the_graph_format_asked_for(server, accept):
    query = f"CONSTRUCT {{ <{DXP['A08-3']}> ?p ?o }} WHERE {{ <{DXP['A08-3']}> ?p ?o }}"
    status, headers, body = ask(server, query, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    got = Graph().parse(data=body, format={"text/turtle": "turtle", "application/ld+json": "json-ld",
                                           "application/n-triples": "nt", "application/rdf+xml": "xml"}[accept])
    source = resources.regulation()
    assert set(got) == set(source.triples((DXP["A08-3"], None, None)))


def test_rdflib_sparqlstore_reads_the_served_dataset_as_a_graph(server):
    remote = Graph(store=SPARQLStore(f"{server.url}/sparql", returnFormat="json"))
    assert (DXP["A08-3"], RDF.type, DXO.Provision) in remote
    articles = set(remote.subjects(RDF.type, DXO.Article))
    assert len(articles) == 16
    assert remote.value(DXP["A08-3"], ELI.is_part_of) in set(resources.regulation().objects(DXP["A08-3"],
                                                                                            ELI.is_part_of))


def test_each_part_is_a_named_graph_and_the_service_description_lists_them(server):
    status, headers, body = fetch(f"{server.url}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    described = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {str(o) for o in described.objects(None, URIRef(sd + "name"))}
    assert names == {str(g) for g in GRAPHS.values()}
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in described
    status, _, body = ask(server, f"ASK {{ GRAPH <{GRAPHS['records']}> {{ ?s ?p ?o }} }}")
    assert json.loads(body)["boolean"] is True


def test_a_browser_asking_the_endpoint_itself_is_sent_to_the_query_ui(server):
    status, headers, _ = fetch(f"{server.url}/sparql", headers={"Accept": "text/html"})
    assert status == 303 and headers["Location"] == "/"


def test_a_format_the_answer_cannot_take_is_406_and_names_those_it_can(server):
    status, _, body = ask(server, "ASK {}", accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_a_syntax_error_says_where(server):
    status, _, body = ask(server, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and b"line 1" in body


# --- read-only --------------------------------------------------------------------------------------------------

INSERT = f'INSERT DATA {{ <{DXP["A08-3"]}> <{DXO.text}> "被改写" }}'


@pytest.mark.parametrize("how", ["update-field", "sparql-update-body", "update-as-query", "load-as-query"])
def test_updates_are_refused_and_change_nothing(server, how):
    if how == "update-field":
        status, _, body = fetch(f"{server.url}/sparql", urllib.parse.urlencode({"update": INSERT}).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "sparql-update-body":
        status, _, body = fetch(f"{server.url}/sparql", INSERT.encode(), {"Content-Type": "application/sparql-update"})
    elif how == "update-as-query":
        status, _, body = ask(server, INSERT)
    else:
        status, _, body = ask(server, "LOAD <http://127.0.0.1:9/data.ttl>")
    assert status == 403 and b"read-only" in body
    status, _, body = ask(server, 'ASK { ?s ?p "被改写" }')
    assert json.loads(body)["boolean"] is False


# --- nothing leaves the server ----------------------------------------------------------------------------------


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?x a ?y OPTIONAL {{ service <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
])
def test_a_service_query_is_refused_and_no_request_leaves(server, listener, template):
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    status, _, body = ask(server, query)
    assert status == 403 and b"SERVICE is refused" in body
    ask(server, "ASK {}")  # the server has finished with the refused query before the count is read
    assert listener.connections == 0


@pytest.mark.parametrize("how", ["FROM", "FROM NAMED", "default-graph-uri", "named-graph-uri"])
def test_a_graph_from_elsewhere_is_refused_and_not_fetched(server, listener, how):
    remote = f"http://127.0.0.1:{listener.port}/data.ttl"
    if how.startswith("FROM"):
        status, _, body = ask(server, f"SELECT * {how} <{remote}> WHERE {{ ?s ?p ?o }}")
    else:
        status, _, body = ask(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{how: remote})
    assert status == 403 and b"never fetches graphs" in body
    assert listener.connections == 0


def test_a_query_may_pick_the_servers_own_graphs(server):
    rules = str(GRAPHS["regulation"])
    status, _, body = ask(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": rules})
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(resources.regulation())


# --- limits -----------------------------------------------------------------------------------------------------


def test_a_query_that_runs_forever_is_cut_while_another_client_is_answered(strict):
    with ThreadPoolExecutor(2) as pool:
        forever = pool.submit(ask, strict, FOREVER)
        # the simple query is sent while the forever one runs, and comes back before it
        answers = [ask(strict, f"ASK {{ <{DXP['A08-3']}> a ?type }}") for _ in range(3)]
        assert not forever.done()
        assert all(status == 200 and json.loads(body)["boolean"] for status, _, body in answers)
        status, _, body = forever.result()
    assert status == 503 and b"time limit of 3 s" in body
    status, _, body = ask(strict, "ASK {}")  # the worker that was killed has been replaced
    assert status == 200


def test_answers_are_capped_and_say_so(strict):
    status, headers, body = ask(strict, "SELECT ?s WHERE { ?s a ?type } LIMIT 100")
    assert status == 200 and headers["X-KB-Rows-Capped"] == "5"
    assert len(json.loads(body)["results"]["bindings"]) == 5
    status, headers, body = ask(strict, "SELECT ?s WHERE { ?s a ?type } LIMIT 5")
    assert "X-KB-Rows-Capped" not in headers and len(json.loads(body)["results"]["bindings"]) == 5


def query_workers(server) -> set[int]:
    return {pid for pid in server.children() if b"resource_tracker" not in
            (Path("/proc") / str(pid) / "cmdline").read_bytes()}  # multiprocessing's tracker is no worker


def until_answered(server, seconds: float = 60.0) -> None:
    """Wait until both workers of `server` answer again (a killed one is replaced in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(2) as pool:
            if all(status == 200 for status, _, _ in pool.map(lambda _: ask(server, "ASK {}"), range(2))):
                return
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer again within {seconds:g} s")


def test_a_query_past_the_memory_limit_is_stopped_and_its_worker_replaced(strict):
    before = query_workers(strict)
    started = time.monotonic()
    status, _, body = ask(strict, HUNGRY)
    assert status == 503 and body == b"the query was stopped at the memory limit of 300 MB per query\n"
    assert time.monotonic() - started < 3  # stopped for its memory, before the time limit
    assert ask(strict, "ASK {}")[0] == 200  # the next query is answered normally
    until_answered(strict)
    # The replacement starts in the background, and until the killed worker is reaped it is still listed as a child:
    # wait (at most a minute) until the children are the other worker and a new one.
    deadline = time.monotonic() + 60
    while not (len(after := query_workers(strict)) == 2 and len(before - after) == 1) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(after) == 2 and len(before - after) == 1  # one worker was killed and replaced


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values", "text/turtle"])
def test_an_answer_past_the_byte_limit_is_refused_whole_and_one_below_it_comes_whole(strict, accept):
    def query(digits):
        if accept != "text/turtle":
            return long_string(digits)
        return long_string(digits).replace("SELECT ?x WHERE", f"CONSTRUCT {{ <{DXP['A08-3']}> <{DXO.text}> ?x }} "
                                                              "WHERE")
    status, headers, body = ask(strict, query(7), accept)  # 10 MB in one value
    assert status == 503 and headers["Content-Type"].startswith("text/plain")
    assert body == b"the answer was stopped at the size limit of 1 MB: ask for fewer rows (LIMIT) or shorter values\n"
    status, headers, body = ask(strict, query(5), accept)  # 100 KB
    assert status == 200 and headers["Content-Type"].startswith(accept) and int(headers["Content-Length"]) == len(body)
    assert body.count(b"0123456789") == 10_000


def test_a_request_finding_every_worker_busy_waits_the_queue_wait_then_hears_when_to_retry(strict):
    with ThreadPoolExecutor(2) as pool:
        busy = [pool.submit(ask, strict, FOREVER) for _ in range(2)]
        time.sleep(0.5)  # both workers have their query
        started = time.monotonic()
        status, headers, body = ask(strict, "ASK {}")
        waited = time.monotonic() - started
        assert [future.result()[0] for future in busy] == [503, 503]
    assert status == 503 and b"every query worker is busy (waited 1 s)" in body
    assert 0.9 < waited < 2.5
    assert 1 <= int(headers["Retry-After"]) <= 3  # the time limit of the queries running
    until_answered(strict)


def test_a_store_is_published_and_stopping_ends_the_workers_and_removes_the_dataset(tmp_path):
    store = tmp_path / "store"
    loaded = subprocess.run([sys.executable, "-m", "kb.cli", "load", "data/examples/meetings.ttl", "--store",
                             str(store)], capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    meeting = next(Graph().parse("data/examples/meetings.ttl").subjects(RDF.type, DXO.Meeting))
    with running_kb_serve(tmp_path, "--store", str(store), "--workers", "2") as running:
        status, _, body = ask(running, f"ASK {{ GRAPH <{GRAPHS['records']}> {{ <{meeting}> a ?type }} }}")
        assert status == 200 and json.loads(body)["boolean"] is True
        workers = query_workers(running)
        assert len(workers) == 2
        assert list(tmp_path.glob("kb-serve-*"))
    assert running.process.returncode == 0
    alive = {pid for pid in workers if (Path("/proc") / str(pid)).exists()}
    assert not alive
    assert not list(tmp_path.glob("kb-serve-*"))


def test_the_library_queries_are_offered_to_the_ui(server):
    status, _, body = fetch(f"{server.url}/queries.json")
    offered = {q["name"]: q for q in json.loads(body)}
    assert status == 200 and "article-provisions" in offered
    assert offered["article-provisions"]["text"] == (resources.HOME / "queries" / "article-provisions.rq").read_text(
        encoding="utf-8")


def test_the_context_is_served_where_its_iri_points(server):
    status, headers, body = fetch(f"{server.url}/context.jsonld")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body)["@context"] == resources.context()


def test_a_label_with_markup_reaches_a_client_as_data(server):
    status, _, body = ask(server, 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }',
                          accept="application/sparql-results+xml")
    assert status == 200 and b"&lt;script&gt;" in body and b"<script>" not in body
    assert Literal("<script>alert(1)</script>") in {row[0] for row in Result.parse(
        source=io.BytesIO(body), format="xml")}


def test_a_404_does_not_echo_a_long_path_back(server):
    """Issue 13: a 404 repeated the whole asked-for path, however long; it repeats the first few hundred characters."""
    status, _, body = fetch(f"{server.url}/page/meeting/" + "x" * 20_000)
    assert status == 404 and body.startswith(b"nothing is known about <https://w3id.org/daxing-zuofeng/meeting/xxx")
    assert len(body) < 400 and body.rstrip().endswith(b"(cut)")


# --- our IRIs dereference (W3C Cool URIs: 303 to a document chosen by Accept) ---------------------------------

DOCUMENTS = [("text/html", "/page/provision/A08-3"), ("text/turtle", "/data/provision/A08-3.ttl"),
             ("application/ld+json", "/data/provision/A08-3.jsonld"),
             ("application/n-triples", "/data/provision/A08-3.nt")]


@pytest.mark.parametrize(("accept", "document"), DOCUMENTS)
def test_a_provision_iri_sends_each_client_to_the_document_it_reads(server, accept, document):
    status, headers, _ = fetch(f"{server.url}/provision/A08-3", headers={"Accept": accept})
    assert status == 303 and headers["Location"] == document and "Accept" in headers["Vary"]
    status, headers, body = fetch(server.url + document)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    if accept == "text/html":
        assert "其他专题会议控制在1小时以内" in body.decode("utf-8")
        return
    got = Graph().parse(data=body, format={"text/turtle": "turtle", "application/ld+json": "json-ld",
                                           "application/n-triples": "nt"}[accept])
    assert set(resources.regulation().triples((DXP["A08-3"], None, None))) <= set(got)


def test_a_browser_prefers_the_page_and_a_linked_data_client_the_data(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert fetch(f"{server.url}/shape/A08-3_SpecialTopicMeetingMaxOneHour",
                 headers={"Accept": browser})[1]["Location"] == "/page/shape/A08-3_SpecialTopicMeetingMaxOneHour"
    rdf_client = "text/turtle;q=1.0,application/rdf+xml;q=0.5,text/html;q=0.1"
    assert fetch(f"{server.url}/ontology/Meeting", headers={"Accept": rdf_client})[1]["Location"] == (
        "/data/ontology/Meeting.ttl")


def test_an_event_page_shows_its_findings_and_its_data_names_the_shape(server):
    status, _, body = ask(server, "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX dxo: "
                                  "<https://w3id.org/daxing-zuofeng/ontology/> SELECT ?record ?shape WHERE { "
                                  "?r dxo:record ?record ; sh:sourceShape ?shape } LIMIT 1")
    row = json.loads(body)["results"]["bindings"][0]
    record, shape = row["record"]["value"], row["shape"]["value"]
    path = record.removeprefix("https://w3id.org/daxing-zuofeng/")
    status, _, page = fetch(f"{server.url}/page/{path}")
    assert status == 200 and shape.rsplit("/", 1)[-1] in page.decode("utf-8")


@pytest.mark.parametrize("path", ["/id/meeting/no-such-meeting", "/page/id/meeting/no-such-meeting",
                                  "/data/id/meeting/no-such-meeting.ttl", "/catalogue/article/17",
                                  "/nothing/here"])
def test_an_unknown_iri_or_page_is_404(server, path):
    assert fetch(server.url + path, headers={"Accept": "text/turtle"})[0] == 404


def test_the_catalogue_lists_every_article_and_links_to_each(server):
    status, _, body = fetch(f"{server.url}/catalogue")
    text = body.decode("utf-8")
    assert status == 200
    for number in range(1, 17):
        assert f'href="/catalogue/article/{number}"' in text
    status, _, body = fetch(f"{server.url}/catalogue/article/8")
    assert status == 200 and "其他专题会议控制在1小时以内" in body.decode("utf-8")


def test_a_web_page_elsewhere_may_query_the_endpoint_but_not_change_it(server):
    origin = {"Origin": "https://analyst.example.org"}
    status, headers, _ = fetch(f"{server.url}/sparql?query=ASK%7B%7D", headers=origin)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(f"{server.url}/sparql", method="OPTIONS", headers={
        **origin, "Access-Control-Request-Method": "PUT"})
    assert "PUT" not in headers.get("Access-Control-Allow-Methods", "")


def test_a_graph_name_dereferences_to_the_graph_itself(server):
    status, headers, _ = fetch(f"{server.url}/graph/regulation", headers={"Accept": "text/html,*/*;q=0.8"})
    assert status == 303 and headers["Location"] == "/data/graph/regulation.ttl"
    status, headers, body = fetch(f"{server.url}/data/graph/regulation.nt")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert len(Graph().parse(data=body, format="nt")) == len(resources.regulation())


PAGES = ["/", "/catalogue", "/catalogue/article/8", "/page/provision/A08-3"]


@pytest.mark.parametrize("path", [*PAGES, "/sparql?query=ASK%7B%7D", "/sparql", "/queries.json", "/context.jsonld",
                                  "/data/provision/A08-3.ttl", "/provision/A08-3", "/static/ui.js"])
def test_head_is_answered_wherever_get_is(server, path):
    status, headers, body = fetch(server.url + path, method="HEAD")
    got_status, got_headers, _ = fetch(server.url + path)
    assert (status, body) == (got_status, b"") and status in (200, 303)
    assert headers.get("Content-Type") == got_headers.get("Content-Type")
    assert headers.get("Location") == got_headers.get("Location")
    if path != "/sparql":  # the service description's blank nodes get new labels, of other lengths, each time
        assert headers.get("Content-Length") == got_headers.get("Content-Length")


@pytest.mark.parametrize("path", PAGES)
def test_an_html_page_may_not_be_framed_or_read_by_another_site(server, path):
    status, headers, _ = fetch(server.url + path, headers={"Origin": "https://analyst.example.org"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.parametrize("how", ["accept", "format"])
def test_a_406_does_not_echo_a_huge_accept_header(server, how):
    asked = ",".join(f"image/x-{n}" for n in range(2000))  # 20 KB
    if how == "accept":
        status, _, body = ask(server, "ASK {}", accept=asked)
    else:
        status, _, body = ask(server, "ASK {}", format=asked)
    assert len(asked) > 20_000
    assert status == 406 and len(body) < 600 and body.count(b"\n") == 1
    assert b"application/sparql-results+json" in body and f"({len(asked)} characters)".encode() in body
