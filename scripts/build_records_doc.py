"""Write the generated section of docs/records.md: the provisions a recorded exception may name.

Why: a record carries an exception (`"exceptions": [{"provision": "A09.3", "justification": "..."}]`) for a
provision that admits a justification: a shape implementing it lowers its severity when justified
(`dxs:severityWhenJustified`) or is met only by a recorded justification (`dxs:needsJustification`). Which ones
those are is data, in the shapes; their notation and clause are data, in data/regulation/. Copying them into the
page by hand would let the two drift apart, so this script writes the list between two marker comments of
docs/records.md (the rest of the page stays hand-written) and `--check` proves that the page is current. The loader
refuses an exception for any other provision with the same list (kb/load.py, `justifiable_provisions`).

Usage:
    python scripts/build_records_doc.py           # rewrite the section in docs/records.md
    python scripts/build_records_doc.py --check   # exit 1 if the section differs from a fresh generation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import SH

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from kb import resources  # noqa: E402
from kb.files import write_atomically  # noqa: E402
from kb.load import justifiable_provisions  # noqa: E402
from kb.namespaces import DXO, DXS  # noqa: E402

DOC = REPO_ROOT / "docs" / "records.md"
BEGIN = ("<!-- BEGIN GENERATED provisions-admitting-justification: written by scripts/build_records_doc.py from the "
         "shapes and data/regulation; do not edit by hand -->")
END = "<!-- END GENERATED provisions-admitting-justification -->"
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _text(provision, lang: str) -> str:
    for value in resources.regulation().objects(provision, DXO.text):
        if isinstance(value, Literal) and value.language == lang:
            text = " ".join(str(value).split())
            for special in "\\|<>":  # a table cell: no column break, no HTML tag (《<大兴信息>》)
                text = text.replace(special, "\\" + special)
            return text
    return ""


def _effect(provision) -> str:
    """What a recorded exception does under the provision's shapes: the severities it lowers, or that it is needed."""
    shapes = resources.shapes()
    effects = []
    for shape in sorted(shapes.subjects(DXS.implements, provision)):
        lowered = shapes.value(shape, DXS.severityWhenJustified)
        if lowered is not None:
            effects.append(f"{SEVERITY.get(shapes.value(shape, SH.severity), '?')} → {SEVERITY.get(lowered, '?')}")
        if shapes.value(shape, DXS.needsJustification) == Literal(True):
            effects.append(f"needed: without one, a {SEVERITY.get(shapes.value(shape, SH.severity), '?')}")
    return "; ".join(dict.fromkeys(effects))


def section() -> str:
    """The generated section: a table of the provisions that admit a justification, in catalogue order."""
    rows = ["| notation | id | 条款 | clause | with a recorded exception |", "|---|---|---|---|---|"]
    for provision, notation in justifiable_provisions().items():
        ident = str(provision).rsplit("/", 1)[-1]
        rows.append(f"| `{notation}` | `{ident}` | {_text(provision, 'zh')} | {_text(provision, 'en')} | "
                    f"{_effect(provision)} |")
    count = len(rows) - 2
    return (f"{BEGIN}\n\n{count} provisions admit a justification; `provision` takes the notation or the id. An "
            "exception for any other provision is refused by the loader, with this list.\n\n"
            + "\n".join(rows) + f"\n\n{END}")


def build(text: str) -> str:
    """The page with its generated section replaced by a fresh one (the markers must be there, once each)."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"{DOC.name}: the markers of the generated section are missing or out of order")
    head, rest = text.split(BEGIN, 1)
    return head + section() + rest.split(END, 1)[1]


def check(path: Path | None = None) -> str | None:
    """Regenerate in memory; None if the page (docs/records.md) is current, else a message saying what is wrong."""
    path = path or DOC
    if not path.exists():
        return f"{path} is missing"
    text = path.read_text(encoding="utf-8")
    try:
        fresh = build(text)
    except ValueError as exc:
        return str(exc)
    if fresh != text:
        return (f"{path} is stale (its generated section differs from the shapes); "
                "run python scripts/build_records_doc.py")
    return None


def main(argv: list[str] | None = None) -> int:
    """Rewrite the section, or with --check compare it: exit 0 if current, 1 if stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/records.md differs")
    args = parser.parse_args(argv)
    if args.check:
        problem = check()
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{DOC.relative_to(REPO_ROOT)} is up to date")
        return 0
    try:
        fresh = build(DOC.read_text(encoding="utf-8"))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    write_atomically(DOC, fresh)
    print(f"wrote the generated section of {DOC.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
