"""Realistic situations written from the regulation's text, and how the engine judges them.

Why: the shape cases (tests/cases) were written with the shapes in view; these situations are written from the
text alone, so they check the engine independently. Each file under situations/ is a clerk's batch of records
(docs/records.md) plus what the text says about one record of it: `expected` maps catalogue notations to one of
the five outcomes of `kb rules`. The test (test_situations.py) and the report (scripts/acceptance_report.py)
both judge situations through `judge`, so the table in docs/acceptance.md is what the tests saw.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib.namespace import RDF, SKOS

from kb.asking.rules import OUTCOMES, rules_for_paths
from kb.namespaces import DXO
from kb.resources import regulation

HERE = Path(__file__).resolve().parent
SITUATIONS = HERE / "situations"
KNOWN_MISSES = HERE / "known-misses.txt"
ARTICLES = [f"A{n:02d}" for n in range(1, 17)]
VARIANTS = ("recorded", "recorded absent", "not recorded")
MINIMUM = 80
ID_BASE = "https://w3id.org/daxing-zuofeng/id/"
FILE_NAME = re.compile(r"^\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.json$")


@dataclass(frozen=True)
class Situation:
    """One situation file: the story, the record asked about and the outcomes the text gives."""

    path: Path
    name: str  # "A08/003-special-topic-meeting-61-minutes.json", relative to situations/
    article: str
    text: str
    variant: str
    asked: str
    expected: dict[str, str]
    ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def iri(self) -> str:
        return self.asked if self.asked.startswith(("http://", "https://")) else ID_BASE + self.asked


@dataclass
class Verdict:
    """What the engine said about a situation: input errors, and per expected provision its outcome."""

    errors: list[str]
    actual: dict[str, str]
    missing: dict[str, str]

    def misses(self, situation: Situation) -> list[tuple[str, str, str]]:
        """(provision, expected, got) for each provision judged differently from the text."""
        return [(n, want, self.actual.get(n, "no outcome")) for n, want in situation.expected.items()
                if self.actual.get(n) != want]


def read(path: Path) -> Situation:
    body = json.loads(path.read_text(encoding="utf-8"))
    graph = body.get("@graph", [])
    ids = frozenset(r.get("id") for r in graph if isinstance(r, dict) and isinstance(r.get("id"), str))
    return Situation(path, f"{path.parent.name}/{path.name}", path.parent.name, body.get("situation", ""),
                     body.get("variant", ""), body.get("asked", ""), body.get("expected", {}), ids)


def collect() -> list[Situation]:
    """Every situation file, in article and number order (an unreadable file fails the guard, not here)."""
    found = []
    for path in sorted(SITUATIONS.glob("A*/*.json")):
        try:
            found.append(read(path))
        except (OSError, ValueError):
            found.append(Situation(path, f"{path.parent.name}/{path.name}", path.parent.name, "", "", "", {}))
    return found


@cache
def provisions() -> frozenset[str]:
    """The notations of the regulation's 123 provisions (A08.3 ...), from the regulation as data."""
    graph = regulation()
    return frozenset(str(n) for p in graph.subjects(RDF.type, DXO.Provision) for n in graph.objects(p, SKOS.notation))


def collection_problems(situations: list[Situation]) -> list[str]:
    """Why the collection cannot be trusted: a missing article, too few situations, a malformed file."""
    problems = []
    per_article = {a: 0 for a in ARTICLES}
    for s in situations:
        per_article[s.article] = per_article.get(s.article, 0) + 1
    problems += [f"situations/{a}/ is missing or empty" for a, n in per_article.items() if a in ARTICLES and not n]
    problems += [f"situations/{a}/ is not an article folder (A01..A16)" for a in per_article if a not in ARTICLES]
    if len(situations) < MINIMUM:
        problems.append(f"only {len(situations)} situations, at least {MINIMUM} are needed")
    known = provisions()
    for s in situations:
        if not FILE_NAME.match(s.path.name):
            problems.append(f"{s.name}: the file name is not NNN-short-kebab-name.json")
        if not s.text:
            problems.append(f"{s.name}: no 'situation' (or the file is not a JSON object)")
        if not s.asked:
            problems.append(f"{s.name}: no 'asked'")
        elif s.asked not in s.ids:
            problems.append(f"{s.name}: the asked record {s.asked!r} is not in its @graph")
        if s.variant not in VARIANTS:
            problems.append(f"{s.name}: variant {s.variant!r} is not one of {', '.join(VARIANTS)}")
        if not isinstance(s.expected, dict) or not 1 <= len(s.expected) <= 4:
            problems.append(f"{s.name}: 'expected' must name 1 to 4 provisions")
            continue
        for notation, outcome in s.expected.items():
            if notation not in known:
                problems.append(f"{s.name}: {notation!r} is not a provision of the regulation")
            if outcome not in OUTCOMES:
                problems.append(f"{s.name}: {notation} expects {outcome!r}, not one of {', '.join(OUTCOMES)}")
    return problems


def known_misses() -> dict[str, str]:
    """The situations the engine does not yet judge right: `A05/014-x.json  # why`, one a line."""
    if not KNOWN_MISSES.exists():
        return {}
    listed = {}
    for line in KNOWN_MISSES.read_text(encoding="utf-8").splitlines():
        entry, _, reason = line.partition("#")
        if entry.strip():
            listed[entry.strip()] = reason.strip()
    return listed


def judge(situation: Situation) -> Verdict:
    """Run `kb rules FILE --record ASKED` in process, on this file alone."""
    outcome, rules = rules_for_paths([str(situation.path)], record=situation.iri)
    return Verdict([str(e) for e in outcome.errors], {r.notation: r.outcome for r in rules},
                   {r.notation: r.missing for r in rules if r.missing})
