"""A batch validated in partitions gives the findings of one run over the whole batch (kb/checking/partitions.py).

Partitions are made small here (tens of records each) so that every group the shapes declare
(`dxs:groupsBy`) must be kept whole by the planner for the findings to agree: a leader's visits of a month, the
receptions of one visiting unit, the inspections of one unit ... Findings are compared as everything a report
shows of them, blank-node labels aside (a blank node is named anew when a partition reads its records back).
The cases are what fails when a group is not kept whole (checked by ignoring every `dxs:groupsBy`): they
hold receptions, inspections and visits the joining shapes pair; the benchmark sample respects those rules on
purpose, so it guards the rest of the path.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.collection import Collection

from benchmarks import generate
from kb import cli
from kb.checking import partitions
from kb.checking.partitions import Piece, plan, validate_in_partitions
from kb.checking.pipeline import validate_paths
from kb.namespaces import DXO, DXS
from kb.reasoning import readings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
BLANK = re.compile(r"(_:)?N[0-9a-f]{32}")


def _shown(findings) -> Counter:
    """Each finding as a report shows it, blank-node labels replaced."""
    return Counter(BLANK.sub("_:b", json.dumps(asdict(f), ensure_ascii=False, sort_keys=True)) for f in findings)


def _assert_same(whole, parts) -> None:
    assert parts.partitions > 1, "the batch was not cut: nothing was compared"
    assert whole.findings, "a batch with nothing to report compares nothing"
    shown_whole, shown_parts = _shown(whole.findings), _shown(parts.findings)
    only_whole, only_parts = shown_whole - shown_parts, shown_parts - shown_whole
    assert not only_whole and not only_parts, {"only whole": list(only_whole)[:3], "only parts": list(only_parts)[:3]}
    assert [str(e) for e in parts.errors] == [str(e) for e in whole.errors]
    assert parts.sources == whole.sources and parts.records == whole.records
    assert [asdict(n) for n in parts.not_in_force] == [asdict(n) for n in whole.not_in_force]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """300 generated events of every kind with their base records, a tenth made to violate (seed 7)."""
    folder = tmp_path_factory.mktemp("sample")
    generate.write(folder, 300)
    return folder / "records"


def test_the_benchmark_sample_in_partitions_of_twenty_gives_the_whole_batch_findings(sample):
    whole = validate_paths([str(sample)])
    parts = validate_in_partitions([str(sample)], size=40, jobs=2)
    assert parts.partitions >= 5
    _assert_same(whole, parts)
    planted = json.loads((sample.parent / "expected.json").read_text(encoding="utf-8"))
    found = {(f.record.rsplit("/id/", 1)[-1], f.shape.rsplit("/", 1)[-1]) for f in parts.findings}
    assert {(r, s) for r, shapes in planted.items() for s in shapes} <= found


def test_the_examples_and_every_case_in_small_partitions_give_the_whole_batch_findings():
    paths = [str(EXAMPLES), *sorted(str(p) for p in (ROOT / "tests" / "cases").glob("*/*.json"))]
    assert len(paths) > 200
    whole = validate_paths(paths)
    parts = validate_in_partitions(paths, size=100, jobs=2)
    _assert_same(whole, parts)


def test_one_partition_is_the_whole_batch_run_with_its_graphs():
    whole = validate_paths([str(EXAMPLES)])
    single = validate_in_partitions([str(EXAMPLES)], size=10_000, jobs=1)
    assert single.partitions == 1 and len(single.inferred) == len(whole.inferred) > 0
    assert _shown(single.findings) == _shown(whole.findings)


def _piece(record: str, keys=(), references=(), shared=False, source="a.json") -> Piece:
    return Piece(f"<{record}>", source, "", 0, 0, frozenset(keys), frozenset(f"<{r}>" for r in references),
                 shared, True)


def test_records_reaching_one_group_node_share_a_partition_whatever_the_size():
    pieces = [_piece("visit/1", keys={"<person/a>"}, references={"person/a"}), _piece("meeting/1"),
              _piece("visit/2", keys={"<person/a>"}, references={"person/a"}), _piece("person/a"), _piece("meeting/2")]
    partitions, shared = plan(pieces, size=1)
    where = {piece.record: index for index, p in enumerate(partitions) for piece in p.own}
    assert where["<visit/1>"] == where["<visit/2>"]
    assert len(partitions) == 3
    assert [piece.record for piece in shared] == ["<person/a>"]
    assert "<person/a>" in partitions[where["<visit/1>"]].home, "a shared record's findings come from its group"


def test_a_referenced_record_is_in_each_partition_that_links_to_it_and_one_of_a_shared_class_in_every_one():
    pieces = [_piece("meeting/1", references={"org/x"}), _piece("org/x", references={"org/parent"}),
              _piece("org/parent"), _piece("period/2024", shared=True), _piece("meeting/2"),
              _piece("meeting/3", references={"org/x"})]
    partitions, shared = plan(pieces, size=1)
    assert {piece.record for piece in shared} == {"<org/x>", "<org/parent>", "<period/2024>"}
    holding = {min(piece.record for piece in p.own): {piece.record for piece in p.shared} for p in partitions}
    assert holding == {"<meeting/1>": {"<org/x>", "<org/parent>", "<period/2024>"},
                       "<meeting/2>": {"<period/2024>"},
                       "<meeting/3>": {"<org/x>", "<org/parent>", "<period/2024>"}}
    homes = [p for p in partitions if "<org/x>" in p.home]
    assert len(homes) == 1 and all(piece.record not in {"<org/x>", "<period/2024>"}
                                    for p in partitions for piece in p.own)


def test_a_shared_record_of_no_group_is_at_home_where_it_is_named_with_the_records_of_its_group():
    periodicals = [_piece(f"periodical/{name}", keys={"<org/u>"}, references={"org/u"}) for name in "pq"]
    pieces = [_piece("meeting/1"), _piece("minutes/2", references={"meeting/2"}), _piece("meeting/2"),
              _piece("issue/1", references={"periodical/p"}), *periodicals, _piece("org/u"),
              _piece("issue/2", references={"periodical/q"})]
    partitions, _ = plan(pieces, size=1)
    home = {record: index for index, p in enumerate(partitions) for record in p.home}
    own = {piece.record: index for index, p in enumerate(partitions) for piece in p.own}
    assert home["<meeting/2>"] == own["<minutes/2>"] != own["<meeting/1>"], "the first partition is not home to all"
    assert home["<periodical/p>"] == home["<periodical/q>"] == home["<org/u>"] == own["<issue/1>"]
    held = {piece.record for piece in partitions[own["<issue/1>"]].shared}
    assert held >= {"<periodical/p>", "<periodical/q>", "<org/u>"}, "a unit's home holds all its periodicals"


def test_two_descriptions_of_one_record_in_two_files_stay_together():
    pieces = [_piece("meeting/1", source="a.json"), _piece("meeting/2"), _piece("meeting/1", source="b.json")]
    partitions, _ = plan(pieces, size=1)
    holding = [index for index, p in enumerate(partitions) for piece in p.own if piece.record == "<meeting/1>"]
    assert len(holding) == 2 and len(set(holding)) == 1


def test_a_period_group_is_held_by_one_partition_and_the_node_home_leaves_its_findings_to_it():
    pieces = [_piece("person/a"), _piece("visit/1", keys={"<person/a> 2024-01"}, references={"person/a"}),
              _piece("meeting/1"), _piece("visit/2", keys={"<person/a> 2024-02"}, references={"person/a"}),
              _piece("visit/3", keys={"<person/a> 2024-01"}, references={"person/a"})]
    partitions, _ = plan(pieces, size=1)
    held = {key: index for index, p in enumerate(partitions) for key in p.periods}
    assert set(held) == {"<person/a> 2024-01", "<person/a> 2024-02"}
    assert held["<person/a> 2024-01"] != held["<person/a> 2024-02"], "a person's months need not share a partition"
    where = {piece.record: index for index, p in enumerate(partitions) for piece in p.own}
    assert where["<visit/1>"] == where["<visit/3>"] == held["<person/a> 2024-01"]
    home = next(p for p in partitions if "<person/a>" in p.home)
    assert home.elsewhere == {key for key, index in held.items() if partitions[index] is not home}


def _visit(day: str) -> dict:
    return {"id": f"visit/w-{day}", "type": "GrassrootsVisit", "kind": "GrassrootsVisit", "title": "赴礼贤镇调研",
            "organiser": "org/district-government-office", "visitedUnits": ["org/lixian-town"], "date": day,
            "participants": [{"person": "person/zhao-xiaodong", "role": "LeadingCadre",
                              "unit": "org/district-government-office"}]}


def test_a_leaders_months_and_quarters_in_different_partitions_give_the_whole_batch_findings(tmp_path):
    """A01.5 and A01.6 judge each month and quarter of a leader: with each month's visits in a partition of its
    own, every month is still judged once, on all its visits (2 in January, 1 in February, none in March, 2 in
    April; a problem solved in the second quarter only)."""
    base = json.loads((ROOT / "tests/cases/A01-6_OneProblemSolvedPerQuarter/valid-001.json").read_text("utf-8"))
    units_and_people = [r for r in base["@graph"] if r["type"] in ("Organisation", "Person")]
    problem = next(r for r in base["@graph"] if r["type"] == "GrassrootsProblem")
    records = [*units_and_people, problem,
               {"id": "period/2024-h1", "type": "ReviewPeriod", "title": "考核期间", "since": "2024-01-01",
                "until": "2024-06-30"},
               *(_visit(day) for day in ("2024-01-09", "2024-01-23", "2024-02-20", "2024-04-09", "2024-04-23"))]
    (tmp_path / "records.json").write_text(json.dumps({"@graph": records}, ensure_ascii=False), "utf-8")
    whole = validate_paths([str(tmp_path)])
    parts = validate_in_partitions([str(tmp_path)], size=1, jobs=2)
    assert parts.partitions >= 4
    _assert_same(whole, parts)
    months = sorted(f.value for f in parts.findings if f.shape.endswith("A01-5_TwoGrassrootsVisitsPerMonth"))
    quarters = sorted(f.value for f in parts.findings if f.shape.endswith("A01-6_OneProblemSolvedPerQuarter"))
    assert months == ["2024-02-01", "2024-03-01", "2024-05-01", "2024-06-01"]
    assert quarters == ["2024-01-01"]


def test_a_group_that_reads_the_period_before_holds_those_records_without_giving_their_findings():
    pieces = [_piece("reception/1", keys={"<org/u> 2024-Q1"}), _piece("reception/2", keys={"<org/u> 2024-Q2"}),
              _piece("reception/3", keys={"<org/u> 2024-Q4"})]
    pieces = [replace(piece, read_by=frozenset({f"<org/u> 2024-Q{int(piece.record[-2]) + 1}"})) for piece in pieces]
    partitions, _ = plan(pieces, size=1)
    where = {piece.record: p for p in partitions for piece in p.own}
    assert len({id(p) for p in where.values()}) == 3
    assert [piece.record for piece in where["<reception/2>"].context] == ["<reception/1>"]
    assert not where["<reception/1>"].context and not where["<reception/3>"].context
    assert "<reception/1>" not in where["<reception/2>"].home


def _reception(name: str, day: str) -> dict:
    return {"id": f"reception/q-{name}", "type": "Reception", "kind": "HigherLevelInspectionVisit",
            "title": "接待市商务局调研", "start": f"{day}T09:00:00+08:00", "end": f"{day}T11:00:00+08:00",
            "guests": [{"person": "person/liang-yu", "unit": "org/beijing-commerce-bureau"}]}


def test_receptions_across_the_end_of_a_quarter_are_compared_in_partitions(tmp_path):
    """A03.2 pairs receptions of one unit a few working days apart: with each quarter's receptions in partitions
    of their own, a pair across the end of March is still found, once (the later one is reported)."""
    records = [_reception("a", "2024-03-28"), _reception("b", "2024-04-02"), _reception("c", "2024-07-15"),
               _reception("d", "2024-10-08")]
    (tmp_path / "receptions.json").write_text(json.dumps({"@graph": records}, ensure_ascii=False), "utf-8")
    whole = validate_paths([str(tmp_path)])
    parts = validate_in_partitions([str(tmp_path)], size=1, jobs=2)
    assert parts.partitions == 4
    _assert_same(whole, parts)
    pairs = [(f.record.rsplit("/", 1)[-1], f.value.rsplit("/", 1)[-1]) for f in parts.findings
             if f.shape.endswith("A03-2_HigherLevelVisitsCombined")]
    assert pairs == [("q-b", "q-a")]


def test_records_projected_to_a_node_are_spread_and_the_node_home_reads_their_projections():
    issues = [replace(_piece(f"issue/{n}", references={"periodical/p"}), projected_to=frozenset({"<periodical/p>"}),
                      projection=(100 + n, 7)) for n in range(1, 4)]
    partitions, _ = plan([_piece("periodical/p"), *issues], size=1)
    assert len(partitions) == 3, "a periodical's issues need not share a partition"
    home = next(p for p in partitions if "<periodical/p>" in p.home)
    held = {piece.record for piece in home.own}
    assert {(piece.record, piece.offset, piece.length) for piece in home.projections} == {
        (f"<issue/{n}>", 100 + n, 7) for n in range(1, 4) if f"<issue/{n}>" not in held}
    assert all(not p.projections for p in partitions if p is not home)


def _issue(periodical: str, number: int, substantive: bool | None) -> dict:
    issue = {"id": f"bulletin/{periodical}-{number}", "type": "BulletinIssue", "title": f"工作简报第{number}期",
             "issued": "2024-06-21T10:00:00+08:00", "periodical": f"periodical/{periodical}",
             "category": "GeneralWorkBulletin", "substantive": substantive}
    return issue if substantive is not None else {k: v for k, v in issue.items() if k != "substantive"}


def test_a_periodicals_issues_in_partitions_of_their_own_are_counted_together(tmp_path):
    """A12.7 rates a periodical on the share of its issues without substance: with every issue in a partition of
    its own, the periodical's home still counts them all (3 of 4 rated issues without substance, a fifth not
    rated and not counted; 1 of 3 for the other)."""
    units = [{"id": "org/finance-bureau", "type": "Organisation", "name": "大兴区财政局",
              "classification": "FunctionalDepartment"}]
    periodicals = [{"id": f"periodical/{name}", "type": "BulletinPeriodical", "title": "财政工作简报",
                    "compiledBy": "org/finance-bureau", "since": since} for name, since in
                   (("fin-a", "2020-01-01"), ("fin-b", "2025-01-01"))]
    issues = [_issue("fin-a", n, n == 4) for n in range(1, 5)] + [_issue("fin-a", 5, None)]
    issues += [_issue("fin-b", n, n != 1) for n in range(1, 4)]
    (tmp_path / "base.json").write_text(json.dumps({"@graph": units + periodicals}, ensure_ascii=False), "utf-8")
    for issue in issues:
        (tmp_path / f"{issue['id'].rsplit('/', 1)[-1]}.json").write_text(json.dumps(issue, ensure_ascii=False))
    whole = validate_paths([str(tmp_path)])
    parts = validate_in_partitions([str(tmp_path)], size=1, jobs=2)
    assert parts.partitions >= 8
    _assert_same(whole, parts)
    rated = [(f.record.rsplit("/", 1)[-1], f.message_en) for f in parts.findings
             if f.shape.endswith("A12-7_NoPeriodicalOfBulletinsWithoutSubstance")]
    assert rated == [("fin-a", rated[0][1])] and "3 of 4" in rated[0][1]


def test_a_group_that_reads_only_some_properties_must_list_every_property_it_groups_by(monkeypatch):
    """dxs:groupReadsOnly is wrong unless the projection holds the link to the group's node: the rules refuse it."""
    choices = readings.resolve()
    shapes = Graph()
    shapes += readings.shapes(choices)
    shape = next(shapes.subjects(DXS.groupReadsOnly, None))
    for listed in list(shapes.objects(shape, DXS.groupReadsOnly)):
        shapes.remove((shape, DXS.groupReadsOnly, listed))
    shapes.add((shape, DXS.groupReadsOnly, Collection(shapes, BNode(), [DXO.substantive]).uri))
    monkeypatch.setattr(partitions.readings, "shapes", lambda _: shapes)
    with pytest.raises(ValueError, match="groupReadsOnly"):
        partitions._grouping(choices)


def _meeting(name: str, day: str, participants: list, speakers: list) -> dict:
    return {"id": f"meeting/dl-{name}", "type": "Meeting", "kind": "WorkConference", "title": "财政预算执行情况专题会",
            "start": f"{day}T09:00:00+08:00", "end": f"{day}T10:30:00+08:00", "participants": participants,
            "speeches": [{"kind": "LeaderSpeech", "speaker": speaker, "minutes": 10} for speaker in speakers]}


def test_a_speaker_recorded_as_a_district_leader_only_in_another_partition_is_one_there_too(tmp_path):
    """A08.6 counts the speeches of district leaders, and a speaker is one when recorded as one anywhere in the
    batch: with each meeting in a partition of its own, the meeting where the Mayor and a Vice Mayor only speak
    is still reported, and the one where a single district leader speaks is not."""
    meetings = [
        _meeting("roles-1", "2024-03-05", [{"person": "person/zhou-ming", "role": "DistrictMayor"}], []),
        _meeting("roles-2", "2024-03-06", [{"person": "person/wang-fang", "role": "ViceDistrictMayor"}], []),
        _meeting("two", "2024-03-12", [], ["person/zhou-ming", "person/wang-fang"]),
        _meeting("one", "2024-03-13", [], ["person/zhou-ming", "person/li-na"])]
    for meeting in meetings:
        (tmp_path / f"{meeting['id'].rsplit('/', 1)[-1]}.json").write_text(json.dumps(meeting, ensure_ascii=False))
    whole = validate_paths([str(tmp_path)])
    parts = validate_in_partitions([str(tmp_path)], size=1, jobs=2)
    assert parts.partitions == 4
    _assert_same(whole, parts)
    reported = {f.record.rsplit("/", 1)[-1] for f in parts.findings
                if f.shape.endswith("A08-6_OneDistrictLeaderSpeechPerMeeting")}
    assert reported == {"dl-two"}


def test_each_partition_reads_the_summarised_links_to_what_it_holds_or_names():
    links = [("<person/a>", DXS.link, ((DXS.role, DXS.mayor),)), ("<person/b>", DXS.link, ()),
             ("<person/a>", DXS.link, ((DXS.role, DXS.mayor),))]
    pieces = [_piece("meeting/1", references={"person/a"}), _piece("meeting/2"), _piece("person/a"),
              _piece("minutes/3", references={"meeting/4"}), _piece("meeting/4", references={"person/a"})]
    partitions, _ = plan(pieces, size=1, links=links)
    read = {min(piece.record for piece in p.own): p.stand_ins for p in partitions}
    assert read == {"<meeting/1>": [links[0]], "<meeting/2>": [], "<minutes/3>": [links[0]]}


def test_every_merge_window_offered_compares_receptions_at_most_one_quarter_apart():
    """A03.2's partitions read only the quarter before: enough while its longest pair, 2 x window + 30 calendar
    days (shapes/art-03.ttl), fits in the shortest quarter (90 days)."""
    windows = []
    for value in readings.alternatives(readings.settings()["P_mergeWindow"]):
        shapes = readings.shapes(readings.resolve(overrides={"P_mergeWindow": value}))
        windows.extend(int(w) for w in shapes.objects(None, DXS.mergeWindowWorkingDays))
    assert len(windows) >= 3 and all(2 * window + 30 <= 90 for window in windows), windows


def test_the_joining_shapes_declare_their_groups_and_the_shared_classes_are_declared():
    rules = partitions.grouping(readings.resolve())
    assert len(rules.groups) >= 6, "the shapes over several records (A01.5, A03.2, A06.7 ...) declare dxs:groupsBy"
    assert any(group.only for group in rules.groups), "A01.5 reads the people only of records naming a visited unit"
    assert any(group.reads for group in rules.groups), "A12.7 reads only each issue's periodical and rating"
    assert rules.summarised, "a district leader (A08.6) is one in every partition: participations are summarised"
    assert {shape.rsplit("/", 1)[-1] for shape in rules.windows} >= {
        "A01-5_TwoGrassrootsVisitsPerMonth", "A01-6_OneProblemSolvedPerQuarter"}, "quotas per period declare it"
    assert any(str(cls).endswith("ReviewPeriod") for cls in rules.shared_classes)


def test_the_command_line_default_is_the_engine_default():
    assert cli.DEFAULT_PARTITION == partitions.DEFAULT_SIZE


def _kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_kb_validate_in_partitions_reports_what_one_run_reports_and_html_still_works(tmp_path):
    whole = _kb("validate", str(EXAMPLES), "--format", "json", "--partition-size", "0")
    parts = _kb("validate", str(EXAMPLES), "--format", "json", "--partition-size", "5", "--jobs", "2")
    assert whole.returncode == parts.returncode == 1, (whole.stderr, parts.stderr)
    assert "partitions" not in whole.stderr
    assert re.search(r"validated in \d+ partitions of about 5 records, 2 at a time", parts.stderr)
    assert BLANK.sub("_:b", parts.stdout) == BLANK.sub("_:b", whole.stdout)
    page = tmp_path / "report.html"
    html = _kb("validate", str(EXAMPLES), "--format", "html", "--partition-size", "5", "-o", str(page))
    assert html.returncode == 1 and "<html" in page.read_text(encoding="utf-8")


def test_a_partition_size_that_is_no_count_is_a_usage_error():
    answer = _kb("validate", str(EXAMPLES), "--partition-size", "-3")
    assert answer.returncode == 2 and "--partition-size" in answer.stderr and "Traceback" not in answer.stderr


def test_kb_validate_store_streams_its_graphs_into_partitions_with_the_same_report(tmp_path):
    store = str(tmp_path / "store")
    assert _kb("load", str(EXAMPLES), "--store", store).returncode == 0
    whole = _kb("validate", "--store", store, "--format", "json", "--partition-size", "0")
    parts = _kb("validate", "--store", store, "--format", "json", "--partition-size", "5", "--jobs", "2")
    assert whole.returncode == parts.returncode == 1, (whole.stderr, parts.stderr)
    assert json.loads(whole.stdout)["findings"] and "partitions of about 5 records" in parts.stderr
    assert BLANK.sub("_:b", parts.stdout) == BLANK.sub("_:b", whole.stdout)
