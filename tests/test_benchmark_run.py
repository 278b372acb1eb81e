"""benchmarks/run.py end to end, small: ours in partitions and the sharded pySHACL reference give the same results.

The partitions (40 records) and the reference's shards (40) are small so that 150 events make several of each;
pySHACL still costs most of the run (one to three minutes on 2 cores). Nothing here is timed: the figures are
for benchmarks/README.md, the test only guards that the benchmark runs, compares and reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_partitioned_run_equals_the_sharded_pyshacl_reference(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--events", "150",
                          "--partition-size", "40", "--reference-shard", "40", "--jobs", "2",
                          "--cache", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["reference_kind"] == "sharded"
    assert summary["equal"] is True, summary
    assert summary["ratio"] > 0
    assert summary["partitions"] > 1 and summary["reference_partitions"] > 1
    assert summary["reference_results"] == summary["fast_results"] > 0
    found = summary["expected_found"]
    assert found["planted"] > 0 and found["found"] == found["planted"], found
    assert summary["one_record_s"] is not None and summary["one_record_rules_s"] is not None
    assert summary["peak_rss_mb"] >= summary["parent_rss_mb"] + summary["worker_rss_mb"] > 0
    assert summary["tree_rss_mb"] > 50, "what the run's processes held at once is sampled"
    assert set(summary["phases"]) >= {"reading (wall)", "planning", "partitions (wall)", "checks (summed)"}
