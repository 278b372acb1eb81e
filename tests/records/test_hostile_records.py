"""Hostile and careless records, through the real `kb` command: nothing fetched, nothing crashed, nothing lost.

Each file holds one bad record beside a good one (a 61-minute special-topic meeting, which must still be reported):
a bad record is an input error naming its file and field (exit 2), never a crash and never a reason to drop the rest.
A TCP port on 127.0.0.1 counts connections: a record that names it must not make the run connect.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.listener import Listener

GOOD = {"id": "meeting/good", "type": "Meeting", "kind": "SpecialTopicMeeting",
        "start": "2024-03-12T09:00:00+08:00", "minutes": 61}
BASE = "https://w3id.org/daxing-zuofeng/id/"


def kb(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120)


def validate(path: Path) -> dict:
    run = kb("validate", "--format", "json", str(path))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def good_still_reported(report: dict) -> bool:
    return any(f["record"] == BASE + "meeting/good" and f["notation"] == "A08.3" for f in report["findings"])


def errors(report: dict) -> str:
    return json.dumps(report["input_errors"], ensure_ascii=False)


@pytest.fixture()
def listener():
    port = Listener()
    yield port
    port.close()


@pytest.mark.parametrize("where", ["venue", "record", "agenda item", "@included", "@nest"])
@pytest.mark.parametrize("form", ["context", "import"])
def test_a_nested_context_is_refused_and_never_fetched(tmp_path, listener, where, form):
    url = f"http://127.0.0.1:{listener.port}/context.jsonld"
    context = url if form == "context" else {"@import": url}
    bad = {"id": "meeting/bad", "type": "Meeting", "title": "t"}
    if where == "venue":
        bad["venue"] = {"@context": context, "name": "v"}
    elif where == "record":
        bad["@context"] = context
    elif where == "agenda item":
        bad["agenda"] = [{"@context": context, "title": "议题"}]
    else:
        bad[where] = {"@context": context, "title": "x"}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, bad]), encoding="utf-8")
    report = validate(path)
    assert listener.connections == 0
    assert "records.json" in errors(report) and "@" in errors(report)
    assert good_still_reported(report)


def test_a_context_in_a_list_inside_a_list_is_refused_and_never_fetched(tmp_path, listener):
    """Found by fuzzing (tests/records/test_fuzz_records.py): JSON-LD reads a list inside a list as the field's own
    values, and the record check did not look inside it, so an @context there was fetched."""
    url = f"http://127.0.0.1:{listener.port}/context.jsonld"
    bad = {"id": "meeting/bad", "type": "Meeting", "venue": [[{"@context": url, "name": "v"}]]}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, bad]), encoding="utf-8")
    report = validate(path)
    assert listener.connections == 0
    assert "/1/venue/0" in errors(report) and "list inside a list" in errors(report)
    assert good_still_reported(report)


def test_a_local_file_named_as_context_is_not_read(tmp_path):
    renaming = tmp_path / "rename.jsonld"
    renaming.write_text(json.dumps({"@context": {"harmless": "https://w3id.org/daxing-zuofeng/ontology/title"}}))
    bad = {"id": "meeting/bad", "type": "Meeting", "venue": {"@context": renaming.as_uri(), "harmless": "x"}}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, bad]), encoding="utf-8")
    report = validate(path)
    assert "/1/venue/@context" in errors(report)
    assert good_still_reported(report)


@pytest.mark.parametrize(("field", "value"), [("id", "meeting/a b"), ("organiser", "org/a b"),
                                              ("organiser", "org/<x>"), ("plan", "")])
def test_an_id_or_reference_that_is_not_an_iri_is_an_input_error(tmp_path, field, value):
    bad = {"id": "meeting/bad", "type": "Meeting", "title": "t", field: value}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, bad]), encoding="utf-8")
    report = validate(path)
    assert f"/1/{field}" in errors(report) and "records.json" in errors(report)
    assert good_still_reported(report)


def test_an_iri_with_a_space_in_turtle_names_the_file_line_and_iri_and_the_rest_is_validated(tmp_path):
    turtle = tmp_path / "records.ttl"
    turtle.write_text(
        "@prefix dxo: <https://w3id.org/daxing-zuofeng/ontology/> .\n"
        "@prefix dxv: <https://w3id.org/daxing-zuofeng/vocab/> .\n"
        f"<{BASE}meeting/good> a dxo:Meeting ; dxo:eventKind dxv:event-SpecialTopicMeeting ;\n"
        "    dxo:durationMinutes 61 .\n"
        f"<{BASE}meeting/a b> a dxo:Meeting ; dxo:title \"t\"@zh .\n", encoding="utf-8")
    report = validate(turtle)
    assert "records.ttl" in errors(report) and "meeting/a b" in errors(report)
    assert any(e.get("line") == 5 for e in report["input_errors"]), errors(report)
    assert good_still_reported(report)


def test_an_oversize_value_is_refused_and_the_rest_is_validated(tmp_path):
    bad = {"id": "meeting/bad", "type": "Meeting", "title": "会" * 2_000_000}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, bad], ensure_ascii=False), encoding="utf-8")
    report = validate(path)
    assert "/1/title" in errors(report) and "characters" in errors(report)
    assert good_still_reported(report)


def test_a_json_file_with_a_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "records.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([GOOD]).encode("utf-8"))
    run = kb("validate", "--format", "json", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert good_still_reported(json.loads(run.stdout))


def test_an_undecodable_byte_is_reported_by_line_and_column(tmp_path):
    path = tmp_path / "records.json"
    path.write_bytes(b'[\n  {"id": "meeting/x",\n   "title": "\xff"}\n]\n')
    run = kb("validate", str(path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "records.json:3" in run.stderr and "column 14" in run.stderr, run.stderr


# Inputs that crashed a run (exit 3, or the reasoner's Rust panic escaping as a traceback) until the loader refused
# them; found by fuzzing reading (tests/records/test_fuzz_records.py) or while writing it. One run reads them all beside
# the good record, as a user's folder would.
TURTLE_PREFIXES = "@prefix dxo: <https://w3id.org/daxing-zuofeng/ontology/> .\n"
ONCE_CRASHED = {
    "long-number.json": ('[{"id": "meeting/n", "type": "Meeting", "minutes": ' + "1" * 5000 + "}]",
                         "a number of more than 4,300 digits"),
    "graph-null.json": ('{"@graph": null}', "/@graph"),
    "surrogate-title.json": ('[{"id": "meeting/s", "type": "Meeting", "title": "\\ud800"}]', "/0/title"),
    "surrogate-id.json": ('[{"id": "meeting/\\udc80", "type": "Meeting"}]', "/0/id"),
    "surrogate-title.ttl": (TURTLE_PREFIXES + f'<{BASE}meeting/t> a dxo:Meeting ; dxo:title "\\ud800" .\n',
                            "surrogate pair"),
    "surrogate-iri.ttl": (TURTLE_PREFIXES + f"<{BASE}meeting/\\udc80> a dxo:Meeting .\n", "is not an IRI"),
    "blank-node-prefix.ttl": ("@prefix dxo: <_:b0> .\n" + f"<{BASE}meeting/p> a dxo:Meeting .\n", "is not an IRI"),
    "port-not-a-number.json": ('[{"id": "meeting/o", "type": "Meeting", "organiser": "http://a:b/"}]', "is not an IRI"),
    "bad-percent.ttl": (TURTLE_PREFIXES + "<http://x/%zz> a dxo:Meeting .\n", "is not an IRI"),
    "bad-language-tag.ttl": (TURTLE_PREFIXES + f'<{BASE}meeting/l> a dxo:Meeting ; dxo:title "t"@abcdefghijk .\n',
                             "is not a language tag"),
    "lang-string-without-language.ttl": (
        TURTLE_PREFIXES + f'<{BASE}meeting/r> a dxo:Meeting ; dxo:title '
                          '"t"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .\n', "rdf:langString"),
    "long-number.meetings.csv": ("id,kind,title,attendeeCount\nmeeting/c,ExecutiveMeeting,t," + "1" * 5000 + "\n",
                                 "a number of 5,000 digits"),
    # accepted without a word until then: NaN (no JSON number) as minutes, true as a count
    "not-a-number.json": ('[{"id": "meeting/nan", "type": "Meeting", "minutes": NaN}]', "/0/minutes"),
    "true-as-count.json": ('[{"id": "meeting/true", "type": "Meeting", "attendeeCount": true}]', "/0/attendeeCount"),
    # refused, but with a Python warning and a line of rdflib's source on stderr
    "text-as-boolean.json": ('[{"id": "meeting/b", "type": "Meeting", "backdrop": "person/ma-jun"}]', "/0/backdrop"),
}


@pytest.fixture(scope="module")
def once_crashed(tmp_path_factory) -> subprocess.CompletedProcess:
    folder = tmp_path_factory.mktemp("once-crashed")
    folder.joinpath("good.json").write_text(json.dumps([GOOD]), encoding="utf-8")
    for name, (text, _) in ONCE_CRASHED.items():
        (folder / name).write_text(text, encoding="utf-8")
    return kb("validate", "--format", "json", str(folder))


def report_of(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 2 and run.stdout, run.stderr
    return json.loads(run.stdout)


def test_inputs_that_once_crashed_are_input_errors_and_the_good_record_is_still_reported(once_crashed):
    assert good_still_reported(report_of(once_crashed))
    assert "Traceback" not in once_crashed.stderr and "Warning" not in once_crashed.stderr, once_crashed.stderr
    assert "panicked" not in once_crashed.stderr, once_crashed.stderr


@pytest.mark.parametrize("name", ONCE_CRASHED)
def test_an_input_that_once_crashed_is_an_input_error_naming_its_file_and_where(once_crashed, name):
    report = report_of(once_crashed)
    said = [e for e in report["input_errors"] if e["source"].endswith("/" + name)]
    assert any(ONCE_CRASHED[name][1] in f"{e['field']} {e['message']}" for e in said), errors(report)
