"""A query past the memory limit is stopped even when the server is too busy to watch its worker.

The story (issue 13, the load test, benchmarks/load.py): `kb serve --max-memory 256MB` read each worker's memory
from a thread of the server process, which also renders the pages and carries the HTTP traffic. With 200 clients on
2 cores that thread ran late, and the memory bomb grew to 686 MB before it was stopped (1.4 GB against 1 GB). Each
worker now also watches itself from a thread of its own (Oxigraph releases the GIL while it evaluates) and ends with
exit status MEMORY_EXIT, which the server reports as the same 503.
"""

from __future__ import annotations

import gc

import pyoxigraph as ox

from kb.publishing.answers import Request
from kb.publishing.workers import MEMORY_EXIT, Pool

GRAPH = "https://example.org/graph"
# Sorting every pair of pairs of triples: hundreds of MB a second
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?c ?f"
LIMIT = 200 << 20


def test_a_worker_the_server_does_not_watch_stops_itself_at_the_memory_limit(tmp_path):
    location = str(tmp_path / "store")
    store = ox.Store(location)
    store.extend([ox.Quad(ox.NamedNode(f"https://example.org/s{n}"), ox.NamedNode("https://example.org/p"),
                          ox.Literal(f"value {n}"), ox.NamedNode(GRAPH)) for n in range(300)])
    store.flush()
    del store
    gc.collect()  # the workers open the folder read-only, as kb serve's do
    pool = Pool(location, [GRAPH], 1, seconds=60, max_rows=10, max_memory=LIMIT)
    worker = pool._start_one()
    try:
        # max_memory=None: the server's own watch is off, as when it cannot get to run
        stopped = worker.ask(Request(HUNGRY, accept="application/sparql-results+json"), 60, None)
        assert stopped == "memory"
        assert worker.process.exitcode == MEMORY_EXIT
    finally:
        worker.stop()
