"""Validation and library queries pushed down to a real Oxigraph server (kb.remote.pushdown) answer as they do locally.

One `oxigraph serve` process serves the module (tests/oxigraph_server.py); every run pushes into a graph of its
own and drops it. Compared with the embedded engine on the same records read once, so that blank nodes keep their
labels: the findings (every field), what is not in force, and the SHACL results themselves (focus, shape,
component, severity, value, path, messages) on the bundled examples and on a benchmark sample; the real
`kb validate --endpoint` against the real `kb validate`; every library query against its hand-checked results.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from contextlib import ExitStack
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from benchmarks import generate
from kb.asking import query
from kb.checking import compiler
from kb.checking.pipeline import compiled_shapes, validate_batch, validate_paths
from kb.reasoning import readings
from kb.records.load import read
from kb.remote import pushdown
from kb.remote.endpoint import Endpoint, EndpointError
from kb.remote.pushdown import (
    EndpointBackend,
    prebind,
    pushed,
    skolem_aware,
    validate_batch_on_endpoint,
    validate_on_endpoint,
)
from tests.asking import test_query_library as library
from tests.checking.test_engines_agree import result_keys
from tests.oxigraph_server import free_port, running_oxigraph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = str(ROOT / "data" / "examples")
BENCHMARK_EVENTS = 150
BLANK_LABEL = re.compile(r"N[0-9a-f]{32}")  # rdflib's labels, new on every read of the records
EX = "http://example.org/"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture
def endpoint(base_url) -> Endpoint:
    return Endpoint(f"{base_url}/query")


KEPT: set[str] = set()  # the run graphs the library queries read, pushed once for the module


def holds_anything(endpoint: Endpoint, graph: str | None = None) -> bool:
    """Whether the graph holds a triple; without one, whether the server holds any but the library's graphs."""
    if graph is not None:
        return endpoint.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    _, graphs = endpoint.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return endpoint.ask("ASK { ?s ?p ?o }") or bool({str(g) for (g,) in graphs} - KEPT)


def kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT)


def assert_same_outcome(embedded, remote) -> None:
    """Every field of every finding, in order, what is not in force, and the SHACL results behind them."""
    assert [f.as_dict() for f in remote.findings] == [f.as_dict() for f in embedded.findings]
    assert remote.not_in_force == embedded.not_in_force
    view = embedded.batch.union() + embedded.inferred
    assert result_keys(remote.results, view) == result_keys(embedded.results, view)


def counted(findings) -> Counter:
    """(record, shape, severity, value) of each finding, a blank node's label made anonymous."""
    return Counter((f.record, f.shape, f.severity, BLANK_LABEL.sub("_", f.value or "")) for f in findings)


# --- validation -------------------------------------------------------------------------------------------------


def test_the_examples_give_the_embedded_findings(endpoint):
    batch = read([EXAMPLES])
    embedded = validate_batch(batch)
    remote = validate_batch_on_endpoint(batch, endpoint)

    assert_same_outcome(embedded, remote)
    assert len(remote.findings) >= 5
    assert any(f.focus.startswith("_:") for f in remote.findings), "no finding about a blank node: skolem untested"
    assert counted(validate_on_endpoint([EXAMPLES], endpoint).findings) == counted(validate_paths([EXAMPLES]).findings)
    assert not holds_anything(endpoint)


def test_a_benchmark_sample_gives_the_embedded_findings(endpoint, tmp_path):
    manifest = generate.write(tmp_path, BENCHMARK_EVENTS, 0.1, 7)
    batch = read([str(tmp_path / "records")])
    assert not batch.errors and manifest["violating_events"] > 0

    embedded = validate_batch(batch)
    remote = validate_batch_on_endpoint(batch, endpoint)

    assert_same_outcome(embedded, remote)
    assert len(remote.findings) >= manifest["violating_events"] // 2
    assert not holds_anything(endpoint)


def test_kb_validate_endpoint_prints_what_kb_validate_prints(base_url):
    local = kb("validate", EXAMPLES, "--format", "json")
    remote = kb("validate", "--endpoint", f"{base_url}/query", EXAMPLES, "--format", "json")

    assert (remote.returncode, remote.stderr) == (local.returncode, local.stderr) == (1, "")
    assert BLANK_LABEL.sub("_", remote.stdout) == BLANK_LABEL.sub("_", local.stdout)
    assert json.loads(remote.stdout)["findings"]


def test_the_run_graph_holds_the_view_during_the_run_and_is_dropped_after(endpoint, monkeypatch):
    graphs = []
    original = EndpointBackend.select

    def spy(self, text, this=None):
        if not graphs:
            graphs.append(self.endpoint.graph)
            assert holds_anything(endpoint, self.endpoint.graph), "the checks ran over an empty graph"
        return original(self, text, this)

    monkeypatch.setattr(EndpointBackend, "select", spy)
    validate_on_endpoint([EXAMPLES], endpoint)

    assert len(graphs) == 1 and graphs[0].startswith(pushdown.RUN_GRAPH)
    assert not holds_anything(endpoint, graphs[0])
    assert not holds_anything(endpoint)


def test_the_run_graph_is_dropped_when_the_run_fails(endpoint, monkeypatch):
    graphs = []

    def fail(view, shapes, plan, backend):
        graphs.append(backend.endpoint.graph)
        assert holds_anything(endpoint, backend.endpoint.graph)
        raise EndpointError("the server went away")

    monkeypatch.setattr(pushdown, "_validate", fail)
    with pytest.raises(EndpointError, match="went away"):
        validate_on_endpoint([EXAMPLES], endpoint)

    assert graphs and not holds_anything(endpoint, graphs[0])
    assert not holds_anything(endpoint)


def test_a_check_that_cannot_be_prebound_as_text_runs_locally_with_the_same_results(endpoint, monkeypatch):
    plan = compiled_shapes(readings.resolve())
    per_focus = [c for c in plan.checks if c.focus_query is not None]
    assert per_focus, "no check is pre-bound per focus node any more: this test checks nothing"
    untextual = replace(plan, checks=[replace(c, prebind_as_text=False) if c.focus_query else c for c in plan.checks])
    sent = []
    original = EndpointBackend.select
    monkeypatch.setattr(pushdown, "compiled_shapes", lambda choices: untextual)
    monkeypatch.setattr(EndpointBackend, "select", lambda self, text, this=None: sent.append(text) or original(
        self, text, this))
    batch = read([EXAMPLES])

    assert_same_outcome(validate_batch(batch), validate_batch_on_endpoint(batch, endpoint))
    assert not any(c.query in sent or c.focus_query in sent for c in per_focus)


def test_a_check_prebound_per_focus_node_is_sent_once_per_focus_node(endpoint, monkeypatch):
    plan = compiled_shapes(readings.resolve())
    per_focus = [c for c in plan.checks if c.focus_query is not None]
    sent = []
    original = EndpointBackend.select
    monkeypatch.setattr(EndpointBackend, "select", lambda self, text, this=None: sent.append(text) or original(
        self, text, this))
    validate_on_endpoint([EXAMPLES], endpoint)

    assert len(sent) > len(plan.checks) and sum(c.focus_query in sent for c in per_focus) == len(per_focus)


# --- blank nodes, pre-binding --------------------------------------------------------------------------------------


def test_blank_nodes_go_as_skolem_iris_and_come_back_as_themselves(endpoint):
    speech, meal = BNode(), BNode()
    graph = Graph()
    graph.add((URIRef(EX + "m"), URIRef(EX + "part"), speech))
    graph.add((URIRef(EX + "m"), URIRef(EX + "part"), meal))
    graph.add((speech, URIRef(EX + "minutes"), Literal(18)))
    graph.add((meal, URIRef(EX + "dish"), URIRef(EX + "grouper")))
    with pushed(endpoint, graph) as backend:
        _, blank = backend.select(f"SELECT ?x WHERE {{ <{EX}m> ?p ?x FILTER (isBlank(?x)) }}")
        _, iris = backend.select("SELECT ?x WHERE { ?s ?p ?x FILTER (isIRI(?x)) }")
        _, labels = backend.select(f"SELECT (STR(?x) AS ?label) WHERE {{ ?x <{EX}minutes> ?n }}")
        _, minutes = backend.select(f"SELECT ?n WHERE {{ $this <{EX}minutes> ?n }}", this=speech)
        with pytest.raises(EndpointError, match="cannot be sent to a SPARQL server"):
            backend.select("SELECT * WHERE { $this ?p ?o }", this=BNode())
        assert backend.ask(f"ASK {{ ?x <{EX}dish> ?d FILTER (isBlank(?x) && !isIRI(?x)) }}")
    assert sorted(row[0] for row in blank) == sorted([speech, meal])
    assert [row[0] for row in iris] == [URIRef(EX + "grouper")]
    assert labels == [(Literal(str(speech)),)]  # as rdflib reads STR of a blank node
    assert minutes == [(Literal(18),)]
    assert not holds_anything(endpoint)


def test_skolem_aware_rewrites_the_calls_only():
    text = ('SELECT ?x WHERE { ?x <urn:a#isBlank(> "isIRI(?x)" . FILTER (!isBlank(?x) && ex:isIRI(?x)) } '
            "# STR(?x)\n")
    rewritten = skolem_aware(text, "urn:s:")
    assert '<urn:a#isBlank(> "isIRI(?x)"' in rewritten and "# STR(?x)\n" in rewritten and "ex:isIRI(?x)" in rewritten
    assert '!(isBlank(?x) || (isIRI(?x) && STRSTARTS(STR(?x), "urn:s:")))' in rewritten


def test_prebind_writes_terms_where_sparql_allows_them():
    text = ("SELECT ?a (MIN(?label) AS ?first) ?b WHERE { ?s ex:a ?a ; ex:label ?label . "
            'FILTER (!BOUND(?b) || ?s != ?b) FILTER (STR(?a) != "?a") BIND (?a AS ?c) } # ?a\n'
            "GROUP BY ?a ?b ORDER BY DESC(?a) ?b")
    bound = prebind(text, {"a": Literal('8" } UNION { ?s ?p ?o'), "b": URIRef(EX + "x")})
    assert bound == (
        '''SELECT ("8\\" } UNION { ?s ?p ?o" AS ?a) (MIN(?label) AS ?first) (<http://example.org/x> AS ?b) '''
        '''WHERE { ?s ex:a "8\\" } UNION { ?s ?p ?o" ; ex:label ?label . '''
        '''FILTER (!(true) || ?s != <http://example.org/x>) FILTER (STR("8\\" } UNION { ?s ?p ?o") != "?a") '''
        '''BIND ("8\\" } UNION { ?s ?p ?o" AS ?c) } # ?a\n'''
        '''GROUP BY ("8\\" } UNION { ?s ?p ?o") (<http://example.org/x>) '''
        '''ORDER BY DESC("8\\" } UNION { ?s ?p ?o") (<http://example.org/x>)''')
    with pytest.raises(compiler.Unsupported):
        prebind(text, {"b": URIRef("http://x> } UNION { ?s ?p ?o")})


# --- library queries --------------------------------------------------------------------------------------------


def _value(binding: dict) -> tuple:
    """A term of SPARQL Results JSON; a typed literal by its value: a value the query computes is written "0"
    by Oxigraph where rdflib writes "0.0"."""
    kind = binding["type"]
    if kind != "literal" or binding.get("datatype") in (None, library.XSD_STRING):
        return library.term(binding)
    value = Literal(binding["value"], datatype=URIRef(binding["datatype"])).toPython()
    return ("literal", value if isinstance(value, int | Decimal | float) else binding["value"], binding["datatype"])


def _rows(srj: dict) -> list[tuple]:
    return [tuple(sorted((var, _value(value)) for var, value in row.items())) for row in srj["results"]["bindings"]]


@pytest.fixture(scope="module")
def library_backends(base_url):
    """Each knowledge graph the library is checked on (the examples, with a query's fixtures), pushed once."""
    endpoint = Endpoint(f"{base_url}/query")
    with ExitStack() as stack:
        backends = {}
        for extra in sorted({library.fixtures(name) for name in library.NAMES}):
            backends[extra] = stack.enter_context(pushed(endpoint, library.knowledge_graph(extra), restore=True))
            KEPT.add(backends[extra].endpoint.graph)
        yield backends
    KEPT.clear()
    assert not holds_anything(endpoint)


@pytest.mark.parametrize("name", library.NAMES)
def test_a_library_query_on_the_server_gives_its_checked_results(name, library_backends):
    backend = library_backends[library.fixtures(name)]
    got = json.loads(query.render(pushdown.answer(backend, query.find(name), library.parameters(name)), "srj"))
    expected = json.loads((library.EXPECTED / f"{name}.srj").read_text(encoding="utf-8"))

    assert got["head"]["vars"] == expected["head"]["vars"]
    if library.ordered(name):
        assert _rows(got) == _rows(expected)
    else:
        assert Counter(_rows(got)) == Counter(_rows(expected))


def test_kb_query_endpoint_prints_what_kb_query_prints(base_url, endpoint):
    args = ("query", "provision-coverage", "--param", "article=8", "--format", "csv")
    remote = kb(*args, "--endpoint", f"{base_url}/query")
    assert remote.returncode == 0, remote.stderr
    local = query.render(query.run(query.knowledge_graph(), query.find("provision-coverage"), {"article": "8"}), "csv")
    assert remote.stdout.splitlines() == local.splitlines() and "A08.3," in remote.stdout
    injected = kb("query", "provision-coverage", "--param", 'article=8" } UNION { ?provision ?p ?o', "--format",
                  "csv", "--endpoint", f"{base_url}/query")
    assert injected.returncode == 0, injected.stderr
    assert injected.stdout.splitlines()[1:] == []
    assert not holds_anything(endpoint)


def test_kb_query_graph_reads_a_graph_already_on_the_server(base_url, tmp_path):
    named = Endpoint(f"{base_url}/query", graph="urn:test:pushdown:named")
    named.replace_ntriples(f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}b> <{EX}p> <{EX}c> .\n".encode())
    count = tmp_path / "count.rq"
    count.write_text("# Summary: triples\n# Params:  (none)\n# Returns: ?n\n"
                     "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    try:
        done = kb("query", str(count), "--endpoint", f"{base_url}/query", "--graph", named.graph, "--format", "csv")
        nothing = kb("query", str(count), "--endpoint", f"{base_url}/query", "--graph", "urn:test:none",
                     "--format", "csv")
    finally:
        named.drop()
    assert (done.returncode, done.stdout.split()) == (0, ["n", "2"]), done.stderr
    assert (nothing.returncode, nothing.stdout.split()) == (0, ["n", "0"]), nothing.stderr


# --- errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "query"])
def test_an_unreachable_endpoint_is_one_line_and_exit_2(command):
    url = f"http://127.0.0.1:{free_port()}/query"
    args = ("validate", EXAMPLES) if command == "validate" else ("query", "provision-coverage")
    done = kb(*args, "--endpoint", url)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("kb: ") and "cannot reach the server" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_endpoint_and_store_together_are_refused(base_url, tmp_path):
    done = kb("validate", "--endpoint", f"{base_url}/query", "--store", str(tmp_path / "store"))
    assert done.returncode == 2 and "cannot be combined with --store" in done.stderr


def test_a_server_whose_graph_store_cannot_be_guessed_needs_store_endpoint(base_url):
    done = kb("validate", "--endpoint", f"{base_url}/sparql", EXAMPLES)
    assert done.returncode == 2 and "--store-endpoint" in done.stderr and done.stderr.count("\n") == 1
