"""Which constraints of the regulation are implemented: shapes and test cases per constraint, or the reason.

Answered by the library query queries/provision-coverage.rq over the provisions and the shapes; the test cases
are the folders under tests/cases named after each shape.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph

from kb import resources
from kb.reasoning import readings

QUERY = resources.HOME / "queries" / "provision-coverage.rq"
CASES = resources.HOME / "tests" / "cases"


@dataclass
class Row:
    notation: str
    checkability: str
    shapes: dict[str, dict[str, int]] = field(default_factory=dict)  # shape -> {"valid": n, "invalid": n}
    reason: str = ""

    @property
    def implemented(self) -> bool:
        return bool(self.shapes) and all(c["valid"] and c["invalid"] for c in self.shapes.values())


def coverage() -> list[Row]:
    graph = Graph()
    for part in (resources.regulation(), resources.vocabularies(), readings.shapes(readings.resolve())):
        graph += part
    rows: dict[str, Row] = {}
    for result in graph.query(QUERY.read_text(encoding="utf-8")):
        row = rows.setdefault(str(result.notation), Row(str(result.notation), str(result.checkability)))
        if result.shape is not None:
            name = str(result.shape).rsplit("/", 1)[-1]
            row.shapes[name] = _cases(name)
        elif result.reason:
            row.reason = str(result.reason)
    return sorted(rows.values(), key=lambda r: _order(r.notation))


def _cases(shape: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for path in (CASES / shape).glob("*.json"):
        counts[path.stem.split("-")[0]] += 1
    return {"valid": counts["valid"], "invalid": counts["invalid"]}


def _order(notation: str) -> tuple[int, int]:
    article, _, number = notation.removeprefix("A").partition(".")
    return int(article), int(number)


def summary(rows: list[Row]) -> dict[str, int]:
    checkable = [r for r in rows if r.checkability != "no"]
    return {
        "constraints": len(rows),
        "checkable": len(checkable),
        "implemented": sum(r.implemented for r in checkable),
        "with_reason": sum(bool(r.reason) and not r.shapes for r in checkable),
        "not_checkable": len(rows) - len(checkable),
        "shapes": sum(len(r.shapes) for r in rows),
    }


def as_text(rows: list[Row]) -> str:
    lines = [f"{'constraint':<11}{'checkable':<10}{'shape':<52}{'cases (valid/invalid)'}"]
    for row in rows:
        if row.shapes:
            for i, (shape, cases) in enumerate(sorted(row.shapes.items())):
                first = (row.notation, row.checkability) if i == 0 else ("", "")
                lines.append(f"{first[0]:<11}{first[1]:<10}{shape:<52}{cases['valid']}/{cases['invalid']}")
        else:
            reason = row.reason[:90] or "NO SHAPE AND NO REASON"
            lines.append(f"{row.notation:<11}{row.checkability:<10}{'-':<52}{reason}")
    s = summary(rows)
    lines.append("")
    lines.append(f"{s['constraints']} constraints: {s['checkable']} checkable, {s['implemented']} implemented with "
                 f"cases, {s['with_reason']} with a reason for no shape; {s['not_checkable']} not checkable; "
                 f"{s['shapes']} shapes")
    return "\n".join(lines) + "\n"


def as_json(rows: list[Row]) -> dict:
    return {"summary": summary(rows),
            "constraints": [{"notation": r.notation, "checkability": r.checkability, "shapes": r.shapes,
                             "implemented": r.implemented, "reason": r.reason} for r in rows]}
