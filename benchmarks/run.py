"""Validate N generated events by our batch path and by a pySHACL reference, and compare.

    python benchmarks/run.py --events 1000 [--reference sharded|whole] [--no-reference] [--jobs 2] [--cache DIR]

(a) ours: the batch job, `kb.checking.partitions.validate_in_partitions([records], size=--partition-size,
    jobs=--jobs)`: the records cut into partitions that keep every group of the shapes whole, validated in
    parallel processes. `--whole` runs `kb.checking.pipeline.validate_paths([records])` instead, one run over all.
(b) the sharded reference (default above 100 events): pySHACL over the same inferred view, in shards: the same
    partition plan as ours with --reference-shard records per shard, each shard inferred by our reasoner and
    validated by `pyshacl.validate` (`validate_partition(..., engine="pyshacl")`), --jobs processes. Since the
    plan keeps groups whole, its results must equal ours; the ratio compares the two SHACL engines with the
    rest (reading, inference, findings) the same.
(c) the whole-graph reference (default up to 100 events; 10 GB at 100): what a user of pySHACL would run:
    `pyshacl.validate(data, shacl_graph=<default-profile shapes>, ont_graph=<ontology + profile axioms>,
    inference="owlrl", advanced=True)`, where `data` is the records (read by the same loader), the derived facts of
    kb.reasoning.derive (durations, local dates ...: arithmetic pySHACL cannot do), the shapes' parameter values
    (the limits the shared SPARQL constraints read through $currentShape, which pySHACL looks up in the data
    graph), the whole working-day calendar and the ontology (`inplace`: into that graph, made for it). Its results
    then go through the step ours applies to either engine's (kb/checking/missing.py: a judgement that rested on
    a fact the record does not carry becomes one "not enough data" result).

Each path runs in a subprocess of its own (and its own process group, stopped whole after a timeout); its wall
time is measured inside it (reading the files to the list of results). Peak memory of a path in partitions: the
process's own `ru_maxrss`, the largest worker's (`RUSAGE_CHILDREN` once the pool has ended), and the bound
parent + jobs x largest worker (which counts pages a worker shares with its parent twice), and what all its
processes held at once, sampled every 0.2 s (`tree_rss_mb`; shared pages still count once per process). Results
are compared as sets of (record, focus, shape, severity): a blank-node focus (a speech, a meal, a routing step) is
compared by the record that owns it and the shape; the severity is pySHACL's, before a recorded exception lowers
it. Then `kb validate` and `kb rules` on one small record file, each in a fresh process, twice (the second, with
warm caches, is reported). The last line printed is one JSON object (events, reference_s, fast_s, ratio, peak_rss_mb,
equal, one_record_s ...); the differing tuples are written to differences.json in the work folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOME = HERE.parent
if str(HOME) not in sys.path:
    sys.path.insert(0, str(HOME))

DEFAULT_CACHE = Path(os.environ.get("KB_CACHE") or Path.home() / ".cache" / "daxing-zuofeng-kb") / "bench"


# --- The paths, each run in a process of its own ------------------------------------------------------------------


def _key(owner_of, focus, shape, severity) -> tuple[str, str, str, str]:
    from rdflib import BNode

    record = owner_of(focus)
    return (str(record), "_:blank" if isinstance(focus, BNode) else str(focus), str(shape).rsplit("/", 1)[-1],
            str(severity).rsplit("#", 1)[-1])


def _reference(records: Path) -> dict:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from kb import resources
    from kb.checking.missing import open_world
    from kb.checking.pipeline import shape_parameters
    from kb.reasoning import readings
    from kb.reasoning.calendar import calendar
    from kb.reasoning.derive import derived_facts
    from kb.records.load import read
    from kb.records.triples import owner

    phases, shapes_s = _instrument_pyshacl()
    started = time.perf_counter()
    choices = readings.resolve()
    batch = read([str(records)])
    data = batch.union()
    graph = Graph()
    graph += data
    graph += derived_facts(data)
    shapes = readings.shapes(choices)
    graph += shape_parameters(shapes)
    graph += calendar()
    graph += resources.ontology()
    ontology = Graph()
    ontology += resources.ontology()
    ontology += readings.axioms(choices)
    loaded = time.perf_counter()
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="owlrl",
                                     advanced=True, allow_warnings=False, abort_on_first=False, inplace=True)
    validated = time.perf_counter()
    results = open_world(results, graph, shapes)  # what ours does to either engine's results; graph is closed now
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found.add(_key(lambda node: owner(data, node), results.value(result, SH.focusNode),
                       results.value(result, SH.sourceShape), results.value(result, SH.resultSeverity)))
    phases["load (records, derived facts, calendar, ontology)"] = round(loaded - started, 2)
    phases["pySHACL (closure and validation)"] = round(validated - loaded, 2)
    return {"seconds": time.perf_counter() - started, "load_s": loaded - started, "validate_s": validated - loaded,
            "errors": len(batch.errors), "triples": len(data), "results": sorted(found),
            **_shape_summary(phases, shapes_s, shapes)}


def _timed(phases: dict, name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = round(phases.get(name, 0.0) + time.perf_counter() - started, 2)
    return wrapper


def _instrument_pyshacl() -> tuple[dict, dict]:
    """Time pySHACL's pre-inference and each shape by wrapping them (a few calls each: no overhead to speak of)."""
    from pyshacl.shape import Shape
    from pyshacl.validator import Validator

    phases: dict[str, float] = {}
    shapes: dict[str, float] = {}
    Validator._run_pre_inference = staticmethod(_timed(phases, "owlrl closure (pySHACL pre-inference)",
                                                       Validator._run_pre_inference))
    validate_shape = Shape.validate

    def shape_timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return validate_shape(self, *args, **kwargs)
        finally:
            name = str(self.node).rsplit("/", 1)[-1]
            shapes[name] = shapes.get(name, 0.0) + time.perf_counter() - started

    Shape.validate = shape_timed
    return phases, shapes


def _shape_summary(phases: dict, shapes_s: dict, shapes) -> dict:
    """The phases, the time of the SPARQL-based shapes, and the slowest shapes (nested shapes count in their parent)."""
    from rdflib.namespace import SH

    sparql = {str(s).rsplit("/", 1)[-1] for s in shapes.subjects(SH.sparql, None)}
    top = sorted(shapes_s.items(), key=lambda item: -item[1])
    return {"phases": phases, "sparql_shapes_s": round(sum(t for name, t in shapes_s.items() if name in sparql), 2),
            "slowest_shapes": [(name, round(t, 2)) for name, t in top[:12]]}


def _instrument() -> tuple[dict, dict]:
    """Time the phases of kb.checking.pipeline and each pySHACL shape."""
    import kb.checking.pipeline as pipeline

    phases, shapes = _instrument_pyshacl()
    timed = lambda name, function: _timed(phases, name, function)  # noqa: E731

    pipeline.read = timed("load (read and parse the records)", pipeline.read)
    pipeline.infer = timed("inference (derived facts + OWL 2 RL closure)", pipeline.infer)
    pipeline.days_ntriples = timed("calendar window", pipeline.days_ntriples)
    pipeline.pyshacl.validate = timed("pySHACL", pipeline.pyshacl.validate)
    pipeline.findings_from = timed("findings (explain the results)", pipeline.findings_from)
    pipeline.judge_in_time = timed("provisions in force", pipeline.judge_in_time)
    return phases, shapes


def _finding_keys(findings) -> list[tuple[str, str, str, str]]:
    """Findings as comparable keys: the severity before a recorded exception lowered it."""
    from rdflib import BNode, URIRef

    found = set()
    for f in findings:
        focus = BNode(f.focus[2:]) if f.focus.startswith("_:") else URIRef(f.focus)
        found.add(_key(lambda node, f=f: f.record, focus, f.shape, f.original_severity or f.severity))
    return sorted(found)


def _ours_whole(records: Path, args: argparse.Namespace) -> dict:
    """Our path in one run over the whole batch (`--whole`), its phases timed by wrapping the pipeline's steps."""
    from kb.checking.pipeline import validate_paths
    from kb.reasoning import readings

    phases, shapes = _instrument()
    started = time.perf_counter()
    outcome = validate_paths([str(records)])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "errors": len(outcome.errors), "triples": len(outcome.batch.union()),
            "inferred": len(outcome.inferred), "not_in_force": len(outcome.not_in_force),
            "results": _finding_keys(outcome.findings), "partitions": 1, "parent_rss_mb": _rss_mb()[0],
            **_shape_summary(phases, shapes, readings.shapes(readings.resolve()))}


def _ours(records: Path, args: argparse.Namespace) -> dict:
    """The batch job: partitions of --partition-size records, --jobs processes."""
    from kb.checking.partitions import validate_in_partitions

    started = time.perf_counter()
    outcome = validate_in_partitions([str(records)], size=args.partition_size, jobs=args.jobs,
                                     progress=_progress("ours: partition"))
    seconds = time.perf_counter() - started
    parent, worker = _rss_mb()
    return {"seconds": seconds, "errors": len(outcome.errors), "not_in_force": len(outcome.not_in_force),
            "results": _finding_keys(outcome.findings), "partitions": outcome.partitions,
            "phases": outcome.phases, "parent_rss_mb": parent, "worker_rss_mb": worker}


def _sharded_reference(records: Path, args: argparse.Namespace) -> dict:
    """pySHACL over our inferred view, shard by shard: the plan ours makes, with --reference-shard records each."""
    from kb.checking import partitions as parts
    from kb.reasoning import readings

    phases: dict[str, float] = {}
    started = time.perf_counter()
    choices = readings.resolve()
    rules = parts.grouping(choices)  # closes the TBox and reads the shapes once: the workers inherit both
    # kb's own first pass, plan and pool (private, so this benchmark's test fails when they change): the same plan
    with tempfile.TemporaryDirectory(prefix="kb-reference-") as scratch, parts._Pool(args.jobs) as pool:
        first = parts._first_pass(pool, [str(records)], None, rules, Path(scratch))
        read = time.perf_counter()
        shards, _ = parts.plan(first.pieces, args.reference_shard)
        planned = time.perf_counter()
        done = list(parts._ordered(pool, parts.validate_partition,
                                   ((shard, choices, "pyshacl") for shard in shards),
                                   _progress("reference: shard"), len(shards)))
    seconds = time.perf_counter() - started
    phases.update({"reading (wall)": read - started, "planning": planned - read,
                   "partitions (wall)": time.perf_counter() - planned})
    for part in done:
        for phase, spent in part.phases.items():
            phases[f"{phase} (summed)"] = phases.get(f"{phase} (summed)", 0.0) + spent
    parent, worker = _rss_mb()
    return {"seconds": seconds, "errors": len(first.errors), "results": _finding_keys(
                f for part in done for f in part.findings),
            "partitions": len(shards), "phases": {phase: round(spent, 2) for phase, spent in phases.items()},
            "parent_rss_mb": parent, "worker_rss_mb": worker}


def _rss_mb() -> tuple[float, float]:
    """This process's peak RSS and its largest ended child's, in MB (Linux gives ru_maxrss in KB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _progress(label: str):
    """A line on stderr about every twentieth step of a long run."""
    started = time.perf_counter()

    def told(done: int, total: int) -> None:
        if done == total or done % max(1, total // 20) == 0:
            print(f"{label} {done}/{total}, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return told


MEMORY_EXIT = 3
PATHS = {"ours": _ours, "ours-whole": _ours_whole, "sharded": _sharded_reference,
         "whole": lambda records, args: _reference(records)}


def worker(args: argparse.Namespace) -> int:
    run = PATHS[args.worker]
    try:
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            answer = profiler.runcall(run, args.records, args)
            profiler.dump_stats(args.profile)
        else:
            answer = run(args.records, args)
    except MemoryError:
        return MEMORY_EXIT
    args.result.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    return 0


# --- The parent: generate, run both, compare -----------------------------------------------------------------------


def _spawn(which: str, records: Path, result: Path, args: argparse.Namespace, timeout: float | None,
           profile: Path | None = None, memory_mb: float | None = None) -> dict:
    """Run one path in a child process, in a process group of its own; its wall time, peak RSS (its own or its
    largest ended descendant's, as os.wait4 gives it), and whether it was stopped."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", which, "--records", str(records),
               "--result", str(result), "--jobs", str(args.jobs), "--partition-size", str(args.partition_size),
               "--reference-shard", str(args.reference_shard)]
    if profile:
        command += ["--profile", str(profile)]

    def limit_memory():  # in the child, before it runs: its address space is capped (a MemoryError then)
        if memory_mb:
            cap = int(memory_mb * 1024 * 1024)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=str(HOME), preexec_fn=limit_memory, start_new_session=True)
    deadline = None if timeout is None else started + timeout
    tree = 0.0  # the most the child and its workers held at once, sampled
    try:
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            tree = max(tree, _group_rss_mb(child.pid))
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(child.pid, signal.SIGKILL)  # its pool's workers too
                _, status, usage = os.wait4(child.pid, 0)
                child.returncode = -signal.SIGKILL
                return {"stopped": True, "process_s": time.perf_counter() - started,
                        "rss_mb": usage.ru_maxrss / 1024}
            time.sleep(0.2)
    except BaseException:  # Ctrl-C reaches only this process: the child's group would run on
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        raise
    child.returncode = os.waitstatus_to_exitcode(status)
    answer = {"stopped": False, "process_s": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024,
              "exit": child.returncode, "tree_rss_mb": tree or None}
    if child.returncode == 0:
        answer.update(json.loads(result.read_text(encoding="utf-8")))
        if "worker_rss_mb" in answer:  # a bound of the process tree's peak: parent + jobs x largest worker
            answer["rss_mb"] = answer["parent_rss_mb"] + args.jobs * answer["worker_rss_mb"]
    return answer


def _group_rss_mb(group: int) -> float:
    """The resident memory of every process of a process group now, in MB: what a run in partitions holds at once
    (its parent and the workers alive), which the bound of parent + jobs x largest worker overstates. Linux's /proc;
    0 where there is none."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from the state on: the name may hold spaces
            if int(fields[2]) == group:
                total += int(fields[21])  # resident pages
    return total * PAGE / 2**20


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _one_record(command: str, path: Path) -> float | None:
    """Seconds of `kb <command> <path>` in a fresh process, run twice: the second (warm caches). None: it failed."""
    seconds = None
    for _ in range(2):
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "kb.cli", command, str(path)], cwd=str(HOME),
                             capture_output=True, timeout=600)
        seconds = time.perf_counter() - started
        if run.returncode not in (0, 1):  # 1: violations found
            print(f"kb {command} {path} exited {run.returncode}: {run.stderr.decode()[-500:]}", file=sys.stderr)
            return None
    return seconds


def _data(events: int, share: float, seed: int, cache: Path | None) -> Path:
    """The generated folder for these arguments, made once and reused from the cache."""
    from benchmarks import generate

    version = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:10]  # a changed generator: new data
    folder = (cache or DEFAULT_CACHE) / f"n{events}-v{share}-s{seed}-{version}"
    manifest = folder / "manifest.json"
    if not (manifest.exists() and (folder / "records").is_dir()):
        generate.write(folder, events, share, seed)
    return folder


WHOLE_REFERENCE_UP_TO = 100  # events: the whole-graph reference needs ~10 GB at 100
ONE_RECORD = HOME / "tests" / "cases" / "A08-3_SpecialTopicMeetingMaxOneHour" / "valid-001.json"  # one meeting
REFERENCE_TIMEOUT = {"whole": 1800, "sharded": 4 * 3600}
LABELS = {"ours": "ours (in partitions)", "ours-whole": "ours (one whole run)",
          "sharded": "reference (pySHACL, shards)", "whole": "reference (pySHACL+owlrl)"}


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, help="number of generated events")
    parser.add_argument("--violations", type=float, default=0.1, help="share of events made to violate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--partition-size", type=int, default=500, help="records per partition of ours")
    parser.add_argument("--jobs", type=int, default=2, help="processes of ours and of the sharded reference")
    parser.add_argument("--whole", action="store_true", help="ours in one run over the whole batch (validate_paths)")
    parser.add_argument("--reference", choices=["sharded", "whole"],
                        help=f"pySHACL over our inferred view in shards, or pySHACL + owlrl on the whole graph "
                             f"(default: whole up to {WHOLE_REFERENCE_UP_TO} events, sharded above)")
    parser.add_argument("--no-reference", dest="reference", action="store_const", const="none",
                        help="run ours only")
    parser.add_argument("--reference-shard", type=int, default=100, help="records per shard of the sharded reference")
    parser.add_argument("--reference-timeout", type=float,
                        help="seconds before the reference is stopped (default: 1800 whole, 4 hours sharded)")
    parser.add_argument("--reference-memory-mb", type=float, default=14000,
                        help="address-space cap of each reference process (the whole one needs ~11 GB at 100 events)")
    parser.add_argument("--fast-timeout", type=float, help="seconds before our path is stopped (default: none)")
    parser.add_argument("--one-record", type=Path, default=ONE_RECORD,
                        help="the small record file `kb validate` and `kb rules` are timed on")
    parser.add_argument("--cache", type=Path, help=f"folder for generated data (default {DEFAULT_CACHE})")
    parser.add_argument("--profile", type=Path,
                        help="write a cProfile of our path to this file (its parent process only, unless --whole)")
    parser.add_argument("--worker", choices=sorted(PATHS), help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _arguments()
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if not args.events:
        parser.error("--events is required")
    kind = args.reference or ("whole" if args.events <= WHOLE_REFERENCE_UP_TO else "sharded")
    reference_timeout = args.reference_timeout or REFERENCE_TIMEOUT.get(kind)

    folder = _data(args.events, args.violations, args.seed, args.cache)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    records = folder / "records"
    load_before = os.getloadavg()[0]
    ours_kind = "ours-whole" if args.whole else "ours"
    with tempfile.TemporaryDirectory() as scratch:
        fast = _spawn(ours_kind, records, Path(scratch) / "fast.json", args, args.fast_timeout, args.profile)
        reference = (None if kind == "none" else _spawn(kind, records, Path(scratch) / "reference.json", args,
                                                        reference_timeout, None, args.reference_memory_mb))
    one_record_s = _one_record("validate", args.one_record)
    one_record_rules_s = _one_record("rules", args.one_record)
    load_after = os.getloadavg()[0]

    events = manifest["events"]
    rows = [(LABELS[ours_kind], fast)] + ([(LABELS[kind], reference)] if reference else [])
    print(f"\n{events} events ({manifest['violating_events']} made to violate), records in {records}; "
          f"--jobs {args.jobs}, --partition-size {args.partition_size}"
          + (f", --reference-shard {args.reference_shard}" if kind == "sharded" else ""))
    print(f"{'path':<30}{'wall s':>10}{'events/s':>10}{'process s':>11}{'peak RSS MB':>13}{'parts':>7}{'results':>9}")
    for label, run in rows:
        seconds = run.get("seconds")
        print(f"{label:<30}{_fmt(seconds):>10}{_fmt(events / seconds if seconds else None):>10}"
              f"{_fmt(run['process_s']):>11}{_fmt(run['rss_mb']):>13}{run.get('partitions', '-'):>7}"
              f"{len(run.get('results', [])) or '-':>9}"
              + ("   stopped after the timeout" if run["stopped"] else "")
              + (f"   exit {run['exit']}" if run.get("exit") else ""))
    for label, run in rows:
        if "worker_rss_mb" in run:
            print(f"{label}, peak RSS (MB): parent {_fmt(run['parent_rss_mb'])}, largest worker "
                  f"{_fmt(run['worker_rss_mb'])}, bound parent + {args.jobs} x worker {_fmt(run['rss_mb'])}, "
                  f"all processes at once (sampled) {_fmt(run.get('tree_rss_mb'))}")
        if run.get("phases"):
            print(f"{label}, by phase (s): " + ", ".join(f"{k} {_fmt(v)}" for k, v in run["phases"].items())
                  + (f"; of which SPARQL-based shapes {run['sparql_shapes_s']}" if "sparql_shapes_s" in run else ""))
        if run.get("slowest_shapes"):
            print("  slowest shapes (s): " + ", ".join(f"{name} {t}" for name, t in run["slowest_shapes"][:6]))
    print(f"one record ({args.one_record.name}), fresh process, second run: kb validate {_fmt(one_record_s)} s, "
          f"kb rules {_fmt(one_record_rules_s)} s")

    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    summary = {"events": events, "reference_kind": None if kind == "none" else kind, "reference_s": None,
               "fast_s": _round(fast.get("seconds")), "ratio": None, "peak_rss_mb": _round(fast["rss_mb"]),
               "parent_rss_mb": _round(fast.get("parent_rss_mb")), "worker_rss_mb": _round(fast.get("worker_rss_mb")),
               "tree_rss_mb": _round(fast.get("tree_rss_mb")),
               "equal": None, "one_record_s": _round(one_record_s), "one_record_rules_s": _round(one_record_rules_s),
               "whole": args.whole, "jobs": args.jobs, "partition_size": args.partition_size,
               "partitions": fast.get("partitions"), "phases": fast.get("phases"),
               "fast_results": len(fast.get("results", [])),
               "expected_found": _expected_found(expected, fast.get("results", [])),
               "load_average": [_round(load_before), _round(load_after)]}
    notes = [note for note in (_failure("our path", fast, args.fast_timeout, None),
                               _failure("reference", reference, reference_timeout, args.reference_memory_mb))
             if note]
    if reference is None:
        notes.append("reference not run (--no-reference)")
    if one_record_s is None or one_record_rules_s is None:
        notes.append(f"kb validate or kb rules failed on {args.one_record}")
    if reference is not None and not reference["stopped"] and not reference.get("exit"):
        summary.update(reference_rss_mb=_round(reference["rss_mb"]), reference_results=len(reference["results"]))
        if kind == "whole":
            summary.update(reference_load_s=_round(reference["load_s"]),
                           reference_closure_s=reference["phases"].get("owlrl closure (pySHACL pre-inference)"))
        else:
            summary.update(reference_shard=args.reference_shard, reference_partitions=reference["partitions"],
                           reference_phases=reference["phases"])
        summary["reference_s"] = _round(reference["seconds"])
    if summary["fast_s"] and summary["reference_s"]:
        ours = {tuple(r) for r in fast["results"]}
        theirs = {tuple(r) for r in reference["results"]}
        only_reference, only_fast = sorted(theirs - ours), sorted(ours - theirs)
        summary.update(ratio=_round(reference["seconds"] / fast["seconds"]),
                       equal=not only_reference and not only_fast)
        if only_reference or only_fast:
            differences = folder / "differences.json"
            differences.write_text(json.dumps({"only_reference": only_reference, "only_fast": only_fast},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
            summary.update(only_reference=len(only_reference), only_fast=len(only_fast),
                           differences=str(differences))
            print(f"results differ: {len(only_reference)} only in the reference, {len(only_fast)} only in ours; "
                  f"see {differences}")
    if notes:
        summary["note"] = "; ".join(notes)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _failure(label: str, run: dict | None, timeout: float | None, memory_mb: float | None) -> str | None:
    if run is None:
        return None
    if run["stopped"]:
        return f"{label} stopped after {timeout:.0f} s"
    if run.get("exit") == MEMORY_EXIT:
        return f"{label} ran out of its {memory_mb:.0f} MB memory cap"
    if run.get("exit"):
        return f"{label} failed (exit {run['exit']})"
    return None


def _expected_found(expected: dict[str, list[str]], results: list) -> dict:
    """How many of the violations the generator planted our path reports (record and shape)."""
    base = "https://w3id.org/daxing-zuofeng/id/"
    found = {(r[0].removeprefix(base), r[2]) for r in results}
    planted = {(record, shape) for record, shapes in expected.items() for shape in shapes}
    return {"planted": len(planted), "found": len(planted & found),
            "other_records": len({r for r, _ in found} - set(expected))}


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def _round(value):
    return None if value is None else round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
