"""`kb coverage`: every constraint of the catalogue, with its shapes and cases or the reason it has none."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from kb.asking import coverage

# Articles whose checkable constraints must all be implemented (the others are work in progress, issue 3).
ARTICLES_DONE = [f"A{n:02d}" for n in range(1, 17)]


@pytest.fixture(scope="module")
def rows() -> list[coverage.Row]:
    return coverage.coverage()


def test_the_counts_match_the_catalogue(rows, shared):
    catalogue = yaml.safe_load((shared / "spec" / "catalogue.yaml").read_text(encoding="utf-8"))
    levels = catalogue["summary"]["by_checkability"]
    summary = coverage.summary(rows)
    assert summary["constraints"] == catalogue["summary"]["constraints"] == 123
    assert summary["checkable"] == levels["yes"] + levels["partly"]
    assert summary["not_checkable"] == levels["no"]


@pytest.mark.parametrize("article", ARTICLES_DONE)
def test_every_checkable_constraint_has_shapes_with_cases_or_a_reason(rows, article):
    missing = [r.notation for r in rows if r.notation.startswith(article) and r.checkability != "no"
               and not r.implemented and not r.reason]
    assert not missing, f"checkable constraints of {article} with neither shapes and cases nor a reason: {missing}"


def test_every_shape_has_valid_and_invalid_cases(rows):
    empty = [shape for r in rows for shape, cases in r.shapes.items() if not (cases["valid"] and cases["invalid"])]
    assert not empty, f"shapes without both valid and invalid cases: {empty}"


def test_not_checkable_constraints_carry_their_reason(rows):
    assert all(r.reason for r in rows if r.checkability == "no")


def test_the_command_prints_a_table_and_json():
    text = subprocess.run([sys.executable, "-m", "kb.cli", "coverage"], capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "A08.3" in text.stdout and "A08-3_SpecialTopicMeetingMaxOneHour" in text.stdout
    data = json.loads(subprocess.run([sys.executable, "-m", "kb.cli", "coverage", "--format", "json"],
                                     capture_output=True, text=True, timeout=120).stdout)
    assert data["summary"]["constraints"] == 123
    [a083] = [c for c in data["constraints"] if c["notation"] == "A08.3"]
    assert a083["implemented"] and a083["shapes"]["A08-3_SpecialTopicMeetingMaxOneHour"]["invalid"] >= 1
