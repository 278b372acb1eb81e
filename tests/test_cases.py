"""Every shape against its cases: one folder per shape under tests/cases, valid-NNN and invalid-NNN files.

A case is a JSON file the `kb validate` command itself reads: a sentence saying the legal outcome
("description"), the records ("@graph") and the expected results ("expected": focus, shape, severity), and
optionally the interpretation "profile" and "settings" it is judged under (default: the default profile).
The results of the whole pipeline are compared with the expected ones as a multiset, so a case also fails
when another shape reports something unexpected. The collection itself is guarded: an empty folder, a
folder without both a valid and an invalid case, a shape without a folder, or a folder without a shape fails.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kb import resources
from kb.checking.pipeline import validate_paths
from kb.namespaces import DXD, DXS
from kb.reasoning.readings import resolve

CASES = Path(__file__).resolve().parent / "cases"
CASE_FILES = sorted(CASES.glob("*/*.json"))


def shape_names() -> set[str]:
    shapes = resources.shapes()
    named = {s for s in shapes.subjects(DXS.implements, None)}
    return {str(s).removeprefix(str(DXS)) for s in named}


def _expected(case: dict) -> Counter:
    return Counter((str(DXD[e["focus"]]) if "://" not in e["focus"] else e["focus"], str(DXS[e["shape"]]),
                    e["severity"]) for e in case["expected"])


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in CASE_FILES])
def test_case(path: Path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case.get("description", "").strip(), f"{path}: a case says in a sentence what the legal outcome is"
    choices = resolve(case.get("profile", "default"), case.get("settings"))
    outcome = validate_paths([str(path)], choices=choices)
    assert not outcome.errors, [str(e) for e in outcome.errors]
    found = Counter((f.record, f.shape, f.severity) for f in outcome.findings)
    assert found == _expected(case), case["description"]


def test_case_collection_is_not_empty():
    assert CASES.is_dir() and len(CASE_FILES) >= 2 * len(shape_names()) > 0


def test_every_shape_has_valid_and_invalid_cases():
    missing = []
    for name in sorted(shape_names()):
        folder = CASES / name
        kinds = {p.stem.split("-")[0] for p in folder.glob("*.json")}
        if kinds != {"valid", "invalid"}:
            missing.append(f"{name}: has {sorted(kinds) or 'no cases'}")
    assert not missing, "shapes without both a valid and an invalid case:\n" + "\n".join(missing)


def test_every_case_folder_names_a_shape_and_holds_only_cases():
    names = shape_names()
    problems = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        if folder.name not in names:
            problems.append(f"{folder.name}: no shape of that name")
        for file in folder.iterdir():
            if not (file.suffix == ".json" and file.stem.split("-")[0] in ("valid", "invalid")):
                problems.append(f"{file}: not a valid-NNN.json or invalid-NNN.json case")
        if not any(folder.iterdir()):
            problems.append(f"{folder.name}: empty")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in CASE_FILES])
def test_case_names_its_own_shape_as_expected(path: Path):
    """An invalid case expects a result of its folder's shape; a valid case expects none."""
    case = json.loads(path.read_text(encoding="utf-8"))
    own = sum(1 for e in case["expected"] if e["shape"] == path.parent.name)
    if path.stem.startswith("invalid"):
        assert own >= 1, f"{path}: an invalid case expects at least one result of {path.parent.name}"
    else:
        assert own == 0, f"{path}: a valid case expects no result of {path.parent.name}"
