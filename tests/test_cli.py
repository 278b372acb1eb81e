"""`kb validate` as a user runs it: a real process, real files, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

PLAN = {"id": "plan/2024", "type": "AnnualMeetingPlan", "year": "2024", "adopted": "2024-01-15"}
CLAUSE_A08_3 = "除区政府常务会外,其他专题会议控制在1小时以内"


def meeting(minutes: int, kind: str = "SpecialTopicMeeting", ident: str = "meeting/cli-1") -> list[dict]:
    return [PLAN, {"id": ident, "type": "Meeting", "kind": kind, "plan": "plan/2024",
                   "start": "2024-03-12T09:00:00+08:00", "minutes": minutes}]


def kb(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def write(tmp_path: Path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def test_a_61_minute_special_topic_meeting_is_reported_with_its_clause(tmp_path):
    run = kb("validate", write(tmp_path, "m.json", meeting(61)))
    assert run.returncode == 1, run.stderr
    assert "A08.3" in run.stdout and CLAUSE_A08_3 in run.stdout
    assert "value 61" in run.stdout and "limit ≤ 60" in run.stdout


@pytest.mark.parametrize(("minutes", "kind"), [(60, "SpecialTopicMeeting"), (150, "ExecutiveMeeting")])
def test_a_60_minute_special_topic_or_150_minute_executive_meeting_conforms(tmp_path, minutes, kind):
    run = kb("validate", write(tmp_path, "m.json", meeting(minutes, kind)))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 violation(s)" in run.stdout


def test_json_report_carries_article_clause_value_limit_and_messages(tmp_path):
    run = kb("validate", "--format", "json", write(tmp_path, "m.json", meeting(75)))
    report = json.loads(run.stdout)
    [finding] = [f for f in report["findings"] if not f.get("missing")]  # the rest say which facts were not recorded
    assert finding["article"] == 8 and finding["notation"] == "A08.3"
    assert finding["clause_zh"] == CLAUSE_A08_3 and finding["clause_en"].startswith("Apart from")
    assert finding["severity"] == "Violation" and finding["value"] == "75" and finding["limit"] == "≤ 60"
    assert finding["message_zh"].startswith("第8条") and finding["message_en"].startswith("Article 8")
    assert finding["record"].endswith("/id/meeting/cli-1")
    assert finding["situation_en"] == "meeting under the one-hour cap"  # inferred from the kind
    assert finding["source"].endswith("m.json")


def test_turtle_report_is_a_shacl_report_naming_the_provision(tmp_path):
    run = kb("validate", "--format", "turtle", write(tmp_path, "m.json", meeting(75)))
    report = Graph().parse(data=run.stdout, format="turtle")
    missing = report.namespace_manager.expand_curie("dxo:missingFact")
    [result] = [r for r in report.subjects(SH.sourceShape, None) if (r, missing, None) not in report]
    provision = report.value(result, report.namespace_manager.expand_curie("dxo:provision"))
    assert str(provision).endswith("/provision/A08-3")


def test_a_malformed_turtle_file_is_named_with_its_line_and_the_other_files_still_validate(tmp_path):
    good = write(tmp_path, "good.json", meeting(61))
    turtle = ("@prefix dxo: <https://w3id.org/daxing-zuofeng/ontology/> .\n"
              "<urn:x:m> a dxo:Meeting ;\n    dxo:durationMinutes 61\n<urn:x:n> a dxo:Meeting .\n")
    bad = write(tmp_path, "bad.ttl", turtle)
    run = kb("validate", good, bad)
    assert run.returncode == 2
    assert f"{bad}:4" in run.stderr and "syntax" in run.stderr.lower()
    assert "A08.3" in run.stdout  # the good file was still validated and reported


def test_a_malformed_json_file_is_named_with_its_line(tmp_path):
    bad = write(tmp_path, "bad.json", '[\n  {"id": "meeting/x",\n   "type": "Meeting",,\n  }\n]\n')
    run = kb("validate", bad)
    assert run.returncode == 2 and f"{bad}:3" in run.stderr


def test_an_unknown_field_or_kind_is_named_and_the_other_records_load(tmp_path):
    records = [*meeting(61), {"id": "meeting/bad-1", "type": "Meeting", "kind": "SpecialTopicMeting"},
               {"id": "meeting/bad-2", "type": "Meeting", "lenght": 3}]
    run = kb("validate", "--format", "json", write(tmp_path, "mixed.json", records))
    assert run.returncode == 2
    errors = json.loads(run.stdout)["input_errors"]
    assert {e["field"] for e in errors} == {"/2/kind", "/3/lenght"}
    assert any("SpecialTopicMeeting" in e["message"] for e in errors)  # says what was expected
    assert [f["notation"] for f in json.loads(run.stdout)["findings"] if not f.get("missing")] == ["A08.3"]


def test_a_bad_date_is_refused_with_the_expected_form(tmp_path):
    record = [{"id": "meeting/bad-date", "type": "Meeting", "kind": "WorkConference", "start": "2024-13-01 9am"}]
    run = kb("validate", write(tmp_path, "d.json", record))
    assert run.returncode == 2 and "/0/start" in run.stderr and "xsd:dateTime" in run.stderr


def test_a_remote_context_is_refused(tmp_path):
    document = {"@context": "http://127.0.0.1:9/evil.jsonld", "@graph": meeting(61)}
    run = kb("validate", write(tmp_path, "remote.json", document))
    assert run.returncode == 2 and "@context" in run.stderr


def test_stdin_is_read_with_a_dash():
    run = kb("validate", "-", stdin=json.dumps(meeting(61)))
    assert run.returncode == 1 and "A08.3" in run.stdout


def test_warnings_fail_the_run_only_when_asked(tmp_path):
    record = [{"id": "meeting/monday", "type": "Meeting", "kind": "WorkConference", "scope": "DistrictWide",
               "start": "2024-03-11T09:00:00+08:00", "minutes": 50}]
    path = write(tmp_path, "w.json", record)
    assert kb("validate", path).returncode == 0
    assert kb("validate", "--fail-on", "warning", path).returncode == 1


def test_usage_errors_and_missing_files_exit_2(tmp_path):
    assert kb("validate").returncode == 2
    assert kb("validate", "--format", "pdf", "x.json").returncode == 2
    run = kb("validate", str(tmp_path / "nope.json"))
    assert run.returncode == 2 and "no such file" in run.stderr


@pytest.mark.parametrize("option", ["-o", "--results"])
def test_a_report_that_cannot_be_written_is_one_line_and_exit_2_not_a_crash(tmp_path, option):
    """Issue 13: `-o` or `--results` into a missing folder, onto a folder, or where no file can be made exited 3
    with "unexpected error" (a crash). Where the output goes is the user's input: one line naming it, exit 2, and
    nothing left behind."""
    records = write(tmp_path, "m.json", meeting(61))
    for target, reason in ((tmp_path / "missing" / "report.txt", "there is no folder"),
                           (tmp_path, "it is a folder"),
                           (Path("/proc/kb-report.txt"), "")):  # found only when written, after validating
        run = kb("validate", records, option, str(target))
        assert run.returncode == 2, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
        assert lines[0].startswith(f"kb: cannot write {option} {target}: {reason}"), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_a_crash_exits_3_with_one_line_not_1_which_means_findings(tmp_path):
    """Issue 13, item 6: an unexpected error (here a store whose database lost a file) exited 1 with a traceback,
    which reads as "findings". It exits 3 with one line naming what failed; --debug adds the traceback."""
    store = tmp_path / "store"
    assert kb("load", write(tmp_path, "m.json", meeting(30)), "--store", str(store)).returncode == 0
    version = store / (store / "CURRENT").read_text().strip()
    (version / "CURRENT").unlink()  # RocksDB's own pointer to its manifest
    for args in (("store", "info", "--store", str(store)), ("validate", "--store", str(store))):
        run = kb(*args)
        assert run.returncode == 3, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
        assert lines[0].startswith(f"kb {args[0]}") and "FileNotFoundError" in lines[0] and "--debug" in lines[0]
        assert run.stdout == ""
    debug = kb("--debug", "store", "info", "--store", str(store))
    assert debug.returncode == 3 and "Traceback (most recent call last)" in debug.stderr
    assert kb("store", "info", "--store", str(store), "--debug").returncode == 3  # after the command, too
    helped = kb("--help").stdout
    assert "3 " in helped.split("exit codes:")[1] and "--debug" in helped


def test_a_store_pointing_at_a_missing_version_is_an_input_error(tmp_path):
    """A store kb can say is damaged (CURRENT names no version folder) is the user's input: exit 2, one line."""
    store = tmp_path / "store"
    assert kb("load", write(tmp_path, "m.json", meeting(30)), "--store", str(store)).returncode == 0
    (store / "CURRENT").write_text("v000009\n")
    run = kb("store", "info", "--store", str(store))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "not a version folder" in run.stderr, run.stderr


@pytest.mark.parametrize("value", ["2024-03-12 09:00", "2024-03-12T09:00", "2024-3-12T09:00:00", "12/03/2024 09:00"])
def test_a_date_time_not_in_the_standard_form_is_refused(tmp_path, value):
    """A spreadsheet's '2024-03-12 09:00' would otherwise load without its +08:00 offset and shift the day."""
    from kb.records.load import read

    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"id": "meeting/x", "type": "Meeting", "kind": "SpecialTopicMeeting",
                                 "start": value}]), encoding="utf-8")
    batch = read([str(path)])
    assert [e.field for e in batch.errors] == ["/0/start"]
    assert "2024-03-12T09:00:00+08:00" in batch.errors[0].message

