"""The pitfalls of our dependencies (../shared/notes/security.md) that no other test showed, through the real `kb`.

Each run holds a good file (a 61-minute special-topic meeting, which must still be reported) beside the hostile
one: the hostile input is an input error naming its file (exit 2), never a crash, a hang, a fetch or a half-read
file. A TCP port on 127.0.0.1 counts connections: an input that names it must not make the run connect.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.namespace import OWL

from kb import resources
from kb.publishing import export
from kb.reasoning import infer
from kb.records import load

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/daxing-zuofeng/id/"
GOOD = {"id": "meeting/good", "type": "Meeting", "kind": "SpecialTopicMeeting",
        "start": "2024-03-12T09:00:00+08:00", "minutes": 61}
PREFIXES = ("@prefix dxo: <https://w3id.org/daxing-zuofeng/ontology/> .\n"
            "@prefix dxv: <https://w3id.org/daxing-zuofeng/vocab/> .\n")


def kb(*args: str, stdin: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def validate(*paths: Path, stdin: str | None = None, engine: str = "fast") -> dict:
    """The JSON report of a run that met input errors (exit 2) and did not crash."""
    run = kb("validate", "--engine", engine, "--format", "json", *map(str, paths), stdin=stdin)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(json.dumps([GOOD]), encoding="utf-8")
    return path


def reported(report: dict, record: str) -> list[str]:
    """The provisions reported for one record (its findings, not its missing facts)."""
    return [f.get("notation") for f in report["findings"] if f["record"] == BASE + record and not f.get("missing")]


def errors_of(report: dict, name: str) -> list[str]:
    return [e["message"] for e in report["input_errors"] if e["source"].endswith(name)]


# --- pitfall 5: RDF/XML with entities -----------------------------------------------------------------------------

def entities(port: int) -> str:
    """About 600 bytes: nested entities that expand to 10^7 characters, and an external one naming the port."""
    levels = "".join(f'  <!ENTITY {name} "{("&" + previous + ";") * 10}">\n'
                     for previous, name in zip("abcdef", "bcdefg", strict=True))
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY a "aaaaaaaaaa">\n' + levels +
            f'  <!ENTITY ext SYSTEM "http://127.0.0.1:{port}/secret">\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:dxo="https://w3id.org/daxing-zuofeng/ontology/">\n'
            f'  <rdf:Description rdf:about="{BASE}meeting/x"><dxo:title>&g;&ext;</dxo:title></rdf:Description>\n'
            '</rdf:RDF>\n')


def test_rdf_xml_with_entities_is_refused_unread_and_the_other_files_are_validated(tmp_path, listener):
    """rdflib's RDF/XML parser spent over 10 minutes on such a file: it is refused by its type, never parsed (a
    file or stdin; stdin is read as JSON or Turtle only), so no entity is expanded and nothing is fetched."""
    hostile = tmp_path / "records.rdf"
    hostile.write_text(entities(listener.port), encoding="utf-8")
    report = validate(good_file(tmp_path), hostile, Path("-"), stdin=entities(listener.port))
    assert any("RDF/XML is not accepted" in message for message in errors_of(report, "records.rdf")), report
    assert errors_of(report, "<stdin>"), report
    assert "A08.3" in reported(report, "meeting/good")
    assert reported(report, "meeting/x") == []
    assert listener.connections == 0


# --- pitfall 7: deep nesting -------------------------------------------------------------------------------------

def nested_venues(levels: int) -> dict:
    venue: dict = {"name": "会议室"}
    for _ in range(levels):
        venue = {"name": "会议室", "venue": venue}
    return {"id": "meeting/deep", "type": "Meeting", "title": "t", "venue": venue}


def test_deep_nesting_in_json_or_turtle_is_an_input_error_and_the_rest_is_validated(tmp_path):
    """Deep nesting raised RecursionError: 100,000 levels in json.loads or the Turtle parser, and from about 500
    levels (which json.loads still reads) in the loader's own steps, which crashed the whole run (exit 3)."""
    files = {"deep-document.json": "[" * 100_000 + "]" * 100_000,
             "deep-record.json": json.dumps([{**GOOD, "id": "meeting/beside"}, nested_venues(600)],
                                            ensure_ascii=False),
             "deep-blank-nodes.ttl": PREFIXES + f"<{BASE}meeting/d> dxo:title " + "[ dxo:title " * 100_000 + '"x"'
             + " ]" * 100_000 + " .\n",
             "deep-lists.ttl": PREFIXES + f"<{BASE}meeting/d> dxo:title " + "( " * 100_000 + '"x"'
             + " )" * 100_000 + " .\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = validate(good_file(tmp_path), *(tmp_path / name for name in files))
    for name in files:
        assert any("nest" in message for message in errors_of(report, name)), (name, report["input_errors"])
    assert "A08.3" in reported(report, "meeting/good")
    assert "A08.3" in reported(report, "meeting/beside")  # the record beside the deep one, in the same file


def test_a_deeply_nested_query_file_is_refused_in_one_line(tmp_path):
    asked = tmp_path / "deep.rq"
    asked.write_text("# Summary: a user's own query\n# Params:  none\n# Returns: anything\n"
                     "SELECT * WHERE " + "{ " * 100_000 + "?s ?p ?o" + " }" * 100_000 + "\n", encoding="utf-8")
    run = kb("query", str(asked))
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "deep.rq" in run.stderr and run.stdout == ""


# --- pitfall 9: a parse that fails half-way ------------------------------------------------------------------------

HALF = (f"<{BASE}meeting/half> a dxo:Meeting ; dxo:eventKind dxv:event-SpecialTopicMeeting ;\n"
        "    dxo:durationMinutes 61 .\n")


@pytest.mark.parametrize(("name", "text", "line"), [
    ("half.ttl", PREFIXES + HALF + f"<{BASE}meeting/other> a dxo:Meeting dxo:title \"t\" .\n", 5),
    ("half.nt", Graph().parse(data=PREFIXES + HALF, format="turtle").serialize(format="nt") + "<oops> .\n", 4),
])
def test_a_file_that_fails_half_way_contributes_nothing_and_the_rest_is_validated(tmp_path, name, text, line):
    """rdflib leaves the triples read before the error in the graph it parses into: the meeting written before
    the error would be validated (and reported) as if the file had been read."""
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    report = validate(good_file(tmp_path), bad)
    assert [e["line"] for e in report["input_errors"] if e["source"].endswith(name)] == [line], report
    assert "A08.3" in reported(report, "meeting/good")
    assert not [f for f in report["findings"] if f["record"] == BASE + "meeting/half"]


# --- pitfall 11: what the reasoner adds is kept apart --------------------------------------------------------------

@pytest.mark.parametrize("engine", infer.ENGINES)
def test_what_inference_adds_is_a_graph_of_its_own_and_the_records_are_unchanged(tmp_path, engine):
    """The closure is computed on a copy: the records as read stay as read (reports and pages tell recorded facts
    from inferred ones), and the inferred graph holds no statement of the records."""
    records = load.read([str(good_file(tmp_path))]).union()
    before = set(records)
    inferred = infer.infer(records, engine=engine)
    assert set(records) == before
    assert len(inferred) and not set(inferred) & before


# --- pitfall 13: shapes are code, from the repository only ------------------------------------------------------

def test_no_file_the_engine_reads_imports_another():
    """An owl:imports in the shapes or the ontology would make pySHACL fetch it (do_owl_imports) or leave a gap in
    what the rules assume; every module is a file of the repository, loaded by name."""
    for path in [*ROOT.glob("ontology/**/*.ttl"), *ROOT.glob("shapes/**/*.ttl"), *ROOT.glob("data/**/*.ttl"),
                 *ROOT.glob("data/**/*.trig")]:
        graph = Graph().parse(path, format="trig" if path.suffix == ".trig" else "turtle")
        assert not list(graph.triples((None, OWL.imports, None))), path


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_shape_or_an_import_written_in_a_record_is_never_run(tmp_path, listener, engine):
    """Records are data: a SHACL shape in a record file (here one that would flag every meeting) is not a rule, and
    its owl:imports is not followed. The file's meeting is still validated by the repository's shapes."""
    url = f"http://127.0.0.1:{listener.port}/sparql"
    path = tmp_path / "shape.ttl"
    path.write_text(
        PREFIXES + "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        + HALF +
        f"<{BASE}shape/evil> a sh:NodeShape ; sh:targetClass dxo:Meeting ; owl:imports <{url}> ;\n"
        f'    sh:sparql [ sh:message "evil" ;\n'
        f'                sh:select "SELECT $this WHERE {{ $this a ?type }}" ] .\n',
        encoding="utf-8")
    run = kb("validate", "--engine", engine, "--format", "json", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert listener.connections == 0
    assert "evil" not in run.stdout
    assert "A08.3" in reported(json.loads(run.stdout), "meeting/half")


# --- pitfall 4: pyld's document loader ------------------------------------------------------------------------------

def test_the_json_ld_export_never_uses_pylds_own_loader(monkeypatch, listener):
    """pyld's default loader goes online (with no timeout) when `requests` is installed: the export passes its own
    loader, which refuses every URL. Here the context names a remote one; pyld's default loader, replaced by one
    that records, must never be asked."""
    asked: list[str] = []
    previous = jsonld.get_document_loader()
    jsonld.set_document_loader(lambda url, options=None: asked.append(url))
    remote = f"http://127.0.0.1:{listener.port}/context.jsonld"
    monkeypatch.setattr(resources, "context", lambda: {"@import": remote, "title": "https://example.org/title"})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/title"),
                      ox.Literal("t")))
    try:
        with pytest.raises(Exception) as raised:
            export._jsonld(export.prepare(store))
    finally:
        jsonld.set_document_loader(previous)
    assert asked == [] and listener.connections == 0
    causes, error = [], raised.value
    while error is not None:
        causes.append(str(error))
        error = error.__cause__ or error.__context__
    assert any("must work offline" in cause for cause in causes), causes
