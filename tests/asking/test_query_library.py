"""The analyst query library (queries/*.rq) against expected results checked by hand.

Every query in queries/ (not the checks) must start with the Summary / Params / Returns header, parse, and have an
expected-results file tests/queries/<name>.srj (SPARQL 1.1 Query Results JSON). Its parameters, and any extra record
files it needs beside the bundled examples, are in tests/queries/<name>.params.json: query parameters by name, and
the control keys "fixtures" (record files, relative to the repository), "expectEmpty" (true when no row is the right
answer) and "comment" (why; required with expectEmpty). An expected file without a query fails, so does a query
without one: the collection is guarded, not globbed and hoped for.

Each query runs on the knowledge graph of the bundled examples (data/examples) validated under the default profile,
with a fixed run IRI and time, plus the fixture files it names: the same graph `kb rules` queries. Rows are compared
as a multiset of bindings (type, value, datatype, language; blank nodes only as "bnode", their labels change from run
to run), in order when the query has an ORDER BY. tests/queries/regenerate.py writes the expected files; they are
then read and checked by hand before they are committed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph

from kb import resources
from kb.asking import query
from kb.asking.rules import parts
from kb.checking.pipeline import validate_paths
from kb.checking.results import results_graph
from kb.namespaces import DXD

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
EXPECTED = Path(__file__).resolve().parents[1] / "queries"
NAMES = sorted(p.stem for p in QUERIES.glob("*.rq"))
CONTROL = ("fixtures", "expectEmpty", "comment")
AT_LEAST = 18
RUN = DXD["run/test"]
STARTED = datetime(2026, 1, 1, tzinfo=UTC)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_graphs: dict[tuple[str, ...], Graph] = {}


def settings(name: str) -> dict:
    """The params file of a query, or an empty one."""
    path = EXPECTED / f"{name}.params.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def parameters(name: str) -> dict[str, str]:
    return {k: v for k, v in settings(name).items() if k not in CONTROL}


def fixtures(name: str) -> tuple[str, ...]:
    return tuple(settings(name).get("fixtures", ()))


def knowledge_graph(extra: tuple[str, ...] = ()) -> Graph:
    """The bundled examples and the extra record files, validated, with the results, as one graph (built once)."""
    if extra not in _graphs:
        outcome = validate_paths([str(resources.EXAMPLES_DIR), *(str(ROOT / path) for path in extra)])
        assert not outcome.errors, [str(e) for e in outcome.errors]
        data = outcome.batch.union()
        results = results_graph(outcome, run=RUN, started=STARTED, ended=STARTED)
        graph = query.knowledge_graph(data, outcome.inferred, results, outcome.choices)
        graph += parts(data)
        _graphs[extra] = graph
    return _graphs[extra]


def answer(name: str) -> dict:
    """The query's results on its knowledge graph, as SPARQL Results JSON."""
    named = query.find(name)
    result = query.run(knowledge_graph(fixtures(name)), named, parameters(name))
    return json.loads(query.render(result, "srj"))


def term(binding: dict) -> tuple:
    kind = binding["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", binding["value"])
    datatype = binding.get("datatype")
    lang = binding.get("xml:lang")
    return ("literal", binding["value"], None if datatype == XSD_STRING else datatype, lang.lower() if lang else None)


def rows(srj: dict) -> list[tuple]:
    return [tuple(sorted((var, term(value)) for var, value in row.items())) for row in srj["results"]["bindings"]]


def ordered(name: str) -> bool:
    text = "\n".join(line for line in (QUERIES / f"{name}.rq").read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE) is not None


def test_the_library_holds_enough_queries():
    assert len(NAMES) >= AT_LEAST, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_query_starts_with_summary_params_and_returns(name: str):
    lines = (QUERIES / f"{name}.rq").read_text(encoding="utf-8").splitlines()
    for line, key in zip(lines[:3], ("Summary", "Params", "Returns"), strict=True):
        match = re.match(rf"# {key}:\s*(\S.*)$", line)
        assert match, f"{name}.rq: line for {key} is {line!r}"
    assert query.find(name).summary


@pytest.mark.parametrize("name", NAMES)
def test_query_parses(name: str):
    query.prepare(query.find(name))


@pytest.mark.parametrize("name", NAMES)
def test_query_has_expected_results(name: str):
    assert (EXPECTED / f"{name}.srj").is_file(), f"run tests/queries/regenerate.py {name}, then check the rows by hand"


def test_every_expected_file_belongs_to_a_query():
    stems = {p.name.removesuffix(".srj") for p in EXPECTED.glob("*.srj")}
    stems |= {p.name.removesuffix(".params.json") for p in EXPECTED.glob("*.params.json")}
    assert sorted(stems - set(NAMES)) == []


@pytest.mark.parametrize("name", NAMES)
def test_params_file_names_declared_parameters_and_existing_fixtures(name: str):
    declared = {p.name: p for p in query.find(name).params}
    given = parameters(name)
    assert set(given) <= set(declared), f"{name}: unknown parameters {sorted(set(given) - set(declared))}"
    assert all(isinstance(v, str) for v in given.values()), f"{name}: parameter values are strings"
    missing = [p for p, d in declared.items() if d.required and p not in given]
    assert missing == [], f"{name}: required parameters missing from {name}.params.json"
    for path in fixtures(name):
        assert (ROOT / path).is_file(), f"{name}: no fixture {path}"
    if settings(name).get("expectEmpty"):
        assert settings(name).get("comment"), f"{name}: say in a comment why no row is the right answer"


@pytest.mark.parametrize("name", NAMES)
def test_query_returns_the_expected_rows(name: str):
    path = EXPECTED / f"{name}.srj"
    if not path.is_file():
        pytest.fail(f"no expected results for {name}")
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = answer(name)
    assert got["head"]["vars"] == expected["head"]["vars"]
    got_rows, expected_rows = rows(got), rows(expected)
    if settings(name).get("expectEmpty"):
        assert got_rows == expected_rows == []
    else:
        assert got_rows, f"{name} returns no row on its data"
    if ordered(name):
        assert got_rows == expected_rows
    else:
        assert Counter(got_rows) == Counter(expected_rows)



VALUELESS = "tests/cases/A05-7_PoliceEscortAuthorised/invalid-001.json"  # a reception whose finding has no sh:value
VALUELESS_FINDINGS = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX dxo: <https://w3id.org/daxing-zuofeng/ontology/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?record ?article WHERE {
    ?result a sh:ValidationResult ; dxo:record ?record ; dxo:article/eli:number ?article ;
            sh:resultSeverity sh:Violation .
    FILTER NOT EXISTS { ?result sh:value ?value }
}"""


@pytest.mark.parametrize("name", ["record-findings", "article-findings-in-period", "reception-standard-breaches"])
def test_a_finding_without_a_value_gives_its_row_not_one_per_concept(name):
    """A finding with no sh:value (a fact that is missing) once matched every labelled concept: hundreds of rows."""
    graph = knowledge_graph((VALUELESS,))
    valueless = list(graph.query(VALUELESS_FINDINGS))
    assert valueless, f"{VALUELESS} gives a finding without sh:value"
    record, article = valueless[0]
    values = {"record-findings": {"record": str(record)}, "article-findings-in-period": {"article": str(article)},
              "reception-standard-breaches": {}}[name]
    rows = json.loads(query.render(query.run(graph, query.find(name), values), "srj"))["results"]["bindings"]
    key = {"record-findings": None, "article-findings-in-period": "record", "reception-standard-breaches": "reception"}
    mine = [row for row in rows if key[name] is None or row[key[name]]["value"] == str(record)]
    findings = list(graph.query("SELECT ?r WHERE { ?r <https://w3id.org/daxing-zuofeng/ontology/record> ?record }",
                                initBindings={"record": record}))
    assert 1 <= len(mine) <= len(findings)
