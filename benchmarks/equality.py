"""Compare the fast SHACL engine with pySHACL on the benchmark data, shard by shard, and print what differs.

    python benchmarks/equality.py [--events 2000] [--shard 100] [--jobs 2]

The records are benchmarks/generate.py's (seed 7), in their own order, cut into shards of --shard events, each
validated together with the base records (units, people, plans, periodicals) by both engines over the same view
(records, inferred triples, limits, calendar days). pySHACL costs about a quarter of a second per event here, so
2,000 events take some ten minutes of CPU; tests/test_benchmark_equality.py runs two shards of the same code.
The last line printed is one JSON object: events, shards, results (pySHACL's count), equal, and the differences.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import generate  # noqa: E402


def events_in_order(events: int) -> list[dict]:
    made = generate.generate_all(events)
    records = [record for kind in made.events.values() for record in kind]
    return sorted(records, key=lambda record: made.order[record["id"]])


def compare_shard(events: int, shard: int, size: int) -> tuple[Counter, Counter]:
    """pySHACL's and the fast engine's results (as comparable keys) on one shard of the generated events."""
    from kb.checking.pipeline import shacl_results, validation_view
    from kb.reasoning import readings
    from kb.reasoning.infer import infer
    from kb.records.load import read
    from tests.checking.test_engines_agree import result_keys

    made = generate.generate_all(events)
    chosen = events_in_order(events)[shard * size:(shard + 1) * size]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "base.json").write_text(json.dumps(made.base, ensure_ascii=False), encoding="utf-8")
        (Path(folder) / "events.json").write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")
        batch = read([folder])
    if batch.errors:
        raise ValueError(f"the generated records do not read: {[str(e) for e in batch.errors][:3]}")
    choices = readings.resolve()
    data = batch.union()
    view = validation_view(data, infer(data, choices), readings.shapes(choices))
    return (result_keys(shacl_results(view, choices, "pyshacl"), view),
            result_keys(shacl_results(view, choices, "fast"), view))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--shard", type=int, default=100, help="events per shard")
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    args = parser.parse_args(argv)
    shards = range((args.events + args.shard - 1) // args.shard)
    started = time.perf_counter()
    reference, fast = Counter(), Counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        for done, (ref, ours) in enumerate(pool.map(compare_shard, [args.events] * len(shards), shards,
                                                   [args.shard] * len(shards)), start=1):
            reference += ref
            fast += ours
            print(f"shard {done}/{len(shards)}: {sum(ref.values())} results, equal={ref == ours}", file=sys.stderr)
    summary = {"events": args.events, "shards": len(shards), "results": sum(reference.values()),
               "equal": reference == fast, "seconds": round(time.perf_counter() - started, 1),
               "only_pyshacl": [repr(k) for k in sorted(reference - fast)][:20],
               "only_fast": [repr(k) for k in sorted(fast - reference)][:20]}
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
