"""The SPARQL library: headers, the zero-row checks, and the coverage query on bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal

from kb import resources
from kb.records.load import read

QUERIES = Path(__file__).resolve().parent.parent / "queries"
ALL = sorted(QUERIES.rglob("*.rq"))
CHECKS = sorted((QUERIES / "checks").glob("*-violation.rq"))


@pytest.fixture(scope="module")
def bundled() -> Graph:
    """Everything the knowledge base ships: ontology, vocabularies, provisions, shapes and sample records."""
    graph = Graph()
    for part in (resources.ontology(), resources.vocabularies(), resources.regulation(), resources.shapes()):
        graph += part
    batch = read([str(resources.EXAMPLES_DIR)])
    assert not batch.errors, [str(e) for e in batch.errors]
    graph += batch.union()
    return graph


def test_the_library_is_not_empty():
    assert len(ALL) >= 3 and CHECKS


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_every_query_starts_with_the_header(path: Path):
    head = path.read_text(encoding="utf-8").splitlines()[:3]
    assert [line.split(":")[0] for line in head] == ["# Summary", "# Params", "# Returns"], path


@pytest.mark.parametrize("path", CHECKS, ids=[p.name for p in CHECKS])
def test_check_returns_no_rows_on_bundled_data(path: Path, bundled: Graph):
    rows = list(bundled.query(path.read_text(encoding="utf-8")))
    assert rows == [], f"{path.name} found: {rows[:5]}"


def test_coverage_of_article_8_lists_each_constraint_with_its_shapes(bundled: Graph):
    query = (QUERIES / "provision-coverage.rq").read_text(encoding="utf-8")
    rows = {(str(r.notation), str(r.checkability), str(r.shape).rsplit("/", 1)[-1] if r.shape else "")
            for r in bundled.query(query, initBindings={"article": Literal("8")})}
    assert rows == {
        ("A08.1", "no", ""), ("A08.2", "no", ""),
        ("A08.3", "yes", "A08-3_SpecialTopicMeetingMaxOneHour"),
        ("A08.4", "yes", "A08-4_MainReportMaxTwentyMinutes"),
        ("A08.5", "yes", "A08-5_LeaderSpeechMaxFifteenMinutes"),
        ("A08.6", "yes", "A08-6_OneDistrictLeaderSpeechPerMeeting"),
        ("A08.7", "yes", "A08-7_NoExchangeSpeechesAtWorkConference"),
        ("A08.8", "yes", "A08-8_AtMostThreeExchangeSpeakers"),
        ("A08.8", "yes", "A08-8_ExchangeSpeakerMaxFiveMinutes"),
    }
