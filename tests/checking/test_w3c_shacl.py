"""The W3C SHACL test suite (core and SPARQL) through our fast validator, which hands what it cannot compile to pySHACL.

The suite is vendored under tests/w3c/sht_tests (see tests/w3c/README.md); tests/w3c/manifest.py reads it.
Each entry's report is compared with the expected one as a multiset of (focus, path, severity, component,
shape, value) tuples, plus sh:conforms; an entry whose result is sht:Failure passes when the validator refuses
with pySHACL's ReportableRuntimeError (ValidationFailure is one).

Entries pySHACL itself gets wrong are listed with the reason. The pySHACL-alone test marks them
xfail(strict=True); the fast-path test expects the failure only when the entry went (partly) to pySHACL, since
the fast path may get right what pySHACL gets wrong, and it fails loudly when a listed entry passes anyway.
test_suite_summary counts where the entries ran and shows the counts as a warning, which -q and xdist keep.
"""

from __future__ import annotations

import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pyshacl
import pytest
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from rdflib import Graph, URIRef

from kb.checking.engine import validate as fast_validate
from tests.w3c.manifest import SH, Entry, W3CSuiteSummary, load_entries, report_conforms, report_results

ENTRIES = load_entries()

# The suite as vendored holds 98 core and 23 SPARQL entries; a floor just below catches a broken reader or copy.
CORE_FLOOR = 95
SPARQL_FLOOR = 20

PYSHACL_KNOWN_FAILURES = {
    "sparql/pre-binding/shapesGraph-001": (
        "pySHACL does not support $shapesGraph and raises NotImplementedError; its own runner allows this "
        "failure (ALLOWABLE_FAILURES in test/test_sht_validate.py of the 0.40.1 sdist)"
    ),
    "core/property/uniqueLang-002": (
        'pySHACL takes sh:uniqueLang "1"^^xsd:boolean for true unless it parses the shapes file itself (it '
        "patches rdflib's boolean parsing only while loading, pyshacl/monkey); handed a parsed Graph, as here, "
        "it reports a violation where the suite expects the constraint to be ignored"
    ),
}

Validate = Callable[[Graph, Graph], object]


@dataclass
class _PyshaclReport:
    conforms: bool
    results: Graph
    fallback_shapes: set = field(default_factory=set)


def _pyshacl_only(data_graph: Graph, shapes_graph: Graph) -> _PyshaclReport:
    """pySHACL behind the fast validator's contract, to prove the harness; a ValidationFailure is raised."""
    conforms, results, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none", advanced=True)
    if isinstance(results, ValidationFailure):
        raise results
    return _PyshaclReport(conforms=conforms, results=results)


@dataclass
class Outcome:
    """Where one entry ran and whether its report matched: route is fast, pyshacl, refused or error."""

    entry: Entry
    route: str
    passed: bool
    problem: str = ""


def run(entry: Entry, validate: Validate) -> Outcome:
    """Validate one entry and compare; exceptions become outcomes so the summary can count them."""
    data_graph, shapes_graph = entry.graphs()
    try:
        report = validate(data_graph, shapes_graph)
    except ReportableRuntimeError as exc:
        if entry.expected_failure:
            return Outcome(entry, "refused", True)
        return Outcome(entry, "refused", False, f"refused, but the suite expects a report: {exc!r}")
    except Exception:
        return Outcome(entry, "error", False, traceback.format_exc())
    route = "pyshacl" if report.fallback_shapes else "fast"
    if isinstance(report.results, ValidationFailure):  # pySHACL's way: returned, not raised
        if entry.expected_failure:
            return Outcome(entry, "refused", True)
        return Outcome(entry, "refused", False, f"refused, but the suite expects a report: {report.results!r}")
    if entry.expected_failure:
        return Outcome(entry, route, False, f"reported conforms={report.conforms}, but the suite expects a failure")
    problems = []
    if report.conforms != entry.conforms:
        problems.append(f"conforms: expected {entry.conforms}, got {report.conforms}")
    if report_conforms(report.results) != report.conforms:
        problems.append(f"the report graph says sh:conforms {report_conforms(report.results)}, not {report.conforms}")
    got = report_results(report.results)
    if got != entry.results:
        problems.append(diff(entry.results, got))
    if problems and report.fallback_shapes:
        problems.append("shapes handed to pySHACL: " + ", ".join(sorted(_show(s) for s in report.fallback_shapes)))
    return Outcome(entry, route, not problems, "\n".join(problems))


def diff(expected: Counter, got: Counter) -> str:
    """The results expected but not reported, and reported but not expected, one tuple a line."""
    lines = ["results differ (focus, path, severity, component, shape, value):"]
    lines += [f"  missing    {n}x {_show(t)}" for t, n in sorted((expected - got).items(), key=repr)]
    lines += [f"  unexpected {n}x {_show(t)}" for t, n in sorted((got - expected).items(), key=repr)]
    return "\n".join(lines)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, URIRef) and value.startswith(str(SH)):
        return "sh:" + value.removeprefix(str(SH))
    if hasattr(value, "n3"):
        return value.n3()
    return repr(value)


def _params(known_failures_as_marks: bool) -> list:
    marks = {
        name: [pytest.mark.xfail(strict=True, reason=reason)] if known_failures_as_marks else []
        for name, reason in PYSHACL_KNOWN_FAILURES.items()
    }
    return [pytest.param(e, id=e.name, marks=marks.get(e.name, [])) for e in ENTRIES]


def test_the_suite_is_all_there():
    """A reader or a copy that loses entries must fail here, not pass quietly over fewer tests."""
    counts = Counter(e.suite for e in ENTRIES)
    assert counts["core"] >= CORE_FLOOR, f"only {counts['core']} core entries found"
    assert counts["sparql"] >= SPARQL_FLOOR, f"only {counts['sparql']} SPARQL entries found"
    assert set(counts) == {"core", "sparql"}, f"unexpected suites: {set(counts)}"
    names = {e.name for e in ENTRIES}
    assert set(PYSHACL_KNOWN_FAILURES) <= names, f"known failures name no entry: {set(PYSHACL_KNOWN_FAILURES) - names}"


@pytest.mark.parametrize("entry", _params(known_failures_as_marks=False))
def test_fast_validator(entry: Entry):
    outcome = run(entry, fast_validate)
    known = PYSHACL_KNOWN_FAILURES.get(entry.name)
    if known and outcome.route in ("pyshacl", "error", "refused"):
        if outcome.passed:
            pytest.fail(f"listed as a pySHACL failure but passed on the {outcome.route} route; update the list")
        pytest.xfail(f"{known}; here: {outcome.problem.strip().splitlines()[-1]}")
    assert outcome.passed, f"{entry.name} on the {outcome.route} route:\n{outcome.problem}"


@pytest.mark.parametrize("entry", _params(known_failures_as_marks=True))
def test_pyshacl_alone(entry: Entry):
    """The harness is right if pySHACL, which the suite has long been run against, passes what it should."""
    outcome = run(entry, _pyshacl_only)
    assert outcome.passed, f"{entry.name}:\n{outcome.problem}"


def test_the_comparison_notices_a_dropped_result():
    """A comparison that always agrees would pass the whole suite; drop one result and it must not."""
    entry = next(e for e in ENTRIES if e.name == "core/property/minCount-001")

    def drops_a_result(data_graph: Graph, shapes_graph: Graph) -> _PyshaclReport:
        report = _pyshacl_only(data_graph, shapes_graph)
        report.results.remove((None, SH.result, next(report.results.objects(None, SH.result))))
        return report

    assert run(entry, _pyshacl_only).passed
    outcome = run(entry, drops_a_result)
    assert not outcome.passed
    assert "missing    1x (<http://datashapes.org/sh/tests/core/property/minCount-001.test#InvalidPerson>" in (
        outcome.problem
    )


def test_suite_summary(record_property):
    """Where the entries ran: wholly on the fast path, (partly) on pySHACL, refused, or errors; and what failed."""
    outcomes = [run(e, fast_validate) for e in ENTRIES]
    routes = Counter(o.route for o in outcomes)
    failed = sorted(o.entry.name for o in outcomes if not o.passed)
    known = [n for n in failed if n in PYSHACL_KNOWN_FAILURES]
    counts = {
        "entries": len(outcomes),
        "fast": routes["fast"],
        "pyshacl": routes["pyshacl"],
        "refused": routes["refused"],
        "error": routes["error"],
        "failed": len(failed),
        "failed_known_pyshacl": len(known),
    }
    for key, value in counts.items():
        record_property(f"w3c_{key}", value)
    message = (
        f"W3C SHACL suite: {counts['entries']} entries; {counts['fast']} wholly on the fast path, "
        f"{counts['pyshacl']} partly or wholly on pySHACL, {counts['refused']} refused (validation failure), "
        f"{counts['error']} errors; {counts['failed']} failed ({counts['failed_known_pyshacl']} known pySHACL "
        f"failures)" + (": " + ", ".join(failed) if failed else "")
    )
    print(message)
    warnings.warn(W3CSuiteSummary(message), stacklevel=1)
    assert sum(routes.values()) == len(ENTRIES)
