"""The remote SPARQL client (kb.remote.endpoint) against a real Oxigraph server process, and its guards.

One `oxigraph serve` process serves the module; every test writes its own named graph. The guards (redirects,
credentials, timeouts, odd answers) are checked against tiny standard-library HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rdflib import BNode, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic

from kb.remote.endpoint import Endpoint, EndpointError, _chunks, derive_urls
from tests.oxigraph_server import free_port, running_oxigraph

EX = "http://example.org/"
XSD_INTEGER = namespace.XSD.integer  # no XSD at module level: pytest probes its attributes, rdflib warns

TERMS = """\
<http://example.org/meeting/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Meeting> .
<http://example.org/meeting/1> <http://example.org/title> "大兴区政府办公室专题会议"@zh .
<http://example.org/meeting/1> <http://example.org/title> "Special topic meeting"@en-GB .
<http://example.org/meeting/1> <http://example.org/note> "不超过一小时，\\"严格\\"执行\\n第二行" .
<http://example.org/meeting/1> <http://example.org/same> "同一个字符串"^^<http://www.w3.org/2001/XMLSchema#string> .
<http://example.org/meeting/1> <http://example.org/minutes> "45"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://example.org/meeting/1> <http://example.org/onDate> "2024-03-12"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://example.org/meeting/1> <http://example.org/custom> "x-1"^^<http://example.org/dt/Code> .
<http://example.org/meeting/1> <http://example.org/place> <http://example.org/地点/会议室> .
<http://example.org/meeting/1> <http://example.org/attendee> _:a1 .
_:a1 <http://example.org/name> "张三" .
_:a1 <http://example.org/knows> _:a2 .
_:a2 <http://example.org/name> "李四" .
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture
def ep(base_url) -> Endpoint:
    """An endpoint scoped to a graph of its own."""
    return Endpoint(f"{base_url}/query", graph=f"urn:test:{uuid.uuid4()}")


def count(ep: Endpoint) -> int:
    _, rows = ep.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(rows[0][0])


def as_graph(ep: Endpoint) -> Graph:
    names, rows = ep.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert names == ["s", "p", "o"]
    graph = Graph()
    for row in rows:
        graph.add(row)
    return graph


# --- against the Oxigraph server ------------------------------------------------------------------------------


def test_the_terms_come_back_as_they_were_loaded(ep):
    ep.load_ntriples(TERMS.encode("utf-8"))

    back = as_graph(ep)
    expected = Graph()
    for s, p, o in Graph().parse(data=TERMS, format="nt"):
        if isinstance(o, Literal) and o.datatype == namespace.XSD.string:
            o = Literal(str(o))  # RDF 1.1: "x"^^xsd:string is the plain literal "x"
        elif isinstance(o, Literal) and o.language:
            # Oxigraph lowercases language tags: rdflib's == ignores the case, its isomorphism hash does not
            o = Literal(str(o), lang=o.language.lower())
        expected.add((s, p, o))
    assert isomorphic(back, expected)
    m = URIRef(EX + "meeting/1")
    assert (m, URIRef(EX + "title"), Literal("大兴区政府办公室专题会议", lang="zh")) in back
    assert (m, URIRef(EX + "title"), Literal("Special topic meeting", lang="en-gb")) in back
    assert (m, URIRef(EX + "note"), Literal('不超过一小时，"严格"执行\n第二行')) in back
    assert (m, URIRef(EX + "same"), Literal("同一个字符串")) in back  # xsd:string is the plain literal
    assert (m, URIRef(EX + "minutes"), Literal("45", datatype=XSD_INTEGER)) in back
    assert (m, URIRef(EX + "onDate"), Literal("2024-03-12", datatype=namespace.XSD.date)) in back
    assert (m, URIRef(EX + "custom"), Literal("x-1", datatype=URIRef(EX + "dt/Code"))) in back
    assert (m, URIRef(EX + "place"), URIRef(EX + "地点/会议室")) in back
    assert (m, namespace.RDF.type, URIRef(EX + "Meeting")) in back
    attendee = back.value(m, URIRef(EX + "attendee"))
    assert isinstance(attendee, BNode)
    assert back.value(attendee, URIRef(EX + "name")) == Literal("张三")


def test_unbound_variables_are_none_and_ask_and_construct_work(ep):
    ep.load_ntriples(TERMS.encode("utf-8"))

    names, rows = ep.select(
        "SELECT ?name ?other WHERE { ?p <http://example.org/name> ?name "
        "OPTIONAL { ?p <http://example.org/knows> ?q . ?q <http://example.org/name> ?other } } ORDER BY ?name")
    assert names == ["name", "other"]
    assert rows == [(Literal("张三"), Literal("李四")), (Literal("李四"), None)]
    assert ep.ask("ASK { ?m <http://example.org/minutes> 45 }") is True
    assert ep.ask("ASK { ?m <http://example.org/minutes> 60 }") is False
    built = ep.construct("CONSTRUCT { ?m <http://example.org/label> ?t } WHERE { ?m <http://example.org/title> ?t }")
    assert set(built.objects()) == {Literal("大兴区政府办公室专题会议", lang="zh"),
                                    Literal("Special topic meeting", lang="en-gb")}


def test_a_query_sees_its_own_graph_only_as_the_default_graph(base_url):
    one = Endpoint(f"{base_url}/query", graph=f"urn:test:{uuid.uuid4()}")
    two = Endpoint(f"{base_url}/query", graph=f"urn:test:{uuid.uuid4()}")
    one.load_ntriples(b'<http://example.org/a> <http://example.org/p> "one" .\n')
    two.load_ntriples(b'<http://example.org/b> <http://example.org/p> "two" .\n'
                      b'<http://example.org/c> <http://example.org/p> "two" .\n')

    assert one.select("SELECT ?o WHERE { ?s ?p ?o }")[1] == [(Literal("one"),)]
    assert count(two) == 2
    # Without a graph the query reads the server's own default graph, which is not the union of the named graphs.
    assert count(Endpoint(f"{base_url}/query")) == 0
    # With default-graph-uri alone, the named graphs are not in the query's dataset: GRAPH finds nothing.
    assert one.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")[1] == []
    assert Endpoint(f"{base_url}/query").select(f"SELECT ?o WHERE {{ GRAPH <{one.graph}> {{ ?s ?p ?o }} }}")[1] == \
        [(Literal("one"),)]


def test_the_scoping_holds_on_a_server_whose_default_graph_is_the_union(tmp_path):
    with running_oxigraph(tmp_path, "--union-default-graph") as url:
        one = Endpoint(f"{url}/query", graph="urn:test:one")
        unscoped = Endpoint(f"{url}/query")
        one.load_ntriples(b'<http://example.org/a> <http://example.org/p> "one" .\n')
        one.load_ntriples(b'<http://example.org/b> <http://example.org/p> "two" .\n', graph="urn:test:two")
        unscoped.load_ntriples(b'<http://example.org/c> <http://example.org/p> "default" .\n')  # ?default

        assert one.select("SELECT ?o WHERE { ?s ?p ?o }")[1] == [(Literal("one"),)]
        assert count(unscoped) == 3  # the union of all graphs
        # This server ignores a query's own FROM: only the protocol's default-graph-uri scopes a query here.
        assert len(unscoped.select("SELECT * FROM <urn:test:two> WHERE { ?s ?p ?o }")[1]) == 3


def test_replace_makes_the_graph_hold_exactly_the_new_data(ep):
    ep.load_ntriples(TERMS.encode("utf-8"))
    ep.replace_ntriples('<http://example.org/x> <http://example.org/p> "新" .\n'.encode())
    assert ep.select("SELECT ?s ?o WHERE { ?s ?p ?o }")[1] == [(URIRef(EX + "x"), Literal("新"))]
    ep.replace_ntriples(b"")
    assert count(ep) == 0


def test_drop_removes_the_graph_and_a_missing_graph_is_no_error(ep):
    ep.load_ntriples(TERMS.encode("utf-8"))
    other = f"urn:test:{uuid.uuid4()}"
    ep.load_ntriples(b"<http://example.org/k> <http://example.org/p> <http://example.org/o> .\n", graph=other)
    ep.drop()
    assert count(ep) == 0
    assert count(Endpoint(ep.query_url, graph=other)) == 1
    ep.drop()  # DROP SILENT: gone already
    ep.drop(f"urn:test:{uuid.uuid4()}")

    by_store = Endpoint(ep.query_url, graph=other)
    by_store._update = None  # no update service: drop goes by a Graph Store Protocol DELETE
    by_store.drop()
    assert count(by_store) == 0
    by_store.drop()  # 404 from the store: no error


def test_blank_nodes_of_separate_loads_are_separate_nodes(ep):
    ep.load_ntriples(b'_:b <http://example.org/p> "1" .\n')
    ep.load_ntriples(b'_:b <http://example.org/p> "2" .\n')
    _, rows = ep.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    assert rows == [(Literal("2", datatype=XSD_INTEGER),)]


def test_a_load_of_200k_triples_in_parts_arrives_complete_with_its_blank_nodes_whole(ep, monkeypatch):
    people = 40_000  # 5 triples each = 200,000; a person's last triple is 100,000 lines after its first
    lines = []
    for i in range(people):
        lines.append(f"<http://example.org/p/{i}> <http://example.org/name> \"人员 {i} _:not-a-node\"@zh .\n")
        lines.append(f"<http://example.org/p/{i}> <http://example.org/age> \"{i % 90}\"^^<{XSD_INTEGER}> .\n")
        lines.append(f"<http://example.org/p/{i}> <http://example.org/address> _:addr{i} .\n")
        lines.append(f"_:addr{i} <http://example.org/city> \"北京\" .\n")
    lines += [f"_:addr{i} <http://example.org/zip> \"{100000 + i}\" .\n" for i in range(people)]
    data = "".join(lines).encode("utf-8")
    sent = []
    request = Endpoint._request

    def spy(self, target, method, body, *args, **kwargs):
        if target is self._store:
            sent.append((method, memoryview(body).nbytes))
        return request(self, target, method, body, *args, **kwargs)

    monkeypatch.setattr(Endpoint, "_request", spy)
    ep.chunk_bytes = 1024 * 1024
    ep.replace_ntriples(data)

    assert len(data) > 13 * ep.chunk_bytes
    assert len(sent) >= 14 and sent[0][0] == "PUT" and {m for m, _ in sent[1:]} == {"POST"}
    assert max(n for _, n in sent) <= ep.chunk_bytes
    assert count(ep) == 200_000
    _, rows = ep.select("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p <http://example.org/address> ?a . "
                        "?a <http://example.org/city> ?c ; <http://example.org/zip> ?z }")
    assert int(rows[0][0]) == people


def test_a_load_in_parts_with_bad_syntax_sends_nothing(ep):
    good = b'<http://example.org/s> <http://example.org/p> "ok" .\n' * 1000
    ep.chunk_bytes = 4096
    with pytest.raises(EndpointError, match=r"nothing was sent.*line 1001"):
        ep.load_ntriples(good + b'<http://example.org/s> <http://example.org/p> "broken .\n' + good)
    assert count(ep) == 0
    numbered = b"".join(b'<http://example.org/s> <http://example.org/p> "%d" .\n' % i for i in range(2000))
    ep.load_ntriples(numbered)  # 27 parts of whole lines, no blank nodes: sent as slices of the input
    assert count(ep) == 2000


def test_a_syntax_error_names_the_problem_as_the_server_said_it(ep):
    with pytest.raises(EndpointError) as caught:
        ep.select("SELECT ?s WHERE { ?s ?p ?o ")  # the closing brace is missing
    assert caught.value.status == 400
    assert caught.value.url == ep.query_url
    assert caught.value.server_message.startswith("error at 1:28: expected one of")
    assert str(caught.value).startswith(f"POST {ep.query_url}: HTTP 400 Bad Request: error at 1:28: expected")
    with pytest.raises(EndpointError, match=r"HTTP 400.*Parser error") as caught:
        ep.load_ntriples(b'<http://example.org/s> <http://example.org/p> "unclosed .\n')
    assert caught.value.url.startswith(ep.store_url)


# --- without a server ---------------------------------------------------------------------------------------


def test_an_unreachable_server_fails_quickly_without_showing_credentials():
    port = free_port()  # nothing listens there
    ep = Endpoint(f"http://analyst:s3cret@127.0.0.1:{port}/query", graph="urn:test:g", timeout=5)
    started = time.monotonic()
    with pytest.raises(EndpointError, match="cannot reach the server") as caught:
        ep.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 3
    assert caught.value.status is None
    assert caught.value.url == f"http://127.0.0.1:{port}/query"
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(ep)
    with pytest.raises(EndpointError, match="cannot reach"):
        ep.load_ntriples(TERMS.encode("utf-8"))


@pytest.mark.parametrize(("query_url", "update_url", "store_url"), [
    ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store"),
    ("https://kb.example.org/query/", "https://kb.example.org/update", "https://kb.example.org/store"),
    ("http://localhost:3030/ds/query", "http://localhost:3030/ds/update", "http://localhost:3030/ds/data"),
    ("http://localhost:3030/ds/sparql", "http://localhost:3030/ds/update", "http://localhost:3030/ds/data"),
    ("http://h/fuseki/kb/sparql", "http://h/fuseki/kb/update", "http://h/fuseki/kb/data"),
    ("http://localhost:8890/sparql", None, None),  # Virtuoso: not guessed
    ("http://localhost:7200/repositories/kb", None, None),  # GraphDB: not guessed
])
def test_the_update_and_store_urls_are_derived_for_known_layouts_only(query_url, update_url, store_url):
    assert derive_urls(query_url) == (update_url, store_url)


def test_an_unknown_layout_needs_its_urls_given():
    ep = Endpoint("http://127.0.0.1:1/sparql", graph="urn:test:g")
    assert ep.store_url is None and ep.update_url is None
    with pytest.raises(EndpointError, match=r"no Graph Store Protocol URL .* pass store_url="):
        ep.load_ntriples(TERMS.encode("utf-8"))
    given = Endpoint("http://127.0.0.1:1/sparql", store_url="http://127.0.0.1:1/sparql-graph-crud")
    assert given.store_url == "http://127.0.0.1:1/sparql-graph-crud"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/query", "/query", "http:///query",
                                 "http://example.org/query?x=1"])
def test_only_plain_http_and_https_urls_are_accepted(url):
    with pytest.raises(ValueError, match="URL"):
        Endpoint(url)


@pytest.mark.parametrize("graph", ["http://example.org/g> } ; DROP ALL ; #", "relative/graph", "urn:a b"])
def test_a_graph_name_that_is_not_an_iri_is_refused(graph):
    with pytest.raises(ValueError, match="not an absolute IRI"):
        Endpoint("http://127.0.0.1:1/query", graph=graph)
    with pytest.raises(ValueError, match="not an absolute IRI"):
        Endpoint("http://127.0.0.1:1/query").drop(graph)


def test_load_parts_are_whole_lines_and_keep_each_blank_node_in_one_part():
    lines = [f'<http://e/s{i}> <http://e/p> "{i} _:x{i}" .\n'.encode() for i in range(300)]
    lines += [f"_:n{i} <http://e/p> _:n{i + 1} .\n".encode() for i in range(0, 40)]  # one chain of 41 nodes
    lines += [f"_:m{i} <http://e/p> <http://e/o>.\n".encode() for i in range(50)]
    lines += [f"<http://e/s> <http://e/q> _:m{i}.\n".encode() for i in range(50)]
    data = b"".join(lines)[:-1]  # the last line without its newline
    parts = [bytes(p) for p in _chunks(data, 512)]

    assert sorted(line.rstrip(b"\n") for p in parts for line in p.splitlines()) == \
        sorted(line.rstrip(b"\n") for line in lines)
    where = {}
    for n, part in enumerate(parts):
        assert part.endswith(b"\n") or part is parts[-1]
        for label in re.findall(rb"_:([nm]\d+)(?=[ .])", part):
            assert where.setdefault(label, n) == n, f"_:{label.decode()} is split across requests"
    chain = {n for label, n in where.items() if label.startswith(b"n")}
    assert len(chain) == 1  # the chain is one group, longer than a part: it goes alone
    assert all(len(p) <= 512 for n, p in enumerate(parts) if n not in chain)
    assert [bytes(p) for p in _chunks(b"<http://e/s> <http://e/p> <http://e/o> .\n" * 100, 10_000)] == \
        [b"<http://e/s> <http://e/p> <http://e/o> .\n" * 100]


# --- tiny local servers for the guards ----------------------------------------------------------------------


@contextmanager
def http_server(respond) -> Iterator[tuple[str, list]]:
    """An HTTP server on 127.0.0.1 answering every request with respond(handler); yields its URL and the requests."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen.append((self.command, self.path, dict(self.headers), self.rfile.read(length)))
            respond(self)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def answer(handler, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed(status):
    def respond(h):
        answer(h, status, b"", "text/plain", {"Location": "http://elsewhere.invalid/query"})

    with http_server(respond) as (url, seen):
        ep = Endpoint(f"http://u:pw@{url.removeprefix('http://')}/query", graph="urn:test:g")
        with pytest.raises(EndpointError, match=r"redirects to http://elsewhere\.invalid/query") as caught:
            ep.select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.status == status
    assert len(seen) == 1


def test_credentials_in_the_url_go_as_basic_authentication_to_that_server_only():
    results = {"head": {"vars": ["s", "o"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": "http://e/s"},
         "o": {"type": "typed-literal", "value": "7", "datatype": str(XSD_INTEGER)}},
        {"s": {"type": "bnode", "value": "b0"}, "o": {"type": "literal", "value": "x", "xml:lang": "zh"}},
    ]}}

    def respond(h):
        answer(h, 200, json.dumps(results).encode(), "application/sparql-results+json; charset=utf-8")

    with http_server(respond) as (url, seen):
        ep = Endpoint(f"http://analyst:s%40cret@{url.removeprefix('http://')}/query", graph="urn:test:run")
        names, rows = ep.select("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert names == ["s", "o"]
    assert rows == [(URIRef("http://e/s"), Literal("7", datatype=XSD_INTEGER)), (BNode("b0"), Literal("x", lang="zh"))]
    method, path, headers, body = seen[0]
    assert (method, path) == ("POST", "/query")
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"analyst:s@cret").decode()
    assert headers["Accept"] == "application/sparql-results+json"
    assert body == b"query=SELECT+%3Fs+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D&default-graph-uri=urn%3Atest%3Arun"


def test_an_answer_that_is_not_sparql_json_is_an_error():
    def respond(h):
        answer(h, 200, b"<html>login</html>", "text/html")

    with http_server(respond) as (url, _), pytest.raises(EndpointError, match="answered text/html: <html>login"):
        Endpoint(f"{url}/query").select("SELECT * WHERE { ?s ?p ?o }")


def test_a_server_error_message_is_cut_to_500_characters():
    def respond(h):
        answer(h, 500, ("错" * 2000).encode(), "text/plain")

    with http_server(respond) as (url, _), pytest.raises(EndpointError) as caught:
        Endpoint(f"{url}/query").ask("ASK {}")
    assert caught.value.status == 500
    assert caught.value.server_message == "错" * 500


def test_a_server_that_does_not_answer_times_out():
    def respond(h):
        time.sleep(2)
        answer(h, 200, b"{}", "application/json")

    with http_server(respond) as (url, _):
        started = time.monotonic()
        with pytest.raises(EndpointError, match=r"no answer within 0.3 s"):
            Endpoint(f"{url}/query", timeout=0.3).ask("ASK {}")
        assert time.monotonic() - started < 1.5


def test_without_the_oxigraph_command_the_server_tests_fail_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match=r"not installed.*pip install -e '\.\[test\]'"), \
            running_oxigraph(tmp_path):
        pass
