"""Unknown is not false: no Violation or Warning ever comes from a field that was merely not recorded.

The walk takes every fact a shape needs (kb/checking/missing.py: a path with a count, a required value or a bound, or a
dxs:requires) and every case of that shape in which the fact is written as a field, and validates the case three
ways: with the field left out (the shape may say only "not recorded": an Info missing-fact result, never a
breach on that node), with the field written as none (an empty list: a shape that needs a value is breached),
and, for the fields a setting declares complete, left out under that setting (a breach again).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH, SKOS

from kb import resources
from kb.checking.missing import MISSING_FACT, missing_step, needs
from kb.checking.pipeline import validate_batch
from kb.namespaces import DXO, DXS
from kb.reasoning import readings
from kb.records import load
from kb.records.batch import Batch
from kb.records.fields import context_terms, property_iri
from kb.records.json_records import records_graph

CASES = Path(__file__).resolve().parents[1] / "cases"
COMPLETE = {"P_completeRecords": "officeSystems"}
# Shapes whose needed field cannot be left out alone, with why: then there is nothing to judge.
NOT_LEFT_OUT_ALONE = {
    # the field decides whether the shape applies: a reception is an Office reception because of who takes part
    "A04-6_OfficeReceptionDeputyDirectorTakesPart",
    # the guests are participations too, so leaving out the district side's participants leaves the fact present
    # (tests/acceptance/known-misses.txt, A04/009)
    "A04-3_MunicipalLeaderReceptionOnlyListedParticipants",
    "A04-4_MunicipalLeaderReceptionNoUnrelatedUnits",
}
BREACHES = (SH.Violation, SH.Warning)


def _needs_by_shape() -> dict[str, list]:
    shapes = readings.shapes(readings.resolve())
    grouped: dict[str, list] = {}
    for need in needs(shapes):
        grouped.setdefault(str(need.shape).removeprefix(str(DXS)), []).append(need)
    return grouped


NEEDS = _needs_by_shape()


def _rewrite(value, fact: str, replacement, terms: dict) -> int:
    """Leave out (replacement None) or replace every field that stands for `fact`, at any depth; return how many."""
    count = 0
    if isinstance(value, list):
        return sum(_rewrite(item, fact, replacement, terms) for item in value)
    if not isinstance(value, dict):
        return 0
    for key in list(value):
        definition = terms.get(key)
        if definition is not None and key not in ("id", "type") and property_iri(definition, key) == fact:
            count += 1
            if replacement is None:
                del value[key]
            else:
                value[key] = replacement
            continue
        scoped = terms
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped = {**terms, **context_terms(definition["@context"])}
        count += _rewrite(value[key], fact, replacement, scoped)
    return count


def _validate(records: list[dict], settings: dict | None = None):
    graph, errors = records_graph(records, "case", lambda index: f"/{index}")
    assert not errors, [str(e) for e in errors]
    batch = Batch(graphs={"case": graph}, errors=[])
    return validate_batch(batch, readings.resolve("default", settings))


def _breaches_without(outcome, need) -> list[str]:
    """Breaches of the need's shape on a node where its fact is neither given nor recorded as none: what must never
    happen."""
    described = ReadOnlyGraphAggregate([outcome.batch.union(), outcome.inferred])
    found = []
    for result in outcome.results.subjects(SH.sourceShape, need.shape):
        node = outcome.results.value(result, SH.focusNode)
        if (outcome.results.value(result, SH.resultSeverity) in BREACHES
                and missing_step(described, node, need.path, frozenset()) is not None):
            found.append(str(node))
    return found


def _results(outcome, shape, severities) -> list:
    return [r for r in outcome.results.subjects(SH.sourceShape, shape)
            if outcome.results.value(r, SH.resultSeverity) in severities]


def _cases_writing(need, terms) -> list[tuple[Path, list[dict]]]:
    found = []
    for path in sorted((CASES / str(need.shape).removeprefix(str(DXS))).glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "profile" in case or "settings" in case:
            continue
        records = case["@graph"]
        if _rewrite(copy.deepcopy(records), _field(need), None, terms):
            found.append((path, records))
    return found


@pytest.mark.parametrize("shape", sorted(NEEDS))
def test_a_field_left_out_is_never_a_breach_and_a_field_recorded_as_none_is(shape):
    terms = context_terms(resources.context())
    exercised = []
    for need in NEEDS[shape]:
        for path, records in _cases_writing(need, terms):
            left_out = copy.deepcopy(records)
            _rewrite(left_out, _field(need), None, terms)
            outcome = _validate(left_out)
            assert not _breaches_without(outcome, need), \
                f"{path.name}: {_field(need)} left out, yet {shape} reports a breach on a node lacking it"
            if not [r for r in outcome.results.subjects(SH.sourceShape, need.shape)
                    if outcome.results.value(r, SH.sourceConstraintComponent) == MISSING_FACT
                    and str(outcome.results.value(r, SH.resultPath)) == _field(need)]:
                continue  # leaving the field out also took the node out of the shape's targets (its kind, say)
            exercised.append(need)
            counted = _counts_or_requires(need)
            if counted:
                none = copy.deepcopy(records)
                _rewrite(none, _field(need), [], terms)
                assert _results(_validate(none), need.shape, BREACHES), \
                    f"{path.name}: {need.fact} recorded as none, yet {shape} reports no breach"
            break
    fields = [n for n in NEEDS[shape] if _cases_writing(n, terms)]
    assert fields == [] or exercised or shape in NOT_LEFT_OUT_ALONE, \
        f"no case of {shape} could be judged with a needed field left out"


def _field(need) -> str:
    """The property whose field is left out: the last of a path (a meal's venue's kind), since along a path the
    first step only says where to look."""
    return str(need.path[-1])


def _counts_or_requires(need) -> bool:
    """A need that a value must exist for (a count or a required value), as opposed to a bound on a value."""
    shapes = readings.shapes(readings.resolve())
    return any((need.shape, p, None) in shapes for p in (SH.minCount, SH.qualifiedMinCount, SH.hasValue))


def test_fields_declared_complete_are_read_as_none_when_left_out():
    """Under P_completeRecords=officeSystems a missing editor's rating is a breach again (A13.2), as are the others."""
    shapes = readings.shapes(readings.resolve("default", COMPLETE))
    complete = set(shapes.subjects(DXO.completeInRecords, None))
    assert complete, "the officeSystems alternative declares no field complete"
    terms = context_terms(resources.context())
    checked = 0
    for need in (n for group in NEEDS.values() for n in group if n.fact in complete and _counts_or_requires(n)):
        for _, records in _cases_writing(need, terms)[:1]:
            left_out = copy.deepcopy(records)
            _rewrite(left_out, _field(need), None, terms)
            assert _results(_validate(left_out, COMPLETE), need.shape, BREACHES), f"{need.shape}: {need.fact}"
            checked += 1
    assert checked >= len(complete)


def test_an_empty_list_becomes_recorded_none_and_null_is_not_recorded(tmp_path):
    path = tmp_path / "trip.json"
    path.write_text(json.dumps([{"id": "visit/x", "type": "OutboundVisit", "title": "出访", "approvedOn": [],
                                 "tasks": [{"title": "考察", "counterpart": []}], "note": None}]), encoding="utf-8")
    batch = load.read([str(path)])
    assert not batch.errors
    graph: Graph = batch.union()
    visit = next(graph.subjects(RDF.type, DXO.OutboundVisit))
    task = graph.value(visit, DXO.task)
    assert (visit, DXO.recordedNone, DXO.approvedOn) in graph
    assert (task, DXO.recordedNone, DXO.counterpart) in graph
    assert not list(graph.objects(visit, SKOS.note))


def test_a_record_may_not_write_recorded_none_itself(tmp_path):
    path = tmp_path / "trip.json"
    path.write_text(json.dumps({"id": "visit/x", "type": "OutboundVisit", "recordedNone": ["tasks"]}), encoding="utf-8")
    errors = load.read([str(path)]).errors
    assert errors and "empty list" in errors[0].message
