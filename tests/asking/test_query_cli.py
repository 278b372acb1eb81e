"""`kb query`, `kb validate --results` and `kb explain`, run as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = str(ROOT / "data" / "examples")


def kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT)


def test_without_a_name_the_library_is_listed_with_its_parameters():
    done = kb("query")
    assert done.returncode == 0
    assert "rules-for-situation" in done.stdout and "[record]" in done.stdout
    assert "provision-coverage" in done.stdout


def test_a_parameter_is_typed_by_the_header_and_bound_not_pasted():
    done = kb("query", "provision-coverage", "--param", "article=8", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split(",")[:2] == ["notation", "checkability"]
    assert any(line.startswith("A08.3,") for line in lines)
    assert not any(line.startswith("A09.") for line in lines)
    injected = kb("query", "provision-coverage", "--param", 'article=8" } UNION { ?provision ?p ?o', "--format", "csv")
    assert injected.returncode == 0, injected.stderr
    assert injected.stdout.splitlines()[1:] == []


def test_wrong_parameters_are_refused_with_what_was_expected():
    not_iri = kb("query", "rules-for-situation", "--param", "record=not an iri")
    assert not_iri.returncode == 2 and "must be an IRI" in not_iri.stderr
    missing = kb("query", "rules-for-situation")
    assert missing.returncode == 2 and "record is required" in missing.stderr
    unknown = kb("query", "provision-coverage", "--param", "chapter=2")
    assert unknown.returncode == 2 and "no parameter chapter" in unknown.stderr
    bad_date = kb("query", "working-days-between", "--param", "start=2024-13-01", "--param", "end=2024-12-31")
    assert bad_date.returncode == 2 and "must be xsd:date" in bad_date.stderr


def test_a_query_that_does_not_parse_is_reported_with_its_line_and_column(tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("# Summary: broken\n# Params:  none\n# Returns: nothing\nSELECT ?s WHERE {\n  ?s ?p \n}\n")
    done = kb("query", str(broken))
    assert done.returncode == 2
    assert "syntax error at line" in done.stderr and "column" in done.stderr


HEADER = "# Summary: a user's own query\n# Params:  none\n# Returns: anything\n"


@pytest.mark.parametrize("template, reason", [
    ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
    ("SELECT * WHERE {{ ?x a ?y OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}", "SERVICE is refused"),
    ("SELECT * WHERE {{ VALUES ?at {{ <{url}> }} SERVICE ?at {{ ?s ?p ?o }} }}", "SERVICE is refused"),
    ("ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE is refused"),
    ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }} LIMIT 1", "FROM <http://127.0.0.1:"),
    ("SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <http://127.0.0.1:"),
    ("SELECT * FROM NAMED <urn:kb:no-such-graph> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <urn:kb:no-such"),
    ("LOAD <{url}>", "updates"),
    ("INSERT DATA {{ <urn:a> <urn:b> <urn:c> }}", "updates"),
])
def test_a_query_file_that_reaches_out_is_refused_in_one_line_and_sends_nothing(tmp_path, listener, template, reason):
    """Issue 13, item 5: rdflib would send the SERVICE request (and hang on a slow host) and fail on FROM NAMED
    with a traceback. The guard is the one `kb serve` uses; the listening socket shows no connection was made."""
    url = f"http://127.0.0.1:{listener.port}/sparql"
    asked = tmp_path / "hostile.rq"
    asked.write_text(HEADER + template.format(url=url) + "\n", encoding="utf-8")
    done = kb("query", str(asked))
    assert done.returncode == 2, done.stderr
    assert reason in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
    assert listener.connections == 0


def test_a_service_query_is_refused_before_any_server_is_asked(tmp_path, listener):
    """With --endpoint the query would be sent on to the server (which might follow SERVICE itself): it is refused
    before kb speaks to the endpoint at all, so even the endpoint's port sees no connection."""
    url = f"http://127.0.0.1:{listener.port}"
    asked = tmp_path / "hostile.rq"
    asked.write_text(HEADER + f"SELECT * WHERE {{ SERVICE <{url}/other> {{ ?s ?p ?o }} }}\n", encoding="utf-8")
    done = kb("query", str(asked), "--endpoint", f"{url}/query")
    assert done.returncode == 2 and "SERVICE is refused" in done.stderr, done.stderr
    assert listener.connections == 0


def test_results_formats_follow_the_sparql_result_specs():
    srj = json.loads(kb("query", "working-days-between", "--param", "start=2024-09-30", "--param", "end=2024-10-08",
                        "--format", "srj").stdout)
    assert srj["head"]["vars"] == ["workingDays", "covered"]
    row = srj["results"]["bindings"][0]
    assert row["workingDays"]["value"] == "1" and row["covered"]["value"] == "true"
    tsv = kb("query", "working-days-between", "--param", "start=2024-09-30", "--param", "end=2024-10-08",
             "--format", "tsv").stdout.splitlines()
    assert tsv[0] == "?workingDays\t?covered"
    assert tsv[1].startswith('"1"^^<http://www.w3.org/2001/XMLSchema#integer>')


def test_stored_results_of_a_run_can_be_queried_later(tmp_path):
    results = tmp_path / "run.ttl"
    validated = kb("validate", EXAMPLES, "--results", str(results), "--format", "json")
    assert validated.returncode == 1
    findings = json.loads(validated.stdout)["findings"]
    count = tmp_path / "count.rq"
    count.write_text("# Summary: results per severity\n# Params:  none\n# Returns: ?severity ?n\n"
                     "PREFIX sh: <http://www.w3.org/ns/shacl#>\nPREFIX dxo: <https://w3id.org/daxing-zuofeng/ontology/>\n"
                     "SELECT ?severity (COUNT(?r) AS ?n) WHERE { ?r dxo:run ?run ; sh:resultSeverity ?severity ;\n"
                     "  dxo:article ?article ; dxo:recordDate ?date . } GROUP BY ?severity\n")
    done = kb("query", str(count), "--results", str(results), "--format", "json")
    assert done.returncode == 0, done.stderr
    counted = {row["severity"].rsplit("#", 1)[-1]: int(row["n"]) for row in json.loads(done.stdout)}
    expected = {}
    for finding in findings:
        expected[finding["severity"]] = expected.get(finding["severity"], 0) + 1
    assert counted == expected


def test_explain_shows_the_chain_from_facts_to_the_clause():
    done = kb("explain", "meeting/2024-06-18-budget", EXAMPLES)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for step in ("记录的事实 / recorded facts", "推导的事实 / derived facts", "推理出的情形 / inferred situation",
                 "规则 / shape: A08-3_SpecialTopicMeetingMaxOneHour", "条款 / provision: A08.3",
                 "除区政府常务会外,其他专题会议控制在1小时以内", "limit ≤ 60; value 61"):
        assert step in text, step
    assert "时长(分钟) / duration in minutes: 61" in text
    assert "限时1小时的会议" in text
    unknown = kb("explain", "meeting/no-such-meeting", EXAMPLES)
    assert "no such record" in unknown.stdout
