"""How fast publishing is: `kb serve` start-up, the library queries over HTTP against plain rdflib, interference,
throughput, and `kb export`, on N generated events.

    python benchmarks/serve.py --events 1000 [--workers 4] [--repeat 3] [--seconds 5] [--cache DIR]
    python benchmarks/serve.py --events 10000 --timeout 10 --skip rules-without-data   # one server, ~20 min

1. Local reference, in a child process of its own: `kb.checking.pipeline.validate_paths([records])` and the knowledge
   graph `kb query` builds from it (`kb.asking.query.knowledge_graph`), then every library query run by
   `kb.asking.query.run` (rdflib, parameters through initBindings). Required parameters are picked from the data (a
   planted violating record, its event kind, the first participant role, the first and last day in the record IRIs);
   optional ones stay unbound. The same child then builds the published dataset (`kb.publishing.dataset.build`) and
   writes it with `kb.publishing.export.export`.
2. Endpoint: a real `kb serve RECORDS --port P --workers W` process; its start-up is the time until `ASK {}`
   answers (it validates and loads the same records itself). Every library query is POSTed as a form, the same
   parameters written into the text as `kb query --endpoint` writes them (`kb.remote.pushdown.prebind`), JSON results;
   the time is the request until the whole body is read. Row counts are compared with rdflib's.
3. Interference, on a second server with `--timeout 10` (the same one if --timeout is 10 too): the latency of a
   simple library query with no load and while another client runs a query that never ends (a cross product of
   all triples). Throughput, on the first server: K clients (threads here, on the same cores as the server)
   sending the simple query for --seconds each.

Every figure is a median of --repeat runs (a run over --slow seconds is not repeated). The last line printed is one
JSON object; the load average is taken before and after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOME = HERE.parent
if str(HOME) not in sys.path:
    sys.path.insert(0, str(HOME))

from benchmarks.run import DEFAULT_CACHE, _data  # noqa: E402  (same generated data and cache as run.py)
from tests.kb_server import Server, running_kb_serve  # noqa: E402  (the server started as the tests start it)

ID = "https://w3id.org/daxing-zuofeng/id/"
# A query that never ends on any dataset of more than a few triples: every triple with every pair of triples.
NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Where the two engines may give a different number of rows by design (see queries/*.rq): SPARQL leaves STR() of a
# blank node undefined; rdflib gives its label, Oxigraph another string, so a join on it finds nothing there.
KNOWN_DIFFERENCES = {
    "record-findings": "compares STR() of blank nodes",
    "reception-standard-breaches": "compares STR() of blank nodes",
}
START_SECONDS = 3600.0  # validation of 10k events alone takes minutes
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


# --- The local reference: validate, build the knowledge graph, run the library with rdflib, export ---------------


def _pick_values(graph, records_folder: Path) -> dict[str, str]:
    """Values for the library's parameters, taken from the data: a planted violating record (it has findings), its
    event kind, the first participant role, and the first and last day named in the record IRIs."""
    from kb.namespaces import DXO

    expected = json.loads((records_folder.parent / "expected.json").read_text(encoding="utf-8"))
    record = ID + sorted(expected)[0]
    kinds = sorted(str(k) for k in graph.objects(_iri(record), DXO.eventKind))
    if not kinds:
        kinds = sorted({str(k) for k in graph.objects(None, DXO.eventKind)})
    roles = sorted({str(r) for r in graph.objects(None, DXO.participantRole)})
    days = sorted({m.group(1) for s in graph.subjects() if str(s).startswith(ID)
                   for m in [re.search(r"/(\d{4}-\d{2}-\d{2})-", str(s))] if m})
    return {"record": record, "kind": kinds[0], "role": roles[0], "article": "8", "text": "会议",
            "onDate": days[0], "from": days[0], "to": days[-1], "start": days[0], "end": days[-1]}


def _iri(text: str):
    from rdflib import URIRef

    return URIRef(text)


def _timed_runs(run, repeat: int, slow: float) -> tuple[float, object]:
    """Median seconds of `repeat` calls of `run` (one call if the first is slower than `slow`) and its last value."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - started)
        if times[0] > slow:
            break
    return statistics.median(times), value


def local(records: Path, export_dir: Path, repeat: int, slow: float, skip: list[str]) -> dict:
    """The child's work: what `kb query` and `kb export` cost on these records, and the queries for the endpoint."""
    import gc

    import kb.publishing.export as exporting
    from kb.asking import query
    from kb.asking.rules import parts
    from kb.checking.pipeline import validate_paths
    from kb.checking.results import results_graph
    from kb.publishing.dataset import build
    from kb.remote.pushdown import prebind

    started = time.perf_counter()
    outcome = validate_paths([str(records)])
    validate_s = time.perf_counter() - started
    started = time.perf_counter()
    data, inferred, results = outcome.batch.union(), outcome.inferred, results_graph(outcome)
    data += parts(data)
    graph = query.knowledge_graph(data, inferred, results, outcome.choices)
    graph_s = time.perf_counter() - started
    picked = _pick_values(graph, records)

    queries = []
    for name, asked in query.library().items():
        if name in skip:
            continue
        values = {p.name: picked[p.name] for p in asked.params if p.required}
        bound = {str(variable): term for variable, term in query.bindings(asked, values).items()}

        def rows(graph=graph, asked=asked, values=values) -> int:
            result = query.run(graph, asked, values)
            return 1 if result.type == "ASK" else len(list(result))

        try:
            seconds, count = _timed_runs(rows, repeat, slow)
            error = None
        except Exception as exc:  # a failing query is a finding, not the end of the benchmark
            seconds, count, error = None, None, f"{type(exc).__name__}: {exc}"
        queries.append({"name": name, "values": values, "text": prebind(asked.text, bound),
                        "rdflib_s": seconds, "rdflib_rows": count, "rdflib_error": error})

    triples = len(graph)
    del graph, data, inferred, results
    gc.collect()
    started = time.perf_counter()
    published = build(outcome)
    build_s = time.perf_counter() - started
    canonicalise = {}
    prepare = exporting.prepare

    def timed_prepare(store):  # the RDFC-1.0 canonicalisation every dump is made from
        began = time.perf_counter()
        try:
            return prepare(store)
        finally:
            canonicalise["s"] = time.perf_counter() - began

    exporting.prepare = timed_prepare
    started = time.perf_counter()
    written = exporting.export(published, export_dir)
    export_s = time.perf_counter() - started
    return {"validate_s": validate_s, "graph_s": graph_s, "triples": triples, "values": picked, "queries": queries,
            "build_s": build_s, "export_s": export_s, "canonicalise_s": canonicalise.get("s"),
            "quads": sum(published.sizes.values()), "files": {p.name: p.stat().st_size for p in written}}


def _spawn_local(records: Path, scratch: Path, repeat: int, slow: float, skip: list[str]) -> dict:
    """Run `local` in a child process; its answer and the child's own peak RSS."""
    result = scratch / "local.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--records", str(records),
               "--result", str(result), "--export-dir", str(scratch / "export"), "--repeat", str(repeat),
               "--slow", str(slow)] + [f"--skip={name}" for name in skip]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=str(HOME))
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the local reference failed (exit {os.waitstatus_to_exitcode(status)})")
    answer = json.loads(result.read_text(encoding="utf-8"))
    answer.update(process_s=time.perf_counter() - started, rss_mb=usage.ru_maxrss / 1024)
    return answer


# --- The endpoint: a real `kb serve` process -------------------------------------------------------------------


def served_triples(server: Server) -> int | None:
    match = re.search(r"serving ([\d,]+) triples", server.log.read_text())
    return int(match.group(1).replace(",", "")) if match else None


def peak_rss_mb(server: Server) -> dict[str, float]:
    """Peak resident memory (VmHWM) of the server process and the sum over its query workers."""
    own = _vm_hwm(server.process.pid)
    workers = sum(_vm_hwm(pid) for pid in server.children())
    return {"server": round(own, 1), "workers": round(workers, 1)}


def serving(records: Path, scratch: Path, workers: int, timeout: float, max_rows: int):
    """A real `kb serve RECORDS` process, started and stopped as the tests do (tests/kb_server.py)."""
    return running_kb_serve(scratch, str(records), "--workers", str(workers), "--timeout", f"{timeout:g}",
                            "--max-rows", str(max_rows), start_seconds=START_SECONDS)


def _vm_hwm(pid: int) -> float:
    try:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0.0
    return int(match.group(1)) / 1024 if match else 0.0


def post(url: str, text: str, timeout: float = 3600.0, opener=DIRECT) -> tuple[int, bytes, bool]:
    """POST one query as a form (SPARQL 1.1 Protocol), JSON results: status, body, whether the rows were capped."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(), "X-KB-Rows-Capped" in response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), False


def _rows(body: bytes) -> int:
    answer = json.loads(body)
    return 1 if "boolean" in answer else len(answer["results"]["bindings"])


def endpoint_queries(server: Server, queries: list[dict], repeat: int, slow: float) -> None:
    """Each library query over HTTP: median time, rows, and the status and message of a failure (added in place)."""
    for asked in queries:
        answers = []

        def once(asked=asked, answers=answers):
            answers.append(post(server.sparql, asked["text"]))

        seconds, _ = _timed_runs(once, repeat, slow)
        status, body, capped = answers[-1]
        asked.update(http_s=seconds, http_status=status, http_capped=capped,
                     http_rows=_rows(body) if status == 200 else None,
                     http_error=None if status == 200 else body.decode("utf-8", "replace").strip()[:300])


def latencies(url: str, text: str, count: int, keep_going=lambda: True) -> list[float]:
    """Seconds per request of `count` requests in a row (fewer if keep_going() turns false); failures raise."""
    found = []
    while len(found) < count and keep_going():
        started = time.perf_counter()
        status, body, _ = post(url, text)
        if status != 200:
            raise RuntimeError(f"the simple query failed with {status}: {body[:200]!r}")
        found.append(time.perf_counter() - started)
    return found


def interference(server: Server, simple: str, count: int) -> dict:
    """The simple query's latency alone, then while another client's query runs until the time limit stops it."""
    alone = latencies(server.sparql, simple, count)
    hog: dict = {}

    def run_hog():
        started = time.perf_counter()
        status, body, _ = post(server.sparql, NEVER_ENDS, opener=urllib.request.build_opener(
            urllib.request.ProxyHandler({})))
        hog.update(status=status, seconds=time.perf_counter() - started,
                   message=body.decode("utf-8", "replace").strip()[:200])

    thread = threading.Thread(target=run_hog)
    thread.start()
    time.sleep(1.0)  # the hog has reached a worker and is using its core
    loaded = latencies(server.sparql, simple, count, keep_going=thread.is_alive)
    thread.join()
    after = latencies(server.sparql, simple, count)  # the killed worker replaced, the pool whole again
    return {"alone_ms": _ms(statistics.median(alone)), "loaded_ms": _ms(statistics.median(loaded)) if loaded else None,
            "loaded_max_ms": _ms(max(loaded)) if loaded else None, "loaded_n": len(loaded),
            "after_ms": _ms(statistics.median(after)), "hog_status": hog.get("status"),
            "hog_s": round(hog.get("seconds", 0.0), 1), "hog_message": hog.get("message")}


def throughput(server: Server, simple: str, clients: int, seconds: float) -> dict:
    """Queries per second with `clients` clients each sending the simple query in a loop for `seconds`."""
    done, failed, times = [0] * clients, [0] * clients, [[] for _ in range(clients)]
    deadline = time.perf_counter() + seconds

    def client(i: int):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, _, _ = post(server.sparql, simple, opener=opener)
            times[i].append(time.perf_counter() - started)
            if status == 200:
                done[i] += 1
            else:
                failed[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [t for per in times for t in per]
    return {"clients": clients, "qps": round(sum(done) / elapsed, 1), "failed": sum(failed),
            "median_ms": _ms(statistics.median(every)) if every else None}


# --- Report ---------------------------------------------------------------------------------------------------


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _verdict(asked: dict) -> str:
    if asked["http_status"] == 503 and "time limit" in (asked["http_error"] or ""):
        return "timeout"
    if asked["http_rows"] is None or asked["rdflib_rows"] is None:
        return "error"
    if asked["http_rows"] == asked["rdflib_rows"]:
        return "same"
    if asked["name"] in KNOWN_DIFFERENCES:
        return "known"
    return "MISMATCH"


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def report(events: int, workers: int, local_run: dict, startup: dict, queries: list[dict], loads: dict,
           busy: dict, rates: list[dict], skipped: list[str]) -> dict:
    """Print the tables; the summary for the JSON line."""
    print(f"\n{events:,} events; kb serve --workers {workers}: start-up {startup['s']:.1f} s till ASK answers, "
          f"{_fmt(startup['triples'])} triples served; server peak RSS {startup['rss_mb']['server']} MB + workers "
          f"{startup['rss_mb']['workers']} MB")
    print(f"local reference (child): validate {local_run['validate_s']:.1f} s, knowledge graph "
          f"{local_run['graph_s']:.1f} s ({local_run['triples']:,} triples), peak RSS {local_run['rss_mb']:,.0f} MB")
    print(f"parameters picked from the data: {json.dumps(local_run['values'], ensure_ascii=False)}\n")
    print(f"{'query':<34}{'HTTP ms':>11}{'rdflib ms':>12}{'rdflib/HTTP':>12}{'rows HTTP':>11}{'rows rdflib':>13}  rows")
    for asked in queries:
        ratio = asked["rdflib_s"] / asked["http_s"] if asked["rdflib_s"] and asked["http_rows"] is not None else None
        asked["ratio"] = None if ratio is None else round(ratio, 1)
        asked["rows"] = _verdict(asked)
        note = ""
        if asked["http_error"]:
            note = f"  HTTP {asked['http_status']}: {asked['http_error'].splitlines()[0]}"
        if asked["rdflib_error"]:
            note += f"  rdflib: {asked['rdflib_error'][:120]}"
        if asked["rows"] == "known":
            note += f"  ({KNOWN_DIFFERENCES[asked['name']]})"
        if asked["http_capped"]:
            note += "  (capped)"
        print(f"{asked['name']:<34}{_fmt(_ms(asked['http_s'])):>11}{_fmt(_ms(asked['rdflib_s'])):>12}"
              f"{_fmt(asked['ratio']):>12}{_fmt(asked['http_rows']):>11}{_fmt(asked['rdflib_rows']):>13}"
              f"  {asked['rows']}{note}")
    both = [q for q in queries if q["http_rows"] is not None and q["rdflib_s"] is not None]
    http_total = sum(q["http_s"] for q in both)
    rdflib_total = sum(q["rdflib_s"] for q in both)
    print(f"{'total (' + str(len(both)) + ' queries both ran)':<34}{_fmt(_ms(http_total)):>11}"
          f"{_fmt(_ms(rdflib_total)):>12}{_fmt(rdflib_total / http_total if http_total else None):>12}")
    if both:
        print(f"median of the per-query ratios rdflib/HTTP: {statistics.median(q['ratio'] for q in both)}")
    if skipped:
        print(f"left out (--skip): {', '.join(skipped)}")

    print(f"\nsimple query ({busy['simple']}), a server with --timeout {busy['timeout']:g}: alone "
          f"{busy['alone_ms']} ms; while a never-ending query runs {busy['loaded_ms']} ms (median of "
          f"{busy['loaded_n']}, max {busy['loaded_max_ms']}); after it was stopped {busy['after_ms']} ms. "
          f"The never-ending query: HTTP {busy['hog_status']} after {busy['hog_s']} s")
    print("throughput of the simple query: " + ", ".join(
        f"{r['clients']} client{'s' if r['clients'] > 1 else ''} {r['qps']}/s (median {r['median_ms']} ms"
        + (f", {r['failed']} failed" if r["failed"] else "") + ")" for r in rates))
    print(f"export: build the dataset {local_run['build_s']:.1f} s ({local_run['quads']:,} quads), write the dumps "
          f"{local_run['export_s']:.1f} s (of which canonicalisation {local_run['canonicalise_s']:.1f} s)")
    for name, size in local_run["files"].items():
        print(f"  {name:<40}{size / 1e6:>10.2f} MB")
    return {
        "events": events, "workers": workers, "startup_s": round(startup["s"], 1), "triples": startup["triples"],
        "server_rss_mb": startup["rss_mb"], "validate_s": round(local_run["validate_s"], 1),
        "graph_s": round(local_run["graph_s"], 1), "local_rss_mb": round(local_run["rss_mb"]),
        "queries": {q["name"]: [_ms(q["http_s"]), _ms(q["rdflib_s"]), q["ratio"], q["http_rows"], q["rdflib_rows"],
                                q["rows"]] for q in queries},
        "http_total_ms": _ms(http_total), "rdflib_total_ms": _ms(rdflib_total),
        "ratio_total": round(rdflib_total / http_total, 1) if http_total else None,
        "ratio_median": statistics.median(q["ratio"] for q in both) if both else None,
        "mismatches": [q["name"] for q in queries if q["rows"] == "MISMATCH"],
        "errors": [q["name"] for q in queries if q["rows"] == "error"],
        "timeouts": [q["name"] for q in queries if q["rows"] == "timeout"], "skipped": skipped,
        "interference": {k: v for k, v in busy.items() if k != "hog_message"},
        "throughput_qps": {r["clients"]: r["qps"] for r in rates},
        "export": {"build_s": round(local_run["build_s"], 1), "export_s": round(local_run["export_s"], 1),
                   "canonicalise_s": round(local_run["canonicalise_s"] or 0, 1), "files": local_run["files"]},
        "load_average": loads,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="example: python benchmarks/serve.py --events 1000")
    parser.add_argument("--events", type=int, default=1000, help="number of generated events (default 1000)")
    parser.add_argument("--violations", type=float, default=0.1, help="share of events made to violate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=4, help="kb serve --workers (default 4, kb's default)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="kb serve --timeout for the query timings (default 30, kb's default)")
    parser.add_argument("--busy-timeout", type=float, default=10.0,
                        help="kb serve --timeout of the server that the never-ending query runs on (default 10; "
                             "equal to --timeout, the same server is used)")
    parser.add_argument("--max-rows", type=int, default=1_000_000,
                        help="kb serve --max-rows, high so row counts can be compared (kb's default is 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query; the median is shown")
    parser.add_argument("--slow", type=float, default=10.0, help="a query slower than this (s) is run once")
    parser.add_argument("--simple", default="article-provisions", help="the library query used for latency and "
                                                                       "throughput (default article-provisions)")
    parser.add_argument("--latency-runs", type=int, default=20, help="requests per latency median (default 20)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput step (default 5)")
    parser.add_argument("--clients", default="1,2,4,8", help="throughput steps, comma-separated (default 1,2,4,8)")
    parser.add_argument("--skip", action="append", default=[], metavar="QUERY",
                        help="leave a library query out (on both sides); may be repeated")
    parser.add_argument("--cache", type=Path, help=f"folder for generated data (default {DEFAULT_CACHE})")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--export-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        answer = local(args.records, args.export_dir, args.repeat, args.slow, args.skip)
        args.result.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
        return 0

    records = _data(args.events, args.violations, args.seed, args.cache) / "records"
    events = json.loads((records.parent / "manifest.json").read_text(encoding="utf-8"))["events"]
    loads = {"before": round(os.getloadavg()[0], 2)}
    print(f"records in {records}; load average {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kb-bench-serve-") as folder:
        scratch = Path(folder)
        local_run = _spawn_local(records, scratch, args.repeat, args.slow, args.skip)
        loads["after_local"] = round(os.getloadavg()[0], 2)
        queries = local_run["queries"]
        simple = next(q["text"] for q in queries if q["name"] == args.simple)

        with serving(records, scratch, args.workers, args.timeout, args.max_rows) as server:
            startup = {"s": server.startup_s, "triples": served_triples(server)}
            endpoint_queries(server, queries, args.repeat, args.slow)
            rates = [throughput(server, simple, int(k), args.seconds) for k in args.clients.split(",")]
            startup["rss_mb"] = peak_rss_mb(server)
            if args.busy_timeout == args.timeout:  # one server does for both: one start-up fewer
                busy = {"simple": args.simple, "timeout": args.timeout, "startup_s": round(server.startup_s, 1),
                        **interference(server, simple, args.latency_runs)}
        loads["after_serve"] = round(os.getloadavg()[0], 2)

        if args.busy_timeout != args.timeout:
            with serving(records, scratch, args.workers, args.busy_timeout, args.max_rows) as server:
                busy = {"simple": args.simple, "timeout": args.busy_timeout, "startup_s": round(server.startup_s, 1),
                        **interference(server, simple, args.latency_runs)}
        loads["after"] = round(os.getloadavg()[0], 2)

    summary = report(events, args.workers, local_run, startup, queries, loads, busy, rates, args.skip)
    print(f"load average before {loads['before']}, after {loads['after']}")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
