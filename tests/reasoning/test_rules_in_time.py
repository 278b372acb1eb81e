"""Rules in time: a record is judged by the version of a provision in force on its date.

The fixture tests/fixtures/amendment/ is a made-up amendment (A08.3 tightened to 45 minutes from 2025) that
is dropped into a copy of the knowledge base as two more files, the way a real amendment would arrive.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb import resources

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "amendment"


def meeting(ident: str, day: str, minutes: int) -> dict:
    return {"id": ident, "type": "Meeting", "kind": "SpecialTopicMeeting", "plan": f"plan/{day[:4]}",
            "start": f"{day}T09:00:00+08:00", "minutes": minutes}


RECORDS = [
    {"id": "plan/2015", "type": "AnnualMeetingPlan", "year": "2015", "adopted": "2015-01-10"},
    {"id": "plan/2024", "type": "AnnualMeetingPlan", "year": "2024", "adopted": "2024-01-15"},
    {"id": "plan/2025", "type": "AnnualMeetingPlan", "year": "2025", "adopted": "2025-01-15"},
    meeting("meeting/2015-long", "2015-11-03", 90),
    meeting("meeting/2024-50", "2024-12-31", 50),
    meeting("meeting/2024-61", "2024-12-31", 61),
    meeting("meeting/2025-44", "2025-01-02", 44),
    meeting("meeting/2025-50", "2025-01-02", 50),
]


def validate(home: Path, tmp_path: Path) -> dict:
    records = tmp_path / "records.json"
    records.write_text(json.dumps(RECORDS), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kb.cli", "validate", "--format", "json", str(records)],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "KB_HOME": str(home)})
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def amended_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("kb-home")
    for part in ("ontology", "shapes", "data"):
        shutil.copytree(resources.HOME / part, home / part, ignore=shutil.ignore_patterns("examples"))
    shutil.copy(FIXTURE / "regulation-amendment-2025.ttl", home / "data" / "regulation")
    shutil.copy(FIXTURE / "shapes-amendment-2025.ttl", home / "shapes")
    return home


def findings(report: dict) -> set[tuple[str, str]]:
    """The verdicts (Info results saying a fact was not recorded left out)."""
    return {(f["record"].rsplit("/", 1)[-1], f["notation"]) for f in report["findings"] if not f.get("missing")}


def test_before_the_amendment_the_60_minute_cap_applies_and_after_it_the_45_minute_cap(amended_home, tmp_path):
    report = validate(amended_home, tmp_path)
    assert findings(report) == {("2024-61", "A08.3"), ("2025-50", "A08.3-2025")}
    [new] = [f for f in report["findings"] if f["notation"] == "A08.3-2025"]
    assert new["limit"] == "≤ 45" and "45分钟" in new["clause_zh"]


def test_an_event_before_the_regulation_gets_not_in_force_rather_than_a_verdict(amended_home, tmp_path):
    report = validate(amended_home, tmp_path)
    assert [n["record"].rsplit("/", 1)[-1] for n in report["not_in_force"]] == ["2015-long"]
    assert report["not_in_force"][0]["applies_from"] == "2016-05-11"
    assert not any(f["record"].endswith("2015-long") for f in report["findings"])


def test_without_the_amendment_the_original_cap_applies_on_every_date(tmp_path):
    report = validate(resources.HOME, tmp_path)
    assert findings(report) == {("2024-61", "A08.3")}


def test_a_record_that_is_not_an_event_is_not_dated_by_its_oldest_date():
    """A person whose post began before 2016 is still judged: only events take a date (regression)."""
    from rdflib import Graph, Literal
    from rdflib.namespace import RDF, XSD

    from kb.checking.findings import Finding
    from kb.checking.pipeline import judge_in_time
    from kb.namespaces import DXD, DXO

    person = DXD["person/long-serving"]
    described = Graph()
    described.add((person, RDF.type, DXO.Person))
    described.add((person, DXO.since, Literal("2010-01-01", datatype=XSD.date)))
    finding = Finding(record=str(person), record_label="", focus=str(person), shape="s",
                      provision="https://w3id.org/daxing-zuofeng/provision/A01-5", notation="A01.5", article=1,
                      clause_zh="", clause_en="", severity="Violation", message_zh="", message_en="")
    kept, early = judge_in_time([finding], described)
    assert kept == [finding] and early == []
