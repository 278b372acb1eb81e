"""The load test, small: benchmarks/load.py run as a real process against a real `kb serve` over data/examples.

20 well-behaved clients (library queries by GET and POST, pages, documents) while the four hostile clients keep
trying: every well-behaved request is answered, the memory bomb and the huge strings are stopped with 503, SERVICE
and updates are refused before anything is sent or changed, and no worker outlives the server. The full run
(200 clients) and its figures are in benchmarks/README.md, Load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HOME = Path(__file__).resolve().parents[2]
# What each hostile client may hear, and must have heard at least once; besides, every worker may be busy
EXPECTED = {
    "memory-bomb": ("503 memory limit", "503 time limit"),
    "huge-strings": ("503 size limit", "503 memory limit", "503 time limit"),
    "service": ("403 SERVICE refused",),
    "update": ("403 read-only",),
}
BUSY = "503 every worker busy"

# on the xdist worker of test_serve.py, after or before its servers, never beside them: its memory bomb and clients
# would crowd their timing
pytestmark = pytest.mark.xdist_group("kb-serve")


def test_well_behaved_clients_are_all_answered_while_hostile_ones_are_stopped_or_refused():
    run = subprocess.run([sys.executable, "benchmarks/load.py", "--clients", "20", "--requests", "3",
                          "--seconds", "60", "--timeout", "10", "--max-memory", "256MB", "--max-bytes", "5MB",
                          "--queue-wait", "30"], cwd=HOME, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    good = figures["well_behaved"]
    assert good["sent"] == 60 and good["ok"] == 60 and good["errors"] == 0, good["error_reasons"]
    assert set(good["by_kind"]) == {"query", "page", "data"}  # library queries, HTML pages and documents
    assert set(figures["hostile"]) == set(EXPECTED)
    for kind, outcomes in figures["hostile"].items():
        assert set(outcomes) <= {*EXPECTED[kind], BUSY}, (kind, outcomes)
        assert any(outcomes.get(outcome) for outcome in EXPECTED[kind]), (kind, outcomes)
    assert figures["listener_connections"] == 0
    assert figures["update_changed_data"] is False
    assert figures["workers_left_after_stop"] == []
    assert figures["workers_started"] >= 4 and figures["worker_peak_rss_mb_max"] > 0
