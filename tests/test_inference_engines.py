"""The fast reasoner (`reasonable`) infers exactly what the reference (owlrl) infers, on every case and example.

All the case records and the examples are reasoned over as one graph, under each interpretation profile (the
profiles change the axioms). A difference names the triples one engine has and the other has not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import profiles
from kb.infer import infer
from kb.load import read

ROOT = Path(__file__).resolve().parents[1]
RECORDS = [*sorted(str(p) for p in (ROOT / "tests" / "cases").glob("*/*.json")), str(ROOT / "data" / "examples")]


@pytest.fixture(scope="module")
def everything():
    batch = read(RECORDS)
    assert not batch.errors, [str(e) for e in batch.errors][:5]
    data = batch.union()
    assert len(data) > 5000
    return data


@pytest.mark.parametrize("profile", sorted(profiles.profiles()))
def test_reasonable_and_owlrl_infer_the_same_triples(everything, profile):
    choices = profiles.resolve(profile)
    fast = set(infer(everything, choices, engine="reasonable"))
    reference = set(infer(everything, choices, engine="owlrl"))
    assert len(reference) > 10000
    assert fast - reference == set(), sorted(fast - reference)[:10]
    assert reference - fast == set(), sorted(reference - fast)[:10]
