"""Acceptance: realistic situations, written from the regulation's text, judged by `kb rules`.

Why: the engine is checked against the text, not against the shapes it was built from. A situation listed in
known-misses.txt is one the engine does not yet judge right; it must still be judged wrong (strict xfail), so
that a fix is noticed and the entry removed. Every other situation must come out as the text says.
"""

from __future__ import annotations

import pytest

from tests.acceptance.harness import collect, collection_problems, judge, known_misses

SITUATIONS = collect()
MISSES = known_misses()


def test_collection_is_complete_and_well_formed():
    problems = collection_problems(SITUATIONS)
    assert not problems, "the acceptance situations are not usable:\n  " + "\n  ".join(problems)


def test_known_misses_name_existing_situations():
    names = {s.name for s in SITUATIONS}
    stale = sorted(set(MISSES) - names)
    assert not stale, "known-misses.txt names situations that do not exist: " + ", ".join(stale)
    unexplained = sorted(name for name, reason in MISSES.items() if not reason)
    assert not unexplained, "known-misses.txt entries need a reason after '#': " + ", ".join(unexplained)


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.name.removesuffix(".json") for s in SITUATIONS])
def test_situation(situation):
    verdict = judge(situation)
    assert not verdict.errors, f"{situation.name}: the records do not load cleanly: " + "; ".join(verdict.errors)
    misses = verdict.misses(situation)
    report = "\n".join(
        f"  {n}: expected {want!r}, got {got!r}" + (f" (missing: {verdict.missing[n]})" if n in verdict.missing else "")
        for n, want, got in misses)
    if situation.name in MISSES:
        if not misses:
            pytest.fail(f"{situation.name} is now judged as the text says: remove it from known-misses.txt")
        pytest.xfail(f"known miss ({MISSES[situation.name]}):\n{report}")
    assert not misses, f"{situation.name}: {situation.text}\n{report}"
