"""A short load test of `kb serve` on loopback: many well-behaved clients while four hostile ones keep trying.

    python benchmarks/load.py --queue-wait 30                  # 200 clients x 10 requests over data/examples
    python benchmarks/load.py                                  # kb serve's defaults: --queue-wait 10 is too short
    python benchmarks/load.py --clients 20 --requests 3 --seconds 60
    python benchmarks/load.py --events 1000 --queue-wait 30    # over generated records (benchmarks/generate.py)

A real `kb serve` process on 127.0.0.1 (a free port, its own process group, stopped in a `finally` whatever
happens) with the --workers, --timeout, --max-memory, --max-bytes and --queue-wait given here. Parameter values
for the library queries are picked from the served data over SPARQL (a record with a violation, its event kind,
the first participant role, the first and last day named in the record IRIs) and written into the text as
`kb query --endpoint` does (`kb.remote.pushdown.prebind`).

- Well-behaved clients (threads, urllib, no think time): --requests each, going round a mix of the library queries
  (queries/*.rq but the two slow ones, see --skip; by GET, POST form and POST `application/sparql-query` in turn,
  JSON results) and the pages (the query UI, the catalogue, an article, a provision page, the record's page, a
  dereferenced IRI, a Turtle document, /queries.json, the service description, the JSON-LD context). Any non-2xx,
  connection error or timeout is an error; so is a request still unanswered at the --seconds cap.
- Four hostile clients, each sending its query again (after --hostile-pause) until the well-behaved ones are done:
  the memory bomb (a sorted cross product of triples: --max-memory or --timeout must stop it), huge strings (1 MB
  built by nested CONCAT per row of a cross product: --max-bytes must cut it), SERVICE aimed at a local socket that
  counts connections (must be refused before anything is sent), and updates (INSERT DATA as a query, `update=`, a
  LOAD from that socket: must be refused).
- Memory: every worker process's VmRSS and VmHWM (the kernel's own peak) read from /proc every 0.1 s, per pid,
  since workers are killed and replaced; the server process's VmHWM; and, from wait4 when the server ends, the
  largest peak of the server and of every worker it reaped (exact, where sampling may miss a worker's last 0.1 s).

Prints a summary, then one JSON object as the last line. Exit 1 if a well-behaved request failed, a hostile query
was answered, the socket saw a connection, an update changed the data, or a worker outlived the server.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOME = HERE.parent
if str(HOME) not in sys.path:
    sys.path.insert(0, str(HOME))

from tests.kb_server import answers  # noqa: E402  (the tests' own probe of a starting server)
from tests.listener import Listener  # noqa: E402  (the socket the tests count connections with)
from tests.oxigraph_server import free_port  # noqa: E402

ID = "https://w3id.org/daxing-zuofeng/id/"
DXO = "https://w3id.org/daxing-zuofeng/ontology/"
# Every triple with every pair of triples, sorted: the worker grows by hundreds of MB a second
MEMORY_BOMB = "SELECT * WHERE {?a ?b ?c. ?d ?e ?f. ?g ?h ?i} ORDER BY ?i ?c ?f"
# Library queries that take seconds even alone (5-10 s on data/examples, see benchmarks/README.md, Publishing)
SLOW_QUERIES = ("rules-for-event-kind", "rules-without-data")
MARKER = "urn:kb-load-test:inserted"  # what the hostile updates try to add; must never be found
START_SECONDS = 3600.0  # validation of 10k generated events alone takes minutes
STOP_SECONDS = 15.0
SAMPLE_SECONDS = 0.1
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy
JSON_RESULTS = "application/sparql-results+json"


def huge_strings(levels: int = 6) -> str:
    """Each row of a cross product of triples binds ?x to a string of 10**levels characters, built by nested CONCAT
    in the engine: about 1 MB a row by default, billions of rows."""
    steps = [f"BIND(CONCAT({', '.join([f'?s{n}'] * 10)}) AS ?s{n + 1})" for n in range(1, levels)]
    return (f'SELECT ?x WHERE {{ ?a ?b ?c . ?d ?e ?f . BIND(CONCAT(STR(?c), "0123456789") AS ?s1) {" ".join(steps)} '
            f"BIND(?s{levels} AS ?x) }}")


@dataclass
class Call:
    """One HTTP request a client sends: what it is called in the report, and how to send it."""

    name: str
    path: str
    data: bytes | None = None
    headers: dict = field(default_factory=dict)


# --- the server -------------------------------------------------------------------------------------------------


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path
    startup_s: float
    workers: set = field(default_factory=set)  # every query worker seen (the sampler adds them)
    outlived: list = field(default_factory=list)  # workers still running once the server had stopped
    peak_kb: int = 0  # the largest peak RSS of the server and the workers it reaped (wait4)


@contextmanager
def serving(scratch: Path, records: str, options: list[str]):
    """A real `kb serve` in its own process group; stopped with SIGINT, then the whole group is killed, always."""
    log = scratch / "kb-serve.log"
    environment = {**os.environ, "TMPDIR": str(scratch), "PYTHONUNBUFFERED": "1"}
    for _attempt in range(3):
        port = free_port()
        started = time.monotonic()
        with open(log, "w") as output:
            process = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", records, *options, "--port",
                                        str(port)], cwd=str(HOME), stdout=output, stderr=subprocess.STDOUT,
                                       env=environment, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        served = None
        try:
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and process.poll() is None and not answers(url, timeout=2):
                time.sleep(0.3)
            if process.poll() is None and answers(url, timeout=2):
                served = Served(url, process, log, time.monotonic() - started)
                yield served
                return
        finally:
            outlived, peak_kb = stop(process, served.workers if served else set())
            if served:
                served.outlived, served.peak_kb = outlived, peak_kb
        if "address already in use" not in log.read_text().lower():
            raise SystemExit(f"kb serve did not start:\n{log.read_text()}")
    raise SystemExit(f"kb serve found no free port in 3 attempts:\n{log.read_text()}")


def stop(process: subprocess.Popen, workers: set[int]) -> tuple[list[int], int]:
    """SIGINT, as Ctrl-C would; then SIGKILL to the process group, for the server and anything it left.

    Returns the workers among `workers` still running a moment after the server ended on SIGINT (they should end
    with it), and the largest peak resident memory in KB of the server and of every worker it reaped, killed ones
    included (the kernel's count, from wait4: exact where sampling /proc may miss a worker's last moments)."""
    if process.returncode is not None:
        return [], 0
    deadline = time.monotonic() + STOP_SECONDS
    process.send_signal(signal.SIGINT)
    reaped = (0, 0, None)
    while time.monotonic() < deadline and not reaped[0]:
        reaped = os.wait4(process.pid, os.WNOHANG)
        time.sleep(0.1)
    if reaped[0]:
        time.sleep(1.0)  # the workers' own ends
    outlived = sorted(pid for pid in workers if _running(pid))
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if not reaped[0]:
        reaped = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(reaped[1])
    return outlived, reaped[2].ru_maxrss


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> set[int]:
    """The processes `pid` started, from any of its threads (/proc/PID/task/*/children)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _status_kb(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


class Sampler(threading.Thread):
    """Reads the resident memory of the server and of each query worker every SAMPLE_SECONDS while the load runs."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.workers: dict[int, dict] = {}
        self.others: set[int] = set()  # multiprocessing's resource tracker: no worker
        self.server_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_SECONDS)
        self.sample()

    def sample(self) -> None:
        now = time.monotonic()
        self.server_kb = max(self.server_kb, _status_kb(self.server_pid).get("VmHWM", 0))
        for pid in children(self.server_pid) - self.others:
            if pid not in self.workers:
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"resource_tracker" in command:
                    self.others.add(pid)
                    continue
                self.workers[pid] = {"first": now, "last": now, "peak_kb": 0}
            status = _status_kb(pid)
            if status:
                seen = self.workers[pid]
                seen["last"] = now
                seen["peak_kb"] = max(seen["peak_kb"], status.get("VmRSS", 0), status.get("VmHWM", 0))


# --- what the clients send --------------------------------------------------------------------------------------


def post_query(path: str, text: str, accept: str = JSON_RESULTS) -> Call:
    return Call("", path, urllib.parse.urlencode({"query": text}).encode(),
                {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})


def send(url: str, call: Call, timeout: float) -> tuple[int | None, bytes, str]:
    """(status, body, error) of one request, redirects followed; status None when no answer came."""
    request = urllib.request.Request(url + call.path, data=call.data, headers=call.headers)
    try:
        with DIRECT.open(request, timeout=timeout) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), ""
    except (urllib.error.URLError, OSError, ValueError) as exc:  # refused, reset, timed out, incomplete
        reason = getattr(exc, "reason", exc)
        return None, b"", f"{type(reason).__name__}: {reason}"


def select(url: str, text: str) -> list[dict]:
    status, body, error = send(url, post_query("/sparql", text), 120)
    if status != 200:
        raise SystemExit(f"picking values failed: {status} {error} {body[:300]!r}")
    return [{name: cell["value"] for name, cell in row.items()} for row in json.loads(body)["results"]["bindings"]]


def pick_values(url: str) -> dict[str, str]:
    """Values for the library's required parameters, read from the served data: a record with a violation (any
    record if none has one), its event kind, the first participant role, the first and last day in record IRIs."""
    found = select(url, f"""PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX dxo: <{DXO}>
        SELECT ?record ?kind WHERE {{ ?result sh:focusNode ?record ; sh:resultSeverity sh:Violation .
          ?record dxo:eventKind ?kind . FILTER (STRSTARTS(STR(?record), "{ID}")) }} ORDER BY ?record ?kind LIMIT 1""")
    if not found:
        found = select(url, f"PREFIX dxo: <{DXO}> SELECT ?record ?kind WHERE {{ ?record dxo:eventKind ?kind }} "
                            "ORDER BY ?record ?kind LIMIT 1")
    roles = select(url, f"PREFIX dxo: <{DXO}> SELECT DISTINCT ?role WHERE {{ ?x dxo:participantRole ?role }} "
                        "ORDER BY ?role LIMIT 1")
    days = sorted({m.group(1) for row in select(url, f"PREFIX dxo: <{DXO}> SELECT ?s WHERE {{ ?s dxo:eventKind ?k }}")
                   for m in [re.search(r"/(\d{4}-\d{2}-\d{2})-", row["s"])] if m})
    if not (found and roles and days):
        raise SystemExit("the served data has no event record with a kind, a participant role and a dated IRI")
    return {"record": found[0]["record"], "kind": found[0]["kind"], "role": roles[0]["role"], "article": "8",
            "text": "会议", "onDate": days[0], "from": days[0], "to": days[-1], "start": days[0], "end": days[-1]}


def library_texts(values: dict[str, str], skip: set[str]) -> dict[str, str]:
    """Each library query but those in `skip`, its required parameters written in as `kb query --endpoint` does."""
    from kb.asking import query
    from kb.remote.pushdown import prebind

    texts = {}
    for name, asked in query.library().items():
        if name in skip:
            continue
        given = {p.name: values[p.name] for p in asked.params if p.required}
        bound = {str(variable): term for variable, term in query.bindings(asked, given).items()}
        texts[name] = prebind(asked.text, bound)
    return texts


def query_call(name: str, text: str, how: int) -> Call:
    """The query by GET, POST form or POST application/sparql-query, by `how` modulo 3."""
    if how % 3 == 0:
        return Call(f"query:{name}", "/sparql?" + urllib.parse.urlencode({"query": text}), None,
                    {"Accept": JSON_RESULTS})
    if how % 3 == 1:
        call = post_query("/sparql", text)
        call.name = f"query:{name}"
        return call
    return Call(f"query:{name}", "/sparql", text.encode(), {"Accept": JSON_RESULTS,
                                                            "Content-Type": "application/sparql-query"})


def page_calls(values: dict[str, str]) -> list[Call]:
    record = values["record"].removeprefix("https://w3id.org/daxing-zuofeng/")
    html = {"Accept": "text/html"}
    return [Call("page:query-ui", "/", None, html), Call("page:catalogue", "/catalogue", None, html),
            Call("page:article-8", "/catalogue/article/8", None, html),
            Call("page:provision", "/page/provision/A08-3", None, html),
            Call("page:record", f"/page/{record}", None, html),
            Call("page:dereference", f"/{record}", None, html),  # 303 to its page, followed
            Call("data:provision-turtle", "/data/provision/A08-3.ttl", None, {"Accept": "text/turtle"}),
            Call("data:queries-json", "/queries.json"),
            Call("data:service-description", "/sparql", None, {"Accept": "text/turtle"}),
            Call("data:context", "/context.jsonld")]


def hostile_calls(listener_port: int) -> dict[str, list[Call]]:
    """Each hostile client's requests, sent in turn."""
    target = f"http://127.0.0.1:{listener_port}/"
    insert = f"INSERT DATA {{ <{MARKER}> <{MARKER}> <{MARKER}> }}"
    return {
        "memory-bomb": [post_query("/sparql", MEMORY_BOMB)],
        "huge-strings": [post_query("/sparql", huge_strings())],
        "service": [post_query("/sparql", f"SELECT * WHERE {{ SERVICE <{target}sparql> {{ ?s ?p ?o }} }}"),
                    post_query("/sparql", f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}")],
        "update": [post_query("/sparql", insert),
                   Call("", "/sparql", urllib.parse.urlencode({"update": insert}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"}),
                   Call("", "/sparql", f"LOAD <{target}data.ttl>".encode(),
                        {"Content-Type": "application/sparql-update"}),
                   post_query("/sparql", f"LOAD <{target}data.ttl> INTO GRAPH <{MARKER}>")],
    }


def reason(status: int | None, body: bytes, error: str) -> str:
    """A refusal's kind, from its status and first line."""
    if status is None:
        return f"no answer ({error})"
    line = body.decode("utf-8", "replace").strip().splitlines()[0] if body.strip() else ""
    for key, short in (("memory limit", "memory limit"), ("time limit", "time limit"), ("size limit", "size limit"),
                       ("every query worker is busy", "every worker busy"), ("read-only", "read-only"),
                       ("SERVICE", "SERVICE refused"), ("ended unexpectedly", "worker ended")):
        if key in line:
            return f"{status} {short}"
    return f"{status} {line[:80]}" if status >= 300 else str(status)


# --- the run ----------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw, written to by many threads; `snapshot` counts each request once, answered or not."""

    latencies: list = field(default_factory=list)  # (name, seconds) of every 2xx
    errors: list = field(default_factory=list)  # (name, reason)
    in_flight: dict = field(default_factory=dict)  # client -> name of its request not answered yet
    hostile: dict = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    hostile_max_s: dict = field(default_factory=lambda: collections.defaultdict(float))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sending(self, client: int, name: str) -> None:
        with self.lock:
            self.in_flight[client] = name

    def answered(self, client: int, name: str, seconds: float | None, why: str = "") -> None:
        with self.lock:
            del self.in_flight[client]
            if seconds is None:
                self.errors.append((name, why))
            else:
                self.latencies.append((name, seconds))

    def snapshot(self) -> tuple[list, list, list]:
        """(latencies, errors, names unanswered) at this moment."""
        with self.lock:
            return list(self.latencies), list(self.errors), list(self.in_flight.values())


def well_behaved(url: str, client: int, calls: list, count: int, timeout: float, deadline: float,
                 tally: Tally) -> None:
    for step in range(count):
        if time.monotonic() > deadline:
            return
        make = calls[(client * 7 + step) % len(calls)]
        call = make(client + step)
        started = time.monotonic()
        tally.sending(client, call.name)
        status, body, error = send(url, call, timeout)
        if status is not None and 200 <= status < 300:
            tally.answered(client, call.name, time.monotonic() - started)
        else:
            tally.answered(client, call.name, None, reason(status, body, error))


def hostile(url: str, kind: str, calls: list[Call], timeout: float, pause: float, stop_event: threading.Event,
            tally: Tally) -> None:
    turn = 0
    while not stop_event.is_set():
        started = time.monotonic()
        status, body, error = send(url, calls[turn % len(calls)], timeout)
        tally.hostile_max_s[kind] = max(tally.hostile_max_s[kind], time.monotonic() - started)
        tally.hostile[kind][reason(status, body, error)] += 1
        turn += 1
        stop_event.wait(pause)


def percentile(values: list[float], share: float) -> float | None:
    """The value below which `share` of them lie (nearest rank); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def run_load(server: Served, args, listener: Listener) -> dict:
    values = pick_values(server.url)
    texts = library_texts(values, args.skipped)
    calls = [lambda how, name=name, text=text: query_call(name, text, how) for name, text in texts.items()]
    calls += [lambda how, call=call: call for call in page_calls(values)]
    client_timeout = args.timeout + args.queue_wait + 30  # the longest a well-behaved request may rightly take
    tally = Tally()
    stop_event = threading.Event()
    sampler = Sampler(server.process.pid)
    sampler.start()
    hostiles = [threading.Thread(target=hostile, daemon=True,
                                 args=(server.url, kind, hostile_calls(listener.port)[kind], client_timeout,
                                       args.hostile_pause, stop_event, tally))
                for kind in ("memory-bomb", "huge-strings", "service", "update")][: 4 if args.hostile else 0]
    for thread in hostiles:
        thread.start()
    started = time.monotonic()
    deadline = started + args.seconds
    clients = [threading.Thread(target=well_behaved, daemon=True,
                                args=(server.url, i, calls, args.requests, client_timeout, deadline, tally))
               for i in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - started
    stop_event.set()
    latencies, errors, unfinished = tally.snapshot()  # a request still unanswered at the cap is an error
    for thread in hostiles:
        thread.join(max(0.0, deadline + client_timeout - time.monotonic()))
    status, body, _ = send(server.url, post_query("/sparql", f"ASK {{ <{MARKER}> ?p ?o }}"), 60)
    changed = not (status == 200 and json.loads(body)["boolean"] is False)
    sampler.done.set()
    sampler.join()
    return {"values": values, "tally": tally, "latencies": latencies, "errors": errors, "unfinished": unfinished,
            "elapsed": elapsed, "changed": changed, "sampler": sampler, "timeout": client_timeout}


def summarise(args, server: Served, outcome: dict, listener: Listener, leaked: list[int], loads: dict) -> dict:
    tally, sampler, latencies = outcome["tally"], outcome["sampler"], outcome["latencies"]
    seconds = [s for _, s in latencies]
    errors = collections.Counter(f"{name}: {why}" for name, why in outcome["errors"])
    for name in outcome["unfinished"]:
        errors[f"{name}: unanswered at the {args.seconds:g} s cap"] += 1
    by_kind = collections.defaultdict(list)
    for name, s in latencies:
        by_kind[name.split(":")[0]].append(s)
    slowest = sorted(latencies, key=lambda item: -item[1])[:5]
    workers = {pid: round(seen["peak_kb"] / 1024, 1) for pid, seen in sorted(sampler.workers.items(),
                                                                               key=lambda item: item[1]["first"])}
    hostile = {kind: dict(counts) for kind, counts in tally.hostile.items()}
    answered = {kind: n for kind, counts in tally.hostile.items()
                for status, n in counts.items() if status[:1] == "2"}
    sent = len(latencies) + sum(errors.values())
    return {
        "clients": args.clients, "requests_each": args.requests, "records": args.records_shown,
        "skipped": sorted(args.skipped),
        "settings": {"workers": args.workers, "timeout": args.timeout, "max_memory": args.max_memory,
                     "max_bytes": args.max_bytes, "queue_wait": args.queue_wait, "max_rows": args.max_rows},
        "startup_s": round(server.startup_s, 1), "load_s": round(outcome["elapsed"], 1),
        "well_behaved": {"sent": sent, "ok": len(latencies), "errors": sum(errors.values()),
                         "p50_ms": _ms(percentile(seconds, 0.5)), "p99_ms": _ms(percentile(seconds, 0.99)),
                         "max_ms": _ms(max(seconds) if seconds else None),
                         "rate_per_s": round(len(seconds) / outcome["elapsed"], 1) if outcome["elapsed"] else None,
                         "by_kind": {kind: {"n": len(s), "p50_ms": _ms(percentile(s, 0.5)),
                                            "p99_ms": _ms(percentile(s, 0.99))} for kind, s in sorted(by_kind.items())},
                         "slowest": [[name, _ms(s)] for name, s in slowest], "error_reasons": dict(errors)},
        "hostile": hostile, "hostile_max_s": {k: round(v, 1) for k, v in tally.hostile_max_s.items()},
        "hostile_answered": answered, "listener_connections": listener.connections,
        "update_changed_data": outcome["changed"],
        "worker_peak_rss_mb": workers, "worker_peak_rss_mb_max": max(workers.values(), default=None),
        "workers_started": len(workers), "server_peak_rss_mb": round(sampler.server_kb / 1024, 1),
        "largest_process_peak_rss_mb": round(server.peak_kb / 1024, 1),
        "workers_left_after_stop": leaked, "values": outcome["values"], "load_average": loads,
        "cores": os.cpu_count(),
    }


def report(summary: dict) -> None:
    good, settings = summary["well_behaved"], summary["settings"]
    print(f"\nkb serve over {summary['records']}: --workers {settings['workers']} --timeout {settings['timeout']:g} "
          f"--max-memory {settings['max_memory']} --max-bytes {settings['max_bytes']} --queue-wait "
          f"{settings['queue_wait']:g} --max-rows {settings['max_rows']}; start-up {summary['startup_s']} s")
    if summary["skipped"]:
        print(f"library queries left out of the mix: {', '.join(summary['skipped'])}")
    print(f"well-behaved: {summary['clients']} clients x {summary['requests_each']} requests, {good['sent']} sent in "
          f"{summary['load_s']} s ({good['rate_per_s']}/s): {good['ok']} answered, {good['errors']} errors; "
          f"p50 {good['p50_ms']} ms, p99 {good['p99_ms']} ms, max {good['max_ms']} ms")
    for kind, figures in good["by_kind"].items():
        print(f"  {kind:<6} {figures['n']:>6} requests  p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms")
    print("  slowest: " + ", ".join(f"{name} {ms} ms" for name, ms in good["slowest"]))
    for why, n in sorted(good["error_reasons"].items()):
        print(f"  ERROR x{n}: {why}")
    for kind, counts in summary["hostile"].items():
        shown = ", ".join(f"{status} x{n}" for status, n in sorted(counts.items()))
        print(f"hostile {kind:<13} {shown} (longest {summary['hostile_max_s'][kind]} s)")
    print(f"connections to the listening socket: {summary['listener_connections']}; data changed by the updates: "
          f"{summary['update_changed_data']}")
    shown = ", ".join(f"{pid}: {mb}" for pid, mb in summary["worker_peak_rss_mb"].items())
    print(f"workers started: {summary['workers_started']} ({settings['workers']} at start, the rest replacements); "
          f"peak RSS per worker, sampled every {SAMPLE_SECONDS:g} s (MB): {shown}")
    print(f"largest worker sampled {summary['worker_peak_rss_mb_max']} MB; server process "
          f"{summary['server_peak_rss_mb']} MB; largest peak of any of its processes (kernel, wait4) "
          f"{summary['largest_process_peak_rss_mb']} MB; workers left after the server stopped: "
          f"{len(summary['workers_left_after_stop'])}")
    print(f"load average (1 min) before {summary['load_average']['before']}, after {summary['load_average']['after']}, "
          f"{summary['cores']} cores")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="example: python benchmarks/load.py --queue-wait 30 "
                                            "(figures: benchmarks/README.md, Load)")
    parser.add_argument("--clients", type=int, default=200, help="well-behaved clients at once (default 200)")
    parser.add_argument("--requests", type=int, default=10, help="requests each well-behaved client sends (default 10)")
    parser.add_argument("--seconds", type=float, default=240.0,
                        help="hard cap on the load phase; what is unanswered then is an error (default 240)")
    parser.add_argument("--records", default="data/examples", help="records to serve (default data/examples)")
    parser.add_argument("--events", type=int, help="serve N generated events instead (benchmarks/generate.py)")
    parser.add_argument("--cache", type=Path, help="folder for generated data (default: as benchmarks/run.py)")
    parser.add_argument("--workers", type=int, default=4, help="kb serve --workers (default 4, kb's default)")
    parser.add_argument("--timeout", type=float, default=30.0, help="kb serve --timeout (default 30, kb's default)")
    parser.add_argument("--max-memory", default="1GB", help="kb serve --max-memory (default 1GB, kb's default)")
    parser.add_argument("--max-bytes", default="50MB", help="kb serve --max-bytes (default 50MB, kb's default)")
    parser.add_argument("--queue-wait", type=float, default=10.0,
                        help="kb serve --queue-wait (default 10, kb's default)")
    parser.add_argument("--max-rows", type=int, default=10_000, help="kb serve --max-rows (default 10000)")
    parser.add_argument("--skip", default=",".join(SLOW_QUERIES), metavar="QUERY,...",
                        help="library queries left out of the mix (default: the two that take seconds even alone, "
                             f"{', '.join(SLOW_QUERIES)}; --skip '' sends every one)")
    parser.add_argument("--hostile-pause", type=float, default=0.2,
                        help="seconds each hostile client waits between its requests (default 0.2)")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false", help="well-behaved clients only")
    args = parser.parse_args(argv)

    args.skipped = {name for name in args.skip.split(",") if name}
    records = args.records
    if args.events:
        from benchmarks.run import _data

        records = str(_data(args.events, 0.1, 7, args.cache) / "records")
    args.records_shown = f"{args.events:,} generated events" if args.events else records
    options = ["--workers", str(args.workers), "--timeout", f"{args.timeout:g}", "--max-memory", args.max_memory,
               "--max-bytes", args.max_bytes, "--queue-wait", f"{args.queue_wait:g}", "--max-rows", str(args.max_rows)]
    loads = {"before": round(os.getloadavg()[0], 2)}
    listener = Listener()
    try:
        with tempfile.TemporaryDirectory(prefix="kb-load-") as folder:
            scratch = Path(folder)
            with serving(scratch, records, options) as server:
                print(f"kb serve answered after {server.startup_s:.1f} s at {server.url}; "
                      f"{args.clients} clients start", flush=True)
                outcome = run_load(server, args, listener)
                server.workers = set(outcome["sampler"].workers)
            leaked = server.outlived
    finally:
        listener.close()
    loads["after"] = round(os.getloadavg()[0], 2)
    summary = summarise(args, server, outcome, listener, leaked, loads)
    report(summary)
    print(json.dumps(summary, ensure_ascii=False))
    failed = (summary["well_behaved"]["errors"] or summary["listener_connections"] or summary["hostile_answered"]
              or summary["update_changed_data"] or leaked)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
