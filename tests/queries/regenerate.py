"""Write the expected results of the query library: tests/queries/<name>.srj, for every query or those named.

    python tests/queries/regenerate.py                      # every query in queries/
    python tests/queries/regenerate.py late-documents ...   # only these

Each query runs exactly as tests/asking/test_query_library.py runs it (same knowledge graph, parameters and fixtures).
A written file is a claim about the data: read its rows and check them by hand before committing it; fix the query,
not the file, when a row is wrong.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _library_tests():
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("test_query_library", ROOT / "tests" / "test_query_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> int:
    tests = _library_tests()
    unknown = sorted(set(names) - set(tests.NAMES))
    if unknown:
        print(f"no such query: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for name in names or tests.NAMES:
        srj = tests.answer(name)
        (HERE / f"{name}.srj").write_text(json.dumps(srj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {len(srj['results']['bindings'])} row(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
