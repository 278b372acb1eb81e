"""Fuzz reading records for longer than the test suite does: the property of tests/records/test_fuzz_records.py on N new
random examples (the suite runs 25 fixed ones).

    python benchmarks/fuzz.py --examples 2000          # about 0.5 s an example on one core
    python benchmarks/fuzz.py --examples 500 --seed 7  # the same examples again

Prints how many examples ran, how long they took, how the runs exited, and whether anything failed; a failure is
shown above that line by pytest, shrunk to the smallest example Hypothesis found. Exit code: pytest's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples to run (default: 2000)")
    parser.add_argument("--seed", type=int, help="Hypothesis's seed, to run the same examples again")
    args = parser.parse_args(argv)
    import pytest

    os.chdir(ROOT)  # pyproject.toml's pytest settings
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "exit-codes"
        os.environ.update(KB_FUZZ_EXAMPLES=str(args.examples), KB_FUZZ_LOG=str(log))
        options = ["-q", "-n", "0", "-p", "no:cacheprovider", "tests/records/test_fuzz_records.py"]
        if args.seed is not None:
            options.append(f"--hypothesis-seed={args.seed}")
        started = time.monotonic()
        code = pytest.main(options)
        seconds = time.monotonic() - started
        exits = Counter(log.read_text().split()) if log.exists() else Counter()
    ran = sum(exits.values())
    print(f"\nfuzzing: {ran} examples (including any shrinking) in {seconds:.0f} s"
          + (f", {seconds / ran:.2f} s each" if ran else "")
          + "; exit codes " + (", ".join(f"{c}: {n}" for c, n in sorted(exits.items())) or "none")
          + "; " + ("no failure" if code == 0 else f"FAILED (pytest exit {code}, see above)"))
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
